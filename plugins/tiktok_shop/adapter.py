"""`TikTokShopPlatform`: the Platform port over the TikTok Shop Partner API (v202309).

What maps to what (all from partner.tiktokshop.com/docv2; the page names are given where used):
  SKU           the port's SKU is TikTok's `seller_sku`; it is found with Search Products
                (POST /product/202309/products/search, filter `seller_skus`, at most 10) and cached as
                (product_id, sku_id)
  read          Get Product (GET /product/202309/products/{product_id}): `skus[].price.sale_price` is
                "the local display price shown on the product page before any discounts", `list_price`
                (US market) the strikethrough price, `inventory[].quantity` per warehouse, product
                `status` ACTIVATE = on sale
  set_price     Update Price (POST .../products/{product_id}/prices/update) {"skus": [{"id", "price":
                {"amount": "29.90", "currency": "USD"}}]} — refused while the SKU is in an ongoing
                promotion (code 12052038); `data` is always empty, so the price is read back
  set_stock     Update Inventory (POST .../inventory/update); every warehouse of the SKU must be listed
  list/unlist   Activate Product / Deactivate Products (POST /product/202309/products/activate|deactivate)
                — product level: all SKUs of the product go together; activation goes through an audit
                (status PENDING) before ACTIVATE. Failures come back as `data.errors` with code 0.
  offers        Promotion API: Create Activity (FLASHSALE, product_level VARIATION), Update Activity
                Product (activity price, quantity_limit, quantity_per_user; -1 = unlimited), Get
                Activity, Deactivate Activity, Search Activities (by exact title). An activity must start
                after "now" and last at least 10 minutes; a SKU cannot be in two NOT_START/ONGOING
                activities (17029022).
  coupons       Create Activity "cannot create a coupon activity"; coupons are made in Seller Center.
                Get Coupon (GET /promotion/202406/coupons/{coupon_id}) reads one.
  metrics       Get Shop LIVE Performance List (GET /analytics/202508/shop_lives/performance): per LIVE
                session, not real time (the answer names `latest_available_date`).
  pin, 仅剩N件   not in the public Partner API: refused (capabilities say so).

Writes go through plugins.shop_common (ShopAdapter._write): the idempotency ledger answers a replayed
key from memory and reads the shop before re-sending a write whose answer was lost; the read-back
after each write is shop_common's ReadBack.

Money: the port's integer is 1/100 of the shop's currency (cents for USD); the wire carries decimal
strings, converted with controlroom.commerce.money (unit "decimal_string"). An answer in another
currency than the configured one is refused.
"""
from __future__ import annotations

import logging
import random
import threading
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import requests

from controlroom.clock import Clock
from controlroom.commerce.money import MoneyError, from_platform_unit, to_platform_unit
from controlroom.platform import (Capabilities, CouponSpec, CouponState, MetricsSnapshot, OfferSpec, OfferState,
                                  ProductState)
from plugins.shop_common.base import ShopAdapter, check_key
from plugins.shop_common.config import secret
from plugins.shop_common.ledger import Entry, marker
from plugins.shop_common.readback import ReadbackMismatch

from .client import TikTokClient, TikTokError
from .config import TikTokShopConfig

log = logging.getLogger(__name__)

V = "202309"
UNIT = "decimal_string"
ACTIVE_OFFER = ("NOT_START", "ONGOING")
ENDED_OFFER = ("EXPIRED", "DEACTIVATED")
MIN_OFFER_S = 600          # Get Activity: "The end time must be 10 minutes later than the start time"
MAX_PER_USER = 99          # Update Activity Product: quantity_per_user range [1, 99] or -1
ALREADY_STOPPED = (17029010, 17029012)   # Deactivate Activity: "Activity is deactivated" / expired


