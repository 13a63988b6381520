"""The tests' fakes, in one module: each stands in for one port or one outside party.

In process
  FakeSwitcher   the Switcher port (OBS) as measured in /work/shared/docs/obs-testbed.md (guard unit tests;
                 the real-OBS tests are in tests/integration/)
  NoShop         a Platform that is not there, for rooms that need no shop (rundown, cue screen, runtime)
  FakeShop       the Platform port in memory: idempotent writes, injectable timeouts, lying read-backs
                 (the console's tests); PLAN is the price plan that matches its three products
  MetricsShop    the Platform port's metrics() side: counters a test moves by hand
  FakeConsole    what the run-of-show runner asks of the console, recorded
  FakeStream     the stream room as the screens see it: a snapshot and the operator's buttons

Over real HTTP on 127.0.0.1 (ThreadingHTTPServer on port 0, every request recorded)
  LocalServer, Request, Reply, refused_url()   the base and helpers the real-shop fakes in tests/plugins/shops/ use
  HttpShop       a shop API speaking the HttpPlatform wire contract
  WebhookReceiver  a chat webhook endpoint for the alert sinks

HttpShop's faults are injected per operation and consumed in order:

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
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qs, unquote, urlsplit

from controlroom.platform import (CouponState, MetricsSnapshot, PlatformTimeout, PlatformUnavailable, ProductState,
                                  SkuMetrics)
from controlroom.stream.ports import (StreamEvent, StreamStatus, SwitcherClosed, SwitcherRefused,
                                      SwitcherRequestFailed, SwitcherTimeout, SwitcherUnavailable)


# ==== in process =========================================================================================
class FakeSwitcher:
    """A test double of the Switcher port that behaves like OBS 29 / obs-websocket 5.1: a failed start
    goes STARTING -> STOPPED with no retry; while reconnecting outputActive stays true, outputBytes
    resets to 0 and congestion keeps its old value; frame counters restart after a reconnect; a frozen
    OBS answers nothing (each call costs the whole timeout, taken from the injected clock when it is a
    ManualClock); a killed OBS refuses connections."""

    def __init__(self, name: str, clock, kbps: float = 2500.0, fps: float = 30.0):
        self.name = name
        self.clock = clock
        self.kbps = kbps
        self.fps = fps
        self._lock = threading.Lock()
        self.alive = True
        self.frozen = False
        self.ingest_up = True          # the ingest this OBS currently targets accepts the stream
        self.ingest_stalled = False    # socket open, nothing moves (bytes flat, congestion rises)
        self.active = False
        self.reconnecting = False
        self.bytes = 0
        self.congestion = 0.0
        self.skipped = 0
        self.total = 0
        self.render_skipped = 0
        self.render_total = 0
        self.scene = "Program"
        self.target: tuple[str, str] | None = None
        self.picture = "moving"        # moving | black | still
        self.missing_next = 0          # the next N status readings lack their stats (None)
        self.stop_fails = 0            # the next N StopStream requests fail (OBS answered, the stop did not take)
        self.no_screenshot = False
        self.connected = False
        self.calls: list[tuple] = []
        self._events: list[StreamEvent] = []
        self._last = clock.monotonic()
        self._frame = 0
        self.thread_ids: set[int] = set()
        self.down_ingests: set[str] = set()

    # ---- the world -----------------------------------------------------------------------------
    def _tick(self) -> None:
        now = self.clock.monotonic()
        dt, self._last = now - self._last, now
        self.render_total += int(dt * self.fps)
        if self.active and not self.reconnecting and self.ingest_up and not self.ingest_stalled:
            self.bytes += int(self.kbps * 1000 / 8 * dt)
            self.total += int(dt * self.fps)

    def _check(self, timeout: float) -> None:
        self.thread_ids.add(threading.get_ident())
        if not self.alive:
            self.connected = False
            raise SwitcherClosed(f"{self.name}: connection closed by OBS")
        if self.frozen:
            self.connected = False
            if hasattr(self.clock, "advance"):
                self.clock.advance(timeout)
            raise SwitcherTimeout(f"{self.name}: no answer in {timeout} s")
        if not self.connected:
            raise SwitcherUnavailable(f"{self.name}: not connected")

    def _emit(self, *kinds: str) -> None:
        self._events.extend(StreamEvent(k) for k in kinds)

    # fault injection
    def kill(self) -> None:
        with self._lock:
            self.alive, self.active, self.reconnecting, self.connected = False, False, False, False
            self._emit("EVENTS_LOST")

    def operator_start(self) -> None:
        """Someone pressed Start Streaming in OBS itself."""
        with self._lock:
            self._tick()
            self.active, self.reconnecting, self.bytes = True, False, 0
            self._emit("STREAM_STARTING", "STREAM_STARTED")

    def operator_stop(self) -> None:
        with self._lock:
            self.active = self.reconnecting = False
            self._emit("STREAM_STOPPING", "STREAM_STOPPED")

    def revive(self) -> None:
        with self._lock:
            self.alive, self.frozen = True, False

    def break_ingest(self) -> None:
        with self._lock:
            self._tick()
            self.ingest_up = False
            if self.active:
                self.reconnecting, self.bytes = True, 0
                self._emit("STREAM_RECONNECTING")

    def heal_ingest(self) -> None:
        with self._lock:
            self._tick()
            self.ingest_up = True
            if self.active and self.reconnecting:
                self.reconnecting, self.skipped, self.total = False, 0, 0
                self._emit("STREAM_RECONNECTED")

    # ---- the port ------------------------------------------------------------------------------
    def connect(self, timeout: float) -> None:
        with self._lock:
            self.calls.append(("connect",))
            self.thread_ids.add(threading.get_ident())
            if not self.alive:
                raise SwitcherRefused(f"{self.name}: connection refused")   # nothing listens: the process is gone
            if self.frozen:
                if hasattr(self.clock, "advance"):
                    self.clock.advance(timeout)
                raise SwitcherTimeout(f"{self.name}: handshake timed out")
            self.connected = True

    def close(self) -> None:
        self.connected = False

    def status(self, timeout: float) -> StreamStatus:
        with self._lock:
            self._check(timeout)
            self.calls.append(("status",))
            self._tick()
            if self.ingest_stalled and self.active:
                self.congestion = min(1.0, self.congestion + 0.25)
            if self.missing_next > 0:
                self.missing_next -= 1
                return StreamStatus(self.active, self.reconnecting, None, None, None, None, None, None,
                                    program_scene=self.scene)
            return StreamStatus(self.active, self.reconnecting, self.bytes if self.active else 0, self.congestion,
                                self.skipped, self.total, self.render_skipped, self.render_total,
                                active_fps=self.fps, average_frame_render_time=2.0, program_scene=self.scene)

    def drain_events(self) -> list[StreamEvent]:
        with self._lock:
            out, self._events = self._events, []
            return out

    def program_fingerprint(self, timeout: float) -> bytes | None:
        with self._lock:
            self._check(timeout)
            self.calls.append(("fingerprint",))
            if self.no_screenshot:
                return None
            if self.picture == "black":
                return bytes([4] * 144)
            if self.picture == "still":
                return bytes([120] * 144)
            self._frame += 1
            return bytes((60 + (i * 7 + self._frame * 13) % 120) for i in range(144))

    def start_stream(self, timeout: float) -> None:
        with self._lock:
            self._check(timeout)
            self.calls.append(("start",))
            if self.active:
                raise SwitcherRequestFailed("output running", 500)
            self._tick()
            target_down = self.target is not None and self.target[0] in self.down_ingests
            if self.ingest_up and not target_down:
                self.active, self.reconnecting, self.bytes = True, False, 0
                self.skipped = self.total = 0
                self._emit("STREAM_STARTING", "STREAM_STARTED")
            else:
                self._emit("STREAM_STARTING", "STREAM_STOPPED")   # OBS does not retry

    def stop_stream(self, timeout: float) -> None:
        with self._lock:
            self._check(timeout)
            self.calls.append(("stop",))
            if self.stop_fails > 0:
                self.stop_fails -= 1
                raise SwitcherRequestFailed("StopStream failed (injected)", 700)
            if not self.active:
                raise SwitcherRequestFailed("output not running", 501)
            self.active = self.reconnecting = False
            self._emit("STREAM_STOPPING", "STREAM_STOPPED")

    def set_stream_target(self, server: str, key: str, timeout: float) -> None:
        with self._lock:
            self._check(timeout)
            self.calls.append(("set_target", server))
            if self.active:
                raise SwitcherRequestFailed("cannot change the service while streaming", 500)
            self.target = (server, key)
            self.ingest_up = server not in self.down_ingests

    def set_program_scene(self, scene: str, timeout: float) -> None:
        with self._lock:
            self._check(timeout)
            self.calls.append(("scene", scene))
            self.scene = scene
            self._emit("SCENE_CHANGED")
            self.picture = "moving"


class NoShop:
    """A Platform that is not there: the rooms that need no shop (rundown, cue screen) run on it."""
    name = "none"


PIN = "482193"   # the supervisor PIN the console's test rig sets

PLAN = ("sku,title,list_price,live_price,cost,floor_price,stock,per_buyer_limit,coupon_threshold,coupon_off,"
        "coupon_qty,approved_deep_discount\n"
        "A,Cream A,100,80,20,40,100,3,,,,no\n"
        "B,Serum B,299,199,48,159,50,3,,,,no\n"
        "L,Lucky bag,99,0.01,25,0.01,50,1,,,,yes\n")


class FakeShop:
    """The Platform port in memory: idempotent writes, injectable timeouts and lying read-backs."""
    name, currency = "fake", "CNY"

    def __init__(self):
        self.products = {
            "A": ProductState("A", "Cream A", 10000, 8000, 100, True),
            "B": ProductState("B", "Serum B", 29900, 19900, 50, True),
            "L": ProductState("L", "Lucky bag", 9900, 1, 50, False),
        }
        self.keys: dict[str, object] = {}
        self.applied: list[tuple] = []
        self.timeout_after_apply = 0
        self.unavailable = 0
        self.lie_price: dict[str, int] = {}
        self.coupons: dict[str, CouponState] = {}
        self.sku_metrics: dict[str, SkuMetrics] = {}
        self.threads: set[str] = set()

    def _write(self, method, key, args, fn):
        self.threads.add(threading.current_thread().name)
        assert key, "idempotency key required"
        if self.unavailable:
            self.unavailable -= 1
            raise PlatformUnavailable("down")
        if key in self.keys:
            return self.keys[key]
        result = fn()
        self.keys[key] = result
        self.applied.append((method, *args))
        if self.timeout_after_apply:
            self.timeout_after_apply -= 1
            raise PlatformTimeout("answer lost")
        return result

    def _set(self, sku, **kw):
        self.products[sku] = replace(self.products[sku], **kw)

    def list_product(self, sku, *, idempotency_key):
        self._write("list", idempotency_key, (sku,), lambda: self._set(sku, listed=True))

    def unlist_product(self, sku, *, idempotency_key):
        self._write("unlist", idempotency_key, (sku,), lambda: self._set(sku, listed=False))

    def set_price(self, sku, price, *, idempotency_key):
        self._write("set_price", idempotency_key, (sku, price), lambda: self._set(sku, price=price))

    def set_stock(self, sku, stock, *, idempotency_key):
        self._write("set_stock", idempotency_key, (sku, stock), lambda: self._set(sku, stock=stock))

    def set_displayed_stock(self, sku, shown, *, idempotency_key):
        self._write("set_displayed_stock", idempotency_key, (sku, shown), lambda: self._set(sku, displayed_stock=shown))

    def pin_product(self, sku, *, idempotency_key):
        def apply():
            for s in self.products:
                self._set(s, pinned=(s == sku))
        self._write("pin", idempotency_key, (sku,), apply)

    def issue_coupon(self, spec, *, idempotency_key):
        def apply():
            cid = f"C{len(self.coupons) + 1}"
            self.coupons[cid] = CouponState(cid, spec, 0, True)
            return cid
        return self._write("issue_coupon", idempotency_key, (spec,), apply)

    def stop_coupon(self, coupon_id, *, idempotency_key):
        self._write("stop_coupon", idempotency_key, (coupon_id,),
                    lambda: self.coupons.__setitem__(coupon_id, replace(self.coupons[coupon_id], active=False)))

    def read_product(self, sku):
        p = self.products[sku]
        return replace(p, price=self.lie_price[sku]) if sku in self.lie_price else p

    def read_products(self):
        return [self.read_product(s) for s in self.products]

    def read_coupon(self, coupon_id):
        return self.coupons[coupon_id]

    def metrics(self):
        return MetricsSnapshot(skus=dict(self.sku_metrics))


class MetricsShop:
    """The Platform port's metrics() side: counters the test moves by hand."""
    name = "fake"
    currency = "CNY"

    def __init__(self):
        self.lock = threading.Lock()
        self.n = 0
        self.online = 1000
        self.fail = False

    def step(self, k: int = 1):
        with self.lock:
            self.n += k

    def metrics(self) -> MetricsSnapshot:
        if self.fail:
            raise TimeoutError("platform did not answer")
        with self.lock:
            n = self.n
        return MetricsSnapshot(
            online=self.online, views=15 * n, unique_viewers=10 * n, buyers=2 * n, orders=2 * n,
            gmv=2 * n * 15_000, paid_gmv=n * 15_000, product_clicks=5 * n, add_to_cart=n,
            skus={"LIP-001": SkuMetrics("LIP-001", impressions=20 * n, clicks=5 * n, add_to_cart=n,
                                        orders=2 * n, gmv=2 * n * 15_000),
                  "SER-002": SkuMetrics("SER-002", impressions=3)})   # never changes


class FakeConsole:
    """Records what the runner asks of the console (the real one sits behind interlocks)."""

    def __init__(self, fail_stop=False):
        self.calls = []
        self.done = threading.Event()
        self.fail_stop = fail_stop

    def start_offer(self, sku, price_fen, duration_s, qty=None, *, actor="operator", wait=False):
        self.calls.append(("start", sku, price_fen, duration_s, actor))

    def stop_offer(self, sku, *, actor="operator", reason="", wait=False):
        self.calls.append(("stop", sku, actor))
        self.done.set()
        if self.fail_stop:
            raise RuntimeError("interlock: price read-back mismatch")


class FakeStream:
    def __init__(self, snap):
        self.snap = snap
        self.calls = []

    def state(self):
        return dict(self.snap)

    def fail_over_now(self, actor, reason=""):
        self.calls.append(("fail_over", actor))
        return True

    def return_to_primary(self, actor, reason=""):
        self.calls.append(("return", actor))
        return True

    def set_hold(self, on, actor):
        self.calls.append(("hold", on))


# ==== over real HTTP on 127.0.0.1 ========================================================================
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


class HttpShop(LocalServer):
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
