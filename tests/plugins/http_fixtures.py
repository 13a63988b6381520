"""Real HTTP servers on 127.0.0.1 for adapter tests: a fake shop API and a webhook receiver.

Both run `http.server.ThreadingHTTPServer` on port 0 in a thread and record every request. Faults
are injected per operation and consumed in order:

    shop.fault("set_price", status=500)                        # refuse before applying
    shop.fault("read_product", status=429, headers={"Retry-After": "0.2"}, times=2)
    shop.fault("read_product", delay=1.0)                      # slow answer (client times out)
    shop.fault("set_price", lose_response=1.0)                 # apply, then answer too late
    shop.fault("set_price", drop=True)                         # close the connection, no answer
    shop.lie("SKU1", "price", 299)                             # read-backs report this instead
    shop.lie_coupon("amount", 50000)
    refused_url()                                              # a port nobody listens on
"""
from __future__ import annotations

import json
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qs, unquote, urlsplit


@dataclass
class Request:
    method: str
    path: str                       # without the query, URL-decoded
    raw_path: str                   # as sent, with the query
    query: dict[str, str]
    headers: dict[str, str]         # lower-case names
    body: bytes
    t: float = field(default_factory=time.monotonic)

    @property
    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8")) if self.body else None


@dataclass
class Reply:
    status: int = 200
    body: Any = None                # dict/list -> JSON; str -> text; bytes as is
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0              # seconds to wait before answering
    drop: bool = False              # close the connection without answering


