"""`ShopifyPlatform`: the Platform port over the Shopify Admin GraphQL API.

What maps to what (shopify.dev/docs/api/admin-graphql):
  SKU           the port's SKU is the variant's `sku`, found with `productVariants(query: "sku:...")`
  read          ProductVariant.price (the selling price) and .compareAtPrice (the strikethrough price;
                list_price = price when it is not set), the parent Product.status (ACTIVE = on sale),
                and the "available" quantity of the variant's InventoryItem at the adapter's location
  set_price     productVariantsBulkUpdate(productId, variants: [{id, price}]) — money is a decimal string
                in the shop's currency; refusals come as userErrors
  set_stock     inventorySetQuantities(input: {name: "available", reason: "correction", quantities:
                [{inventoryItemId, locationId, quantity, changeFromQuantity}]}) @idempotent(key:) —
                compare-and-swap against the quantity just read (CHANGE_FROM_QUANTITY_STALE when a sale
                came in between: read again and retry once); the idempotency key is the console's
  list/unlist   productUpdate(product: {id, status: ACTIVE | DRAFT}) — product level: every variant of
                the product goes on or off sale together
  coupons       discountCodeBasicCreate (an amount-off code: customerGets.value.discountAmount,
                minimumRequirement.subtotal, usageLimit, appliesOncePerCustomer, context all buyers),
                discountCodeDeactivate, codeDiscountNode / codeDiscountNodeByCode to read. The code is
                derived from the idempotency key, so a retry after a lost answer finds the discount it
                made instead of making a second one.
  offers        Shopify has no flash sale with a quantity or a per-buyer limit: the console runs an offer
                as its own timed price change with its own quantity cap (capabilities.native_offers is
                False); the offer calls are refused, so there is one timer, the console's.
  metrics       no live-room counters: orders created since the adapter started (orders query).
  pin, 仅剩N件   not in the Admin API: refused.
Writes go through plugins.shop_common (ShopAdapter._write): the idempotency ledger answers a replayed
key from memory and reads the shop before re-sending a write whose answer was lost.
"""
from __future__ import annotations

import logging
import random
import threading
import time
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import requests

from controlroom.clock import Clock
from controlroom.commerce.money import MoneyError, from_platform_unit, to_platform_unit
from controlroom.platform import (Capabilities, CouponSpec, CouponState, MetricsSnapshot, ProductState,
                                  SkuMetrics)
from plugins.shop_common.base import ShopAdapter, check_key
from plugins.shop_common.config import secret
from plugins.shop_common.ledger import Entry, marker

from .client import ShopifyClient, ShopifyError
from .config import ShopifyConfig

log = logging.getLogger(__name__)

UNIT = "decimal_string"

Q_SHOP = """query Shop { shop { currencyCode } locations(first: 5) { nodes { id name } } }"""

VARIANT_FIELDS = """id sku price compareAtPrice product { id title status }
      inventoryItem { id inventoryLevel(locationId: $loc) { quantities(names: ["available"]) { name quantity } } }"""

Q_VARIANT = f"""query VariantBySku($q: String!, $loc: ID!) {{
  productVariants(first: 2, query: $q) {{ nodes {{ {VARIANT_FIELDS} }} }}
}}"""

Q_VARIANTS = f"""query Variants($after: String, $loc: ID!) {{
  productVariants(first: 100, after: $after) {{ nodes {{ {VARIANT_FIELDS} }} pageInfo {{ hasNextPage endCursor }} }}
}}"""

M_PRICE = """mutation SetPrice($productId: ID!, $variants: [ProductVariantsBulkInput!]!) {
  productVariantsBulkUpdate(productId: $productId, variants: $variants) {
    productVariants { id price compareAtPrice }
    userErrors { field message code }
  }
}"""

M_STATUS = """mutation SetStatus($product: ProductUpdateInput!) {
  productUpdate(product: $product) { product { id status } userErrors { field message } }
}"""

M_STOCK = """mutation SetStock($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { reason changes { name delta } }
    userErrors { field message code }
  }
}"""
M_STOCK_PLAIN = M_STOCK.replace(" @idempotent(key: $key)", "").replace(", $key: String!", "")

