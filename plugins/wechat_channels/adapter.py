"""`WechatChannelsPlatform`: the Platform port over the 微信小店 (WeChat Channels shop) API.

The console's SKU is the 小店 SKU's `sku_code` (商品sku编码), or its `out_sku_id` with
`sku_field = "out_sku_id"`. Methods used (developers.weixin.qq.com/doc/store/shop/API/..., fields also in
the public Go SDK github.com/zsmhub/wx-channels-sdk, apis/商品-*.go, 优惠券-*.go, 订单-*.go):

  /channels/ec/product/list/get   {page_size <= 30, next_key}        -> product_ids, next_key, total_num
  /channels/ec/product/get        {product_id, data_type: 3}          -> product (online) / edit_product (draft):
        product_id, title, status (5 上架, 11 自主下架, 13 违规下架, ...), skus[] {sku_id, sku_code, out_sku_id,
        sale_price (分), market_price (分, when set), stock_num}
  /channels/ec/product/listing, /delisting {product_id}               上架 / 下架 (the whole product)
  /channels/ec/product/auditfree  {product_id, skus: [{sku_id, sale_price}]}   免审更新: the online price, at once
  /channels/ec/product/stock/update {product_id, sku_id, diff_type: 3, num}     3 = set (absolute, so a retry is
        safe; the doc prefers 1/2 for concurrent updates — the console is the only writer during a show)
  /channels/ec/coupon/create, /get, /get_list, /update_status {coupon_id, status: 2 生效 | 4 作废}
        types: 2 商品满减券, 4 商品直减券, 102 店铺满减券, 104 店铺直减券; discount_fee ≤ 200 元; a new coupon
        has status 1 and must be set to 2 to be claimable
  /channels/ec/product/limiteddiscounttask/add {product_id, start_time, end_time, limited_discount_skus:
        [{sku_id, sale_price, sale_stock}]} -> task_id; /list/get; /stop {task_id}       限时抢购
  /channels/ec/order/list/get {create_time_range, page_size, next_key}, /order/get {order_id}   metrics

Money is 分 on both sides, through controlroom.commerce.money with the unit named ("fen").

Flash offers are native (限时抢购): the shop sells at the offer price between start and end time and
at most `sale_stock` units, then the product's own price applies again. Its documented rules are
checked before sending (a refusal names the rule): the own price above 10 元, the offer at 1–8.5折
and at least 10 元 below it, at most 24 h, sale_stock ≤ stock, one task per product at a time. The
API has no per-buyer limit for a task: the console must enforce `per_buyer_limit` itself.
"""
from __future__ import annotations

import dataclasses
import logging
import random
import time
from pathlib import Path
from typing import Any, Callable

import requests

from controlroom.clock import Clock
from controlroom.commerce.money import MoneyError, format_money, from_platform_unit, to_platform_unit
from controlroom.platform import (Capabilities, CouponSpec, CouponState, MetricsSnapshot, OfferSpec, OfferState,
                                  PlatformError, ProductState, SkuMetrics)
from plugins.shop_common.base import ShopAdapter, check_key, check_whole
from plugins.shop_common.config import secret
from plugins.shop_common.ledger import Entry, marker
from plugins.shop_common.readback import fields_differ
from plugins.shop_common.transport import ShopProtocolError

from . import errors
from .client import WechatClient, WechatError
from .config import WechatChannelsConfig

log = logging.getLogger(__name__)

UNIT = "fen"                 # 微信小店: "售卖价格,以分为单位"
LISTED = 5                   # product status 5 = 上架
COUPON_ACTIVE, COUPON_VOID = 2, 4
TASK_ACTIVE = (0, 1)         # 限时抢购 task: 0 created, not started; 1 running; 2 ended
MAX_DISCOUNT_FEE = 20000     # coupon discount_fee: "不可超过200元"


