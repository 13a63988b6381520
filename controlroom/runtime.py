"""The composition root of a running show, without Qt.

A `Runtime` owns the clock, the bus, the journal, the settings and the platform, and the rooms
(console, rundown runner, metrics, stream guard). Each room lives in its own package and exposes
`attach(rt) -> service` in a module named in ROOMS; the runtime attaches whichever are present, so
rooms are added without editing this file's logic. A room's service may implement:

  on_session(session_id, resumed: bool)   a session became current (new, or resumed after a crash:
                                          rebuild state from rt.journal.events(session_id))
  on_show_started()                       the operator went live (Runtime.start)
  tick()                                  called about every 100 ms by whoever drives the show
                                          (the GUI's timer, the headless loop, or a test)
  close()                                 stop workers; called once
"""
from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from controlroom.bus import EventBus
from controlroom.clock import Clock, SystemClock
from controlroom.journal import Journal, Session
from controlroom.paths import SAMPLE_SHOW, data_dir
from controlroom.platform import Platform
from controlroom.settings import Settings

log = logging.getLogger(__name__)

# name -> module exposing attach(rt). Order matters: later rooms may use earlier ones.
ROOMS: dict[str, str] = {
    "console": "controlroom.commerce.room",
    "rundown": "controlroom.rundown.room",
    "metrics": "controlroom.metrics.room",
    "stream": "controlroom.stream.room",
}


@dataclass
class Runtime:
    data_dir: Path
    clock: Clock
    bus: EventBus
    journal: Journal
    settings: Settings
    platform: Platform
    show_dir: Path = SAMPLE_SHOW
    session_id: int | None = None
    rooms: dict[str, Any] = field(default_factory=dict)
    alerts: Any = None  # controlroom.alerts.AlertRouter, set in create()

    @classmethod
    def create(cls, data_dir_override: str | Path | None = None, *, clock: Clock | None = None,
               platform: Platform | None = None, show_dir: Path | None = None,
               rooms: dict[str, str] | None = None, seed: int = 7) -> "Runtime":
        ddir = data_dir(data_dir_override)
        clock = clock or SystemClock()
        bus = EventBus()
        journal = Journal(ddir / Journal.FILENAME, clock=clock, bus=bus)
        settings = Settings(ddir / Settings.FILENAME)
        show_dir = Path(show_dir or SAMPLE_SHOW)
        if platform is None:
            platform = _platform_from_settings(settings, show_dir, clock, seed)
        bind = getattr(platform, "bind_bus", None)
        if bind:  # lets the simulator react to segments, offers and failovers like a real audience
            bind(bus)
        rt = cls(ddir, clock, bus, journal, settings, platform, show_dir)
        from controlroom.alerts import AlertRouter
        rt.alerts = AlertRouter(journal, bus, lambda: rt.session_id, show_title_fn=rt.show_title)
        for name, module in (ROOMS if rooms is None else rooms).items():
            try:
                mod = importlib.import_module(module)
            except ModuleNotFoundError as e:
                if e.name and module.startswith(e.name):  # the room is not built yet
                    continue
                raise
            rt.rooms[name] = mod.attach(rt)
        return rt

    # ---- session life cycle -----------------------------------------------------------------
    def new_show(self, title: str | None = None, meta: dict[str, Any] | None = None) -> int:
        title = title or _show_title(self.show_dir)
        meta = {"show_dir": str(self.show_dir), "platform": getattr(self.platform, "name", "?"), **(meta or {})}
        self.session_id = self.journal.new_session(title, meta)
        self._notify(resumed=False)
        return self.session_id

    def start(self) -> None:
        """Go live. Rooms with on_show_started() react (the run-of-show starts its first segment)."""
        self.journal.start_session(self._sid())
        for room in self.rooms.values():
            fn = getattr(room, "on_show_started", None)
            if fn:
                fn()

    def end(self) -> None:
        self.journal.end_session(self._sid())

    def resume(self, session_id: int) -> None:
        """Reopen a session (after a crash, or an old one for review); rooms rebuild from the journal."""
        self.session_id = session_id
        sess = self.journal.session(session_id)
        self.journal.append(session_id, "session.resumed", "system", {"was_open": sess.is_open})
        self._notify(resumed=True)

    def show_title(self) -> str:
        if self.session_id is None:
            return _show_title(self.show_dir)
        return self.journal.session(self.session_id).title

    def open_sessions(self) -> list[Session]:
        return self.journal.open_sessions()

    def tick(self) -> None:
        for room in list(self.rooms.values()):
            fn = getattr(room, "tick", None)
            if fn:
                try:
                    fn()
                except Exception:
                    log.exception("room tick failed")

    def close(self) -> None:
        for room in reversed(list(self.rooms.values())):
            fn = getattr(room, "close", None)
            if fn:
                try:
                    fn()
                except Exception:
                    log.exception("room close failed")
        if self.alerts is not None:
            self.alerts.close()
        closer = getattr(self.platform, "close", None)
        if closer:
            closer()
        self.journal.close()

    def _sid(self) -> int:
        if self.session_id is None:
            raise RuntimeError("no show session is open")
        return self.session_id

    def _notify(self, resumed: bool) -> None:
        for room in self.rooms.values():
            fn = getattr(room, "on_session", None)
            if fn:
                fn(self.session_id, resumed)
        self.bus.publish("session.current", {"session_id": self.session_id, "resumed": resumed})


def _show_title(show_dir: Path) -> str:
    import tomllib
    meta = Path(show_dir) / "show.toml"
    if meta.exists():
        return tomllib.loads(meta.read_text(encoding="utf-8")).get("title", show_dir.name)
    return Path(show_dir).name


def _platform_from_settings(settings: Settings, show_dir: Path, clock: Clock, seed: int) -> Platform:
    """[platform] kind = "simulator" (default) | "http" (see [platform.http] in the README)."""
    from controlroom.settings import SettingsError
    table = settings.data.get("platform", {})
    kind = table.get("kind", "simulator") if isinstance(table, dict) else "simulator"
    if kind == "http":
        from plugins.http_platform import HttpPlatform
        return HttpPlatform.from_settings(settings)
    if kind != "simulator":
        raise SettingsError(f"{settings.path}: [platform] kind must be \"simulator\" or \"http\", got {kind!r}")
    from plugins.simulator import SimulatedShop
    return SimulatedShop.from_show(show_dir, clock=clock, seed=seed)
