"""Clocks. Durations and timers use a monotonic clock; the journal stores UTC wall time too.

Injected everywhere so tests can run a 3-hour show in milliseconds.
"""
from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Protocol


class Clock(Protocol):
    def monotonic(self) -> float:
        """Seconds from an arbitrary origin; never goes backwards."""

    def utcnow(self) -> datetime:
        """Timezone-aware UTC wall time."""


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def utcnow(self) -> datetime:
        return datetime.now(timezone.utc)


class ManualClock:
    """A clock that only moves when told to: for tests and faster-than-real-time simulation."""

    def __init__(self, start_utc: datetime | None = None, start_mono: float = 1000.0):
        self._lock = threading.Lock()
        self._mono = start_mono
        self._origin_mono = start_mono
        self._origin_utc = start_utc or datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)

    def monotonic(self) -> float:
        with self._lock:
            return self._mono

    def utcnow(self) -> datetime:
        with self._lock:
            return self._origin_utc + timedelta(seconds=self._mono - self._origin_mono)

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a monotonic clock cannot go backwards")
        with self._lock:
            self._mono += seconds

    # `sleep` lets code written against a real clock run on this one.
    sleep = advance