class WechatChannelsPlatform(ShopAdapter):
    name = "wechat_channels"
    currency = "CNY"
    capabilities = Capabilities(native_offers=True, offer_quantity_cap=True, offer_per_buyer_limit=False,
                                coupons=True, pin=False, displayed_stock=False,
                                comments=False)
    OFFER = "wx_offer"
    settings_class = WechatChannelsConfig
    COUPON = "wx_coupon"

    def __init__(self, cfg: WechatChannelsConfig, *, clock: Clock | None = None,
                 data_dir: str | Path | None = None, sleep: Callable[[float], None] = time.sleep,
                 wall: Callable[[], float] = time.time, rng: random.Random | None = None,
                 session_factory: Callable[[], requests.Session] = requests.Session):
        self.cfg = cfg.validate()
        app_secret = secret("微信小店", "AppSecret", cfg.secret_name, cfg.secret_env)
        super().__init__("微信小店", cfg, f"wechat_channels:{cfg.appid}", data_dir=data_dir, clock=clock,
                         sleep=sleep, rng=rng, session_factory=session_factory)
        self.client = WechatClient(cfg, app_secret, self.transport, self.clock)
        self._wall = wall
        self._since = int(wall())
        self._index: dict[str, tuple[str, str]] = {}      # console SKU -> (product_id, sku_id)
        # SKUs with a 限时抢购 this console started (or tried to): their reads carry ProductState.offer,
        # so a start whose answer was lost can be settled from a read-back (controlroom/platform.py)
        self._offer_watch: set[str] = set()

    def __repr__(self) -> str:
        return f"WechatChannelsPlatform(appid={self.cfg.appid!r})"

    # ---- products --------------------------------------------------------------------------------
    def _product_ids(self) -> list[str]:
        ids: list[str] = []
        next_key = ""
        while True:
            body: dict[str, Any] = {"page_size": self.cfg.page_size}
            if next_key:
                body["next_key"] = next_key
            answer = self.client.call("/channels/ec/product/list/get", body, write=False)
            page = answer.get("product_ids")
            if not isinstance(page, list):
                raise ShopProtocolError("微信小店 product/list/get: the answer has no product_ids")
            ids += [str(x) for x in page]
            next_key = answer.get("next_key") or ""
            total = answer.get("total_num")
            if not page or not next_key or (isinstance(total, int) and len(ids) >= total):
                return ids

    def _get(self, product_id: str) -> dict[str, Any]:
        answer = self.client.call("/channels/ec/product/get", {"product_id": str(product_id), "data_type": 3},
                                  write=False)
        product = answer.get("product") or answer.get("edit_product")   # never listed: only a draft exists
        if not isinstance(product, dict) or not isinstance(product.get("skus"), list):
            raise ShopProtocolError(f"微信小店 product/get {product_id}: the answer has no product with skus")
        return product

    def _money(self, value: Any, field: str, where: str) -> int:
        try:
            return from_platform_unit(value, UNIT, field=field)
        except MoneyError as e:
            raise ShopProtocolError(f"{where}: {e} (微信小店 answers in 分)") from None

    def _states(self, product: dict[str, Any]) -> dict[str, ProductState]:
        pid = str(product.get("product_id"))
        where = f"微信小店 product {pid}"
        listed = product.get("status") == LISTED
        out: dict[str, ProductState] = {}
        for sku in product["skus"]:
            code = sku.get(self.cfg.sku_field) if isinstance(sku, dict) else None
            if not code:
                continue
            stock = sku.get("stock_num")
            if isinstance(stock, bool) or not isinstance(stock, int) or stock < 0:
                raise ShopProtocolError(f"{where} SKU {code}: stock_num must be a whole number ≥ 0, got {stock!r}")
            price = self._money(sku.get("sale_price"), "sale_price", f"{where} SKU {code}")
            # 划线价: market_price where the 小店 has one; without it the list price reads as the price
            market = sku.get("market_price")
            list_price = self._money(market, "market_price", f"{where} SKU {code}") if market else price
            out[code] = ProductState(sku=code, title=str(product.get("title", "")), list_price=list_price,
                                     price=price, stock=stock, listed=listed)
            self._index[code] = (pid, str(sku.get("sku_id")))
        return out

    def _lookup(self, sku: str) -> tuple[str, str]:
        if not isinstance(sku, str) or not sku:
            raise PlatformError(f"微信小店: a SKU code is required, got {sku!r}")
        if sku not in self._index:
            for pid in self._product_ids():      # the API has no lookup by SKU code: scan once
                self._states(self._get(pid))
        if sku not in self._index:
            raise WechatError(f"微信小店: unknown SKU {sku!r} (no SKU of the 小店's products has this "
                              f"{self.cfg.sku_field}; products never listed are not in the product list)")
        return self._index[sku]

    def read_product(self, sku: str) -> ProductState:
        product_id, _ = self._lookup(sku)
        state = self._states(self._get(product_id)).get(sku)
        if state is None:
            self._index.pop(sku, None)
            raise WechatError(f"微信小店 product {product_id}: SKU {sku!r} is no longer in this product")
        return self._with_offers({sku: state})[sku]

    def read_products(self) -> list[ProductState]:
        out: dict[str, ProductState] = {}
        for pid in self._product_ids():
            out.update(self._states(self._get(pid)))
        return list(self._with_offers(out).values())

    def _with_offers(self, states: dict[str, ProductState]) -> dict[str, ProductState]:
        """The running 限时抢购 of watched SKUs (one task-list call), as ProductState.offer."""
        watched = [sku for sku in states if sku in self._offer_watch]
        if not watched:
            return states
        running = {str(t.get("task_id")): t for t in self._tasks() if t.get("status") in TASK_ACTIVE}
        out = dict(states)
        for sku in watched:
            product_id, sku_id = self._index[sku]
            task = next((t for t in running.values() if str(t.get("product_id")) == product_id and any(
                str(x.get("sku_id")) == sku_id for x in t.get("limited_discount_skus") or [])), None)
            if task is None:
                self._offer_watch.discard(sku)
                continue
            out[sku] = dataclasses.replace(states[sku], offer=self._offer_state(task, stock=states[sku].stock))
        return out

    # ---- product writes --------------------------------------------------------------------------
    def list_product(self, sku: str, *, idempotency_key: str) -> None:
        self._absolute("list_product", idempotency_key, sku, [sku], lambda pid, _: self.client.call(
            "/channels/ec/product/listing", {"product_id": pid}, write=True), listed=True)

    def unlist_product(self, sku: str, *, idempotency_key: str) -> None:
        self._absolute("unlist_product", idempotency_key, sku, [sku], lambda pid, _: self.client.call(
            "/channels/ec/product/delisting", {"product_id": pid}, write=True), listed=False)

    def set_price(self, sku: str, price: int, *, idempotency_key: str) -> None:
        check_whole(price, "price (分)", f"微信小店 set_price {sku}", minimum=1)
        self._absolute("set_price", idempotency_key, sku, [sku, price],
                       lambda pid, sid: self._price_wire(pid, sid, price), price=price)

    def _price_wire(self, product_id: str, sku_id: str, price: int) -> None:
        self.client.call("/channels/ec/product/auditfree",
                         {"product_id": product_id, "skus": [{"sku_id": sku_id,
                                                              "sale_price": to_platform_unit(price, UNIT)}]},
                         write=True)

    def set_stock(self, sku: str, stock: int, *, idempotency_key: str) -> None:
        check_whole(stock, "stock", f"微信小店 set_stock {sku}")
        self._absolute("set_stock", idempotency_key, sku, [sku, stock], lambda pid, sid: self.client.call(
            "/channels/ec/product/stock/update", {"product_id": pid, "sku_id": sid, "diff_type": 3, "num": stock},
            write=True), stock=stock)

    # ---- coupons -----------------------------------------------------------------------------------
    def _check_coupon(self, spec: CouponSpec, where: str) -> None:
        if not isinstance(spec, CouponSpec):
            raise PlatformError(f"{where}: expected a CouponSpec, got {type(spec).__name__}")
        check_whole(spec.amount, "amount (分)", where, minimum=1)
        check_whole(spec.threshold, "threshold (分)", where)
        if spec.amount > MAX_DISCOUNT_FEE:
            raise PlatformError(f"{where}: 微信小店 coupons take at most {format_money(MAX_DISCOUNT_FEE)} 元 off "
                                f"(discount_fee 不可超过200元), asked {format_money(spec.amount)} 元")
        if spec.threshold and spec.amount >= spec.threshold:
            raise PlatformError(f"{where}: the amount off ({format_money(spec.amount)} 元) must be below the "
                                f"threshold ({format_money(spec.threshold)} 元)")
        if spec.total_qty is not None:
            check_whole(spec.total_qty, "total_qty", where, minimum=1)
        check_whole(spec.per_buyer_limit, "per_buyer_limit", where, minimum=1)

    def _coupon_body(self, spec: CouponSpec, product_id: str | None, note: str) -> dict[str, Any]:
        now = int(self._wall())
        until = now + self.cfg.coupon_days * 86400
        ctype = (2 if spec.threshold else 4) if product_id else (102 if spec.threshold else 104)
        condition: dict[str, Any] = {}
        if product_id:
            condition["product_ids"] = [product_id]
        if spec.threshold:
            condition["product_price"] = to_platform_unit(spec.threshold, UNIT)
        return {"type": ctype, "name": (spec.name or "直播间专享券")[:10],
                "promote_info": {"promote_type": 1},
                "discount_info": {"discount_fee": to_platform_unit(spec.amount, UNIT),
                                  "discount_condition": condition},
                "receive_info": {"start_time": now, "end_time": until,
                                 "limit_num_one_person": spec.per_buyer_limit,
                                 "total_num": spec.total_qty or self.cfg.coupon_unlimited_total},
                "valid_info": {"valid_type": 2, "valid_day_num": self.cfg.coupon_days},
                "ext_info": {"notes": note}}

    def _coupon(self, coupon_id: str) -> dict[str, Any]:
        answer = self.client.call("/channels/ec/coupon/get", {"coupon_id": str(coupon_id)}, write=False)
        c = answer.get("coupon")
        if not isinstance(c, dict):
            raise ShopProtocolError(f"微信小店 coupon/get {coupon_id}: the answer has no coupon")
        return c

    def _find_coupon(self, note: str) -> dict[str, Any] | None:
        """The coupon an unanswered create made, found by the marker it carries in ext_info.notes."""
        page = 1
        while True:
            answer = self.client.call("/channels/ec/coupon/get_list", {"page": page, "page_size": 100}, write=False)
            rows = answer.get("coupons") or []
            for row in rows:
                c = self._coupon(str(row.get("coupon_id")))
                if ((c.get("coupon_info") or {}).get("ext_info") or {}).get("notes") == note:
                    return c
            total = answer.get("total_num")
            if not rows or not isinstance(total, int) or page * 100 >= total:
                return None
            page += 1

    def issue_coupon(self, spec: CouponSpec, *, idempotency_key: str) -> str:
        op = "issue_coupon"
        check_key(op, idempotency_key)
        self._check_coupon(spec, f"微信小店 {op}")
        note = "cr:" + marker(idempotency_key)
        args = [spec.sku, spec.threshold, spec.amount, spec.total_qty, spec.per_buyer_limit, spec.name]

        def activate(cid: str, status: Any) -> str:
            self.ledger.put(self.COUPON, cid, {"sku": spec.sku})
            if status != COUPON_ACTIVE:   # a new coupon is 1 (未生效) until set to 2
                self.client.call("/channels/ec/coupon/update_status", {"coupon_id": cid, "status": COUPON_ACTIVE},
                                 write=True)
            self.readback.verify(op, f"coupon {cid}", lambda: self.read_coupon(cid),
                                 lambda c: None if c.active else ("active", True, False))
            return cid

        def landed(entry: Entry) -> tuple[bool, Any]:
            c = self._find_coupon(note)
            if c is None:
                return False, None
            return True, activate(str(c.get("coupon_id")), c.get("status"))

        def send(entry: Entry) -> str:
            product_id = self._lookup(spec.sku)[0] if spec.sku is not None else None
            self.ledger.attempt(entry)
            answer = self.client.call("/channels/ec/coupon/create", self._coupon_body(spec, product_id, note),
                                      write=True)
            cid = (answer.get("data") or {}).get("coupon_id")
            if not cid:
                raise ShopProtocolError("微信小店 coupon/create: the answer has no data.coupon_id; the coupon may "
                                        "exist: retry with the same idempotency key to find it")
            return activate(str(cid), 1)

        return self._write(op, idempotency_key, args, send, landed)

    def stop_coupon(self, coupon_id: str, *, idempotency_key: str) -> None:
        op = "stop_coupon"

        def landed(entry: Entry) -> tuple[bool, Any]:
            return self._coupon(coupon_id).get("status") == COUPON_VOID, None

        def send(entry: Entry) -> None:
            if self._coupon(coupon_id).get("status") == COUPON_VOID:
                return None
            self.ledger.attempt(entry)
            self.client.call("/channels/ec/coupon/update_status", {"coupon_id": str(coupon_id), "status": COUPON_VOID},
                             write=True)
            self.readback.verify(op, f"coupon {coupon_id}", lambda: self.read_coupon(coupon_id),
                                 lambda c: None if not c.active else ("active", False, True))
        self._write(op, idempotency_key, [coupon_id], send, landed)

    def read_coupon(self, coupon_id: str) -> CouponState:
        c = self._coupon(coupon_id)
        where = f"微信小店 coupon {coupon_id}"
        info = c.get("coupon_info") or {}
        discount = info.get("discount_info") or {}
        condition = discount.get("discount_condition") or {}
        receive = info.get("receive_info") or {}
        total = receive.get("total_num")
        sku: str | None = None
        products = [str(p) for p in condition.get("product_ids") or []]
        if products:
            known = (self.ledger.get(self.COUPON, str(coupon_id)) or {}).get("sku")
            if known and self._index.get(known, ("",))[0] in products:
                sku = known
            else:
                codes = [k for k, (pid, _) in self._index.items() if pid in products]
                sku = codes[0] if len(codes) == 1 else (known or None)
        spec = CouponSpec(sku=sku, threshold=self._money(condition.get("product_price", 0), "product_price", where),
                          amount=self._money(discount.get("discount_fee"), "discount_fee", where),
                          total_qty=None if total == self.cfg.coupon_unlimited_total else total,
                          per_buyer_limit=receive.get("limit_num_one_person", 1), name=str(info.get("name", "")))
        stock = c.get("stock_info") or {}
        return CouponState(coupon_id=str(c.get("coupon_id", coupon_id)), spec=spec,
                           issued=int(stock.get("receive_num", 0)), active=c.get("status") == COUPON_ACTIVE)

    # ---- 限时抢购 (native flash offers) -------------------------------------------------------------
    def _tasks(self, status: int | None = None) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        next_key = ""
        while True:
            body: dict[str, Any] = {"page_size": 50}
            if status is not None:
                body["status"] = status
            if next_key:
                body["next_key"] = next_key
            answer = self.client.call("/channels/ec/product/limiteddiscounttask/list/get", body, write=False)
            rows = answer.get("limited_discount_tasks") or []
            out += [r for r in rows if isinstance(r, dict)]
            next_key = answer.get("next_key") or ""
            if not rows or not next_key:
                return out

    def _check_flash_rules(self, spec: OfferSpec, own: ProductState, where: str) -> None:
        # 微信小店 《添加限时抢购任务》 rules (doc/channels/API/product/limiteddiscounttask/add.html)
        if own.price <= 1000:
            raise PlatformError(f"{where}: 微信小店 runs a 限时抢购 only on products priced above 10 元 "
                                f"(this one: {format_money(own.price)} 元)")
        if spec.price * 100 > own.price * 85 or spec.price * 10 < own.price:
            raise PlatformError(f"{where}: the offer price must be 1–8.5折 of the own price "
                                f"{format_money(own.price)} 元, asked {format_money(spec.price)} 元")
        if own.price - spec.price < 1000:
            raise PlatformError(f"{where}: a 限时抢购 must be at least 10 元 below the own price "
                                f"({format_money(own.price)} → {format_money(spec.price)} 元)")
        if spec.duration_s > 24 * 3600:
            raise PlatformError(f"{where}: a 限时抢购 lasts at most 24 h, asked {spec.duration_s:g} s")
        if spec.quantity is not None and spec.quantity > own.stock:
            raise PlatformError(f"{where}: the offer quantity {spec.quantity} is more than the stock {own.stock}")

    def start_offer(self, spec: OfferSpec, *, idempotency_key: str) -> str:
        op = "start_offer"
        where = f"微信小店 {op}"
        check_key(op, idempotency_key)
        self._check_offer(spec, where)
        args = [spec.sku, spec.price, spec.duration_s, spec.quantity, spec.per_buyer_limit]

        def record(task_id: str, start_stock: int) -> str:
            self.ledger.put(self.OFFER, task_id, dict(sku=spec.sku, per_buyer_limit=spec.per_buyer_limit,
                                                      start_stock=start_stock))
            return task_id

        def landed(entry: Entry) -> tuple[bool, Any]:
            product_id, sku_id = self._lookup(spec.sku)
            for t in self._tasks():     # one task per product at a time: a running one for it is ours
                if str(t.get("product_id")) == product_id and t.get("status") in TASK_ACTIVE and any(
                        str(s.get("sku_id")) == sku_id and s.get("sale_price") == spec.price
                        for s in t.get("limited_discount_skus") or []):
                    return True, record(str(t["task_id"]), entry.notes.get("start_stock", 0))
            return False, None

        def send(entry: Entry) -> str:
            own = self.read_product(spec.sku)
            self._check_flash_rules(spec, own, where)
            product_id, sku_id = self._lookup(spec.sku)
            now = int(self._wall())
            self.ledger.attempt(entry, start_stock=own.stock)
            self._offer_watch.add(spec.sku)
            answer = self.client.call("/channels/ec/product/limiteddiscounttask/add", {
                "product_id": product_id, "start_time": now, "end_time": now + max(1, int(round(spec.duration_s))),
                "limited_discount_skus": [{"sku_id": sku_id, "sale_price": to_platform_unit(spec.price, UNIT),
                                           "sale_stock": spec.quantity if spec.quantity is not None else own.stock}]},
                write=True)
            task_id = answer.get("task_id")
            if not task_id:
                raise ShopProtocolError(f"{where}: the answer has no task_id; the task may exist: retry with the "
                                        "same idempotency key to find it")
            record(str(task_id), own.stock)
            self.readback.verify(op, f"offer {task_id}", lambda: self.read_offer(str(task_id)),
                                 lambda st: fields_differ(st, active=True) or
                                 (None if st.spec.price == spec.price else ("price", spec.price, st.spec.price)))
            return str(task_id)

        return self._write(op, idempotency_key, args, send, landed)

    def _task(self, task_id: str, op: str) -> dict[str, Any]:
        for t in self._tasks():
            if str(t.get("task_id")) == str(task_id):
                return t
        raise WechatError(f"微信小店 {op}: unknown 限时抢购 task {task_id!r}", 10020076)

    def stop_offer(self, offer_id: str, *, idempotency_key: str) -> None:
        op = "stop_offer"

        def landed(entry: Entry) -> tuple[bool, Any]:
            return self._task(offer_id, op).get("status") not in TASK_ACTIVE, None

        def send(entry: Entry) -> None:
            if self._task(offer_id, op).get("status") not in TASK_ACTIVE:
                return None                       # ended already (its time, sold out, or stopped)
            self.ledger.attempt(entry)
            self.client.call("/channels/ec/product/limiteddiscounttask/stop", {"task_id": str(offer_id)}, write=True)
            self.readback.verify(op, f"offer {offer_id}", lambda: self.read_offer(offer_id),
                                 lambda st: fields_differ(st, active=False))
        self._write(op, idempotency_key, [offer_id], send, landed)

    def read_offer(self, offer_id: str) -> OfferState:
        return self._offer_state(self._task(offer_id, "read_offer"))

    def _offer_state(self, t: dict[str, Any], *, stock: int | None = None) -> OfferState:
        offer_id = str(t.get("task_id"))
        rec = self.ledger.get(self.OFFER, offer_id) or {}
        where = f"微信小店 offer {offer_id}"
        skus = t.get("limited_discount_skus") or []
        if not skus:
            raise ShopProtocolError(f"{where}: the task has no limited_discount_skus")
        first = skus[0]
        code = rec.get("sku") or next((k for k, (_, sid) in self._index.items() if sid == str(first.get("sku_id"))),
                                      str(first.get("sku_id")))
        start, end = t.get("start_time", 0), t.get("end_time", 0)
        spec = OfferSpec(sku=code, price=self._money(first.get("sale_price"), "sale_price", where),
                         duration_s=float(max(0, end - start)), quantity=first.get("sale_stock"),
                         per_buyer_limit=rec.get("per_buyer_limit"))
        sold = 0
        if "start_stock" in rec:    # the SKU's stock drop since the start (the API reports no sold count)
            now = stock if stock is not None else self._states(self._get(self._index[code][0]))[code].stock \
                if code in self._index else rec["start_stock"]
            sold = max(0, rec["start_stock"] - now)
        return OfferState(offer_id=offer_id, spec=spec, sold=sold, active=t.get("status") in TASK_ACTIVE)

    # ---- metrics: orders placed since the adapter started ------------------------------------------
    def metrics(self) -> MetricsSnapshot:
        ids: list[str] = []
        next_key = ""
        while True:
            body: dict[str, Any] = {"create_time_range": {"start_time": self._since, "end_time": int(self._wall()) + 1},
                                    "page_size": 100}
            if next_key:
                body["next_key"] = next_key
            answer = self.client.call("/channels/ec/order/list/get", body, write=False)
            ids += [str(x) for x in answer.get("order_id_list") or []]
            next_key = answer.get("next_key") or ""
            if not answer.get("has_more") or not next_key:
                break
        orders = paid = gmv = paid_gmv = 0
        by_sku: dict[str, dict[str, int]] = {}
        codes = {sid: code for code, (_, sid) in self._index.items()}
        for oid in ids:
            o = self.client.call("/channels/ec/order/get", {"order_id": oid}, write=False).get("order") or {}
            where = f"微信小店 order {oid}"
            detail = o.get("order_detail") or {}
            is_paid = bool((detail.get("pay_info") or {}).get("pay_time"))
            value = self._money((detail.get("price_info") or {}).get("order_price", 0), "order_price", where)
            orders += 1
            paid += is_paid
            gmv += value
            paid_gmv += value if is_paid else 0
            for item in detail.get("product_infos") or []:
                code = item.get(self.cfg.sku_field) or codes.get(str(item.get("sku_id")))
                if not code:
                    continue
                m = by_sku.setdefault(code, dict(orders=0, paid_orders=0, units=0, gmv=0, paid_gmv=0))
                line = self._money(item.get("real_price", item.get("sale_price", 0)), "real_price", where)
                m["orders"] += 1
                m["paid_orders"] += is_paid
                m["units"] += int(item.get("sku_cnt", 0))
                m["gmv"] += line
                m["paid_gmv"] += line if is_paid else 0
        return MetricsSnapshot(orders=orders, paid_orders=paid, gmv=gmv, paid_gmv=paid_gmv,
                               skus={k: SkuMetrics(sku=k, **v) for k, v in by_sku.items()})