M_COUPON = """mutation Coupon($d: DiscountCodeBasicInput!) {
  discountCodeBasicCreate(basicCodeDiscount: $d) {
    codeDiscountNode { id }
    userErrors { field message code }
  }
}"""

M_COUPON_STOP = """mutation CouponStop($id: ID!) {
  discountCodeDeactivate(id: $id) { codeDiscountNode { id } userErrors { field message code } }
}"""

COUPON_FIELDS = """id codeDiscount { __typename ... on DiscountCodeBasic {
      title status asyncUsageCount usageLimit appliesOncePerCustomer
      codes(first: 1) { nodes { code } }
      minimumRequirement { __typename ... on DiscountMinimumSubtotal { greaterThanOrEqualToSubtotal { amount currencyCode } } }
      customerGets {
        value { __typename ... on DiscountAmount { amount { amount currencyCode } appliesOnEachItem } }
        items { __typename ... on AllDiscountItems { allItems } ... on DiscountProducts { productVariants(first: 2) { nodes { sku } } } }
      } } }"""

Q_COUPON = f"""query Coupon($id: ID!) {{ codeDiscountNode(id: $id) {{ {COUPON_FIELDS} }} }}"""
Q_COUPON_BY_CODE = """query CouponByCode($code: String!) { codeDiscountNodeByCode(code: $code) { id } }"""

Q_ORDERS = """query Orders($q: String!, $after: String) {
  orders(first: 25, after: $after, query: $q) {
    nodes { id displayFinancialStatus currentTotalPriceSet { shopMoney { amount currencyCode } }
      lineItems(first: 10) { nodes { sku quantity originalTotalSet { shopMoney { amount currencyCode } } } } }
    pageInfo { hasNextPage endCursor }
  }
}"""

PAID = ("PAID", "PARTIALLY_REFUNDED", "REFUNDED", "PARTIALLY_PAID")


def _quote(sku: str) -> str:
    # Shopify search syntax: a quoted value matches exactly; quotes and backslashes are escaped
    return '"' + sku.replace("\\", "\\\\").replace('"', '\\"') + '"'


