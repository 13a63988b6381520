"""Faults a real shop API shows, injectable into the simulated shop while it runs.

Set `shop.faults = Faults(...)` (or change its fields) at any time. Random faults draw from the shop's
own seeded fault RNG, so the same seed and the same sequence of calls fail the same way every run.
"""
from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from controlroom.platform import PlatformRateLimited, PlatformTimeout, PlatformUnavailable

READS = frozenset({"read_product", "read_products", "read_coupon", "metrics"})


@dataclass
class Faults:
    latency: float = 0.0                 # real seconds slept on every affected call (so callers' timeouts fire)
    error_rate: float = 0.0              # probability of PlatformUnavailable per affected call
    rate_limit: float | None = None      # max affected calls per second (on the shop's clock); more -> PlatformRateLimited
    timeout_rate: float = 0.0            # probability a WRITE raises PlatformTimeout
    timeout_after_apply: bool = True     # True: the write is applied, then the timeout (the dangerous case for retries)
    error_next: int = 0                  # the next N affected calls fail with PlatformUnavailable (deterministic)
    timeout_next: int = 0                # the next N writes time out (deterministic)
    readback_price_offset: int = 0       # 分 added to the price read_product reports: a read-back that lies
    readback_price_factor: str | Decimal | None = None  # e.g. "10" (shifted decimal point) or "0.1"
    readback_skus: frozenset[str] | None = None         # which SKUs lie; None = every SKU
    scope: str = "all"                   # which calls latency/errors/rate limits hit: "all", "writes" or "reads"

    def __post_init__(self) -> None:
        if self.scope not in ("all", "writes", "reads"):
            raise ValueError(f"Faults.scope must be 'all', 'writes' or 'reads', got {self.scope!r}")
        for name in ("latency", "error_rate", "timeout_rate"):
            if getattr(self, name) < 0:
                raise ValueError(f"Faults.{name} cannot be negative")
        if self.rate_limit is not None and self.rate_limit <= 0:
            raise ValueError("Faults.rate_limit must be > 0 calls per second, or None")

    def lies_about(self, sku: str) -> bool:
        if not self.readback_price_offset and self.readback_price_factor is None:
            return False
        return self.readback_skus is None or sku in self.readback_skus

    def reported_price(self, sku: str, price: int) -> int:
        if not self.lies_about(sku):
            return price
        if self.readback_price_factor is not None:
            price = int((Decimal(str(self.readback_price_factor)) * price).to_integral_value(ROUND_HALF_UP))
        return price + int(self.readback_price_offset)


class FaultInjector:
    """Applies `Faults` to one call. Separate from the audience model's RNG: faults never change the show."""

    def __init__(self, seed: int):
        self._rng = random.Random(f"faults:{seed}")
        self._window: deque[float] = deque()

    def _hit(self, faults: Faults, method: str) -> bool:
        is_read = method in READS
        return faults.scope == "all" or (faults.scope == "reads") == is_read

    def before_call(self, faults: Faults, method: str, now: float) -> None:
        """Errors and rate limits decided at the door; raises or returns. Caller holds the shop's lock."""
        if not self._hit(faults, method):
            return
        err_draw = self._rng.random()   # always drawn, so one fault's setting never shifts another's stream
        if faults.rate_limit is not None:
            while self._window and self._window[0] <= now - 1.0:
                self._window.popleft()
            if len(self._window) >= faults.rate_limit:
                retry = max(0.001, self._window[0] + 1.0 - now) if self._window else 1.0
                raise PlatformRateLimited(f"{method}: rate limit of {faults.rate_limit:g} calls/s exceeded",
                                          retry_after=round(retry, 3))
            self._window.append(now)
        if faults.error_next > 0:
            faults.error_next -= 1
            raise PlatformUnavailable(f"{method}: shop service unavailable (injected)")
        if err_draw < faults.error_rate:
            raise PlatformUnavailable(f"{method}: shop service unavailable (injected, rate {faults.error_rate:g})")

    def timeout(self, faults: Faults, method: str) -> str | None:
        """For a write: None, "before" (not applied) or "after" (applied, answer lost)."""
        draw = self._rng.random()
        fire = False
        if faults.timeout_next > 0:
            faults.timeout_next -= 1
            fire = True
        elif draw < faults.timeout_rate:
            fire = True
        if not fire:
            return None
        return "after" if faults.timeout_after_apply else "before"

    @staticmethod
    def timeout_error(method: str, applied: bool) -> PlatformTimeout:
        # Says nothing about whether it was applied: a real timeout can't know either.
        return PlatformTimeout(f"{method}: no answer from the shop in time (injected); retry with the same key")

    def latency(self, faults: Faults, method: str) -> float:
        return faults.latency if faults.latency > 0 and self._hit(faults, method) else 0.0


# ---- a rehearsal's faults: one kind, on one SKU (or every call), for a while on the shop's clock ----
FAULT_KINDS = ("hang", "apply_then_error", "error", "rate_limit", "lie")


@dataclass(frozen=True)
class FaultWindow:
    """From `start` to `end` (the shop clock's monotonic seconds), calls about `sku` (None: every call):
      hang              no answer: the call waits until the window ends or the caller's deadline passes,
                        then times out; nothing is applied
      apply_then_error  writes are applied, then answered with HTTP 500 (a retry with the same key too)
      error             writes are answered with HTTP 500 and not applied
      rate_limit        every call is answered 429 with Retry-After = what is left of the window
      lie               read-backs report the price ×10 (a shifted decimal point); the shop sells at the truth
    """
    kind: str
    sku: str | None
    start: float
    end: float

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"fault kind must be one of {', '.join(FAULT_KINDS)}, got {self.kind!r}")
        if not self.end >= self.start:
            raise ValueError("a fault window must not end before it starts")

    def covers(self, sku: str | None, now: float) -> bool:
        return self.start <= now < self.end and (self.sku is None or self.sku == sku)
