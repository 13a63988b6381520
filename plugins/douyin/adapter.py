"""`DouyinPlatform`: the Platform port over the 抖店 open platform (openapi-fxg.jinritemai.com).

The console's SKU is the 抖店 SKU's 商家编码 (`code`, set per SKU in the seller backend). Methods used
(request/response fields from the official Go SDK, github.com/zsmhub/doudian-sdk, api/<method>/):

  sku.detail      {code}                        -> data.id (sku_id), data.product_id           lookup, cached
  product.detail  {product_id}                  -> name, status (0 online, 1 offline, 2 deleted),
                                                   check_status (3 approved), market_price (划线价, 分),
                                                   spec_prices[] {sku_id, code, price (分), stock_num}
  product.listV2  {page (from 1), size <= 100}  -> data.data[] {product_id}, data.total
  product.setOnline / product.setOffline {product_id}              上架 / 下架 (the whole product)
  sku.editPrice   {product_id, sku_id, price (分)}
  sku.syncStock   {product_id, sku_id, stock_num}  (incremental omitted = false: a full, absolute update)
  order.searchList {create_time_start, page (from 0), size, order_by} -> data.shop_order_list[]
                  {order_amount, pay_amount, pay_time, sku_order_list[] {code, item_num, order_amount, pay_amount}}

All money is 分 on both sides; it still crosses through controlroom.commerce.money with the unit named
("fen"), so a 元 value (a float, a "29.90" string) is refused, never guessed.

What the public API does not have, and the console therefore does itself (Capabilities):
  - 限时限量购 flash sales: not in the open platform's method list (the official Go SDK's 196 methods
    have no promotion/activity method), so offers are refused here and the console runs them as a
    timed price change (set_price) with its own quantity cap and timer (native_offers False);
  - coupons: no coupon method in the official SDK (a 2021 third-party SDK names marketing.createCoupon
    but marks it experimental; unverifiable), so coupons are refused;
  - pin/讲解 and a 仅剩N件 figure: no such method;
  - live-room figures (viewers, likes): none; metrics() counts orders, units and GMV from order.searchList.
"""
from __future__ import annotations

import logging
import random
import time
from pathlib import Path
from typing import Any, Callable

import requests

from controlroom.clock import Clock
from controlroom.commerce.money import MoneyError, from_platform_unit, to_platform_unit
from controlroom.platform import Capabilities, MetricsSnapshot, PlatformError, ProductState, SkuMetrics
from controlroom.secrets import set_secret
from plugins.shop_common.base import ShopAdapter, check_whole
from plugins.shop_common.config import secret
from plugins.shop_common.transport import ShopProtocolError

from .client import DouyinClient, DouyinError
from .config import DouyinConfig

log = logging.getLogger(__name__)

UNIT = "fen"            # 抖店: every price is an integer number of 分 ("单位 分", sku.editPrice)
ONLINE, APPROVED = 0, 3