class TikTokShopPlatform(ShopAdapter):
    name = "tiktok_shop"
    capabilities = Capabilities(native_offers=True, offer_quantity_cap=True, offer_per_buyer_limit=True,
                                coupons=False, pin=False, displayed_stock=False,
                                comments=False)
    settings_class = TikTokShopConfig

    def __init__(self, config: TikTokShopConfig, *, clock: Clock | None = None, data_dir: str | Path | None = None,
                 sleep: Callable[[float], None] = time.sleep, wall: Callable[[], float] = time.time,
                 monotonic: Callable[[], float] = time.monotonic, rng: random.Random | None = None,
                 session_factory: Callable[[], requests.Session] = requests.Session):
        self.config = config.validate()
        self.name = config.name
        self.currency = config.currency
        app_secret = secret("TikTok Shop", "app secret", config.app_secret_name, config.app_secret_env)
        token = secret("TikTok Shop", "access token", config.access_token_name, config.access_token_env)
        super().__init__("TikTok Shop", config, f"tiktok_shop:{config.app_key}:{config.shop_cipher or '-'}",
                         data_dir=data_dir, clock=clock, sleep=sleep, rng=rng, session_factory=session_factory)
        self.client = TikTokClient(config, app_secret, token, self.transport, sleep=sleep, wall=wall,
                                   monotonic=monotonic)
        self._sleep, self._wall = sleep, wall
        self._refs: dict[str, tuple[str, str]] = {}        # seller_sku -> (product_id, sku_id)
        self._by_sku_id: dict[str, str] = {}               # sku_id -> seller_sku
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"TikTokShopPlatform(app_key={self.config.app_key!r}, currency={self.currency!r})"

    # ---- money ----------------------------------------------------------------------------------
    def _money_out(self, fen: int) -> str:
        return str(to_platform_unit(fen, UNIT))

    def _money_in(self, value: Any, currency: Any, field: str, what: str) -> int:
        if currency is not None and currency != self.currency:
            raise TikTokError(f"{what}: {field} is in {currency}, the shop is configured for {self.currency}; "
                              "refused rather than converted")
        try:
            return from_platform_unit(str(value) if isinstance(value, Decimal) else value, UNIT, field=field)
        except MoneyError as e:
            raise TikTokError(f"{what}: {e}") from None

    # ---- SKUs -----------------------------------------------------------------------------------
    def _search(self, body: dict, page_token: str | None = None, page_size: int = 100) -> dict:
        self.client.ensure_shop()
        data = self.client.call("POST", f"/product/{V}/products/search", body=body, label="Search Products",
                                query={"page_size": page_size, "page_token": page_token or None})
        return data if isinstance(data, dict) else {}

    def _remember(self, product: dict) -> None:
        for s in product.get("skus") or []:
            seller_sku = s.get("seller_sku")
            if seller_sku:
                with self._lock:
                    self._refs[str(seller_sku)] = (str(product.get("id")), str(s.get("id")))
                    self._by_sku_id[str(s.get("id"))] = str(seller_sku)

    def _ref(self, sku: str, *, fresh: bool = False) -> tuple[str, str]:
        with self._lock:
            ref = None if fresh else self._refs.get(sku)
        if ref:
            return ref
        data = self._search({"seller_skus": [sku]}, page_size=10)
        hits = [(p, s) for p in data.get("products") or [] for s in p.get("skus") or []
                if str(s.get("seller_sku")) == sku]
        if not hits:
            raise TikTokError(f"{self.name}: SKU {sku!r} is not a seller SKU of this TikTok shop")
        if len({str(p.get('id')) for p, _ in hits}) > 1:
            raise TikTokError(f"{self.name}: seller SKU {sku!r} is on several products "
                              f"({', '.join(str(p.get('id')) for p, _ in hits)}); make it unique in Seller Center")
        for p, _ in hits:
            self._remember(p)
        p, s = hits[0]
        return str(p.get("id")), str(s.get("id"))

    def _get_product(self, product_id: str) -> dict:
        self.client.ensure_shop()
        data = self.client.call("GET", f"/product/{V}/products/{product_id}",
                                api=f"/product/{V}/products/{{product_id}}", label="Get Product")
        if not isinstance(data, dict):
            raise TikTokError(f"{self.name} Get Product {product_id}: the answer has no product")
        self._remember(data)
        return data

    def _sku_obj(self, sku: str) -> tuple[dict, dict]:
        product_id, sku_id = self._ref(sku)
        product = self._get_product(product_id)
        for s in product.get("skus") or []:
            if str(s.get("id")) == sku_id and str(s.get("seller_sku")) == sku:
                return product, s
        # the product was edited since we cached it: look the SKU up again once
        product_id, sku_id = self._ref(sku, fresh=True)
        product = self._get_product(product_id)
        for s in product.get("skus") or []:
            if str(s.get("id")) == sku_id:
                return product, s
        raise TikTokError(f"{self.name}: SKU {sku!r} is no longer on product {product_id}")

    def _state(self, product: dict, s: dict) -> ProductState:
        sku = str(s.get("seller_sku"))
        what = f"{self.name} SKU {sku}"
        price = s.get("price") or {}
        if "sale_price" not in price:
            raise TikTokError(f"{what}: the answer has no price.sale_price")
        live = self._money_in(price["sale_price"], price.get("currency"), "price", what)
        lp = s.get("list_price") or {}
        strike = self._money_in(lp["amount"], lp.get("currency"), "list_price", what) if lp.get("amount") else live
        stock = 0
        for w in s.get("inventory") or []:
            q = w.get("quantity")
            if isinstance(q, bool) or not isinstance(q, int) or q < 0:
                raise TikTokError(f"{what}: inventory quantity {q!r} is not a whole number ≥ 0")
            stock += q
        return ProductState(sku=sku, title=str(product.get("title", "")), list_price=strike, price=live,
                            stock=stock, listed=product.get("status") == "ACTIVATE")

    # ---- reads ----------------------------------------------------------------------------------
    def read_product(self, sku: str) -> ProductState:
        product, s = self._sku_obj(sku)
        return self._state(product, s)

    def read_products(self) -> list[ProductState]:
        out: list[ProductState] = []
        token: str | None = None
        seen: set[str] = set()
        while True:
            data = self._search({}, page_token=token)
            for p in data.get("products") or []:
                self._remember(p)
                for s in p.get("skus") or []:
                    if s.get("seller_sku") and str(s["seller_sku"]) not in seen:
                        seen.add(str(s["seller_sku"]))
                        out.append(self._state(p, s))
            token = data.get("next_page_token") or None
            if not token:
                return out

    def read_coupon(self, coupon_id: str) -> CouponState:
        what = f"{self.name} coupon {coupon_id}"
        self.client.ensure_shop()
        data = self.client.call("GET", f"/promotion/202406/coupons/{coupon_id}",
                                api="/promotion/202406/coupons/{coupon_id}", label="Get Coupon")
        c = (data or {}).get("coupon") if isinstance(data, dict) else None
        if not isinstance(c, dict):
            raise TikTokError(f"{what}: no such coupon")
        disc = c.get("discount") or {}
        if disc.get("type") != "AMOUNT_OFF":
            raise TikTokError(f"{what}: a {disc.get('type')} coupon has no fixed amount; the console models "
                              "amount-off coupons only")
        ra = disc.get("reduction_amount") or {}
        amount = self._money_in(ra.get("amount"), ra.get("currency"), "reduction_amount", what)
        th = c.get("threshold") or {}
        ms = th.get("min_spend") or {}
        threshold = self._money_in(ms.get("amount"), ms.get("currency"), "min_spend", what) \
            if th.get("type") == "MIN_SPEND" else 0
        limits = c.get("usage_limits") or {}
        stats = c.get("usage_stats") or {}
        sku = None
        pids = c.get("product_ids") or []
        if c.get("product_scope") == "SPECIFIC_PRODUCTS" and len(pids) == 1:
            owned = [k for k, (pid, _) in self._refs.items() if pid == str(pids[0])]
            sku = owned[0] if len(owned) == 1 else None
        spec = CouponSpec(sku=sku, threshold=threshold, amount=amount,
                          total_qty=limits.get("total_claim_limit") or None,
                          per_buyer_limit=int(limits.get("single_buyer_claim_limit") or 1),
                          name=str(c.get("title", "")))
        return CouponState(coupon_id=str(c.get("id", coupon_id)), spec=spec,
                           issued=int(stats.get("claimed_count") or 0),
                           active=str(c.get("status", "")).strip() in ACTIVE_OFFER)

    def metrics(self) -> MetricsSnapshot:
        """Today's latest LIVE session from Get Shop LIVE Performance List. TikTok computes these per
        day in the shop's time zone (`latest_available_date`): a figure, not a live counter. Fields the
        API does not report (concurrent viewers now, room impressions, add-to-cart) stay 0."""
        self.client.ensure_shop()
        today = datetime.fromtimestamp(self._wall(), timezone.utc).date()
        data = self.client.call("GET", "/analytics/202508/shop_lives/performance", label="LIVE performance",
                                query={"start_date_ge": today.isoformat(),
                                       "end_date_lt": (today + timedelta(days=1)).isoformat(),
                                       "page_size": 10, "sort_field": "gmv", "currency": "LOCAL"})
        sessions = (data or {}).get("live_stream_sessions") or [] if isinstance(data, dict) else []
        if not sessions:
            return MetricsSnapshot()
        s = max(sessions, key=lambda x: int(x.get("start_time") or 0))
        sales, inter = s.get("sales_performance") or {}, s.get("interaction_performance") or {}
        gmv = sales.get("gmv") or {}
        fen = self._money_in(gmv.get("amount", "0"), gmv.get("currency"), "gmv", f"{self.name} metrics")
        n = lambda d, k: int(d.get(k) or 0)  # noqa: E731
        return MetricsSnapshot(
            views=n(inter, "views"), unique_viewers=n(inter, "viewers"), comments=n(inter, "comments"),
            likes=n(inter, "likes"), shares=n(inter, "shares"), new_followers=n(inter, "new_followers"),
            product_impressions=n(inter, "product_impressions"), product_clicks=n(inter, "product_clicks"),
            orders=n(sales, "created_sku_orders"), paid_orders=n(sales, "sku_orders"),
            buyers=n(sales, "customers"), gmv=fen, paid_gmv=fen)

    # ---- writes ---------------------------------------------------------------------------------
    def _check_errors(self, data: Any, what: str) -> None:
        """Activate/Deactivate/Update Inventory answer code 0 with per-item `data.errors`."""
        errors = (data or {}).get("errors") if isinstance(data, dict) else None
        if errors:
            e = errors[0]
            extra = ((e.get("detail") or {}).get("extra_errors") or [{}])[0]
            raise TikTokError(f"{what}: refused [code {e.get('code')}] {e.get('message', '')}"
                              + (f" — [code {extra.get('code')}] {extra.get('message')}" if extra.get("code") else ""),
                              e.get("code"))

    def _listing(self, sku: str, listed: bool, key: str) -> None:
        op = "list_product" if listed else "unlist_product"
        check_key(f"{self.name} {op}", key)
        product_id, _ = self._ref(sku)
        action = "activate" if listed else "deactivate"

        def send(entry: Entry) -> None:
            product, _s = self._sku_obj(sku)
            # Activate takes only hidden products, Deactivate only live ones: a product already where
            # it should be (or in audit after an activation) needs no call
            if (product.get("status") in ("ACTIVATE", "PENDING")) == listed:
                self._verify_product(op, sku, listed=listed)
                return None
            self.ledger.attempt(entry)
            data = self.client.call("POST", f"/product/{V}/products/{action}", body={"product_ids": [product_id]},
                                    write=True, label=f"{action.capitalize()} Product")
            self._check_errors(data, f"{self.name} {op} {sku}")
            self._verify_product(op, sku, listed=listed)
            return None

        self._set(op, key, sku, [sku], send, listed=listed)

    def list_product(self, sku: str, *, idempotency_key: str) -> None:
        self._listing(sku, True, idempotency_key)

    def unlist_product(self, sku: str, *, idempotency_key: str) -> None:
        self._listing(sku, False, idempotency_key)

    def set_price(self, sku: str, price: int, *, idempotency_key: str) -> None:
        op = "set_price"
        check_key(f"{self.name} {op}", idempotency_key)
        amount = self._money_out(price)
        product_id, sku_id = self._ref(sku)

        def send(entry: Entry) -> None:
            self.ledger.attempt(entry)
            self.client.call("POST", f"/product/{V}/products/{product_id}/prices/update",
                             api=f"/product/{V}/products/{{product_id}}/prices/update", write=True,
                             body={"skus": [{"id": sku_id, "price": {"amount": amount, "currency": self.currency}}]},
                             label="Update Price")
            self._verify_product(op, sku, price=price)
            return None

        self._set(op, idempotency_key, sku, [sku, price], send, price=price)

    def set_stock(self, sku: str, stock: int, *, idempotency_key: str) -> None:
        op = "set_stock"
        check_key(f"{self.name} {op}", idempotency_key)
        if isinstance(stock, bool) or not isinstance(stock, int) or not 0 <= stock <= 99_999:
            raise TikTokError(f"{self.name} set_stock {sku}: stock must be a whole number 0..99999 "
                              f"(Update Inventory's range), got {stock!r}")
        self._ref(sku)

        def send(entry: Entry) -> None:
            product, s = self._sku_obj(sku)
            wh = [(str(w.get("warehouse_id")), int(w.get("quantity") or 0)) for w in s.get("inventory") or []]
            if len(wh) > 1 and not self.config.warehouse_id:
                raise TikTokError(f"{self.name} set_stock {sku}: the SKU is stocked in {len(wh)} warehouses "
                                  f"({', '.join(w for w, _ in wh)}); set warehouse_id in [platform.tiktok_shop]")
            target = self.config.warehouse_id or (wh[0][0] if wh else "")
            if wh and target not in {w for w, _ in wh}:
                raise TikTokError(f"{self.name} set_stock {sku}: warehouse {target} does not stock this SKU")
            others = sum(q for w, q in wh if w != target)
            if others > stock:
                raise TikTokError(f"{self.name} set_stock {sku}: other warehouses already hold {others} units, "
                                  f"more than the {stock} commanded")
            # Update Inventory: "include all warehouse IDs assigned to this SKU, along with the respective quantity"
            inventory = [{"warehouse_id": w, "quantity": (stock - others) if w == target else q} for w, q in wh] \
                or [{"quantity": stock}]
            self.ledger.attempt(entry)
            data = self.client.call("POST", f"/product/{V}/products/{product['id']}/inventory/update",
                                    api=f"/product/{V}/products/{{product_id}}/inventory/update", write=True,
                                    body={"skus": [{"id": str(s.get("id")), "inventory": inventory}]},
                                    label="Update Inventory")
            self._check_errors(data, f"{self.name} set_stock {sku}")
            self._verify_product(op, sku, stock=stock)
            return None

        self._set(op, idempotency_key, sku, [sku, stock], send, stock=stock)

    def set_displayed_stock(self, sku: str, shown: int | None, *, idempotency_key: str) -> None:
        raise self._unsupported("set_displayed_stock", idempotency_key,
                                "a 仅剩N件 figure apart from real stock is not in TikTok Shop's public Partner API "
                                "(capabilities.displayed_stock is False); announce it on the cue screen")

    def pin_product(self, sku: str | None, *, idempotency_key: str) -> None:
        raise self._unsupported("pin_product", idempotency_key,
                                "pinning a product in a LIVE is not in TikTok Shop's public Partner API; pin it in "
                                "LIVE Manager (capabilities.pin is False)")

    def issue_coupon(self, spec: CouponSpec, *, idempotency_key: str) -> str:
        raise self._unsupported("issue_coupon", idempotency_key,
                                "the Promotion API's Create Activity \"cannot create a coupon activity\"; create "
                                "the coupon in Seller Center (capabilities.coupons is False)")

    def stop_coupon(self, coupon_id: str, *, idempotency_key: str) -> None:
        raise self._unsupported("stop_coupon", idempotency_key,
                                f"the public Partner API reads coupons but cannot end one; end {coupon_id} in "
                                "Seller Center (capabilities.coupons is False)")

    # ---- flash offers ---------------------------------------------------------------------------
    OFFER = "flash_sale"

    @staticmethod
    def _offer_title(key: str) -> str:
        # Create Activity: the title is unique across the shop's activities, at most 50 characters.
        # Derived from the key, so a retry after a lost answer finds the activity it made.
        return "CR " + marker(key, 20)

    def _activity(self, activity_id: str) -> dict:
        self.client.ensure_shop()
        data = self.client.call("GET", f"/promotion/{V}/activities/{activity_id}",
                                api=f"/promotion/{V}/activities/{{activity_id}}", label="Get Activity")
        if not isinstance(data, dict) or not data.get("activity_id"):
            raise TikTokError(f"{self.name}: offer {activity_id} does not exist")
        return data

    def _find_activity(self, title: str) -> str | None:
        self.client.ensure_shop()
        data = self.client.call("POST", f"/promotion/{V}/activities/search", label="Search Activities",
                                body={"activity_title": title, "activity_type": "FLASHSALE", "page_size": 10})
        for a in ((data or {}).get("activities") or []) if isinstance(data, dict) else []:
            if a.get("title") == title:
                return str(a.get("id"))
        return None

    def _offer_products(self, activity_id: str, product_id: str, sku_id: str, spec: OfferSpec) -> None:
        # Update Activity Product: at VARIATION level the product's own limits must be -1 and the SKU
        # carries the deal price, its quantity (≤ current stock) and the per-buyer limit (-1 = none).
        self.client.call("PUT", f"/promotion/{V}/activities/{activity_id}/products", write=True,
                         api=f"/promotion/{V}/activities/{{activity_id}}/products", label="Update Activity Product",
                         body={"activity_id": activity_id, "products": [{
                             "id": product_id, "quantity_limit": -1, "quantity_per_user": -1,
                             "skus": [{"id": sku_id, "activity_price_amount": self._money_out(spec.price),
                                       "quantity_limit": spec.quantity if spec.quantity is not None else -1,
                                       "quantity_per_user": spec.per_buyer_limit
                                       if spec.per_buyer_limit is not None else -1}]}]})

    @staticmethod
    def _has_sku(activity: dict, sku_id: str) -> bool:
        return any(str(s.get("id")) == sku_id for p in activity.get("products") or [] for s in p.get("skus") or [])

    def start_offer(self, spec: OfferSpec, *, idempotency_key: str) -> str:
        op = "start_offer"
        what = f"{self.name} {op} {getattr(spec, 'sku', '?')}"
        check_key(what, idempotency_key)
        self._check_offer(spec, what)
        if not spec.duration_s >= MIN_OFFER_S:
            raise TikTokError(f"{what}: TikTok Shop activities last at least {MIN_OFFER_S // 60} minutes "
                              f"(Create Activity); got {spec.duration_s:g} s — run a shorter offer as a price change")
        if spec.per_buyer_limit is not None and spec.per_buyer_limit > MAX_PER_USER:
            raise TikTokError(f"{what}: per_buyer_limit must be 1..{MAX_PER_USER} or none (Update Activity "
                              f"Product), got {spec.per_buyer_limit}")
        self._money_out(spec.price)
        title = self._offer_title(idempotency_key)
        product_id, sku_id = self._ref(spec.sku)

        def finish(entry: Entry, activity_id: str, stock0: int) -> str:
            """The activity exists: make sure it carries the SKU, record it, read it back."""
            act = self._activity(activity_id)
            if not self._has_sku(act, sku_id):
                self.ledger.attempt(entry, activity_id=activity_id, stock0=stock0)
                try:
                    self._offer_products(activity_id, product_id, sku_id, spec)
                except TikTokError:
                    # refused (the SKU is in another activity, the price too deep ...): take the empty
                    # activity down again, nothing half-applied stays at the shop
                    self._stop_activity(activity_id)
                    raise
                act = self._activity(activity_id)
            self.ledger.put(self.OFFER, activity_id, dict(sku=spec.sku, stock0=stock0, key=idempotency_key))
            if not self._has_sku(act, sku_id) or act.get("status") not in ACTIVE_OFFER:
                raise ReadbackMismatch(f"{what}: read-back of offer {activity_id} shows {act.get('status')} "
                                       f"without the SKU", target=f"offer {activity_id}", field="status",
                                       expected="NOT_START/ONGOING", actual=act.get("status"), state=act)
            return activity_id

        def landed(entry: Entry) -> tuple[bool, Any]:
            activity_id = entry.notes.get("activity_id") or self._find_activity(title)
            if not activity_id:
                return False, None
            stock0 = entry.notes.get("stock0")
            return True, finish(entry, str(activity_id),
                                stock0 if stock0 is not None else self.read_product(spec.sku).stock)

        def send(entry: Entry) -> str:
            state = self.read_product(spec.sku)
            if spec.quantity is not None and spec.quantity > state.stock:
                raise TikTokError(f"{what}: quantity {spec.quantity} is more than the {state.stock} in stock "
                                  "(Update Activity Product refuses it)")
            begin = int(self._wall() + self.config.offer_lead_s)
            self.ledger.attempt(entry, stock0=state.stock)
            data = self.client.call("POST", f"/promotion/{V}/activities", write=True, label="Create Activity",
                                    body={"title": title, "activity_type": "FLASHSALE", "product_level": "VARIATION",
                                          "begin_time": begin, "end_time": begin + int(round(spec.duration_s))})
            activity_id = str((data or {}).get("activity_id") or "")
            if not activity_id:
                raise TikTokError(f"{what}: Create Activity answered without an activity_id")
            self.ledger.attempt(entry, activity_id=activity_id)
            return finish(entry, activity_id, state.stock)

        args = [spec.sku, spec.price, spec.duration_s, spec.quantity, spec.per_buyer_limit]
        return str(self._write(op, idempotency_key, args, send, landed))

    def _stop_activity(self, activity_id: str) -> None:
        try:
            self.client.call("POST", f"/promotion/{V}/activities/{activity_id}/deactivate", write=True,
                             api=f"/promotion/{V}/activities/{{activity_id}}/deactivate", label="Deactivate Activity")
        except TikTokError as e:
            if e.code not in ALREADY_STOPPED:
                raise

    def stop_offer(self, offer_id: str, *, idempotency_key: str) -> None:
        op = "stop_offer"
        what = f"{self.name} {op} {offer_id}"
        check_key(what, idempotency_key)
        self._activity(offer_id)      # an unknown offer is a refusal, before anything is recorded

        def send(entry: Entry) -> None:
            self.ledger.attempt(entry)
            self._stop_activity(offer_id)
            self.readback.verify(op, f"offer {offer_id}", lambda: self._activity(offer_id),
                                 lambda a: None if a.get("status") in ENDED_OFFER else
                                 ("status", "DEACTIVATED", a.get("status")))
            return None

        self._write(op, idempotency_key, [offer_id], send,
                    lambda e: (self._activity(offer_id).get("status") in ENDED_OFFER, None))

    def read_offer(self, offer_id: str) -> OfferState:
        act = self._activity(offer_id)
        what = f"{self.name} offer {offer_id}"
        known = self.ledger.get(self.OFFER, offer_id) or {}
        skus = [(p, s) for p in act.get("products") or [] for s in p.get("skus") or []]
        if not skus:
            raise TikTokError(f"{what}: the activity has no SKU (an offer the console did not finish)")
        _, s = skus[0]
        sku = known.get("sku") or self._by_sku_id.get(str(s.get("id")))
        if sku is None:
            raise TikTokError(f"{what}: SKU id {s.get('id')} is not one of this shop's seller SKUs")
        ap = s.get("activity_price") or {}
        price = self._money_in(ap.get("amount"), ap.get("currency"), "activity_price", what)
        q = s.get("quantity_limit")
        u = s.get("quantity_per_user")
        spec = OfferSpec(sku=sku, price=price,
                         duration_s=float(int(act.get("end_time") or 0) - int(act.get("begin_time") or 0)),
                         quantity=None if q in (None, -1) else int(q),
                         per_buyer_limit=None if u in (None, -1) else int(u))
        # The Promotion API reports no units sold. Estimate: the stock drop since the offer started,
        # capped at its quantity (an offer made outside the console has no baseline: 0).
        sold = 0
        if known.get("stock0") is not None:
            sold = max(0, int(known["stock0"]) - self.read_product(sku).stock)
            if spec.quantity is not None:
                sold = min(sold, spec.quantity)
        active = act.get("status") in ACTIVE_OFFER and (spec.quantity is None or sold < spec.quantity)
        return OfferState(offer_id=offer_id, spec=spec, sold=sold, active=active)
