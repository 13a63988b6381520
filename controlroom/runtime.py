"""The composition root of a running show, without Qt.

A `Runtime` owns the clock, the bus, the journal, the settings, the platform and the alert router,
and the rooms as typed attributes: `rt.console`, `rt.rundown`, `rt.metrics`, `rt.stream`, `rt.comments`
(None when a composition leaves a room out). Adapters (the platform, alert sinks) come from
controlroom.adapters — entry points, never an import of plugins/.

A runtime writes the data dir's journal, so `Runtime.create` makes it the data dir's one writer
(`controlroom.datadir.claim`, kept until `close()`; a composition that claimed first hands its lock
in with `lock=`), reads the show folder once (`rt.show`, controlroom.show) and journals the
permission notices of files it had to make private. Tests that simulate kill -9 call `abandon()`.

A room's service may implement:

  on_session(session_id, resumed: bool)   a session became current (new, or resumed after a crash:
                                          rebuild state from rt.journal.events(session_id))
  on_show_started()                       the operator went live (Runtime.start)
  on_show_ended()                         the operator ended the show (Runtime.end): timers stop
  tick()                                  called about every 100 ms by whoever drives the show
                                          (the GUI's timer, the headless loop, or a test)
  close()                                 stop workers; called once
"""
from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from controlroom.adapters import PlatformContext, create_alert_sinks, create_platform
from controlroom.alerts import AlertRouter
from controlroom.bus import EventBus
from controlroom.clock import Clock, SystemClock
from controlroom.datadir import JOURNAL_KIND, DataDirError, Tightened, WriterLock, claim, private_file
from controlroom.journal import Journal, JournalError, JournalWriteError, Session
from controlroom.paths import SAMPLE_SHOW, data_dir
from controlroom.platform import Platform, SessionPlatform
from controlroom.settings import Settings, SettingsError
from controlroom.show import Show, ShowError, load_show

if TYPE_CHECKING:  # the rooms import the runtime's services lazily; only the types are named here
    from controlroom.commerce.service import ConsoleService
    from controlroom.comments.room import CommentRoom
    from controlroom.metrics.room import MetricsService
    from controlroom.rundown.room import RundownRoom
    from controlroom.stream.room import StreamRoom

log = logging.getLogger(__name__)

# What Runtime.create (or the first write of a new show) raises when a show cannot start, each a
# sentence for the operator: the data dir is taken (DataDirBusy, a DataDirError) or cannot be written
# (read-only, full: DataDirError, JournalError, JournalWriteError), or the show folder or settings are
# wrong. A command line prints it and exits 2; the app shows it in a dialog.
START_ERRORS: tuple[type[BaseException], ...] = (DataDirError, JournalError, JournalWriteError, ShowError,
                                                 SettingsError)

SHOW_KIND = "show"   # sessions.meta["kind"]: "show" (the app), "guard" (main.py guard), others for rehearsals

# room -> module exposing attach(rt). Order matters: later rooms may use earlier ones.
ROOMS: dict[str, str] = {
    "console": "controlroom.commerce.room",
    "rundown": "controlroom.rundown.room",
    "metrics": "controlroom.metrics.room",
    "stream": "controlroom.stream.room",
    "comments": "controlroom.comments.room",
}