class DouyinPlatform(ShopAdapter):
    name = "douyin"
    currency = "CNY"
    capabilities = Capabilities(native_offers=False, offer_quantity_cap=False, offer_per_buyer_limit=False,
                                coupons=False, pin=False, displayed_stock=False,
                                comments=False)
    settings_class = DouyinConfig

    def __init__(self, cfg: DouyinConfig, *, clock: Clock | None = None, data_dir: str | Path | None = None,
                 sleep: Callable[[float], None] = time.sleep, wall: Callable[[], float] = time.time,
                 rng: random.Random | None = None,
                 session_factory: Callable[[], requests.Session] = requests.Session):
        self.cfg = cfg.validate()
        app_secret = secret("抖店", "app secret", cfg.app_secret_name, cfg.app_secret_env)
        refresh = None
        if cfg.grant == "refresh_token":
            refresh = secret("抖店", "refresh token", cfg.refresh_token_name, cfg.refresh_token_env)
        super().__init__("抖店", cfg, f"douyin:{cfg.app_key}:{cfg.shop_id}", data_dir=data_dir, clock=clock,
                         sleep=sleep, rng=rng, session_factory=session_factory)
        save = (lambda value: set_secret(cfg.refresh_token_name, value)) if cfg.refresh_token_name else None
        self.client = DouyinClient(cfg, app_secret, self.transport, self.clock, refresh_token=refresh, wall=wall,
                                   save_refresh_token=save)
        self._wall = wall
        self._since = int(wall())           # metrics count orders placed since the adapter started
        self._ids: dict[str, tuple[int, int]] = {}

    def __repr__(self) -> str:
        return f"DouyinPlatform(app_key={self.cfg.app_key!r}, shop_id={self.cfg.shop_id!r})"

    # ---- lookup and decoding -------------------------------------------------------------------
    def _lookup(self, sku: str) -> tuple[int, int]:
        """(product_id, sku_id) of the SKU whose 商家编码 is `sku`."""
        if not isinstance(sku, str) or not sku:
            raise PlatformError(f"抖店: a SKU code is required, got {sku!r}")
        ids = self._ids.get(sku)
        if ids is None:
            data = self.client.call("sku.detail", {"code": sku}, write=False)
            if not isinstance(data, dict) or not data.get("id") or not data.get("product_id"):
                raise DouyinError(f"抖店 sku.detail: unknown SKU code {sku!r} (no SKU with this 商家编码)")
            ids = self._ids[sku] = (_whole(data["product_id"], "product_id"), _whole(data["id"], "id"))
        return ids

    def _detail(self, product_id: int) -> dict[str, Any]:
        data = self.client.call("product.detail", {"product_id": str(product_id)}, write=False)
        if not isinstance(data, dict) or not isinstance(data.get("spec_prices"), list):
            raise ShopProtocolError(f"抖店 product.detail {product_id}: the answer has no spec_prices")
        return data

    @staticmethod
    def _money(value: Any, field: str, where: str) -> int:
        try:
            return from_platform_unit(value, UNIT, field=field)
        except MoneyError as e:
            raise ShopProtocolError(f"{where}: {e} (抖店 answers in 分)") from None

    def _states(self, detail: dict[str, Any]) -> dict[str, ProductState]:
        where = f"抖店 product.detail {detail.get('product_id')}"
        listed = detail.get("status") == ONLINE and detail.get("check_status") == APPROVED
        list_price = self._money(detail.get("market_price"), "market_price", where)
        out: dict[str, ProductState] = {}
        for spec in detail["spec_prices"]:
            code = spec.get("code") if isinstance(spec, dict) else None
            if not code:
                continue  # a SKU without a 商家编码 cannot be one of the console's
            stock = spec.get("stock_num")
            if isinstance(stock, bool) or not isinstance(stock, int) or stock < 0:
                raise ShopProtocolError(f"{where}: SKU {code}: stock_num must be a whole number ≥ 0, got {stock!r}")
            out[code] = ProductState(sku=code, title=str(detail.get("name", "")), list_price=list_price,
                                     price=self._money(spec.get("price"), "price", f"{where} SKU {code}"),
                                     stock=stock, listed=listed)
            if spec.get("sku_id"):
                self._ids.setdefault(code, (_whole(detail.get("product_id"), "product_id"),
                                            _whole(spec["sku_id"], "sku_id")))
        return out

    # ---- reads ---------------------------------------------------------------------------------
    def read_product(self, sku: str) -> ProductState:
        product_id, _ = self._lookup(sku)
        state = self._states(self._detail(product_id)).get(sku)
        if state is None:
            self._ids.pop(sku, None)   # the SKU moved or lost its code: look it up afresh next time
            raise DouyinError(f"抖店 product.detail {product_id}: SKU code {sku!r} is no longer in this product")
        return state

    def read_products(self) -> list[ProductState]:
        out: dict[str, ProductState] = {}
        page, size = 1, self.cfg.page_size
        while True:
            data = self.client.call("product.listV2", {"page": page, "size": size}, write=False)
            rows = data.get("data") if isinstance(data, dict) else None
            if not isinstance(rows, list):
                raise ShopProtocolError("抖店 product.listV2: the answer has no data list")
            for row in rows:
                if isinstance(row, dict) and row.get("product_id") and row.get("status") != 2:  # 2 = deleted
                    out.update(self._states(self._detail(_whole(row["product_id"], "product_id"))))
            total = data.get("total")
            if not rows or not isinstance(total, int) or page * size >= total:
                return list(out.values())
            page += 1

    def metrics(self) -> MetricsSnapshot:
        orders = paid = gmv = paid_gmv = 0
        skus: dict[str, dict[str, int]] = {}
        page, size = 0, self.cfg.page_size
        while True:
            data = self.client.call("order.searchList", {"create_time_start": self._since, "page": page,
                                                         "size": size, "order_by": "create_time"}, write=False)
            rows = data.get("shop_order_list") if isinstance(data, dict) else None
            if not isinstance(rows, list):
                raise ShopProtocolError("抖店 order.searchList: the answer has no shop_order_list")
            for o in rows:
                where = f"抖店 order {o.get('order_id')}"
                is_paid = bool(o.get("pay_time"))
                orders += 1
                paid += is_paid
                amount = self._money(o.get("order_amount", 0), "order_amount", where)
                gmv += amount
                paid_gmv += amount if is_paid else 0
                for item in o.get("sku_order_list") or []:
                    code = item.get("code") or ""
                    if not code:
                        continue
                    m = skus.setdefault(code, dict(orders=0, paid_orders=0, units=0, gmv=0, paid_gmv=0))
                    value = self._money(item.get("order_amount", 0), "order_amount", where)
                    m["orders"] += 1
                    m["paid_orders"] += is_paid
                    m["units"] += _whole(item.get("item_num", 0), "item_num")
                    m["gmv"] += value
                    m["paid_gmv"] += value if is_paid else 0
            total = data.get("total")
            if not rows or not isinstance(total, int) or (page + 1) * size >= total:
                break
            page += 1
        return MetricsSnapshot(orders=orders, paid_orders=paid, gmv=gmv, paid_gmv=paid_gmv,
                               skus={k: SkuMetrics(sku=k, **v) for k, v in skus.items()})

    # ---- writes (each sets a value, so a landed earlier attempt shows in a read: ShopAdapter._absolute) ----
    def list_product(self, sku: str, *, idempotency_key: str) -> None:
        self._absolute("list_product", idempotency_key, sku, [sku],
                       lambda pid, _: self.client.call("product.setOnline", {"product_id": pid}, write=True),
                       listed=True)

    def unlist_product(self, sku: str, *, idempotency_key: str) -> None:
        self._absolute("unlist_product", idempotency_key, sku, [sku],
                       lambda pid, _: self.client.call("product.setOffline", {"product_id": pid}, write=True),
                       listed=False)

    def set_price(self, sku: str, price: int, *, idempotency_key: str) -> None:
        check_whole(price, "price (分)", f"抖店 set_price {sku}", minimum=1)
        self._absolute("set_price", idempotency_key, sku, [sku, price],
                       lambda pid, sid: self._edit_price(pid, sid, price), price=price)

    def _edit_price(self, product_id: int, sku_id: int, price: int) -> None:
        self.client.call("sku.editPrice", {"price": to_platform_unit(price, UNIT), "product_id": product_id,
                                           "sku_id": sku_id}, write=True)

    def set_stock(self, sku: str, stock: int, *, idempotency_key: str) -> None:
        check_whole(stock, "stock", f"抖店 set_stock {sku}")
        self._absolute("set_stock", idempotency_key, sku, [sku, stock],
                       lambda pid, sid: self.client.call("sku.syncStock", {"product_id": pid, "sku_id": sid,
                                                                          "stock_num": stock}, write=True),
                       stock=stock)


def _whole(value: Any, field: str) -> int:
    if isinstance(value, str) and value.isdigit():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ShopProtocolError(f"抖店: {field} must be a whole number, got {value!r}")
    return value