class ShopifyPlatform(ShopAdapter):
    name = "shopify"
    capabilities = Capabilities(native_offers=False, offer_quantity_cap=False, offer_per_buyer_limit=False,
                                coupons=True, pin=False, displayed_stock=False,
                                comments=False)
    settings_class = ShopifyConfig

    def __init__(self, config: ShopifyConfig, *, clock: Clock | None = None, data_dir: str | Path | None = None,
                 sleep: Callable[[float], None] = time.sleep, wall: Callable[[], float] = time.time,
                 monotonic: Callable[[], float] = time.monotonic, rng: random.Random | None = None,
                 session_factory: Callable[[], requests.Session] = requests.Session):
        self.config = config.validate()
        self.name = config.name
        self.currency = config.currency
        token = secret("Shopify", "Admin API access token", config.access_token_name, config.access_token_env)
        super().__init__("Shopify", config, f"shopify:{config.shop}", data_dir=data_dir, clock=clock, sleep=sleep,
                         rng=rng, session_factory=session_factory)
        self.client = ShopifyClient(config, token, self.transport, sleep=sleep, monotonic=monotonic)
        self._sleep, self._wall = sleep, wall
        self._location = config.location_id
        self._shop_checked = False
        self._lock = threading.Lock()
        self.started_at = wall()

    def __repr__(self) -> str:
        return f"ShopifyPlatform(shop={self.config.shop!r}, currency={self.currency!r})"

    # ---- shop, money ----------------------------------------------------------------------------
    def ensure_shop(self) -> str:
        """Check the shop's currency once and settle the location stock is read and written at."""
        if self._shop_checked:
            return self._location
        data = self.client.graphql("Shop", Q_SHOP, cost_hint=10)
        cur = (data.get("shop") or {}).get("currencyCode")
        if cur != self.currency:
            raise ShopifyError(f"{self.name}: the shop sells in {cur}, settings say {self.currency}; refused rather "
                               "than converted (fix currency in [platform.shopify])")
        locs = ((data.get("locations") or {}).get("nodes")) or []
        if not self._location:
            if len(locs) != 1:
                names = ", ".join(f"{l.get('name')}: {l.get('id')}" for l in locs) or "none"
                raise ShopifyError(f"{self.name}: the shop has {len(locs)} locations; set location_id in "
                                   f"[platform.shopify] to the one the show sells from ({names})")
            self._location = str(locs[0]["id"])
        self._shop_checked = True
        return self._location

    def _money_out(self, cents: int) -> str:
        return str(to_platform_unit(cents, UNIT))

    def _money_in(self, value: Any, field: str, what: str, currency: Any = None) -> int:
        if currency is not None and currency != self.currency:
            raise ShopifyError(f"{what}: {field} is in {currency}, the shop is configured for {self.currency}")
        try:
            return from_platform_unit(str(value) if isinstance(value, Decimal) else value, UNIT, field=field)
        except MoneyError as e:
            raise ShopifyError(f"{what}: {e}") from None

    @staticmethod
    def _user_errors(payload: dict | None, what: str) -> None:
        errs = (payload or {}).get("userErrors") or []
        if errs:
            e = errs[0]
            field = ".".join(str(f) for f in e.get("field") or [])
            raise ShopifyError(f"{what}: refused" + (f" [{e.get('code')}]" if e.get("code") else "")
                               + (f" {field}:" if field else "") + f" {e.get('message', '')}", e.get("code"))

    # ---- variants -------------------------------------------------------------------------------
    def _variant(self, sku: str) -> dict:
        loc = self.ensure_shop()
        data = self.client.graphql("VariantBySku", Q_VARIANT, {"q": f"sku:{_quote(sku)}", "loc": loc}, cost_hint=12)
        nodes = [n for n in ((data.get("productVariants") or {}).get("nodes") or []) if n.get("sku") == sku]
        if not nodes:
            raise ShopifyError(f"{self.name}: SKU {sku!r} is not a variant SKU of this shop")
        if len(nodes) > 1:
            raise ShopifyError(f"{self.name}: SKU {sku!r} is on several variants "
                               f"({', '.join(n['id'] for n in nodes)}); make it unique in the Shopify admin")
        return nodes[0]

    def _available(self, node: dict) -> int:
        level = (node.get("inventoryItem") or {}).get("inventoryLevel")
        if level is None:
            return 0     # not stocked at this location
        for q in level.get("quantities") or []:
            if q.get("name") == "available":
                v = q.get("quantity")
                if isinstance(v, bool) or not isinstance(v, int):
                    raise ShopifyError(f"{self.name} SKU {node.get('sku')}: available quantity {v!r} is not a number")
                return max(0, v)     # Shopify allows negative stock (oversold); the port's stock is ≥ 0
        return 0

    def _state(self, node: dict) -> ProductState:
        sku = str(node.get("sku"))
        what = f"{self.name} SKU {sku}"
        price = self._money_in(node.get("price"), "price", what)
        cap = node.get("compareAtPrice")
        strike = self._money_in(cap, "compareAtPrice", what) if cap not in (None, "") else price
        product = node.get("product") or {}
        return ProductState(sku=sku, title=str(product.get("title", "")), list_price=strike, price=price,
                            stock=self._available(node), listed=product.get("status") == "ACTIVE")

    def read_product(self, sku: str) -> ProductState:
        return self._state(self._variant(sku))

    def read_products(self) -> list[ProductState]:
        loc = self.ensure_shop()
        out: list[ProductState] = []
        after: str | None = None
        while True:
            data = self.client.graphql("Variants", Q_VARIANTS, {"after": after, "loc": loc}, cost_hint=502)
            conn = data.get("productVariants") or {}
            out += [self._state(n) for n in conn.get("nodes") or [] if n.get("sku")]
            info = conn.get("pageInfo") or {}
            if not info.get("hasNextPage"):
                return out
            after = info.get("endCursor")

    # ---- writes ---------------------------------------------------------------------------------
    def _bulk_price(self, node: dict, price: int, compare_at: int | None | str = "keep") -> None:
        variant: dict[str, Any] = {"id": node["id"], "price": self._money_out(price)}
        if compare_at != "keep":
            variant["compareAtPrice"] = None if compare_at is None else self._money_out(compare_at)
        data = self.client.graphql("SetPrice", M_PRICE, {"productId": node["product"]["id"], "variants": [variant]},
                                   write=True)
        self._user_errors(data.get("productVariantsBulkUpdate"), f"{self.name} set price of {node.get('sku')}")

    def _set_price_wire(self, sku: str, fen: int) -> None:
        self._bulk_price(self._variant(sku), fen)

    def set_price(self, sku: str, price: int, *, idempotency_key: str) -> None:
        op = "set_price"
        check_key(f"{self.name} {op}", idempotency_key)
        self._money_out(price)
        node = self._variant(sku)

        def send(entry: Entry) -> None:
            self.ledger.attempt(entry)
            self._bulk_price(node, price)
            self._verify_product(op, sku, price=price)
            return None

        self._set(op, idempotency_key, sku, [sku, price], send, price=price)

    def _listing(self, sku: str, listed: bool, key: str) -> None:
        op = "list_product" if listed else "unlist_product"
        check_key(f"{self.name} {op}", key)
        node = self._variant(sku)
        want = "ACTIVE" if listed else "DRAFT"

        def send(entry: Entry) -> None:
            if (self._variant(sku).get("product") or {}).get("status") != want:
                self.ledger.attempt(entry)
                data = self.client.graphql("SetStatus", M_STATUS,
                                           {"product": {"id": node["product"]["id"], "status": want}}, write=True)
                self._user_errors(data.get("productUpdate"), f"{self.name} {op} {sku}")
            self._verify_product(op, sku, listed=listed)
            return None

        self._set(op, key, sku, [sku], send, listed=listed)

    def list_product(self, sku: str, *, idempotency_key: str) -> None:
        self._listing(sku, True, idempotency_key)

    def unlist_product(self, sku: str, *, idempotency_key: str) -> None:
        self._listing(sku, False, idempotency_key)

    def set_stock(self, sku: str, stock: int, *, idempotency_key: str) -> None:
        op = "set_stock"
        check_key(f"{self.name} {op}", idempotency_key)
        if isinstance(stock, bool) or not isinstance(stock, int) or stock < 0:
            raise ShopifyError(f"{self.name} set_stock {sku}: stock must be a whole number ≥ 0, got {stock!r}")
        self._variant(sku)

        def send(entry: Entry) -> None:
            for attempt in (1, 2):
                node = self._variant(sku)
                current = self._available(node)
                if current == stock:
                    break
                quantity = {"inventoryItemId": node["inventoryItem"]["id"], "locationId": self._location,
                            "quantity": stock, "changeFromQuantity": current}
                variables: dict[str, Any] = {"input": {
                    "name": "available", "reason": "correction",
                    "referenceDocumentUri": f"gid://controlroom/Write/{marker(idempotency_key, 16)}",
                    "quantities": [quantity]}}
                if self.config.idempotent_directive:
                    # Shopify's own idempotency key: one per attempt with a given changeFromQuantity
                    variables["key"] = f"{idempotency_key}#{current}"
                self.ledger.attempt(entry)
                data = self.client.graphql("SetStock", M_STOCK if self.config.idempotent_directive else M_STOCK_PLAIN,
                                           variables, write=True)
                payload = data.get("inventorySetQuantities") or {}
                codes = [e.get("code") for e in payload.get("userErrors") or []]
                if "CHANGE_FROM_QUANTITY_STALE" in codes and attempt == 1:
                    continue     # a sale came in between our read and our write: read again, once
                self._user_errors(payload, f"{self.name} set_stock {sku}")
                break
            self._verify_product(op, sku, stock=stock)
            return None

        self._set(op, idempotency_key, sku, [sku, stock], send, stock=stock)

    def set_displayed_stock(self, sku: str, shown: int | None, *, idempotency_key: str) -> None:
        raise self._unsupported("set_displayed_stock", idempotency_key,
                                "a 仅剩N件 figure apart from real stock is not in the Shopify Admin API "
                                "(capabilities.displayed_stock is False); announce it on the cue screen")

    def pin_product(self, sku: str | None, *, idempotency_key: str) -> None:
        raise self._unsupported("pin_product", idempotency_key,
                                "Shopify has no live room to pin a product in (capabilities.pin is False)")

    # ---- coupons --------------------------------------------------------------------------------
    def issue_coupon(self, spec: CouponSpec, *, idempotency_key: str) -> str:
        op = "issue_coupon"
        what = f"{self.name} {op}"
        check_key(what, idempotency_key)
        if spec.per_buyer_limit != 1:
            raise ShopifyError(f"{what}: Shopify limits a code to once per customer (appliesOncePerCustomer) or "
                               f"not at all; per_buyer_limit {spec.per_buyer_limit} cannot be kept")
        if isinstance(spec.amount, bool) or not isinstance(spec.amount, int) or spec.amount <= 0:
            raise ShopifyError(f"{what}: amount must be a whole number of cents above 0, got {spec.amount!r}")
        if spec.total_qty is not None and spec.total_qty < 1:
            raise ShopifyError(f"{what}: total_qty must be at least 1 or none (unlimited)")
        variant_id = self._variant(spec.sku)["id"] if spec.sku else None
        # the code comes from the key: a retry after a lost answer finds the discount by its code
        code = "CR" + marker(idempotency_key, 10).upper()
        d: dict[str, Any] = {
            "title": spec.name or code, "code": code,
            "startsAt": datetime.fromtimestamp(self._wall(), timezone.utc).isoformat().replace("+00:00", "Z"),
            "context": {"all": "ALL"},
            "customerGets": {"value": {"discountAmount": {"amount": self._money_out(spec.amount),
                                                          "appliesOnEachItem": False}},
                             "items": {"products": {"productVariantsToAdd": [variant_id]}} if variant_id
                             else {"all": True}},
            "appliesOncePerCustomer": True, "usageLimit": spec.total_qty}
        if spec.threshold:
            d["minimumRequirement"] = {"subtotal": {"greaterThanOrEqualToSubtotal": self._money_out(spec.threshold)}}

        def verify(cid: str) -> str:
            self.readback.verify(op, f"coupon {cid}", lambda: self.read_coupon(cid),
                                 lambda c: next(((f, getattr(spec, f), getattr(c.spec, f))
                                                 for f in ("sku", "threshold", "amount", "total_qty")
                                                 if getattr(c.spec, f) != getattr(spec, f)),
                                                None if c.active else ("active", True, False)))
            return cid

        def send(entry: Entry) -> str:
            self.ledger.attempt(entry)
            data = self.client.graphql("Coupon", M_COUPON, {"d": d}, write=True)
            payload = data.get("discountCodeBasicCreate") or {}
            self._user_errors(payload, what)
            cid = (payload.get("codeDiscountNode") or {}).get("id")
            if not cid:
                raise ShopifyError(f"{what}: the answer has no discount id")
            return verify(str(cid))

        def landed(entry: Entry) -> tuple[bool, Any]:
            node = self.client.graphql("CouponByCode", Q_COUPON_BY_CODE, {"code": code}).get("codeDiscountNodeByCode")
            return (True, verify(str(node["id"]))) if node and node.get("id") else (False, None)

        args = [spec.sku, spec.threshold, spec.amount, spec.total_qty, spec.per_buyer_limit, spec.name]
        return str(self._write(op, idempotency_key, args, send, landed))

    def stop_coupon(self, coupon_id: str, *, idempotency_key: str) -> None:
        op = "stop_coupon"
        what = f"{self.name} {op} {coupon_id}"
        check_key(what, idempotency_key)
        self.read_coupon(coupon_id)          # an unknown coupon is a refusal before anything is recorded

        def send(entry: Entry) -> None:
            if self.read_coupon(coupon_id).active:
                self.ledger.attempt(entry)
                data = self.client.graphql("CouponStop", M_COUPON_STOP, {"id": coupon_id}, write=True)
                self._user_errors(data.get("discountCodeDeactivate"), what)
            self.readback.verify(op, f"coupon {coupon_id}", lambda: self.read_coupon(coupon_id),
                                 lambda c: None if not c.active else ("active", False, True))
            return None

        self._write(op, idempotency_key, [coupon_id], send, lambda e: (not self.read_coupon(coupon_id).active, None))

    def read_coupon(self, coupon_id: str) -> CouponState:
        what = f"{self.name} coupon {coupon_id}"
        if not str(coupon_id).startswith("gid://shopify/"):
            raise ShopifyError(f"{what}: not a Shopify discount id (gid://shopify/DiscountCodeNode/...)")
        node = self.client.graphql("Coupon", Q_COUPON, {"id": coupon_id}, cost_hint=12).get("codeDiscountNode")
        if not node:
            raise ShopifyError(f"{what}: no such discount")
        c = node.get("codeDiscount") or {}
        if c.get("__typename") != "DiscountCodeBasic":
            raise ShopifyError(f"{what}: a {c.get('__typename')} discount is not an amount-off code")
        gets = c.get("customerGets") or {}
        value = gets.get("value") or {}
        if value.get("__typename") != "DiscountAmount":
            raise ShopifyError(f"{what}: a {value.get('__typename')} discount has no fixed amount")
        amt = value.get("amount") or {}
        amount = self._money_in(amt.get("amount"), "amount", what, amt.get("currencyCode"))
        req = c.get("minimumRequirement") or {}
        threshold = 0
        if req.get("__typename") == "DiscountMinimumSubtotal":
            sub = req.get("greaterThanOrEqualToSubtotal") or {}
            threshold = self._money_in(sub.get("amount"), "minimum subtotal", what, sub.get("currencyCode"))
        items = gets.get("items") or {}
        sku = None
        if items.get("__typename") == "DiscountProducts":
            skus = [n.get("sku") for n in ((items.get("productVariants") or {}).get("nodes") or [])]
            sku = skus[0] if len(skus) == 1 else None
        spec = CouponSpec(sku=sku, threshold=threshold, amount=amount, total_qty=c.get("usageLimit"),
                          per_buyer_limit=1 if c.get("appliesOncePerCustomer") else 0, name=str(c.get("title", "")))
        return CouponState(coupon_id=str(node.get("id")), spec=spec, issued=int(c.get("asyncUsageCount") or 0),
                           active=c.get("status") == "ACTIVE")

    # ---- offers ---------------------------------------------------------------------------------
    # Shopify has no flash sale: the console runs an offer as its own timed price change with its own
    # quantity cap (capabilities.native_offers is False), so start/stop/read_offer are the shared layer's
    # refusals (plugins/shop_common/base.py) — one timer, the console's.

    # ---- metrics --------------------------------------------------------------------------------
    def metrics(self) -> MetricsSnapshot:
        """Orders created since the adapter started. Shopify has no live room: viewers, clicks and
        carts are not there and stay 0."""
        since = datetime.fromtimestamp(self.started_at, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        orders = paid = units = gmv = paid_gmv = 0
        skus: dict[str, dict[str, int]] = {}
        after: str | None = None
        for _ in range(40):          # 1000 orders at most per poll; a live show polls every few seconds
            data = self.client.graphql("Orders", Q_ORDERS, {"q": f"created_at:>='{since}'", "after": after},
                                       cost_hint=900)
            conn = data.get("orders") or {}
            for o in conn.get("nodes") or []:
                total = ((o.get("currentTotalPriceSet") or {}).get("shopMoney") or {})
                value = self._money_in(total.get("amount", "0"), "order total", f"{self.name} metrics",
                                       total.get("currencyCode"))
                is_paid = o.get("displayFinancialStatus") in PAID
                orders += 1
                gmv += value
                paid += is_paid
                paid_gmv += value if is_paid else 0
                for li in ((o.get("lineItems") or {}).get("nodes") or []):
                    sku = li.get("sku")
                    if not sku:
                        continue
                    m = skus.setdefault(sku, {"orders": 0, "paid_orders": 0, "units": 0, "gmv": 0, "paid_gmv": 0})
                    lt = ((li.get("originalTotalSet") or {}).get("shopMoney") or {})
                    lv = self._money_in(lt.get("amount", "0"), "line total", f"{self.name} metrics",
                                        lt.get("currencyCode"))
                    n = int(li.get("quantity") or 0)
                    units += n
                    m["orders"] += 1
                    m["units"] += n
                    m["gmv"] += lv
                    if is_paid:
                        m["paid_orders"] += 1
                        m["paid_gmv"] += lv
            info = conn.get("pageInfo") or {}
            if not info.get("hasNextPage"):
                break
            after = info.get("endCursor")
        return MetricsSnapshot(orders=orders, paid_orders=paid, gmv=gmv, paid_gmv=paid_gmv,
                               skus={k: SkuMetrics(sku=k, **v) for k, v in skus.items()})


