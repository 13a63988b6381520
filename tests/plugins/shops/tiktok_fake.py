"""A conformance fake of the TikTok Shop Partner API (v202309) on 127.0.0.1.

It holds adapters to the platform's documented behaviour (partner.tiktokshop.com/docv2), not to ours:
  - "Sign your API request": `sign` is recomputed from the path, the sorted query (without `sign` and
    `access_token`) and the raw body, wrapped in the app secret, HMAC-SHA256; a wrong one gets HTTP 401
    {"code": 106001, "message": "Invalid credentials. The 'sign' query parameter is invalid. ..."}
    (the answer seen from the live API); a missing one 36009004; `timestamp` must lie between 5
    minutes before and 30 seconds after the server's clock ("Common errors");
  - `x-tts-access-token` must be the seller token (36009004; 105002 once `expire_token()`);
    shop APIs need `shop_cipher` (106013) and it must be this shop's (101000);
  - "Rate limits": per API, per app and shop, `qps` requests per second; over it HTTP 429 with
    code 36009002 "Too many requests";
  - the v202309 product endpoints (Search Products, Get Product, Update Price, Update Inventory,
    Activate Product, Deactivate Products), the Promotion API (Create/Update Product/Get/Deactivate/
    Search Activities), Get Coupon (202406) and Get Shop LIVE Performance List (202508), with the
    documented answer shapes and error codes (each spec page's "Error Code" table).
Faults (fault_plan.py) are injected per route; `lie_price` makes every read report a given price.

Not verifiable from the public docs, so chosen here and named in the closing note: the HTTP status of a
business refusal (the fake answers 200 with the error code in the body), how long the activation
audit takes (`audit_reads` Get Product calls, default 1), and the error code of an unknown coupon.
"""
from __future__ import annotations

import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from plugins.tiktok_shop.signing import TIMESTAMP_FUTURE_S, TIMESTAMP_PAST_S, verify
from tests.fakes import LocalServer, Reply, Request
from tests.plugins.shops.fault_plan import FaultPlan

V = "202309"


