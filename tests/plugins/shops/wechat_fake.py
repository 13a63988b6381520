"""A conformance fake of the 微信小店 API on 127.0.0.1: a real HTTP server answering in the documented
shapes and errcodes (sources: plugins/wechat_channels/adapter.py and errors.py).

  - access tokens: GET /cgi-bin/token with the 小店's appid and AppSecret (40013 wrong appid, 40001 wrong
    secret) grants tokens that expire after `token_ttl` s (7200 as documented); an expired one answers
    42001, an unknown one 40001; expire_tokens() ends them now;
  - throttling: at most `qps` calls per API per second -> 45011 (api minute-quota reach limit);
  - the documented rules it enforces: auditfree / stock/update only for products listed at least once;
    a coupon's name ≤ 10 characters, discount_fee ≤ 200 元, status 1 -> 2/4/5 and 2 -> 4/5 only; a 限时抢购
    only on a product above 10 元, at 1–8.5折 and ≥ 10 元 off, ≤ 24 h, sale_stock ≤ stock, one per product;
  - faults per API, consumed in order: fail(api, kind, times), kind "unavailable" (-1, nothing applied),
    "rate_limited" (45011), "refused" (10020051), "timeout" (no answer in
    time, nothing applied), "apply_then_timeout" (applied, answer held), "apply_then_error"
    (applied, then -1), "http_503", "drop";
  - lie_price(code, fen): product reads report that price;
  - `applied`: every write that changed the shop ((api, body)), except the activation (1 -> 2) that is
    the second half of issuing a coupon; sell(code, qty) places an order.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

from tests.fakes import Reply, Request
from tests.plugins.shops.token_fake import TokenShopFake

PREFIX = "/channels/ec/"


@dataclass
class WxProduct:
    product_id: str
    title: str
    skus: list[dict]                 # {sku_id, sku_code, out_sku_id, sale_price, market_price, stock_num}
    status: int = 11                 # 5 listed, 11 delisted by the merchant, 0 never listed (draft)


class WechatFake(TokenShopFake):
    CODE = "sku_code"
    def __init__(self, *, appid: str, secret: str, products: list[WxProduct], token_ttl: float = 7200,
                 qps: float | None = None, hold: float = 1.0, clock: Callable[[], float] = time.monotonic,
                 wall: Callable[[], float] = time.time):
        self.appid, self.secret = appid, secret
        self.products = {p.product_id: p for p in products}
        self.rejected: list[tuple[str, int]] = []
        self.coupons: dict[str, dict] = {}
        self.tasks: dict[str, dict] = {}
        self.orders: dict[str, dict] = {}
        super().__init__(self._app, token_ttl=token_ttl, qps=qps, hold=hold, clock=clock, wall=wall)

    # ---- test controls (fail, clear_faults, lie_price, expire_tokens, sku, writes: TokenShopFake) --
    def sell(self, code: str, qty: int = 1, *, paid: bool = True) -> None:
        with self.lock:
            p, s = self.sku(code)
            s["stock_num"] -= qty
            self._n += 1
            oid = f"37{self._n:016d}"
            amount = s["sale_price"] * qty
            now = int(self._wall())
            self.orders[oid] = dict(order_id=oid, status=20 if paid else 10, create_time=now, order_detail=dict(
                product_infos=[dict(product_id=p.product_id, sku_id=s["sku_id"], sku_cnt=qty, sale_price=s["sale_price"],
                                    real_price=amount, sku_code=s["sku_code"])],
                price_info=dict(product_price=amount, order_price=amount),
                pay_info=dict(pay_time=now if paid else 0)))

    # ---- the door ------------------------------------------------------------------------------
    def _err(self, api: str, code: int, msg: str) -> Reply:
        self._n += 1
        self.rejected.append((api, code))
        return Reply(200, {"errcode": code, "errmsg": f"{msg} rid: {self._n:08x}-5e3f"})

    @staticmethod
    def _ok(**body: Any) -> Reply:
        return Reply(200, {"errcode": 0, "errmsg": "ok", **body})

    def _app(self, req: Request) -> Reply:
        if req.path == "/cgi-bin/token":
            return self._token(req)
        if not req.path.startswith(PREFIX) or req.method != "POST":
            return Reply(404, "not found")
        api = req.path[len(PREFIX):]
        token = req.query.get("access_token")
        with self.lock:
            expires = self.tokens.get(token or "")
        if expires is None:
            return self._err(api, 40001, "invalid credential, access_token is invalid or not latest")
        if self._clock() >= expires:
            return self._err(api, 42001, "access_token expired")
        throttled = (lambda: self._err(api, 45011, "api minute-quota reach limit  mustslower  retry next minute"))
        if self._over_qps(api):
            return throttled()
        body = req.json if req.body else {}
        if not isinstance(body, dict):
            return self._err(api, 47001, "data format error")
        return self._serve(self.faults.take(api), lambda: self._handle(api, body),
                           busy=lambda: self._err(api, -1, "system error"), throttled=throttled,
                           refused=lambda: self._err(api, 10020051, "参数错误,请开发者按照文档传参"))

    def _token(self, req: Request) -> Reply:
        q = req.query
        if q.get("grant_type") != "client_credential":
            return self._err("token", 40002, "invalid grant_type")
        if q.get("appid") != self.appid:
            return self._err("token", 40013, "invalid appid")
        if q.get("secret") != self.secret:
            return self._err("token", 40001, "invalid credential, access_token is invalid or not latest")
        with self.lock:
            self._n += 1
            self.granted += 1
            token = f"wxtok_{self._n:06d}_{self.appid[-6:]}_Zk"
            self.tokens[token] = self._clock() + self.token_ttl
        return Reply(200, {"access_token": token, "expires_in": int(self.token_ttl)})

    # ---- the APIs ------------------------------------------------------------------------------
    def _product_json(self, p: WxProduct) -> dict:
        return dict(product_id=p.product_id, title=p.title, status=p.status, edit_status=1,
                    skus=[dict(s, sale_price=self.lies.get(s["sku_code"], s["sale_price"]), status=5) for s in p.skus])

    def _task_status(self, t: dict) -> int:
        now = self._wall()
        if t["stopped"] or now >= t["end_time"]:
            return 2
        return 0 if now < t["start_time"] else 1

    def _task_json(self, t: dict) -> dict:
        return dict(task_id=t["task_id"], product_id=t["product_id"], status=self._task_status(t),
                    create_time=t["create_time"], start_time=t["start_time"], end_time=t["end_time"],
                    limited_discount_skus=t["skus"])

    def _coupon_json(self, c: dict) -> dict:
        return dict(coupon_id=c["coupon_id"], type=c["type"], status=c["status"], create_time=c["create_time"],
                    update_time=c["create_time"], coupon_info=c["info"],
                    stock_info=dict(issued_num=c["info"]["receive_info"]["total_num"], receive_num=c["received"],
                                    used_num=0))

    def _page(self, rows: list, body: dict, limit: int) -> tuple[list, str]:
        size = body.get("page_size", 10)
        start = int(body.get("next_key") or 0)
        chunk = rows[start:start + min(size, limit)]
        nxt = start + len(chunk)
        return chunk, (str(nxt) if nxt < len(rows) else "")

    def _handle(self, api: str, body: dict) -> Reply:
        with self.lock:
            p = self.products.get(str(body.get("product_id"))) if "product_id" in body else None
            if api == "product/list/get":
                if not isinstance(body.get("page_size"), int) or not 1 <= body["page_size"] <= 30:
                    return self._err(api, 10020051, "参数错误: page_size 不超过30")
                ids = sorted(pid for pid, q in self.products.items() if q.status != 0)
                chunk, nxt = self._page(ids, body, 30)
                return self._ok(product_ids=chunk, next_key=nxt, total_num=len(ids))
            if api == "product/get":
                if p is None:
                    return self._err(api, 10020052, "商品不存在")
                out = dict(edit_product=self._product_json(p))
                if p.status != 0:
                    out["product"] = self._product_json(p)
                return self._ok(**out)
            if api in ("product/listing", "product/delisting"):
                if p is None:
                    return self._err(api, 10020052, "商品不存在")
                p.status = 5 if api == "product/listing" else 11
                self.applied.append((api, body))
                return self._ok()
            if api == "product/auditfree":
                if p is None or p.status == 0:
                    return self._err(api, 10020052, "商品不存在,或该商品未曾经上架成功过")
                for item in body.get("skus") or []:
                    s = next((s for s in p.skus if s["sku_id"] == str(item.get("sku_id"))), None)
                    price = item.get("sale_price")
                    if s is None:
                        return self._err(api, 10020051, "参数错误: sku_id 不存在")
                    if isinstance(price, bool) or not isinstance(price, int) or not 0 < price <= 1000000000:
                        return self._err(api, 10020051, f"参数错误: sale_price 以分为单位, got {price!r}")
                    s["sale_price"] = price
                self.applied.append((api, body))
                return self._ok(data=dict(product_id=p.product_id, update_time=time.strftime("%Y-%m-%d %H:%M:%S")))
            if api == "product/stock/update":
                if p is None or p.status == 0:
                    return self._err(api, 10020052, "商品不存在,或该商品未曾经上架成功过")
                s = next((s for s in p.skus if s["sku_id"] == str(body.get("sku_id"))), None)
                num, kind = body.get("num"), body.get("diff_type")
                if s is None or kind not in (1, 2, 3) or isinstance(num, bool) or not isinstance(num, int) or num < 0:
                    return self._err(api, 10020051, "参数错误,请开发者按照文档传参")
                if kind == 2 and num > s["stock_num"]:
                    return self._err(api, 10020219, "库存不足以减扣")
                s["stock_num"] = num if kind == 3 else s["stock_num"] + (num if kind == 1 else -num)
                self.applied.append((api, body))
                return self._ok()
            if api == "coupon/create":
                return self._coupon_create(api, body)
            if api == "coupon/update_status":
                c = self.coupons.get(str(body.get("coupon_id")))
                if c is None:
                    return self._err(api, 10021037, "优惠券不存在")
                new, old = body.get("status"), c["status"]
                if new not in (2, 4, 5) or not (old == 1 or (old == 2 and new in (4, 5))):
                    return self._err(api, 10021001, "优惠券状态不对")
                c["status"] = new
                if not (old == 1 and new == 2):
                    self.applied.append((api, body))
                return self._ok()
            if api == "coupon/get":
                c = self.coupons.get(str(body.get("coupon_id")))
                if c is None:
                    return self._err(api, 10021037, "优惠券不存在")
                return self._ok(coupon=self._coupon_json(c))
            if api == "coupon/get_list":
                page, size = body.get("page", 1), body.get("page_size", 10)
                rows = sorted(self.coupons)
                return self._ok(coupons=[dict(coupon_id=cid) for cid in rows[(page - 1) * size: page * size]],
                                total_num=len(rows))
            if api == "product/limiteddiscounttask/add":
                return self._task_add(api, body, p)
            if api == "product/limiteddiscounttask/list/get":
                rows = [self._task_json(t) for _, t in sorted(self.tasks.items())]
                if "status" in body:
                    rows = [r for r in rows if r["status"] == body["status"]]
                chunk, nxt = self._page(rows, body, 50)
                return self._ok(limited_discount_tasks=chunk, next_key=nxt, total_num=len(rows))
            if api == "product/limiteddiscounttask/stop":
                t = self.tasks.get(str(body.get("task_id")))
                if t is None:
                    return self._err(api, 10020076, "限时抢购任务不存在")
                t["stopped"] = True
                self.applied.append((api, body))
                return self._ok()
            if api == "order/list/get":
                rng = body.get("create_time_range") or {}
                rows = sorted(oid for oid, o in self.orders.items()
                              if rng.get("start_time", 0) <= o["create_time"] < rng.get("end_time", 1 << 62))
                chunk, nxt = self._page(rows, body, 100)
                return self._ok(order_id_list=chunk, next_key=nxt, has_more=bool(nxt))
            if api == "order/get":
                o = self.orders.get(str(body.get("order_id")))
                if o is None:
                    return self._err(api, 100002, "order not exist")
                return self._ok(order=o)
        return self._err(api, 48001, "api unauthorized")

    def _coupon_create(self, api: str, body: dict) -> Reply:
        ctype, name = body.get("type"), body.get("name")
        disc = body.get("discount_info") or {}
        cond = disc.get("discount_condition") or {}
        recv = body.get("receive_info") or {}
        if ctype not in (1, 2, 3, 4, 101, 102, 103, 104) or not isinstance(name, str) or not 0 < len(name) <= 10:
            return self._err(api, 10021008, "优惠券名称或类型不合法(名称最长10个中文字符)")
        fee = disc.get("discount_fee")
        if ctype in (2, 4, 102, 104) and (isinstance(fee, bool) or not isinstance(fee, int) or not 0 < fee <= 20000):
            return self._err(api, 10021012, "优惠减免金额不合法,单位为分,不可超过200元")
        if ctype in (1, 2, 3, 4) and not [pid for pid in cond.get("product_ids") or [] if pid in self.products]:
            return self._err(api, 10021013, "商品券需填写有效的 product_ids")
        if ctype in (2, 102) and not isinstance(cond.get("product_price"), int):
            return self._err(api, 10021014, "满减券需填写价格门槛 product_price")
        if not isinstance(recv.get("total_num"), int) or recv["total_num"] < 1 or \
                not isinstance(recv.get("limit_num_one_person"), int) or recv["limit_num_one_person"] < 1:
            return self._err(api, 10021015, "receive_info 不合法")
        self._n += 1
        cid = f"{19000 + self._n}"
        self.coupons[cid] = dict(coupon_id=cid, type=ctype, status=1, create_time=int(self._wall()), received=0,
                                 info=dict(name=name, discount_info=disc, receive_info=recv,
                                           valid_info=body.get("valid_info") or {}, ext_info=body.get("ext_info") or {},
                                           promote_info=body.get("promote_info") or {}))
        self.applied.append((api, body))
        return self._ok(data=dict(coupon_id=cid))

    def _task_add(self, api: str, body: dict, p: WxProduct | None) -> Reply:
        if p is None or p.status == 0:
            return self._err(api, 10020052, "商品不存在")
        if any(t["product_id"] == p.product_id and self._task_status(t) in (0, 1) for t in self.tasks.values()):
            return self._err(api, 10020077, "该商品已存在未结束的限时抢购任务")
        start, end = body.get("start_time"), body.get("end_time")
        now = self._wall()
        if not isinstance(start, int) or not isinstance(end, int) or start < now - 600 or end <= max(now, start) \
                or end - start > 86400:
            return self._err(api, 10020071, "限时抢购时间不合法(持续时间不可超过24小时)")
        skus = body.get("limited_discount_skus") or []
        for item in skus:
            s = next((s for s in p.skus if s["sku_id"] == str(item.get("sku_id"))), None)
            price, stock = item.get("sale_price"), item.get("sale_stock")
            if s is None or not isinstance(price, int) or not isinstance(stock, int):
                return self._err(api, 10020051, "参数有误,请检查请求参数是否正确")
            own = s["sale_price"]
            if own <= 1000 or price * 100 > own * 85 or price * 10 < own or own - price < 1000:
                return self._err(api, 10020072, "抢购价不合法(原价需大于10元,折扣1-8.5折,且需优惠10元以上)")
            if not 0 < stock <= s["stock_num"]:
                return self._err(api, 10020073, "参与抢购的商品库存必须小于等于现有库存")
        self._n += 1
        tid = f"{7000000 + self._n}"
        self.tasks[tid] = dict(task_id=tid, product_id=p.product_id, start_time=start, end_time=end,
                               create_time=int(now), stopped=False,
                               skus=[dict(sku_id=str(i["sku_id"]), sale_price=i["sale_price"],
                                          sale_stock=i["sale_stock"]) for i in skus])
        self.applied.append((api, body))
        return self._ok(task_id=tid)
