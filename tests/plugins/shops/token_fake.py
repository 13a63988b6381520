"""What the 抖店 and 微信小店 conformance fakes share (both: access tokens in the query, per-API QPS, the
platform's own code in an HTTP 200 answer): the test controls and the fault dispatch. Each fake keeps
its own door (signature, token and parameter checks) and its own answers; this holds the machinery.

  - tokens: `tokens` (token -> expiry on the fake's clock); expire_tokens() ends them all now;
  - throttling: `qps` calls per route per second at most (`_over_qps(route)`);
  - faults per route, consumed in order (fault_plan.FaultPlan): fail(route, kind, times) with the
    contract's kinds plus "apply_then_timeout" (applied, answer held past the client's timeout) and
    "http_503"; `_serve` turns a fault into the platform's own answer;
  - lie_price(code, fen): reads report that price, whatever was written (`lies`);
  - `applied`: every write that changed the shop; `writes` counts them.
"""
from __future__ import annotations

import threading
from typing import Any, Callable

from tests.fakes import LocalServer, Reply
from tests.plugins.shops.fault_plan import KINDS, Fault, FaultPlan

TOKEN_SHOP_KINDS = KINDS + ("apply_then_timeout", "http_503")


class TokenShopFake(LocalServer):
    HTTP_503 = "Service Unavailable"            # the body of an "http_503" fault
    CODE = "code"                               # the SKU field that holds the console's SKU code
    products: dict[Any, Any]                    # the fake's products by id, each with .skus (dicts)

    def __init__(self, app: Callable[..., Reply], *, token_ttl: float, qps: float | None, hold: float,
                 clock: Callable[[], float], wall: Callable[[], float]):
        self.token_ttl, self.qps, self.hold = token_ttl, qps, hold
        self._clock, self._wall = clock, wall
        self.lock = threading.RLock()
        self.tokens: dict[str, float] = {}
        self.granted = 0
        self.faults = FaultPlan(kinds=TOKEN_SHOP_KINDS)
        self.lies: dict[str, int] = {}
        self.applied: list[tuple[str, Any]] = []
        self._calls: dict[str, list[float]] = {}
        self._n = 0
        super().__init__(app)

    # ---- test controls -------------------------------------------------------------------------
    def fail(self, route: str, kind: str, times: int = 1) -> None:
        self.faults.add(route, kind, times, hold=self.hold)

    def clear_faults(self) -> None:
        self.faults.clear()

    def lie_price(self, code: str, fen: int) -> None:
        self.lies[code] = fen

    def expire_tokens(self) -> None:
        with self.lock:
            for t in self.tokens:
                self.tokens[t] = self._clock() - 1

    def sku(self, code: str) -> tuple[Any, dict]:
        """(product, SKU dict) of the SKU whose code is `code`."""
        for p in self.products.values():
            for s in p.skus:
                if s[self.CODE] == code:
                    return p, s
        raise KeyError(code)

    @property
    def writes(self) -> int:
        return len(self.applied)

    # ---- the door ------------------------------------------------------------------------------
    def _over_qps(self, route: str) -> bool:
        """Counts this call; True when it is one too many for this second (the platform throttles it)."""
        if self.qps is None:
            return False
        now = self._clock()
        with self.lock:
            window = [t for t in self._calls.get(route, []) if t > now - 1.0]
            if len(window) >= self.qps:
                self._calls[route] = window
                return True
            window.append(now)
            self._calls[route] = window
        return False

    def _serve(self, fault: Fault | None, handle: Callable[[], Reply], *, busy: Callable[[], Reply],
               throttled: Callable[[], Reply], refused: Callable[[], Reply]) -> Reply:
        """The call, or the fault in the platform's own answers: `busy` (its "system busy", nothing
        applied unless the kind says so), `throttled`, `refused`; a held answer comes after `hold` s."""
        if fault is not None:
            if fault.kind == "unavailable":
                return busy()
            if fault.kind == "rate_limited":
                return throttled()
            if fault.kind == "refused":
                return refused()
            if fault.kind == "http_503":
                return Reply(503, self.HTTP_503)
            if fault.kind == "drop":
                return Reply(drop=True)
            if fault.kind == "timeout":
                late = busy()
                return Reply(late.status, late.body, delay=self.hold)
        reply = handle()
        if fault is not None and fault.kind == "apply_then_timeout":
            return Reply(reply.status, reply.body, delay=self.hold)
        if fault is not None and fault.kind == "apply_then_error":
            return busy()
        return reply