class LocalServer:
    """ThreadingHTTPServer on 127.0.0.1:0 serving `app(Request) -> Reply` in a daemon thread."""

    def __init__(self, app: Callable[[Request], Reply]):
        self.app = app
        self.requests: list[Request] = []
        self._stop = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # one write per response: headers and body in separate segments meet delayed ACKs (40 ms)
            wbufsize = 1 << 16
            disable_nagle_algorithm = True

            def log_message(self, *a):  # keep test output clean
                pass

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                req = Request(self.command, unquote(parts.path), self.path,
                              {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()},
                              {k.lower(): v for k, v in self.headers.items()}, body)
                outer.requests.append(req)
                reply = outer.app(req)
                if reply.delay:
                    outer._stop.wait(reply.delay)
                if reply.drop:
                    self.close_connection = True
                    try:
                        self.connection.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                    return
                data = reply.body
                ctype = "application/json; charset=utf-8"
                if isinstance(data, (dict, list)):
                    data = json.dumps(data, ensure_ascii=False).encode("utf-8")
                elif isinstance(data, str):
                    data, ctype = data.encode("utf-8"), "text/plain; charset=utf-8"
                elif data is None:
                    data = b""
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(data)))
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting: that is the fault under test

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True, name=f"test-http-{self.port}")
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=2)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def refused_url() -> str:
    """A 127.0.0.1 URL whose port had a listener a moment ago and has none now: connection refused."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}"


# ---- the fake shop --------------------------------------------------------------------------------
def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


@dataclass
class Fault:
    op: str
    times: int = 1
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    message: str = "injected fault"
    delay: float = 0.0              # answer slowly (applies after the delay, like a slow server)
    lose_response: float = 0.0      # apply at once, then hold the answer this long
    drop: bool = False


_ROUTES: list[tuple[str, re.Pattern, str]] = [
    ("POST", re.compile(r"/products/(?P<sku>[^/]+)/list"), "list_product"),
    ("POST", re.compile(r"/products/(?P<sku>[^/]+)/unlist"), "unlist_product"),
    ("PUT", re.compile(r"/products/(?P<sku>[^/]+)/price"), "set_price"),
    ("PUT", re.compile(r"/products/(?P<sku>[^/]+)/stock"), "set_stock"),
    ("PUT", re.compile(r"/products/(?P<sku>[^/]+)/displayed_stock"), "set_displayed_stock"),
    ("PUT", re.compile(r"/live/pinned"), "pin_product"),
    ("POST", re.compile(r"/coupons"), "issue_coupon"),
    ("POST", re.compile(r"/coupons/(?P<coupon_id>[^/]+)/stop"), "stop_coupon"),
    ("GET", re.compile(r"/products/(?P<sku>[^/]+)"), "read_product"),
    ("GET", re.compile(r"/products"), "read_products"),
    ("GET", re.compile(r"/coupons/(?P<coupon_id>[^/]+)"), "read_coupon"),
    ("GET", re.compile(r"/live/metrics"), "metrics"),
    ("POST", re.compile(r"/offers"), "start_offer"),
    ("POST", re.compile(r"/offers/(?P<offer_id>[^/]+)/stop"), "stop_offer"),
    ("GET", re.compile(r"/offers/(?P<offer_id>[^/]+)"), "read_offer"),
    ("GET", re.compile(r"/live/comments"), "comments"),
]
WRITES = {"list_product", "unlist_product", "set_price", "set_stock", "set_displayed_stock",
          "pin_product", "issue_coupon", "stop_coupon", "start_offer", "stop_offer"}


class FakeShop(LocalServer):
    """A shop API speaking the HttpPlatform wire contract, in one money `unit` (fen|yuan|decimal_string).

    State is kept in 分; money arrives and leaves in the unit, strictly: fen must be a JSON integer,
    yuan a string with exactly 2 decimals, decimal_string a decimal string (answered without
    trailing zeros, "29.9", as TikTok Shop does). Writes replay by Idempotency-Key.
    """

    def __init__(self, unit: str = "fen", token: str | None = None, products: list[dict] | None = None):
        self.unit = unit
        self.token = token
        self.lock = threading.Lock()
        self.products: dict[str, dict] = {}
        for p in products or [dict(sku="SKU1", title="保温杯 Thermos", list_price=5990, price=2990, stock=100)]:
            self.products[p["sku"]] = dict(dict(title="", listed=False, pinned=False, displayed_stock=None), **p)
        self.coupons: dict[str, dict] = {}
        self.offers: dict[str, dict] = {}
        self.faults: list[Fault] = []
        self.lies: dict[tuple[str, str], Any] = {}
        self.coupon_lies: dict[str, Any] = {}
        self.idem: dict[str, tuple[str, Reply]] = {}
        self.applied: list[tuple[str, str]] = []      # (op, idempotency key) actually applied
        self.wire_values: list[tuple[str, str, Any]] = []  # (op, field, value as received)
        self.metrics_body: dict = {}
        # the live room's comments as the gateway holds them (wire dicts); it keeps the last `comments_held`
        self.comment_log: list[dict] = []
        self.comments_held = 10_000
        self.comments_body: Any = None          # answer this instead (a protocol test)
        super().__init__(self._app)

    # -- test controls
    def fault(self, op: str, **kw) -> Fault:
        f = Fault(op, **kw)
        with self.lock:
            self.faults.append(f)
        return f

    def lie(self, sku: str, field_: str, value: Any) -> None:
        self.lies[(sku, field_)] = value

    def lie_coupon(self, field_: str, value: Any) -> None:
        """Coupon read-backs report `value` (in 分 for money) for `field_`."""
        self.coupon_lies[field_] = value

    def add_comment(self, text: str, user: str = "ou_1", *, time_: Any = None, **extra: Any) -> dict:
        """A viewer comments (wire fields; `extra` may rename or add fields: id, nickname, sku, hints)."""
        with self.lock:
            c = {"id": f"m{len(self.comment_log) + 1}",
                 "time": time_ if time_ is not None else 1_700_000_000 + len(self.comment_log),
                 "user": user, "text": text, **extra}
            self.comment_log.append(c)
        return c

    def op_requests(self, op: str) -> list[Request]:
        return [r for r in self.requests if self._route(r)[0] == op]

    # -- money on the wire
    def encode(self, fen: int) -> Any:
        if self.unit == "fen":
            return fen
        s = _yuan(fen)
        if self.unit == "decimal_string":
            s = s.rstrip("0").rstrip(".") if "." in s else s
        return s

    def decode(self, value: Any, name: str) -> int:
        if self.unit == "fen":
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{name} must be an integer number of fen, got {value!r}")
            return value
        pattern = r"(\d+)\.(\d{2})" if self.unit == "yuan" else r"(\d+)(?:\.(\d{1,2}))?"
        m = re.fullmatch(pattern, value) if isinstance(value, str) else None
        if not m:
            raise ValueError(f"{name} must be a {self.unit} string like \"29.90\", got {value!r}")
        return int(m.group(1)) * 100 + int((m.group(2) or "").ljust(2, "0"))

    def _offer_json(self, o: dict) -> dict:
        return dict(o, price=self.encode(o["price"]))

    def _product_json(self, p: dict) -> dict:
        out = dict(p)
        live = [o for o in self.offers.values() if o["sku"] == p["sku"] and o["active"]]
        out["offer"] = self._offer_json(live[-1]) if live else None
        for (sku, f), v in self.lies.items():
            if sku == p["sku"]:
                out[f] = v
        out["list_price"] = self.encode(out["list_price"])
        out["price"] = self.encode(out["price"])
        return out

    def _coupon_json(self, c: dict) -> dict:
        out = dict(c, **self.coupon_lies)
        c = out
        out["threshold"] = self.encode(c["threshold"])
        out["amount"] = self.encode(c["amount"])
        return out

    # -- routing
    def _route(self, req: Request) -> tuple[str | None, dict]:
        for method, pat, op in _ROUTES:
            m = pat.fullmatch(req.path)
            if m and method == req.method:
                return op, m.groupdict()
        return None, {}

    def _app(self, req: Request) -> Reply:
        op, args = self._route(req)
        if op is None:
            return Reply(404, {"message": f"no route {req.method} {req.path}"})
        if self.token is not None and req.headers.get("authorization") != f"Bearer {self.token}":
            return Reply(401, {"code": 40101, "message": "invalid access token"})
        fault = None
        with self.lock:
            for f in self.faults:
                if f.op == op and f.times > 0:
                    f.times -= 1
                    fault = f
                    break
        if fault is not None:
            if fault.drop:
                return Reply(drop=True)
            if fault.status is not None:
                return Reply(fault.status, {"message": fault.message}, dict(fault.headers), delay=fault.delay)
            if fault.delay:
                time.sleep(fault.delay)
        key = req.headers.get("idempotency-key")
        if op in WRITES:
            if not key:
                return Reply(400, {"message": "Idempotency-Key header required"})
            fingerprint = f"{req.method} {req.path} {req.body!r}"
            with self.lock:
                seen = self.idem.get(key)
            if seen is not None:
                if seen[0] != fingerprint:
                    return Reply(422, {"message": "idempotency key reused for a different request"})
                reply = Reply(seen[1].status, seen[1].body)
            else:
                reply = self._apply(op, args, req)
                if reply.status < 500:
                    with self.lock:
                        self.idem[key] = (fingerprint, reply)
                        if reply.status < 300:
                            self.applied.append((op, key))
            if fault is not None and fault.lose_response:
                return Reply(reply.status, reply.body, delay=fault.lose_response)
            return reply
        if op == "comments":
            return self._comments(req)
        return self._read(op, args)

    def _apply(self, op: str, args: dict, req: Request) -> Reply:
        body = req.json or {}
        try:
            with self.lock:
                if "sku" in args:
                    p = self.products.get(args["sku"])
                    if p is None:
                        return Reply(404, {"message": f"product {args['sku']} not found"})
                if op == "list_product":
                    if p["stock"] <= 0:
                        return Reply(400, {"code": 10023, "message": "商品库存不足,无法上架 (out of stock)"})
                    p["listed"] = True
                elif op == "unlist_product":
                    p["listed"] = False
                elif op == "set_price":
                    self.wire_values.append((op, "price", body.get("price")))
                    p["price"] = self.decode(body.get("price"), "price")
                elif op == "set_stock":
                    p["stock"] = int(body["stock"])
                elif op == "set_displayed_stock":
                    p["displayed_stock"] = body.get("displayed_stock")
                elif op == "pin_product":
                    for q in self.products.values():
                        q["pinned"] = q["sku"] == body.get("sku")
                elif op == "issue_coupon":
                    for f in ("threshold", "amount"):
                        self.wire_values.append((op, f, body.get(f)))
                    cid = f"C{len(self.coupons) + 1}"
                    self.coupons[cid] = dict(coupon_id=cid, sku=body.get("sku"),
                                             threshold=self.decode(body.get("threshold"), "threshold"),
                                             amount=self.decode(body.get("amount"), "amount"),
                                             total_qty=body.get("total_qty"),
                                             per_buyer_limit=body.get("per_buyer_limit", 1),
                                             name=body.get("name", ""), issued=0, active=True)
                    return Reply(200, {"coupon_id": cid})
                elif op == "start_offer":
                    self.wire_values.append((op, "price", body.get("price")))
                    if body.get("sku") not in self.products:
                        return Reply(404, {"message": f"product {body.get('sku')} not found"})
                    oid = f"O{len(self.offers) + 1}"
                    self.offers[oid] = dict(offer_id=oid, sku=body["sku"], price=self.decode(body.get("price"), "price"),
                                            duration_s=body.get("duration_s"), quantity=body.get("quantity"),
                                            per_buyer_limit=body.get("per_buyer_limit"), sold=0, active=True)
                    return Reply(200, {"offer_id": oid})
                elif op == "stop_offer":
                    o = self.offers.get(args["offer_id"])
                    if o is None:
                        return Reply(404, {"message": f"offer {args['offer_id']} not found"})
                    o["active"] = False
                elif op == "stop_coupon":
                    c = self.coupons.get(args["coupon_id"])
                    if c is None:
                        return Reply(404, {"message": f"coupon {args['coupon_id']} not found"})
                    c["active"] = False
        except (ValueError, KeyError, TypeError) as e:
            return Reply(400, {"message": str(e)})
        return Reply(204)

    def _comments(self, req: Request) -> Reply:
        if self.comments_body is not None:
            return Reply(200, self.comments_body)
        with self.lock:
            total = len(self.comment_log)
            oldest = max(0, total - self.comments_held)
            try:
                start = int(req.query["cursor"]) if "cursor" in req.query else oldest
                limit = int(req.query.get("limit", "100"))
            except ValueError:
                return Reply(400, {"message": "cursor and limit must be whole numbers"})
            missed = max(0, oldest - start)
            start = max(start, oldest)
            page = self.comment_log[start:start + limit]
            return Reply(200, {"comments": page, "cursor": str(start + len(page)), "missed": missed})

    def _read(self, op: str, args: dict) -> Reply:
        with self.lock:
            if op == "read_product":
                p = self.products.get(args["sku"])
                if p is None:
                    return Reply(404, {"message": f"product {args['sku']} not found"})
                return Reply(200, self._product_json(p))
            if op == "read_products":
                return Reply(200, {"products": [self._product_json(p) for p in self.products.values()]})
            if op == "read_offer":
                o = self.offers.get(args["offer_id"])
                if o is None:
                    return Reply(404, {"message": f"offer {args['offer_id']} not found"})
                return Reply(200, self._offer_json(o))
            if op == "read_coupon":
                c = self.coupons.get(args["coupon_id"])
                if c is None:
                    return Reply(404, {"message": f"coupon {args['coupon_id']} not found"})
                return Reply(200, self._coupon_json(c))
            return Reply(200, self.metrics_body)


# ---- webhook receiver -----------------------------------------------------------------------------
class WebhookReceiver(LocalServer):
    """Accepts any POST; answers from `replies` in order, then with `default` (e.g. the service's
    success body: {"errcode": 0, "errmsg": "ok"}, {"code": 0, "msg": "success"}, or "ok"), which may
    also be a function of the request (one receiver playing several services)."""

    def __init__(self, default: Reply | Callable[[Request], Reply] | None = None):
        self.default = default or Reply(200, {"errcode": 0, "errmsg": "ok"})
        self.replies: list[Reply] = []
        self._rlock = threading.Lock()
        super().__init__(self._app)

    def then(self, *replies: Reply) -> "WebhookReceiver":
        with self._rlock:
            self.replies.extend(replies)
        return self

    def _app(self, req: Request) -> Reply:
        with self._rlock:
            if self.replies:
                return self.replies.pop(0)
        return self.default(req) if callable(self.default) else self.default
