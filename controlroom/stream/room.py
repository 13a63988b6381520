"""The stream room for the GUI: a StreamGuard when guard.toml exists, a calm "not configured" otherwise.

Config: <data_dir>/guard.toml, or the path in settings [guard] config. The guard starts when a show
session becomes current (journaling into it) and stops on close. After a crash the session is
resumed and the guard learns from the journal whether the show was on the backup.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from controlroom.stream.config import GuardConfig, GuardConfigError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GuardSettings:
    config: str = ""          # path to guard.toml; empty: <data_dir>/guard.toml


class StreamRoom:
    def __init__(self, rt, switcher_factory=None, probe_factory=None):
        self.rt = rt
        self.guard = None
        self.probe = None
        self._probe_factory = probe_factory
        self.error = ""
        self.config: GuardConfig | None = None
        self._factory = switcher_factory
        try:
            st = rt.settings.section("guard", GuardSettings)
            path = Path(st.config) if st.config else Path(rt.data_dir) / "guard.toml"
        except Exception as e:
            path, self.error = None, str(e)
        self.path = path
        if path is not None and path.exists():
            try:
                self.config = GuardConfig.load(path)
            except GuardConfigError as e:
                self.error = str(e)

    @property
    def configured(self) -> bool:
        return self.config is not None

    def on_session(self, session_id: int, resumed: bool) -> None:
        if self.config is None:
            return
        self._stop_guard()
        from controlroom.stream.guard import StreamGuard
        if self._factory is None:
            from controlroom.stream.headless import build_switchers
            switchers = build_switchers(self.config)
        else:
            switchers = self._factory(self.config)
        if self._probe_factory is None:
            from controlroom.stream.headless import build_probe
            self.probe = build_probe(self.config, self.rt.clock)
        else:
            self.probe = self._probe_factory(self.config, self.rt.clock)
        self.guard = StreamGuard(self.config, switchers, clock=self.rt.clock, journal=self.rt.journal,
                                 session_id=session_id, bus=self.rt.bus, alerts=self.rt.alerts,
                                 probe=self.probe)
        if resumed:
            self.guard.restore(self.rt.journal.events(session_id, prefix="stream."))
        self.guard.start()

    def state(self) -> dict[str, Any]:
        if self.guard is not None:
            return self.guard.state()
        return {"configured": False, "state": "NOT_CONFIGURED" if self.config is None else "WAITING",
                "error": self.error, "path": str(self.path) if self.path else "",
                "method": self.config.method if self.config else None, "instances": {}, "last_switch": None,
                "on_backup": False, "hold": False}

    def fail_over_now(self, actor: str = "operator", reason: str = "") -> bool:
        return self.guard.fail_over_now(actor, reason) if self.guard else False

    def return_to_primary(self, actor: str = "operator", reason: str = "") -> bool:
        return self.guard.return_to_primary(actor, reason) if self.guard else False

    def set_hold(self, on: bool, actor: str = "operator") -> None:
        if self.guard:
            self.guard.set_hold(on, actor)

    def tick(self) -> None:
        pass                  # the guard's workers run on their own threads

    def _stop_guard(self) -> None:
        if self.guard is not None:
            self.guard.stop()
            self.guard = None
        if self.probe is not None:
            self.probe.stop()
            self.probe = None

    def close(self) -> None:
        self._stop_guard()


def attach(rt) -> StreamRoom:
    return StreamRoom(rt)
