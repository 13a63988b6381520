"""The Platform port contract (tests/plugins/contract.py) against the built-in simulator and the generic
HTTP adapter over FakeShop. The real-shop adapters run the same suite against their conformance fakes
(tests/plugins/shops/test_*_contract.py)."""
from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from controlroom.clock import ManualClock
from controlroom.paths import SAMPLE_SHOW
from controlroom.secrets import set_secret
from plugins.http_platform import HttpPlatform, HttpPlatformConfig
from plugins.simulator import Faults, SimulatedShop
from tests.plugins.contract import (APPLY_THEN_ERROR, MANY, RATE_LIMITED, REFUSED, TIMEOUT, UNAVAILABLE,
                                    PlatformContract, ShopHarness)
from tests.fakes import HttpShop as FakeShop

READS = {"read_product", "read_products", "read_coupon", "metrics", "read_offer"}


# ---- the simulator ---------------------------------------------------------------------------------
@dataclass
class SimulatorHarness(ShopHarness):
    clock: ManualClock = field(default_factory=ManualClock)
    transient_throttle: bool = False

    @property
    def shop(self) -> SimulatedShop:
        return self.platform  # type: ignore[return-value]

    def writes_applied(self) -> int:
        return len(self.shop.write_log)

    def fail(self, op: str, kind: str, times: int = 1) -> None:
        scope = "reads" if op in READS else "writes"
        f = self.shop.faults
        if kind == UNAVAILABLE:
            f.scope, f.error_next = scope, times
        elif kind in (TIMEOUT, APPLY_THEN_ERROR):
            assert scope == "writes", "the simulator times out writes only"
            f.timeout_next, f.timeout_after_apply = times, kind == APPLY_THEN_ERROR
        elif kind == RATE_LIMITED:
            # One call per second of shop time, and this second's call already made: the next call is
            # throttled. A transient throttle (times < MANY) ends when the caller has waited its Retry-After.
            self.transient_throttle = times < MANY
            self.shop.faults = Faults(rate_limit=1, scope="all", readback_price_offset=f.readback_price_offset,
                                      readback_price_factor=f.readback_price_factor,
                                      readback_skus=f.readback_skus)
            self.shop.read_product(self.sku)
        else:
            raise AssertionError(kind)

    def clear_faults(self) -> None:
        f = self.shop.faults
        self.shop.faults = Faults(readback_price_offset=f.readback_price_offset,
                                  readback_price_factor=f.readback_price_factor, readback_skus=f.readback_skus)

    def lie_price(self, sku: str, fen: int) -> None:
        # reported = price * 0 + fen: the same figure whatever was written
        f = self.shop.faults
        f.readback_price_factor, f.readback_price_offset, f.readback_skus = "0", fen, frozenset({sku})

    def wait(self, seconds: float) -> None:
        self.clock.advance(seconds)
        if self.transient_throttle:
            self.transient_throttle = False
            self.clear_faults()


class TestSimulatorContract(PlatformContract):
    @pytest.fixture
    def harness(self):
        clock = ManualClock()
        shop = SimulatedShop.from_show(SAMPLE_SHOW, clock=clock, seed=7)
        yield SimulatorHarness(
            platform=shop, sku="SER-002", other_sku="CRM-003", clock=clock,
            unsupported={REFUSED: "the simulator refuses only what is wrong (unknown SKU, a bad value); "
                                  "those refusals are covered by test_unknown_sku_is_a_refusal"})
        shop.close()


# ---- the generic HTTP adapter over FakeShop --------------------------------------------------------
TOKEN = "tok-contract-Hq3-secret-0815"
READ_TIMEOUT = 0.3


@dataclass
class HttpHarness(ShopHarness):
    shop: FakeShop | None = None

    def writes_applied(self) -> int:
        return len(self.shop.applied)

    def fail(self, op: str, kind: str, times: int = 1) -> None:
        if kind == UNAVAILABLE:
            self.shop.fault(op, status=503, times=times, message="service busy")
        elif kind == RATE_LIMITED:
            self.shop.fault(op, status=429, times=times, headers={"Retry-After": "0.05"}, message="slow down")
        elif kind == REFUSED:
            self.shop.fault(op, status=400, times=times, message="price below the platform floor")
        elif kind in (TIMEOUT, APPLY_THEN_ERROR):
            # FakeShop applies the write at once and holds the answer past the client's read timeout
            self.shop.fault(op, lose_response=READ_TIMEOUT * 2, times=times)
        else:
            raise AssertionError(kind)

    def clear_faults(self) -> None:
        with self.shop.lock:
            self.shop.faults.clear()

    def lie_price(self, sku: str, fen: int) -> None:
        self.shop.lie(sku, "price", fen)

    def close(self) -> None:
        self.platform.close()
        self.shop.close()


class TestHttpPlatformContract(PlatformContract):
    """The generic gateway with a flash-offer API ([platform.http] native_offers = true) and without one."""

    @pytest.fixture(params=[True, False], ids=["native_offers", "no_offer_api"])
    def harness(self, request):
        shop = FakeShop(token=TOKEN, products=[
            dict(sku="SKU1", title="保温杯 Thermos", list_price=8990, price=5990, stock=100),
            dict(sku="SKU2", title="帆布包 Tote", list_price=9900, price=6900, stock=40)])
        set_secret("platform_http_token", TOKEN)
        cfg = HttpPlatformConfig(base_url=shop.url, connect_timeout=0.5, read_timeout=READ_TIMEOUT,
                                 max_attempts=3, backoff_base=0.01, backoff_max=0.05, retry_budget=2.0,
                                 readback_attempts=2, readback_interval=0.01, native_offers=request.param,
                                 live_comments=request.param)
        h = HttpHarness(platform=HttpPlatform(cfg), sku="SKU1", other_sku="SKU2", shop=shop, secrets=(TOKEN,))
        yield h
        h.close()
