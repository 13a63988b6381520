"""The adapter's own read-back after a write: read the shop again (a few times — shops are
eventually consistent) and compare with what was commanded.

A difference is never papered over: the adapter logs it and keeps it (`last_mismatch`), and by
default returns, so the console's own read-back reads the same difference and locks the SKU;
with `on_mismatch = "raise"` it raises ReadbackMismatch (not retryable: the write may be half
applied, a blind retry could make it worse).
"""
from __future__ import annotations

import logging
import time
from typing import Any, Callable

from controlroom.commerce.money import format_money
from controlroom.platform import PlatformError, time_left

log = logging.getLogger(__name__)

MONEY_FIELDS = ("price", "list_price", "threshold", "amount")


class ReadbackMismatch(PlatformError):
    retryable = False

    def __init__(self, message: str, *, target: str, field: str, expected: Any, actual: Any, state: Any):
        super().__init__(message)
        self.target, self.field, self.expected, self.actual, self.state = target, field, expected, actual, state


Diff = tuple[str, Any, Any]   # (field, commanded, read back)


class ReadBack:
    def __init__(self, name: str, *, attempts: int = 3, interval: float = 0.3, on_mismatch: str = "return",
                 sleep: Callable[[float], None] = time.sleep):
        self.name = name
        self.attempts = max(1, attempts)
        self.interval = interval
        self.on_mismatch = on_mismatch
        self._sleep = sleep
        self.last_state: Any = None
        self.last_mismatch: ReadbackMismatch | None = None

    def verify(self, op: str, target: str, read: Callable[[], Any],
               compare: Callable[[Any], Diff | None]) -> Any:
        diff: Diff | None = None
        state = None
        for attempt in range(self.attempts):
            if attempt:
                left = time_left()
                if left is not None and left <= self.interval:
                    break      # the action's deadline: report what was read; the console's read-back decides
                self._sleep(self.interval)
            state = read()
            diff = compare(state)
            if diff is None:
                self.last_state = state
                return state
        assert diff is not None
        field, want, got = diff
        show = (lambda v: f"{format_money(v)} 元" if isinstance(v, int) and field in MONEY_FIELDS else repr(v))
        err = ReadbackMismatch(f"{self.name} {op}: read-back of {target} shows {field} = {show(got)}, "
                               f"commanded {show(want)}", target=target, field=field, expected=want,
                               actual=got, state=state)
        self.last_state, self.last_mismatch = state, err
        if self.on_mismatch == "raise":
            raise err
        log.warning("%s", err)
        return state


def fields_differ(state: Any, **expect: Any) -> Diff | None:
    for f, want in expect.items():
        got = getattr(state, f)
        if got != want:
            return f, want, got
    return None
