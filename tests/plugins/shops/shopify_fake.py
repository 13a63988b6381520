"""A conformance fake of the Shopify Admin GraphQL API on 127.0.0.1.

Held to shopify.dev, not to our adapter:
  - POST /admin/api/{version}/graphql.json; another version is a 404; the `X-Shopify-Access-Token` header
    must be the app's token, else HTTP 401 {"errors": "[API] Invalid API key or access token
    (unrecognized login or wrong password)"};
  - "GraphQL Admin API rate limits": the requested cost is calculated before running (graphql_mini:
    scalars 0, objects 1, connections 2 + objects, mutations 10); a leaky bucket of `bucket_max` points
    refilled at `restore_rate`/s pays for it; a query over 1000 points is refused (MAX_COST_EXCEEDED);
    a call the bucket cannot pay gets {"errors": [{"message": "Throttled", "extensions": {"code":
    "THROTTLED", ...}}], "extensions": {"cost": {..., "actualQueryCost": null, "throttleStatus": ...}}};
    every answer carries extensions.cost;
  - the objects and mutations the adapter uses, with their documented argument and payload shapes and
    userErrors: productVariants(query: "sku:..."), productVariantsBulkUpdate, productUpdate,
    inventorySetQuantities (2026-04: every quantity must carry changeFromQuantity — null opts out, a stale
    one is CHANGE_FROM_QUANTITY_STALE — and the @idempotent key is required; a replayed key returns the
    first result without applying again), discountCodeBasicCreate (codes are unique per shop),
    discountCodeDeactivate, codeDiscountNode, codeDiscountNodeByCode, shop, locations, orders.
Faults (fault_plan.py) are injected per root field.

Chosen here because the public docs do not pin them (named in the closing note): a THROTTLED answer is
HTTP 200 (community threads disagree: some report 429; the adapter handles both); actualQueryCost equals
the requested cost (no refund of unused connection slots); the wording of the missing-@idempotent error.
"""
from __future__ import annotations

import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from tests.fakes import LocalServer, Reply, Request
from tests.plugins.shops.fault_plan import FaultPlan
from tests.plugins.shops.graphql_mini import Field, GraphQLSyntaxError, args_of, execute, operation_cost, parse

MAX_COST = 1000
MUTATIONS = {"productVariantsBulkUpdate", "productUpdate", "inventorySetQuantities", "discountCodeBasicCreate",
             "discountCodeDeactivate"}


def money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def cents_of(text: Any) -> int | None:
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        text = repr(text)
    if not isinstance(text, str) or not re.fullmatch(r"\d+(\.\d{1,2})?", text.strip()):
        return None
    whole, _, frac = text.strip().partition(".")
    return int(whole) * 100 + int((frac or "0").ljust(2, "0"))


@dataclass
class Variant:
    id: str
    sku: str
    price: int
    compare_at: int | None
    product_id: str
    item_id: str


@dataclass
class Product:
    id: str
    title: str
    status: str
    variants: list[str] = field(default_factory=list)


