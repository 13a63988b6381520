"""The contract suite's harness over a conformance fake — one for the four real-shop fakes.

Every fake keeps its faults in a fault_plan.FaultPlan (`fake.faults`, routes by the fake's own API names,
kinds by the contract's names), counts the writes that changed the shop in `fake.applied`, and can lie
about a price (`fake.lie_price`). What differs per shop is the route of each port operation (`wire`) and
the secrets of the moment (`live_secrets`: tokens change as the adapter runs).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from tests.plugins.contract import ShopHarness


@dataclass
class FakeShopHarness(ShopHarness):
    fake: Any = None
    wire: dict[str, str] = field(default_factory=dict)          # port operation -> the fake's route
    hold: float = 1.0                     # s a "timeout" fault holds its answer (past the adapter's read timeout)
    live_secrets: Callable[[], tuple[str, ...]] = tuple
    reopen: Callable[[], Any] | None = None                     # a new adapter on the same data dir (a restart)

    def secret_values(self) -> tuple[str, ...]:
        return (*self.secrets, *self.live_secrets())

    def writes_applied(self) -> int:
        return len(self.fake.applied)

    def fail(self, op: str, kind: str, times: int = 1) -> None:
        self.fake.faults.add(self.wire[op], kind, times, hold=self.hold)

    def clear_faults(self) -> None:
        self.fake.faults.clear()

    def lie_price(self, sku: str, fen: int) -> None:
        self.fake.lie_price(sku, fen)
