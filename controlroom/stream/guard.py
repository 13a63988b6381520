"""StreamGuard: the orchestrator (API skeleton; the implementation follows in the next commit).

One worker thread per OBS instance OWNS that instance's Switcher (obsws-python is not thread-safe):
it polls status every poll_interval_s with request_timeout_s, drains events, takes program
fingerprints, and executes the commands the failover state machine queued for that instance.
"""
from __future__ import annotations

from typing import Any

from controlroom.clock import Clock, SystemClock
from controlroom.stream.config import GuardConfig
from controlroom.stream.ports import Switcher


class StreamGuard:
    def __init__(self, config: GuardConfig, switchers: dict[str, Switcher], clock: Clock | None = None,
                 journal=None, session_id: int | None = None, bus=None, alerts=None):
        self.config = config
        self.switchers = switchers
        self.clock = clock or SystemClock()
        self.journal = journal
        self.session_id = session_id
        self.bus = bus
        self.alerts = alerts

    def start(self) -> None:
        """Start one worker thread per instance."""
        raise NotImplementedError

    def stop(self) -> None:
        """Stop and join the workers; close the switchers."""
        raise NotImplementedError

    def state(self) -> dict[str, Any]:
        """Snapshot: {"state", "method", "active", "on_backup", "hold", "instances": {name: {...}},
        "last_switch": {... "detect_to_switch_ms"}}."""
        raise NotImplementedError

    def fail_over_now(self, actor: str = "operator", reason: str = "") -> None:
        raise NotImplementedError

    def return_to_primary(self, actor: str = "operator", reason: str = "") -> None:
        raise NotImplementedError

    def set_hold(self, on: bool, actor: str = "operator") -> None:
        raise NotImplementedError
