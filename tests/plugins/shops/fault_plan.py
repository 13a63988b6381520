"""Faults the conformance fakes can be told to produce, per API route, consumed in order.

Kinds (the contract suite's names, tests/plugins/contract.py):
  timeout           hold the answer past the client's read timeout; nothing is applied
  unavailable       the platform sheds load before handling the request (HTTP 503)
  rate_limited      the platform's own throttling answer
  refused           a business refusal with the platform's own error code (never worth retrying)
  apply_then_error  the write is applied, then the answer is the platform's internal error
  drop              the write is applied, then the connection closes without an answer
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

KINDS = ("timeout", "unavailable", "rate_limited", "refused", "apply_then_error", "drop")


@dataclass
class Fault:
    kind: str
    times: int = 1
    hold: float = 1.0          # seconds an answer is held for "timeout"


class FaultPlan:
    def __init__(self, kinds: tuple[str, ...] = KINDS):
        self.kinds = kinds
        self._lock = threading.Lock()
        self._faults: dict[str, list[Fault]] = {}

    def add(self, route: str, kind: str, times: int = 1, hold: float = 1.0) -> Fault:
        assert kind in self.kinds, kind
        f = Fault(kind, times, hold)
        with self._lock:
            self._faults.setdefault(route, []).append(f)
        return f

    def take(self, route: str) -> Fault | None:
        with self._lock:
            queue = self._faults.get(route) or []
            while queue and queue[0].times <= 0:
                queue.pop(0)
            if not queue:
                return None
            queue[0].times -= 1
            return queue[0]

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