class ShopifyFake(LocalServer):
    def __init__(self, *, token: str = "shpat_fake_admin_token_5f3a", api_version: str = "2026-04",
                 currency: str = "USD", bucket_max: float = 2000.0, restore_rate: float = 100.0,
                 locations: int = 1):
        self.token, self.api_version, self.currency = token, api_version, currency
        self.bucket_max, self.restore_rate = bucket_max, restore_rate
        self._bucket = (bucket_max, time.monotonic())
        self.lock = threading.RLock()
        self.products: dict[str, Product] = {}
        self.variants: dict[str, Variant] = {}
        self.levels: dict[tuple[str, str], int] = {}       # (inventory item, location) -> available
        self.locations = [{"id": f"gid://shopify/Location/{i + 1}", "name": f"Location {i + 1}"} for i in range(locations)]
        self.discounts: dict[str, dict] = {}
        self.orders: list[dict] = []
        self.idempotent: dict[str, dict] = {}              # @idempotent key -> first payload
        self.faults = FaultPlan()
        self.applied: list[tuple[str, Any]] = []
        self.lies: dict[str, int] = {}
        self.throttled = 0                                 # THROTTLED answers given
        self.costs: list[int] = []                         # requested cost of every call
        self.before: dict[str, Any] = {}                   # root field -> callable run once before it resolves
        self._n = 1000
        super().__init__(self._app)

    # ---- test controls --------------------------------------------------------------------------
    def _gid(self, kind: str) -> str:
        with self.lock:
            self._n += 1
            return f"gid://shopify/{kind}/{self._n}"

    def add_product(self, title: str, variants: list[dict], status: str = "ACTIVE") -> Product:
        """variants: [{"sku", "price" (cents), "compare_at" (cents, optional), "stock"}]"""
        p = Product(self._gid("Product"), title, status)
        for v in variants:
            var = Variant(self._gid("ProductVariant"), v["sku"], v["price"], v.get("compare_at"), p.id,
                          self._gid("InventoryItem"))
            with self.lock:
                self.variants[var.id] = var
                self.levels[(var.item_id, self.locations[0]["id"])] = v.get("stock", 0)
            p.variants.append(var.id)
        with self.lock:
            self.products[p.id] = p
        return p

    def by_sku(self, sku: str) -> Variant:
        return next(v for v in self.variants.values() if v.sku == sku)

    def sell(self, sku: str, n: int, paid: bool = True) -> None:
        """A buyer orders `n` units: stock goes down and an order is recorded."""
        with self.lock:
            v = self.by_sku(sku)
            key = (v.item_id, self.locations[0]["id"])
            self.levels[key] -= n
            total = v.price * n
            self.orders.append({"id": self._gid("Order"), "created": time.time(),
                                "displayFinancialStatus": "PAID" if paid else "PENDING",
                                "total": total, "lines": [(sku, n, total)]})

    def lie_price(self, sku: str, cents: int) -> None:
        self.lies[sku] = cents

    def drain(self, to: float = 0.0) -> None:
        with self.lock:
            self._bucket = (to, time.monotonic())

    # ---- the bucket -----------------------------------------------------------------------------
    def _available(self) -> float:
        have, at = self._bucket
        return min(self.bucket_max, have + (time.monotonic() - at) * self.restore_rate)

    def _cost_block(self, requested: int, actual: int | None, available: float) -> dict:
        return {"cost": {"requestedQueryCost": requested, "actualQueryCost": actual,
                         "throttleStatus": {"maximumAvailable": float(self.bucket_max),
                                            "currentlyAvailable": int(available),
                                            "restoreRate": float(self.restore_rate)}}}

    def _throttled_reply(self, requested: int, available: float) -> Reply:
        self.throttled += 1
        return Reply(200, {"errors": [{"message": "Throttled", "extensions": {
            "code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}],
            "extensions": self._cost_block(requested, None, available)})

    # ---- protocol -------------------------------------------------------------------------------
    def _app(self, req: Request) -> Reply:
        m = re.fullmatch(r"/admin/api/([^/]+)/graphql\.json", req.path)
        if req.method != "POST" or m is None or m.group(1) != self.api_version:
            return Reply(404, {"errors": "Not Found"})
        if req.headers.get("x-shopify-access-token") != self.token:
            return Reply(401, {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"})
        try:
            body = json.loads(req.body.decode("utf-8"))
            op = parse(body["query"])
            variables = body.get("variables") or {}
        except (ValueError, KeyError, GraphQLSyntaxError) as e:
            return Reply(200, {"errors": [{"message": f"Parse error: {e}",
                                           "extensions": {"code": "GRAPHQL_PARSE_FAILED"}}]})
        roots = [s for s in op.selections if isinstance(s, Field)]
        requested = operation_cost(op, variables)
        self.costs.append(requested)
        if requested > MAX_COST:
            return Reply(200, {"errors": [{"message": f"Query cost is {requested}, which exceeds the single query max "
                                                      f"cost limit ({MAX_COST}).",
                                           "extensions": {"code": "MAX_COST_EXCEEDED", "cost": requested,
                                                          "maxCost": MAX_COST}}],
                               "extensions": self._cost_block(requested, None, self._available())})
        fault = next((f for f in (self.faults.take(r.name) for r in roots) if f is not None), None)
        with self.lock:
            available = self._available()
            if fault is not None and fault.kind == "rate_limited":
                # the bucket holds a little less than this call costs: it refills in 50 ms
                return self._throttled_reply(requested, max(0.0, requested - self.restore_rate * 0.05))
            if requested > available:
                return self._throttled_reply(requested, available)
            self._bucket = (available - requested, time.monotonic())
            after = available - requested
        if fault is not None:
            if fault.kind == "timeout":
                return Reply(200, {"data": None}, delay=fault.hold)
            if fault.kind == "unavailable":
                return Reply(503, "Service Unavailable")
            if fault.kind == "refused":
                if op.kind == "mutation":
                    return Reply(200, {"data": {roots[0].key: {"userErrors": [
                        {"field": ["input"], "message": "The shop is not allowed to perform this action",
                         "code": "INVALID"}]}}, "extensions": self._cost_block(requested, requested, after)})
                return Reply(200, {"errors": [{"message": "Access denied for productVariants field.",
                                               "extensions": {"code": "ACCESS_DENIED"}}],
                                   "extensions": self._cost_block(requested, requested, after)})
        data: dict[str, Any] = {}
        errors: list[dict] = []
        with self.lock:
            for root in roots:
                resolver = getattr(self, "_" + root.name, None)
                if resolver is None:
                    errors.append({"message": f"Field '{root.name}' doesn't exist on type "
                                              f"'{'Mutation' if op.kind == 'mutation' else 'QueryRoot'}'",
                                   "extensions": {"code": "undefinedField"}})
                    continue
                hook = self.before.pop(root.name, None)
                if hook is not None:
                    hook()
                try:
                    value = resolver(args_of(root, variables), root, variables)
                except _GraphQLError as e:
                    errors.append({"message": str(e), "extensions": {"code": e.code}})
                    continue
                data[root.key] = execute(root.selections, value, variables) if root.selections else value
        if fault is not None and fault.kind in ("apply_then_error", "drop"):
            if fault.kind == "drop":
                return Reply(drop=True)
            return Reply(200, {"errors": [{"message": "Internal error. Looks like something went wrong on our end.\n"
                                                      f"Request ID: {uuid.uuid4()} (include this in support requests).",
                                           "extensions": {"code": "INTERNAL_SERVER_ERROR",
                                                          "requestId": str(uuid.uuid4())}}]})
        payload: dict[str, Any] = {"data": data, "extensions": self._cost_block(requested, requested, after)}
        if errors:
            payload["errors"] = errors
        return Reply(200, payload)

    # ---- objects --------------------------------------------------------------------------------
    def _variant_obj(self, v: Variant) -> dict:
        p = self.products[v.product_id]

        def level(args):
            qty = self.levels.get((v.item_id, args.get("locationId")))
            if qty is None:
                return None
            return {"quantities": lambda a: [{"name": n, "quantity": qty if n == "available" else 0}
                                             for n in a.get("names") or []]}

        return {"__typename": "ProductVariant", "id": v.id, "sku": v.sku,
                "price": money(self.lies.get(v.sku, v.price)),
                "compareAtPrice": money(v.compare_at) if v.compare_at is not None else None,
                "product": {"id": p.id, "title": p.title, "status": p.status},
                "inventoryItem": {"id": v.item_id, "inventoryLevel": level}}

    def _discount_obj(self, d: dict) -> dict:
        items = {"__typename": "AllDiscountItems", "allItems": True} if not d["variants"] else {
            "__typename": "DiscountProducts",
            "productVariants": lambda a: {"nodes": [{"sku": self.variants[x].sku} for x in d["variants"]]}}
        minimum = None if d["minimum"] is None else {
            "__typename": "DiscountMinimumSubtotal",
            "greaterThanOrEqualToSubtotal": {"amount": money(d["minimum"]), "currencyCode": self.currency}}
        return {"id": d["id"], "codeDiscount": {
            "__typename": "DiscountCodeBasic", "title": d["title"], "status": d["status"],
            "asyncUsageCount": d["used"], "usageLimit": d["usage_limit"],
            "appliesOncePerCustomer": d["once"], "codes": lambda a: {"nodes": [{"code": d["code"]}]},
            "minimumRequirement": minimum,
            "customerGets": {"value": {"__typename": "DiscountAmount",
                                       "amount": {"amount": money(d["amount"]), "currencyCode": self.currency},
                                       "appliesOnEachItem": d["each"]},
                             "items": items}}}

    # ---- query roots ----------------------------------------------------------------------------
    def _shop(self, args, f, variables):
        return {"currencyCode": self.currency, "name": "Fake shop"}

    def _locations(self, args, f, variables):
        return {"nodes": self.locations[: args.get("first") or 10]}

    def _productVariants(self, args, f, variables):
        rows = list(self.variants.values())
        q = args.get("query")
        if q:
            m = re.fullmatch(r'sku:(?:"((?:[^"\\]|\\.)*)"|(\S+))', q.strip())
            if not m:
                raise _GraphQLError(f"unsupported search query {q!r}", "BAD_REQUEST")
            want = m.group(1).replace('\\"', '"').replace("\\\\", "\\") if m.group(1) is not None else m.group(2)
            rows = [v for v in rows if v.sku == want]
        start = int(args.get("after") or 0)
        size = args.get("first") or 50
        page = rows[start:start + size]
        more = start + size < len(rows)
        return {"nodes": [self._variant_obj(v) for v in page],
                "pageInfo": {"hasNextPage": more, "endCursor": str(start + size) if more else None}}

    def _codeDiscountNode(self, args, f, variables):
        d = self.discounts.get(args.get("id"))
        return self._discount_obj(d) if d else None

    def _codeDiscountNodeByCode(self, args, f, variables):
        d = next((d for d in self.discounts.values() if d["code"].lower() == str(args.get("code", "")).lower()), None)
        return self._discount_obj(d) if d else None

    def _orders(self, args, f, variables):
        q = args.get("query") or ""
        m = re.search(r"created_at:>='?([0-9T:\-]+Z)'?", q)
        since = datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp() if m else 0
        rows = [o for o in self.orders if o["created"] >= since - 1]
        start = int(args.get("after") or 0)
        size = args.get("first") or 50
        page = rows[start:start + size]
        more = start + size < len(rows)
        return {"nodes": [{"id": o["id"], "displayFinancialStatus": o["displayFinancialStatus"],
                           "currentTotalPriceSet": {"shopMoney": {"amount": money(o["total"]), "currencyCode": self.currency}},
                           "lineItems": lambda a, o=o: {"nodes": [
                               {"sku": s, "quantity": n, "originalTotalSet": {"shopMoney": {
                                   "amount": money(t), "currencyCode": self.currency}}} for s, n, t in o["lines"]]}}
                          for o in page],
                "pageInfo": {"hasNextPage": more, "endCursor": str(start + size) if more else None}}

    # ---- mutations ------------------------------------------------------------------------------
    @staticmethod
    def _user_error(field_: list[str], message: str, code: str | None = None) -> dict:
        return {"userErrors": [{"field": field_, "message": message, "code": code}]}

    def _productVariantsBulkUpdate(self, args, f, variables):
        p = self.products.get(args.get("productId"))
        if p is None:
            return self._user_error(["productId"], "Product does not exist", "PRODUCT_DOES_NOT_EXIST")
        changes = []
        for i, v in enumerate(args.get("variants") or []):
            var = self.variants.get(v.get("id"))
            if var is None or var.product_id != p.id:
                return self._user_error(["variants", str(i), "id"], "Product variant does not exist",
                                        "PRODUCT_VARIANT_DOES_NOT_EXIST")
            change = {}
            if "price" in v:
                c = cents_of(v["price"])
                if c is None:
                    return self._user_error(["variants", str(i), "price"], "Price is invalid", "INVALID")
                change["price"] = c
            if "compareAtPrice" in v:
                c = None if v["compareAtPrice"] is None else cents_of(v["compareAtPrice"])
                if v["compareAtPrice"] is not None and c is None:
                    return self._user_error(["variants", str(i), "compareAtPrice"], "Compare at price is invalid",
                                            "INVALID")
                change["compare_at"] = c
            changes.append((var, change))
        for var, change in changes:
            for k, val in change.items():
                setattr(var, k, val)
            self.applied.append(("productVariantsBulkUpdate", (var.sku, change)))
        return {"productVariants": [self._variant_obj(var) for var, _ in changes], "userErrors": []}

    def _productUpdate(self, args, f, variables):
        inp = args.get("product") or {}
        p = self.products.get(inp.get("id"))
        if p is None:
            return self._user_error(["id"], "Product does not exist")
        if "status" in inp:
            if inp["status"] not in ("ACTIVE", "ARCHIVED", "DRAFT"):
                raise _GraphQLError(f"Variable $product of type ProductUpdateInput! was provided invalid value for "
                                    f"status (Expected \"{inp['status']}\" to be one of: ACTIVE, ARCHIVED, DRAFT)",
                                    "INVALID_VARIABLE")
            p.status = inp["status"]
            self.applied.append(("productUpdate", (p.id, p.status)))
        return {"product": {"id": p.id, "status": p.status}, "userErrors": []}

    def _inventorySetQuantities(self, args, f, variables):
        directive = f.directives.get("idempotent")
        key = args_of(Field("idempotent", args=directive), variables).get("key") if directive is not None else None
        if key is None and self.api_version >= "2026-04":
            raise _GraphQLError("The @idempotent directive is required for this mutation.", "BAD_REQUEST")
        if key is not None and key in self.idempotent:
            return self.idempotent[key]
        inp = args.get("input") or {}
        if inp.get("name") not in ("available", "on_hand"):
            return self._user_error(["input", "name"], "The quantity name must be available or on_hand.", "INVALID_NAME")
        if inp.get("reason") not in ("correction", "cycle_count_available", "damaged", "movement_created",
                                     "movement_updated", "movement_received", "movement_canceled", "other",
                                     "promotion", "quality_control", "received", "reservation_created",
                                     "reservation_deleted", "reservation_updated", "restock", "safety_stock",
                                     "shrinkage"):
            return self._user_error(["input", "reason"], "The reason is invalid.", "INVALID_REASON")
        changes = []
        for i, q in enumerate(inp.get("quantities") or []):
            k = (q.get("inventoryItemId"), q.get("locationId"))
            if q.get("inventoryItemId") not in {v.item_id for v in self.variants.values()}:
                return self._user_error(["input", "quantities", str(i), "inventoryItemId"],
                                        "The specified inventory item could not be found.", "INVALID_INVENTORY_ITEM")
            if k not in self.levels:
                return self._user_error(["input", "quantities", str(i), "locationId"],
                                        "The specified location could not be found.", "INVALID_LOCATION")
            if self.api_version >= "2026-04" and "changeFromQuantity" not in q:
                return self._user_error(["input", "quantities", str(i), "changeFromQuantity"],
                                        "changeFromQuantity is required; pass null to opt out of the check.",
                                        "INVALID_QUANTITY")
            qty = q.get("quantity")
            if isinstance(qty, bool) or not isinstance(qty, int) or qty > 1_000_000_000 or qty < -1_000_000_000:
                return self._user_error(["input", "quantities", str(i), "quantity"], "The quantity is invalid.",
                                        "INVALID_QUANTITY_TOO_HIGH")
            if q.get("changeFromQuantity") is not None and q["changeFromQuantity"] != self.levels[k]:
                return self._user_error(["input", "quantities", str(i), "changeFromQuantity"],
                                        "The specified compare quantity does not match the current quantity.",
                                        "CHANGE_FROM_QUANTITY_STALE")
            changes.append((k, qty))
        deltas = []
        for k, qty in changes:
            deltas.append({"name": inp["name"], "delta": qty - self.levels[k]})
            self.levels[k] = qty
            self.applied.append(("inventorySetQuantities", (k, qty)))
        payload = {"inventoryAdjustmentGroup": {"reason": inp["reason"], "changes": deltas}, "userErrors": []}
        if key is not None:
            self.idempotent[key] = payload
        return payload

    def _discountCodeBasicCreate(self, args, f, variables):
        d = args.get("basicCodeDiscount") or {}
        code = d.get("code")
        if not code or not d.get("title"):
            return self._user_error(["basicCodeDiscount", "code" if not code else "title"], "can't be blank", "BLANK")
        if not d.get("context") and not d.get("customerSelection"):
            return self._user_error(["basicCodeDiscount", "context"], "Context can't be blank", "BLANK")
        if any(x["code"].lower() == code.lower() for x in self.discounts.values()):
            return self._user_error(["basicCodeDiscount", "code"], "Code must be unique. Please try a different code.",
                                    "TAKEN")
        value = ((d.get("customerGets") or {}).get("value") or {}).get("discountAmount") or {}
        amount = cents_of(value.get("amount"))
        if amount is None or amount <= 0:
            return self._user_error(["basicCodeDiscount", "customerGets", "value", "discountAmount", "amount"],
                                    "Value must be greater than 0", "VALUE_OUTSIDE_RANGE")
        items = (d.get("customerGets") or {}).get("items") or {}
        variants = ((items.get("products") or {}).get("productVariantsToAdd")) or []
        for vid in variants:
            if vid not in self.variants:
                return self._user_error(["basicCodeDiscount", "customerGets", "items"], "Product variant does not exist",
                                        "INVALID")
        minimum = (((d.get("minimumRequirement") or {}).get("subtotal") or {}).get("greaterThanOrEqualToSubtotal"))
        gid = self._gid("DiscountCodeNode")
        self.discounts[gid] = {"id": gid, "code": code, "title": d["title"], "status": "ACTIVE", "used": 0,
                               "usage_limit": d.get("usageLimit"), "once": bool(d.get("appliesOncePerCustomer")),
                               "amount": amount, "each": bool(value.get("appliesOnEachItem")), "variants": variants,
                               "minimum": cents_of(minimum) if minimum is not None else None}
        self.applied.append(("discountCodeBasicCreate", gid))
        return {"codeDiscountNode": {"id": gid}, "userErrors": []}

    def _discountCodeDeactivate(self, args, f, variables):
        d = self.discounts.get(args.get("id"))
        if d is None:
            return self._user_error(["id"], "Discount does not exist", "INVALID")
        d["status"] = "EXPIRED"          # deactivating ends the discount now
        self.applied.append(("discountCodeDeactivate", d["id"]))
        return {"codeDiscountNode": {"id": d["id"]}, "userErrors": []}


class _GraphQLError(Exception):
    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code
