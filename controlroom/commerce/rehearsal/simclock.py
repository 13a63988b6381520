"""A simulated clock that threads can wait on: time moves only when the driver moves it.

A worker that waits (`sleep`, `sleep_until`) is parked until the clock reaches its wake time. The
driver knows how many are parked and when the next one is due, so it can tell "every worker is
waiting for time to pass" from "work is still going on", and jump straight to the next wake: a
shop call that hangs for 30 s costs no real time.
"""
from __future__ import annotations

import itertools
import threading
from datetime import datetime

from controlroom.clock import ManualClock


class SimClock(ManualClock):
    def __init__(self, start_utc: datetime | None = None, start_mono: float = 1000.0):
        super().__init__(start_utc, start_mono)
        self._cv = threading.Condition()
        self._sleepers: dict[int, tuple[float, int]] = {}    # token -> (wake time, thread ident)
        self._tokens = itertools.count()
        self._closed = False

    def sleep(self, seconds: float) -> None:  # type: ignore[override]  (ManualClock's sleep advances)
        if seconds > 0:
            self.sleep_until(self.monotonic() + seconds)

    def sleep_until(self, t: float) -> None:
        with self._cv:
            if self._closed or self.monotonic() >= t:
                return
            tok = next(self._tokens)
            self._sleepers[tok] = (t, threading.get_ident())
            while tok in self._sleepers:
                self._cv.wait()

    def advance(self, seconds: float) -> None:
        super().advance(seconds)
        now = self.monotonic()
        with self._cv:
            # woken sleepers stop counting as parked at once, before their threads run again: a driver
            # that checks "everything parked?" right after moving the clock must see them as busy
            for tok, (t, _ident) in list(self._sleepers.items()):
                if t <= now + 1e-9:
                    del self._sleepers[tok]
            self._cv.notify_all()

    def advance_to(self, t: float) -> None:
        now = self.monotonic()
        if t > now:
            self.advance(t - now)

    @property
    def parked(self) -> int:
        with self._cv:
            return len(self._sleepers)

    def parked_threads(self) -> frozenset[int]:
        """The threads waiting on this clock now (a worker of a console killed by a restart may be one: the
        driver asks about the live console's workers only)."""
        with self._cv:
            return frozenset(ident for _t, ident in self._sleepers.values())

    def next_wake(self) -> float | None:
        with self._cv:
            return min((t for t, _ident in self._sleepers.values()), default=None)

    def release_all(self) -> None:
        """The end: every waiter goes on now, and nobody waits any more (the run is over)."""
        with self._cv:
            self._closed = True
            self._sleepers.clear()
            self._cv.notify_all()
