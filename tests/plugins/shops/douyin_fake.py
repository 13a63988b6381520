"""A conformance fake of the 抖店 open platform on 127.0.0.1: a real HTTP server that checks each call
exactly as the platform documents it and answers in its shapes and codes.

  - signature: recomputed from the query (app_key, method, timestamp, v) and the body re-serialised
    canonically (keys sorted, compact) — so a client that signs or sends unsorted param_json fails —
    with HMAC-SHA256 keyed by the app secret or MD5, per `sign_method`; a mismatch answers
    {"code": 40003, "sub_code": "isv.signature-invalid", "sub_msg": "签名校验失败"} (sources: see
    plugins/douyin/signing.py and errors.py);
  - timestamp more than 10 minutes off -> 40003 isv.timestamp-invalid; v must be "2";
  - access tokens: token.create (grant_type authorization_self + the shop's id) / token.refresh grant
    tokens that expire after `token_ttl` s (expire_tokens() ends them now) -> 40003
    isv.access-token-expired / isv.access-token-no-existed;
  - throttling: at most `qps` calls per method per second -> 60000 isv.traffic-limited;
  - faults per method, consumed in order: fail(method, kind, times) with kind "unavailable" (20000,
    nothing applied), "rate_limited" (60000), "refused" (40003, nothing applied), "timeout" (no answer
    in time, nothing applied), "apply_then_timeout" (applied, answer held past the client's timeout),
    "apply_then_error" (applied, then 20000), "http_503",
    "drop" (connection closed, nothing applied);
  - lie_price(code, fen): reads report that price, whatever was written;
  - `applied`: every write that changed the shop (method, params) — a replay the adapter answers from
    its ledger never reaches here; sell(code, qty) places an order (for metrics and offer counts).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any, Callable

from tests.fakes import Reply, Request
from tests.plugins.shops.token_fake import TokenShopFake

WRITES = {"product.setOnline", "product.setOffline", "sku.editPrice", "sku.syncStock"}


@dataclass
class FakeProduct:
    product_id: int
    name: str
    market_price: int                      # 分
    skus: list[dict]                       # {sku_id, code, price, stock_num}
    status: int = 1                        # 0 online, 1 offline
    check_status: int = 3                  # 3 approved


class DouyinFake(TokenShopFake):
    HTTP_503 = "Service Temporarily Unavailable"
    CODE = "code"

    def __init__(self, *, app_key: str, app_secret: str, shop_id: int, products: list[FakeProduct],
                 token_ttl: float = 7 * 86400, qps: float | None = None, hold: float = 1.0,
                 clock: Callable[[], float] = time.monotonic, wall: Callable[[], float] = time.time):
        self.app_key, self.app_secret, self.shop_id = app_key, app_secret, shop_id
        self.products = {p.product_id: p for p in products}
        self.refresh_tokens: set[str] = set()
        self.rejected: list[tuple[str, str]] = []          # (method, sub_code) refused at the door
        self.orders: list[dict] = []
        super().__init__(self._app, token_ttl=token_ttl, qps=qps, hold=hold, clock=clock, wall=wall)

    # ---- test controls (fail, clear_faults, lie_price, expire_tokens, sku, writes: TokenShopFake) --
    def sell(self, code: str, qty: int = 1, *, paid: bool = True) -> None:
        with self.lock:
            p, s = self.sku(code)
            s["stock_num"] -= qty
            amount = s["price"] * qty
            self._n += 1
            self.orders.append(dict(order_id=f"69{self._n:017d}", create_time=int(self._wall()),
                                    pay_time=int(self._wall()) if paid else 0, order_amount=amount,
                                    pay_amount=amount if paid else 0, order_status=2 if paid else 1,
                                    sku_order_list=[dict(code=code, item_num=qty, order_amount=amount,
                                                         pay_amount=amount if paid else 0,
                                                         product_id=p.product_id, sku_id=s["sku_id"])]))

    # ---- the door ------------------------------------------------------------------------------
    def _answer(self, code: int = 10000, data: Any = None, *, msg: str = "success", sub_code: str = "",
                sub_msg: str = "") -> Reply:
        self._n += 1
        return Reply(200, {"code": code, "msg": msg, "sub_code": sub_code, "sub_msg": sub_msg,
                           "log_id": f"2024{self._n:016d}", "data": data if data is not None else {}})

    def _refuse(self, method: str, code: int, msg: str, sub_code: str, sub_msg: str) -> Reply:
        self.rejected.append((method, sub_code))
        return self._answer(code, msg=msg, sub_code=sub_code, sub_msg=sub_msg)

    def _app(self, req: Request) -> Reply:
        method = req.path.strip("/").replace("/", ".")
        q = req.query
        if req.method != "POST":
            return self._refuse(method, 40003, "非法的参数", "isv.parameter-invalid", "请使用POST")
        if q.get("method") != method:
            return self._refuse(method, 40003, "非法的参数", "isv.parameter-invalid", "method与请求路径不一致")
        for key in ("app_key", "timestamp", "sign"):
            if not q.get(key):
                sub = {"sign": "isv.signature-missing", "app_key": "isv.app-id-missing"}.get(key, "isv.parameter-missing")
                return self._refuse(method, 40001, "缺少必选参数", sub, f"缺少参数 {key}")
        if q.get("v") != "2":
            return self._refuse(method, 40003, "非法的参数", "isv.parameter-invalid", "v 必须为 2")
        if q["app_key"] != self.app_key:
            return self._refuse(method, 40003, "非法的参数", "isv.app-id-invalid", "认证失败，app_key不存在")
        try:
            ts = int(q["timestamp"])
        except ValueError:
            return self._refuse(method, 40003, "非法的参数", "isv.timestamp-format-error", "时间戳格式错误")
        if abs(self._wall() - ts) > 600:
            return self._refuse(method, 40003, "非法的参数", "isv.timestamp-invalid", "时间戳不合法")
        try:
            params = json.loads(req.body.decode("utf-8")) if req.body else {}
        except (ValueError, UnicodeDecodeError):
            return self._refuse(method, 40003, "非法的参数", "isv.parameter-format-invalid", "业务参数json解析失败")
        canonical = json.dumps(params, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        text = (f"{self.app_secret}app_key{q['app_key']}method{method}param_json{canonical}"
                f"timestamp{q['timestamp']}v2{self.app_secret}").encode("utf-8")
        sign_method = q.get("sign_method", "md5")
        if sign_method == "hmac-sha256":
            want = hmac.new(self.app_secret.encode("utf-8"), text, hashlib.sha256).hexdigest()
        elif sign_method == "md5":
            want = hashlib.md5(text).hexdigest()
        else:
            return self._refuse(method, 40003, "非法的参数", "isv.parameter-invalid", "sign_method 不合法")
        if not hmac.compare_digest(want, q["sign"]):
            return self._refuse(method, 40003, "非法的参数", "isv.signature-invalid", "签名校验失败")
        if not method.startswith("token."):
            token = q.get("access_token")
            if not token:
                return self._refuse(method, 40001, "缺少必选参数", "isv.access-token-missing",
                                    "认证失败，access_token不能为空")
            with self.lock:
                expires = self.tokens.get(token)
            if expires is None:
                return self._refuse(method, 40003, "非法的参数", "isv.access-token-no-existed",
                                    "access_token不存在，请使用最新的access_token访问")
            if self._clock() >= expires:
                return self._refuse(method, 40003, "非法的参数", "isv.access-token-expired", "access_token已过期")
        if self._over_qps(method):
            return self._refuse(method, 60000, "触发限流，请稍后重试", "isv.traffic-limited", "请求太频繁，请稍后重试")
        return self._serve(
            self.faults.take(method), lambda: self._handle(method, params),
            busy=lambda: self._answer(20000, msg="服务不可用", sub_code="dop.service-error",
                                      sub_msg="服务调用失败，请稍后重试"),
            throttled=lambda: self._answer(60000, msg="触发限流，请稍后重试", sub_code="isv.traffic-limited",
                                           sub_msg="请求太频繁，请稍后重试"),
            refused=lambda: self._answer(40003, msg="非法的参数", sub_code="isv.parameter-invalid",
                                         sub_msg="价格不在平台允许的范围内"))

    # ---- the methods ---------------------------------------------------------------------------
    def _grant(self) -> dict:
        self._n += 1
        access, refresh = f"at-{self._n:08d}-{self.app_key[-4:]}", f"rt-{self._n:08d}-{self.app_key[-4:]}"
        self.tokens[access] = self._clock() + self.token_ttl
        self.refresh_tokens.add(refresh)
        self.granted += 1
        return dict(access_token=access, expires_in=int(self.token_ttl), refresh_token=refresh, scope="SCOPE",
                    shop_id=str(self.shop_id), shop_name="直播测试店", authority_id=str(self.shop_id),
                    auth_subject_type="MiniShop")

    def _bad(self, sub_msg: str) -> Reply:
        return self._answer(40003, msg="非法的参数", sub_code="isv.parameter-invalid", sub_msg=sub_msg)

    def _price_of(self, s: dict) -> int:
        return self.lies.get(s["code"], s["price"])

    def _product(self, pid: Any) -> FakeProduct | None:
        try:
            return self.products.get(int(pid))
        except (TypeError, ValueError):
            return None

    def _sku_in(self, params: dict) -> tuple[FakeProduct, dict] | None:
        p = self._product(params.get("product_id"))
        if p is None:
            return None
        for s in p.skus:
            if s["sku_id"] == params.get("sku_id"):
                return p, s
        return None

    def _handle(self, method: str, params: dict) -> Reply:
        with self.lock:
            if method == "token.create":
                if params.get("grant_type") != "authorization_self":
                    return self._answer(50001, msg="平台处理失败", sub_code="dop.token-generate-failed:grant-type-invalid",
                                        sub_msg="生成token失败，grant_type参数取值不正确")
                if params.get("shop_id") != self.shop_id:
                    return self._answer(50001, msg="平台处理失败", sub_code="dop.token-generate-failed:no-authorization",
                                        sub_msg="生成token失败，店铺授权已失效，请重新引导商家完成店铺授权")
                return self._answer(data=self._grant())
            if method == "token.refresh":
                rt = params.get("refresh_token")
                if params.get("grant_type") != "refresh_token" or rt not in self.refresh_tokens:
                    return self._answer(50001, msg="平台处理失败", sub_code="dop.token-generate-failed:token-invalid",
                                        sub_msg="生成token失败，token不存在")
                self.refresh_tokens.discard(rt)
                return self._answer(data=self._grant())
            if method == "sku.detail":
                try:
                    p, s = self.sku(params.get("code", ""))
                except KeyError:
                    return self._bad("sku不存在")
                return self._answer(data=dict(id=s["sku_id"], product_id=p.product_id, product_id_str=str(p.product_id),
                                              code=s["code"], price=self._price_of(s), stock_num=s["stock_num"],
                                              sku_type=0))
            if method == "product.detail":
                p = self._product(params.get("product_id"))
                if p is None or not isinstance(params.get("product_id"), str):
                    return self._bad("商品不存在" if p is None else "product_id 需为字符串")
                return self._answer(data=dict(
                    product_id=p.product_id, product_id_str=str(p.product_id), name=p.name, status=p.status,
                    check_status=p.check_status, market_price=p.market_price,
                    discount_price=min(s["price"] for s in p.skus),
                    spec_prices=[dict(sku_id=s["sku_id"], code=s["code"], price=self._price_of(s),
                                      stock_num=s["stock_num"]) for s in p.skus]))
            if method == "product.listV2":
                page, size = params.get("page", 1), params.get("size", 10)
                if not isinstance(page, int) or page < 1 or not isinstance(size, int) or not 1 <= size <= 100:
                    return self._bad("page 从1开始，size 1~100")
                rows = sorted(self.products.values(), key=lambda p: p.product_id)
                chunk = rows[(page - 1) * size: page * size]
                return self._answer(data=dict(data=[dict(product_id=p.product_id, name=p.name, status=p.status,
                                                         check_status=p.check_status) for p in chunk],
                                              total=len(rows), page=page, size=size))
            if method == "order.searchList":
                page, size = params.get("page", 0), params.get("size", 10)
                since = params.get("create_time_start", 0)
                rows = [o for o in self.orders if o["create_time"] >= since]
                return self._answer(data=dict(shop_order_list=rows[page * size:(page + 1) * size],
                                              total=len(rows), page=page, size=size))
            if method in ("product.setOnline", "product.setOffline"):
                p = self._product(params.get("product_id"))
                if p is None:
                    return self._bad("商品不存在")
                if method == "product.setOnline" and p.check_status != 3:
                    return self._bad("商品未审核通过，不能上架")
                p.status = 0 if method == "product.setOnline" else 1
                self.applied.append((method, params))
                return self._answer()
            if method == "sku.editPrice":
                found = self._sku_in(params)
                price = params.get("price")
                if found is None:
                    return self._bad("sku不存在")
                if isinstance(price, bool) or not isinstance(price, int) or price <= 0:
                    return self._bad(f"price 需为正整数(单位:分), got {price!r}")
                found[1]["price"] = price
                self.applied.append((method, params))
                return self._answer()
            if method == "sku.syncStock":
                found = self._sku_in(params)
                stock = params.get("stock_num")
                if found is None:
                    return self._bad("sku不存在")
                if isinstance(stock, bool) or not isinstance(stock, int) or stock < 0:
                    return self._bad(f"stock_num 需为非负整数, got {stock!r}")
                if params.get("incremental"):
                    return self._bad("增量更新需传 idempotent_id")
                found[1]["stock_num"] = stock
                self.applied.append((method, params))
                return self._answer()
        return self._answer(70000, msg="接口服务已下线", sub_code="isp.api-service-off", sub_msg="API不存在或API已下线")