@dataclass
class Runtime:
    data_dir: Path
    clock: Clock
    bus: EventBus
    journal: Journal
    settings: Settings
    platform: Platform
    alerts: AlertRouter
    show_dir: Path = SAMPLE_SHOW
    show: Show | None = None            # the show folder, read and checked once (controlroom.show)
    lock: WriterLock | None = None      # the data dir's writer lock, released by close()/abandon()
    # permission notices (files found readable by others and tightened) not yet journaled
    tightened: list[Tightened] = field(default_factory=list)
    session_id: int | None = None
    console: "ConsoleService | None" = None
    rundown: "RundownRoom | None" = None
    metrics: "MetricsService | None" = None
    stream: "StreamRoom | None" = None
    comments: "CommentRoom | None" = None
    # every attached service in attach order (the four above and any a test adds), for the life cycle
    services: list[Any] = field(default_factory=list)
    closed: bool = False

    @classmethod
    def create(cls, data_dir_override: str | Path | None = None, *, clock: Clock | None = None,
               platform: Platform | None = None, show_dir: Path | None = None,
               rooms: dict[str, str] | None = None, seed: int = 7,
               alert_sinks: bool = True, lock: WriterLock | None = None, program: str = "app") -> "Runtime":
        """Compose a show on a data dir. A runtime writes, so it is the data dir's one writer: it
        claims the writer lock (`controlroom.datadir.claim(ddir, program)`) unless handed one it
        then owns, and raises DataDirBusy naming the holder when another process writes there.
        A read-only or full data dir raises DataDirError / JournalOpenError, a bad show folder
        ShowError — sentences for the operator, nothing half-started."""
        ddir = data_dir(data_dir_override, create=False)  # claim() creates it, 0700
        if lock is None:
            lock = claim(ddir, program)
        elif not lock.held or lock.data_dir.resolve() != ddir.resolve():
            raise ValueError(f"the writer lock given is not a held lock on {ddir}")
        journal: Journal | None = None
        try:
            clock = clock or SystemClock()
            bus = EventBus()
            show = load_show(show_dir or SAMPLE_SHOW)
            journal = Journal(ddir / Journal.FILENAME, clock=clock, bus=bus)
            tightened = list(lock.tightened) + list(journal.tightened)
            notice = private_file(ddir / Settings.FILENAME)  # it holds the supervisor PIN's hash
            if notice:
                tightened.append(notice)
            settings = Settings(ddir / Settings.FILENAME)
            if platform is None:
                platform = create_platform(PlatformContext(settings, show.path, clock, ddir, seed))
            bind = getattr(platform, "bind_bus", None)
            if bind:  # lets the simulator react to segments, offers and failovers like a real audience
                bind(bus)
            holder: dict[str, Runtime] = {}
            alerts = AlertRouter(journal, bus, lambda: holder["rt"].session_id,
                                 show_title_fn=lambda: holder["rt"].show_title(),
                                 sinks=create_alert_sinks(settings) if alert_sinks else [])
            rt = cls(ddir, clock, bus, journal, settings, platform, alerts, show.path, show=show, lock=lock,
                     tightened=tightened)
            holder["rt"] = rt
            for name, module in (ROOMS if rooms is None else rooms).items():
                try:
                    mod = importlib.import_module(module)
                except ModuleNotFoundError as e:
                    if e.name and module.startswith(e.name):  # the room is not built yet
                        continue
                    raise
                rt.add_service(name, mod.attach(rt))
        except BaseException:
            if journal is not None:
                journal.close()
            lock.release()  # a runtime that never started holds nothing
            raise
        return rt

    def add_service(self, name: str, service: Any) -> None:
        """Attach a room's service: the known rooms become typed attributes; all join the life cycle."""
        if name in ROOMS:
            old = getattr(self, name)
            if old is not None and old in self.services:
                self.services.remove(old)
            setattr(self, name, service)
        self.services.append(service)

    # ---- session life cycle -----------------------------------------------------------------
    def new_show(self, title: str | None = None, meta: dict[str, Any] | None = None) -> int:
        title = title or self._show().title
        meta = {"kind": SHOW_KIND, "show_dir": str(self.show_dir), "platform": getattr(self.platform, "name", "?"),
                **(meta or {})}
        self.session_id = self.journal.new_session(title, meta)
        self._notify(resumed=False)
        return self.session_id

    def start(self) -> None:
        """Go live. Rooms with on_show_started() react (the run-of-show starts its first segment)."""
        self.journal.start_session(self._sid())
        for room in self.services:
            fn = getattr(room, "on_show_started", None)
            if fn:
                fn()

    def end(self) -> None:
        """End the show: rooms with on_show_ended() stop first (the run of show ends, so nothing still says
        "running" and counts), then the session is closed in the journal."""
        for room in self.services:
            fn = getattr(room, "on_show_ended", None)
            if fn:
                try:
                    fn()
                except Exception:
                    log.exception("room on_show_ended failed")
        self.journal.end_session(self._sid())

    def resume(self, session_id: int) -> None:
        """Reopen a session (after a crash, or an old one for review); rooms rebuild from the journal."""
        self.session_id = session_id
        sess = self.journal.session(session_id)
        self.journal.append(session_id, "session.resumed", "system", {"was_open": sess.is_open})
        self._notify(resumed=True)

    def show_title(self) -> str:
        if self.session_id is None:
            return self._show().title
        return self.journal.session(self.session_id).title

    def _show(self) -> Show:
        if self.show is None or self.show.path != Path(self.show_dir):
            self.show = load_show(self.show_dir)
        return self.show

    def open_sessions(self) -> list[Session]:
        """Unended shows: what may be offered for resume after a crash. A guard's or a rehearsal's
        session is never a show to resume, even while (or after) it runs."""
        return [s for s in self.journal.open_sessions() if s.kind == SHOW_KIND]

    def note_tightened(self, notice: Tightened | None) -> None:
        """A file found readable by others and made private: journaled in the current session (or
        the next one to become current)."""
        if notice is not None:
            self.tightened.append(notice)
            if self.session_id is not None:
                self._journal_tightened()

    def _journal_tightened(self) -> None:
        while self.tightened:
            self.journal.append(self._sid(), JOURNAL_KIND, "system", self.tightened[0].payload())
            self.tightened.pop(0)

    def tick(self) -> None:
        for room in list(self.services):
            fn = getattr(room, "tick", None)
            if fn:
                try:
                    fn()
                except Exception:
                    log.exception("room tick failed")

    def close(self) -> None:
        """Stop the rooms, the alert router and the platform, close the journal, let the data dir go. Once."""
        if self.closed:
            return
        self.closed = True
        for room in reversed(list(self.services)):
            fn = getattr(room, "close", None)
            if fn:
                try:
                    fn()
                except Exception:
                    log.exception("room close failed")
        self.alerts.close()
        closer = getattr(self.platform, "close", None)
        if closer:
            closer()
        self.journal.close()
        if self.lock is not None:
            self.lock.release()

    def abandon(self) -> None:
        """What a killed process leaves behind, for tests of crash and resume: the journal's
        connections and the writer lock go (as the kernel drops them), and nothing else happens —
        no room is closed, no session ended, no alert resolved."""
        self.journal.close()
        if self.lock is not None:
            self.lock.release()

    def _sid(self) -> int:
        if self.session_id is None:
            raise RuntimeError("no show session is open")
        return self.session_id

    def _notify(self, resumed: bool) -> None:
        self._journal_tightened()
        # A platform that lives inside the app (the embedded simulator) keeps its room in the journal and
        # gets it back first, so the rooms below rebuild against the shop as it was (SessionPlatform).
        if isinstance(self.platform, SessionPlatform):
            self.platform.open_session(self.journal, self.session_id, resumed)
        for room in self.services:
            fn = getattr(room, "on_session", None)
            if fn:
                fn(self.session_id, resumed)
        self.bus.publish("session.current", {"session_id": self.session_id, "resumed": resumed})