def money(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def parse_amount(text: Any) -> int | None:
    """A decimal string with at most 2 decimals -> cents; None if malformed."""
    if not isinstance(text, str) or not re.fullmatch(r"\d+(\.\d{1,2})?", text):
        return None
    try:
        d = Decimal(text)
    except InvalidOperation:
        return None
    return int(d * 100)


@dataclass
class Sku:
    id: str
    seller_sku: str
    price: int                    # cents
    list_price: int | None        # cents (US market), None elsewhere
    inventory: dict[str, int]     # warehouse_id -> quantity


@dataclass
class Product:
    id: str
    title: str
    status: str                   # ACTIVATE, SELLER_DEACTIVATED, PENDING, ...
    skus: list[Sku]
    audit_left: int = 0           # Get Product calls before PENDING becomes ACTIVATE


@dataclass
class Activity:
    id: str
    title: str
    activity_type: str
    product_level: str
    begin_time: int
    end_time: int
    products: list[dict] = field(default_factory=list)
    deactivated: bool = False
    create_time: int = 0
    update_time: int = 0


ROUTES = [
    ("GET", r"/authorization/202309/shops", "authorized_shops", False),
    ("POST", r"/product/202309/products/search", "search_products", True),
    ("POST", r"/product/202309/products/activate", "activate_product", True),
    ("POST", r"/product/202309/products/deactivate", "deactivate_products", True),
    ("GET", r"/product/202309/products/(?P<product_id>\d+)", "get_product", True),
    ("POST", r"/product/202309/products/(?P<product_id>\d+)/prices/update", "update_price", True),
    ("POST", r"/product/202309/products/(?P<product_id>\d+)/inventory/update", "update_inventory", True),
    ("POST", r"/promotion/202309/activities", "create_activity", True),
    ("POST", r"/promotion/202309/activities/search", "search_activities", True),
    ("PUT", r"/promotion/202309/activities/(?P<activity_id>\d+)/products", "update_activity_product", True),
    ("GET", r"/promotion/202309/activities/(?P<activity_id>\d+)", "get_activity", True),
    ("POST", r"/promotion/202309/activities/(?P<activity_id>\d+)/deactivate", "deactivate_activity", True),
    ("GET", r"/promotion/202406/coupons/(?P<coupon_id>\d+)", "get_coupon", True),
    ("GET", r"/analytics/202508/shop_lives/performance", "live_performance", True),
]
WRITES = {"activate_product", "deactivate_products", "update_price", "update_inventory", "create_activity",
          "update_activity_product", "deactivate_activity"}
# the refusal each route answers with under a "refused" fault (from its Error Code table)
REFUSALS = {"update_price": (12052073, "The product price is invalid"),
            "update_inventory": (12052055, "The SKU inventory quantity for the warehouse must be within allowed limits."),
            "activate_product": (12052093, "Exceeded the product listing limit for the seller."),
            "deactivate_products": (12052700, "The seller is inactive."),
            "create_activity": (17029035, "ShopRisk Check Failed"),
            "update_activity_product": (17029020, "Product discount exceeds limit. The limit varies based on products and regions."),
            "deactivate_activity": (17029028, "You are specifying activities not in your shop."),
            "get_product": (12052048, "You cannot edit the specified product(s) as it isn't listed in your account or shop. "),
            "search_products": (12052700, "The seller is inactive."),
            "get_activity": (17029028, "You are specifying activities not in your shop.")}


class TikTokShopFake(LocalServer):
    def __init__(self, *, app_key: str = "6a6fake01", app_secret: str = "fake-app-secret-7Qx9",
                 access_token: str = "TTP_fake-seller-token-Zr81", shop_cipher: str = "ROW_fakeCipher01",
                 region: str = "US", currency: str = "USD", qps: float = 50.0, audit_reads: int = 1):
        self.app_key, self.app_secret, self.access_token = app_key, app_secret, access_token
        self.shop_cipher, self.region, self.currency = shop_cipher, region, currency
        self.qps = qps
        self.audit_reads = audit_reads
        self.lock = threading.RLock()
        self.products: dict[str, Product] = {}
        self.activities: dict[str, Activity] = {}
        self.coupons: dict[str, dict] = {}
        self.lives: list[dict] = []
        self.faults = FaultPlan()
        self.applied: list[tuple[str, Any]] = []     # every write the shop applied
        self.lies: dict[str, int] = {}               # seller_sku -> price every read reports
        self.clock_offset = 0.0
        self.token_expired = False
        self.sold: dict[str, int] = {}               # sku id -> units sold (for activities)
        self.throttled = 0                           # HTTP 429 answers given by the QPS limit
        self._buckets: dict[str, tuple[float, float]] = {}
        self._ids = 7000000000000000000
        super().__init__(self._app)

    # ---- test controls --------------------------------------------------------------------------
    def now(self) -> float:
        return time.time() + self.clock_offset

    def advance(self, seconds: float) -> None:
        self.clock_offset += seconds

    def new_id(self) -> str:
        with self.lock:
            self._ids += 1
            return str(self._ids)

    def add_product(self, title: str, skus: list[dict], status: str = "ACTIVATE") -> Product:
        """skus: [{"seller_sku", "price" (cents), "list_price" (cents, optional), "stock" or
        "inventory" {warehouse: qty}}]"""
        p = Product(self.new_id(), title, status, [])
        for s in skus:
            inv = s.get("inventory") or {"7068517275539719942": s.get("stock", 0)}
            p.skus.append(Sku(self.new_id(), s["seller_sku"], s["price"],
                              s.get("list_price") if self.region == "US" else None, dict(inv)))
        with self.lock:
            self.products[p.id] = p
        return p

    def add_coupon(self, **c) -> str:
        cid = self.new_id()
        with self.lock:
            self.coupons[cid] = {"id": cid, **c}
        return cid

    def add_live(self, session: dict) -> None:
        self.lives.append(session)

    def find_sku(self, seller_sku: str) -> tuple[Product, Sku]:
        for p in self.products.values():
            for s in p.skus:
                if s.seller_sku == seller_sku:
                    return p, s
        raise KeyError(seller_sku)

    def sell(self, seller_sku: str, n: int) -> None:
        """Buyers take `n` units (from the first warehouse with stock)."""
        with self.lock:
            _, s = self.find_sku(seller_sku)
            self.sold[s.id] = self.sold.get(s.id, 0) + n
            for w in s.inventory:
                take = min(n, s.inventory[w])
                s.inventory[w] -= take
                n -= take

    def lie_price(self, seller_sku: str, cents: int) -> None:
        self.lies[seller_sku] = cents

    def expire_token(self) -> None:
        self.token_expired = True

    # ---- protocol -------------------------------------------------------------------------------
    def _reply(self, data: Any = None, code: int = 0, message: str = "Success", status: int = 200) -> Reply:
        return Reply(status, {"code": code, "message": message, "request_id": uuid.uuid4().hex.upper()[:32],
                              "data": data})

    def _error(self, code: int, message: str, status: int = 200) -> Reply:
        return self._reply(None, code, message, status)

    def _throttled(self, api: str) -> bool:
        # a token bucket of `qps` tokens refilled at `qps` per second, per API
        with self.lock:
            now = time.monotonic()
            tokens, last = self._buckets.get(api, (self.qps, now))
            tokens = min(self.qps, tokens + (now - last) * self.qps)
            if tokens < 1:
                self._buckets[api] = (tokens, now)
                return True
            self._buckets[api] = (tokens - 1, now)
            return False

    def _auth(self, req: Request, shop_api: bool) -> Reply | None:
        q = req.query
        if "sign" not in q:
            return self._error(36009004, "Missing credentials. The request does not include a required "
                                         "signature in the query.", 401)
        if q.get("app_key") != self.app_key:
            return self._error(36009004, "Invalid credentials. Invalid `app_key` query parameter.", 401)
        try:
            ts = int(q.get("timestamp", ""))
        except ValueError:
            ts = -1
        now = self.now()
        if ts < 0:
            return self._error(36009004, "Invalid timestamp. The value of the `timestamp` query parameter must "
                                         "not be lesser than 0.", 401)
        if ts < now - TIMESTAMP_PAST_S:
            return self._error(36009004, "Invalid timestamp. The value of the `timestamp` query parameter must "
                                         "not be earlier than 5 minutes before the current time.", 401)
        if ts > now + TIMESTAMP_FUTURE_S:
            return self._error(36009004, "Invalid timestamp. The value of the `timestamp` query parameter must "
                                         "not exceed the current time by more than 30 seconds.", 401)
        if not verify(self.app_secret, req.path, q, req.body, q["sign"], req.headers.get("content-type", "")):
            return self._error(106001, "Invalid credentials. The 'sign' query parameter is invalid. For more "
                                       "details: https://m.tiktok.shop/s/AIu6dbFhs2XW", 401)
        if req.headers.get("x-tts-access-token") != self.access_token:
            return self._error(36009004, "Invalid credentials. The `x-tts-access-token` header is invalid.", 401)
        if self.token_expired:
            return self._error(105002, "Expired credentials. The `access_token` or `x-tts-access-token` header "
                                       "has expired.", 401)
        if shop_api and "shop_cipher" not in q:
            return self._error(106013, "Missing identifier. The `shop_cipher` query parameter is required to "
                                       "identify the target shop.")
        if not shop_api and "shop_cipher" in q:
            return self._error(36009004, "Unexpected identifier. The `shop_cipher` query parameter is not "
                                         "required for this request.")
        if shop_api and q["shop_cipher"] != self.shop_cipher:
            return self._error(101000, "Invalid query or header. The `x-tts-access-token` header is invalid: "
                                       "the token does not belong to the shop of `shop_cipher`.", 401)
        return None

    def _app(self, req: Request) -> Reply:
        route = None
        for method, pattern, name, shop_api in ROUTES:
            m = re.fullmatch(pattern, req.path)
            if m and method == req.method:
                route = (name, m.groupdict(), shop_api, pattern)
                break
        if route is None:
            if any(re.fullmatch(p, req.path) for _, p, _, _ in ROUTES):
                return self._error(36009010, "Invalid method. The HTTP method used is not supported by this endpoint.", 405)
            return self._error(36009009, "Invalid path. The specified path does not match any available endpoint.", 404)
        name, args, shop_api, pattern = route
        denied = self._auth(req, shop_api)
        if denied is not None:
            return denied
        if self._throttled(pattern):
            self.throttled += 1
            return self._error(36009002, "Too many requests. You've made too many requests in a short period "
                                         "of time.", 429)
        fault = self.faults.take(name)
        if fault is not None:
            if fault.kind == "timeout":
                return Reply(200, {"code": 0, "message": "late", "data": {}}, delay=fault.hold)
            if fault.kind == "unavailable":
                return Reply(503, "Service Unavailable")
            if fault.kind == "rate_limited":
                return self._error(36009002, "Too many requests. You've made too many requests in a short "
                                             "period of time.", 429)
            if fault.kind == "refused":
                code, msg = REFUSALS.get(name, (36009009, "Invalid path."))
                return self._error(code, msg)
        try:
            body = json.loads(req.body.decode("utf-8")) if req.body else {}
        except ValueError:
            return self._error(36009022, "Invalid request format. The request body format must be "
                                         "`application/json` for structured data or `multipart/form-data` for "
                                         "binary files.", 400)
        with self.lock:
            reply = getattr(self, "_" + name)(req, body, **args)
        if fault is not None and fault.kind in ("apply_then_error", "drop"):
            if fault.kind == "drop":
                return Reply(drop=True)
            return self._error(36009003, "Internal error. Please try again. If the issue persists after "
                                         "multiple attempts, please contact platform support.", 500)
        return reply

    # ---- serialisation --------------------------------------------------------------------------
    def _sku_json(self, s: Sku) -> dict:
        price = self.lies.get(s.seller_sku, s.price)
        out = {"id": s.id, "seller_sku": s.seller_sku,
               "price": {"currency": self.currency, "sale_price": money(price), "tax_exclusive_price": money(price)},
               "inventory": [{"warehouse_id": w, "quantity": q} for w, q in s.inventory.items()]}
        if s.list_price is not None:
            out["list_price"] = {"amount": money(s.list_price), "currency": self.currency}
        return out

    def _product_json(self, p: Product) -> dict:
        return {"id": p.id, "title": p.title, "status": p.status, "skus": [self._sku_json(s) for s in p.skus],
                "create_time": 1700000000, "update_time": int(self.now())}

    def _status(self, a: Activity) -> str:
        now = self.now()
        if a.deactivated:
            return "DEACTIVATED"
        if now >= a.end_time:
            return "EXPIRED"
        if not a.products:
            return "DRAFT"
        return "ONGOING" if now >= a.begin_time else "NOT_START"

    def _activity_json(self, a: Activity) -> dict:
        return {"activity_id": a.id, "title": a.title, "activity_type": a.activity_type,
                "begin_time": a.begin_time, "end_time": a.end_time, "products": a.products,
                "status": self._status(a), "create_time": a.create_time, "update_time": a.update_time,
                "product_level": a.product_level}

    # ---- routes ---------------------------------------------------------------------------------
    def _authorized_shops(self, req, body):
        return self._reply({"shops": [{"id": "7000714532876273420", "name": "Fake shop", "region": self.region,
                                       "seller_type": "LOCAL", "cipher": self.shop_cipher, "code": "USFAKE01"}]})

    def _search_products(self, req, body):
        try:
            size = int(req.query.get("page_size", ""))
        except ValueError:
            size = 0
        if not 1 <= size <= 100:
            return self._error(12019109, "page size is invalid")
        skus = body.get("seller_skus")
        if skus is not None and len(skus) > 10:
            return self._error(12019027, "The maximum count of “seller_skus” in the search filter is 10.")
        rows = [p for p in self.products.values()
                if (skus is None or any(s.seller_sku in skus for s in p.skus))
                and (not body.get("status") or body["status"] in ("ALL", p.status))]
        start = int(req.query.get("page_token") or 0)
        page = rows[start:start + size]
        nxt = str(start + size) if start + size < len(rows) else ""
        return self._reply({"total_count": len(rows), "products": [self._product_json(p) for p in page],
                            "next_page_token": nxt})

    def _get_product(self, req, body, product_id):
        p = self.products.get(product_id)
        if p is None or p.status == "DELETED":
            return self._error(12052032, "The product does not exist")
        if p.status == "PENDING":
            if p.audit_left <= 0:
                p.status = "ACTIVATE"
            else:
                p.audit_left -= 1
        return self._reply(self._product_json(p))

    def _locked(self, sku_id: str) -> bool:
        return any(self._status(a) in ("ONGOING", "NOT_START") and
                   any(s.get("id") == sku_id for prod in a.products for s in prod.get("skus") or [])
                   for a in self.activities.values())

    def _update_price(self, req, body, product_id):
        p = self.products.get(product_id)
        if p is None:
            return self._error(12052032, "The product does not exist")
        if p.status != "ACTIVATE":
            return self._error(12052901, "The product in its current status is not available for this operation. "
                                         "Change the product status and try again.")
        changes = []
        for item in body.get("skus") or []:
            s = next((s for s in p.skus if s.id == item.get("id")), None)
            if s is None:
                return self._error(12019059, "seller sku is invalid")
            price = item.get("price") or {}
            if price.get("currency") != self.currency:
                return self._error(12052084, "The provided currency is not available for this shop/region.")
            cents = parse_amount(price.get("amount"))
            if cents is None or cents <= 0:
                return self._error(12052012, "Incorrect price format")
            if self._locked(s.id):
                return self._error(12052038, "Product price locked due to ongoing promotion. ")
            changes.append((s, cents))
        if not changes:
            return self._error(12052910, "Invalid input parameters. Refer to the API documentation for details.")
        for s, cents in changes:
            s.price = cents
            self.applied.append(("update_price", (s.seller_sku, cents)))
        return self._reply({})

    def _update_inventory(self, req, body, product_id):
        p = self.products.get(product_id)
        if p is None:
            return self._error(12052032, "The product does not exist")
        if p.status != "ACTIVATE":
            return self._error(12052901, "The product in its current status is not available for this operation. "
                                         "Change the product status and try again.")
        changes = []
        for item in body.get("skus") or []:
            s = next((s for s in p.skus if s.id == item.get("id")), None)
            if s is None:
                return self._error(12052036, "The SKU ID is necessary")
            inv = item.get("inventory") or []
            given = {str(w.get("warehouse_id") or next(iter(s.inventory))): w.get("quantity") for w in inv}
            if len(s.inventory) > 1 and set(given) != set(s.inventory):
                return self._error(12019028, "Multiple warehouses detected. Include all warehouse IDs and the "
                                             "corresponding details and try again.")
            for w, q in given.items():
                if w not in s.inventory:
                    return self._error(12052097, "The warehouse does not exist")
                if isinstance(q, bool) or not isinstance(q, int) or not 0 <= q <= 99_999:
                    return self._error(12052055, "The SKU inventory quantity for the warehouse must be within "
                                                 "allowed limits.")
            changes.append((s, given))
        for s, given in changes:
            s.inventory.update(given)
            self.applied.append(("update_inventory", (s.seller_sku, dict(given))))
        return self._reply({})

    def _set_status(self, body, allowed: tuple[str, ...], new: str, op: str):
        ids = body.get("product_ids") or []
        if len(ids) > 20:
            return self._error(12019120, "The number of provided product IDs exceeds the limit.")
        errors = []
        for pid in ids:
            p = self.products.get(str(pid))
            if p is None:
                errors.append({"code": 12052032, "message": "The product does not exist",
                               "detail": {"product_id": str(pid)}})
            elif p.status not in allowed:
                errors.append({"code": 12052901, "message": "The product in its current status is not available "
                                                            "for this operation.", "detail": {"product_id": p.id}})
            else:
                p.status = new
                if new == "PENDING":
                    p.audit_left = self.audit_reads - 1
                    if self.audit_reads <= 0:
                        p.status = "ACTIVATE"
                self.applied.append((op, p.id))
        return self._reply({"errors": errors} if errors else {})

    def _activate_product(self, req, body):
        # Activate Product: hidden products go to PENDING (audit), then ACTIVATE
        return self._set_status(body, ("SELLER_DEACTIVATED", "PLATFORM_DEACTIVATED"), "PENDING", "activate")

    def _deactivate_products(self, req, body):
        return self._set_status(body, ("ACTIVATE",), "SELLER_DEACTIVATED", "deactivate")

    def _create_activity(self, req, body):
        title = body.get("title")
        if not isinstance(title, str) or not title:
            return self._error(17029001, "Invalid parameters")
        if len(title) > 50:
            return self._error(17029002, "Title Length Too Long")
        if any(a.title == title for a in self.activities.values()):
            return self._error(17029004, "Duplicate activity title.")
        if body.get("activity_type") not in ("FIXED_PRICE", "DIRECT_DISCOUNT", "FLASHSALE"):
            return self._error(17029036, "ActivityType is not supported.")
        if body.get("product_level") not in ("PRODUCT", "VARIATION"):
            return self._error(17029052, "ProductType is not supported")
        begin, end = body.get("begin_time"), body.get("end_time")
        if not isinstance(begin, int) or not isinstance(end, int):
            return self._error(17029001, "Invalid parameters")
        if begin <= self.now():
            return self._error(17029005, "Begin Time Earlier Than Now")
        if end - begin < 600:
            return self._error(17029006, "The activity period is too short.")
        if end - begin >= 365 * 86400:
            return self._error(17029007, "The activity period is too long.")
        a = Activity(self.new_id(), title, body["activity_type"], body["product_level"], begin, end,
                     create_time=int(self.now()), update_time=int(self.now()))
        self.activities[a.id] = a
        self.applied.append(("create_activity", a.id))
        return self._reply({"activity_id": a.id, "create_time": a.create_time, "update_time": a.update_time,
                            "status": self._status(a)})

    def _update_activity_product(self, req, body, activity_id):
        a = self.activities.get(activity_id)
        if a is None:
            return self._error(17029009, "Activity does not exist")
        status = self._status(a)
        if status == "DEACTIVATED":
            return self._error(17029010, "Activity is deactivated")
        if status == "EXPIRED":
            return self._error(17029012, "Not allowed to update expired activities")
        products = body.get("products") or []
        if not products or len(products) > 300:
            return self._error(17029001 if not products else 17029046, "Invalid parameters")
        for item in products:
            p = self.products.get(str(item.get("id")))
            if p is None:
                return self._error(17029017, "You are specifying products not in your shop.")
            if a.product_level == "VARIATION" and (item.get("quantity_limit") != -1 or item.get("quantity_per_user") != -1):
                return self._error(17029015, "When `product_level==VARIATION`, the value of `quantity_limit` must be `-1`.")
            for sk in item.get("skus") or []:
                s = next((s for s in p.skus if s.id == sk.get("id")), None)
                if s is None:
                    return self._error(17029016, "Invalid SKU ID.")
                stock = sum(s.inventory.values())
                ql, qu = sk.get("quantity_limit"), sk.get("quantity_per_user")
                if not isinstance(ql, int) or (ql != -1 and not 1 <= ql):
                    return self._error(17029001, "Invalid parameters")
                if ql != -1 and ql > stock:
                    return self._error(17029018, "The provided SKU quantity is greater than the available stock.")
                if not isinstance(qu, int) or (qu != -1 and not 1 <= qu <= 99):
                    return self._error(17029014, "The value of `quantity_per_user` is out of range.")
                price = parse_amount(sk.get("activity_price_amount"))
                if a.activity_type in ("FIXED_PRICE", "FLASHSALE") and (price is None or price <= 0):
                    return self._error(17029001, "Invalid parameters")
                if price is not None and price >= s.price:
                    return self._error(17029021, "SKU discount exceeds limit. The limit varies based on products and regions.")
                for other in self.activities.values():
                    if other.id != a.id and self._status(other) in ("ONGOING", "NOT_START") and any(
                            x.get("id") == s.id for op in other.products for x in op.get("skus") or []):
                        return self._error(17029022, "The product or SKU cannot be in two `ONGOING` or `NOT_START` "
                                                     "activities at the same time.")
        for item in products:
            a.products = [x for x in a.products if x["id"] != str(item["id"])] + [{
                "id": str(item["id"]), "quantity_limit": -1, "quantity_per_user": -1,
                "skus": [{"id": sk["id"], "quantity_limit": sk["quantity_limit"],
                          "quantity_per_user": sk["quantity_per_user"],
                          "activity_price": {"amount": sk["activity_price_amount"], "currency": self.currency}}
                         for sk in item.get("skus") or []]}]
        a.update_time = int(self.now())
        self.applied.append(("update_activity_product", a.id))
        return self._reply({"activity_id": a.id, "title": a.title, "update_time": a.update_time,
                            "status": self._status(a), "total_count": sum(len(x["skus"]) for x in a.products)})

    def _get_activity(self, req, body, activity_id):
        a = self.activities.get(activity_id)
        if a is None:
            return self._error(17029009, "Activity does not exist")
        return self._reply(self._activity_json(a))

    def _deactivate_activity(self, req, body, activity_id):
        a = self.activities.get(activity_id)
        if a is None:
            return self._error(17029009, "Activity does not exist")
        status = self._status(a)
        if status == "DEACTIVATED":
            return self._error(17029010, "Activity is deactivated")
        if status == "EXPIRED":
            return self._error(17029012, "Not allowed to update expired activities")
        a.deactivated = True
        a.update_time = int(self.now())
        self.applied.append(("deactivate_activity", a.id))
        return self._reply({"activity_id": a.id, "title": a.title, "status": self._status(a),
                            "update_time": a.update_time})

    def _search_activities(self, req, body):
        size = body.get("page_size", 50)
        if not isinstance(size, int) or not 0 <= size <= 100:
            return self._error(17029001, "Invalid parameters")
        rows = [a for a in self.activities.values()
                if (not body.get("activity_title") or a.title == body["activity_title"])
                and (not body.get("activity_type") or a.activity_type == body["activity_type"])
                and (not body.get("status") or self._status(a) == body["status"])]
        return self._reply({"total_count": len(rows), "next_page_token": "",
                            "activities": [{"id": a.id, "title": a.title, "activity_type": a.activity_type,
                                            "begin_time": a.begin_time, "end_time": a.end_time,
                                            "status": self._status(a), "product_level": a.product_level}
                                           for a in rows[:size]]})

    def _get_coupon(self, req, body, coupon_id):
        c = self.coupons.get(coupon_id)
        if c is None:
            return self._error(17029001, "Invalid parameters")
        return self._reply({"coupon": c})

    def _live_performance(self, req, body):
        for k in ("start_date_ge", "end_date_lt"):
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", req.query.get(k, "")):
                return self._error(36009004, f"Invalid parameter `{k}`.")
        return self._reply({"live_stream_sessions": self.lives, "total_count": len(self.lives),
                            "next_page_token": "", "latest_available_date": req.query["start_date_ge"]})
