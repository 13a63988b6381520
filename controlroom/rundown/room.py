"""The rundown room: loads the show's plan, runs it, and serves the local control API.

`attach(rt)` returns a RundownRoom (rt.rundown). The operator panel, the cue screen and the
HTTP control API all drive `room.runner`; the console is reached lazily through rt.console
so the rundown works (offers journaled as "console absent") when the console room is not there.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from controlroom.commerce.plan import PlanError, read_plan
from controlroom.rundown import files
from controlroom.rundown.config import RundownSettings
from controlroom.rundown.model import Rundown
from controlroom.rundown.runner import Runner
from controlroom.show import load_show

log = logging.getLogger(__name__)


def load_catalog(show_dir: Path) -> dict[str, dict[str, Any]]:
    """The plan's view of the products (title, list/live price in 分, stock) for cue texts, read by the console's
    plan reader (the one contract for products.csv). A plan that cannot be read leaves the cues without prices;
    the console reports why."""
    path = Path(show_dir) / "products.csv"
    if not path.exists():
        return {}
    try:
        plan = read_plan(path)
    except PlanError as e:
        log.warning("%s", e)
        return {}
    return {sku: {"title": r.title, "list_price_fen": r.list_price, "live_price_fen": r.live_price, "stock": r.stock}
            for sku, r in plan.by_sku().items() if sku}


def slot_minutes(show_dir: Path) -> float | None:
    """The booked slot from show.toml, through the one show reader (raises ShowError for a bad file)."""
    slot = load_show(show_dir).slot_minutes
    return float(slot) if slot else None


class RundownRoom:
    def __init__(self, rt):
        self.rt = rt
        self.settings: RundownSettings = rt.settings.section("rundown", RundownSettings)
        self.show_dir = Path(rt.show_dir)
        self.catalog = load_catalog(self.show_dir)
        show = rt.show if rt.show is not None else load_show(self.show_dir)
        self.slot_minutes = float(show.slot_minutes) if show.slot_minutes else None
        self.load_error: str | None = None
        rundown = self._load_default()
        self.runner = Runner(rundown, rt.clock, journal=rt.journal, bus=rt.bus, settings=self.settings,
                             slot_minutes=self.slot_minutes, console=lambda: rt.console,
                             catalog=self.catalog, alert=self._offer_alert)
        self.control_api = None
        if self.settings.control_api_enabled:
            self.start_control_api()

    @property
    def rundown_path(self) -> Path:
        return Path(self.settings.rundown_file) if self.settings.rundown_file else self.show_dir / "rundown.csv"

    def _load_default(self) -> Rundown:
        try:
            return self.import_file(self.rundown_path, apply=False)
        except files.RundownImportError as e:
            self.load_error = str(e)
            log.error("%s", e)
            return Rundown(())

    def import_file(self, path: str | Path, apply: bool = True, actor: str = "operator") -> Rundown:
        """Read and validate a .csv/.xlsx; with apply, hand it to the runner (journaled)."""
        rundown = files.load(path, skus=files.known_skus(self.show_dir), warning_s=self.settings.warning_s,
                             danger_s=self.settings.danger_s)
        if apply:
            self.runner.load(rundown, actor=actor)
            if self.runner.session_id is not None:
                self._preflight_offers()
        return rundown

    def export_file(self, path: str | Path) -> Path:
        return files.save(self.runner.rundown, path)

    # ---- runtime hooks -------------------------------------------------------------------------
    def on_session(self, session_id: int, resumed: bool) -> None:
        self.runner.session_id = session_id
        if resumed:
            events = self.rt.journal.events(session_id, prefix="rundown.") + \
                self.rt.journal.events(session_id, prefix="cue.")
            events.sort(key=lambda e: e.seq)
            if any(e.kind == "rundown.loaded" for e in events):
                self.runner.replay(events)
                return
        # a fresh show (or a session from before the rundown existed): the plan goes into the journal
        # so a resume replays exactly this plan even if the file is edited later
        self.runner.replay([])
        if len(self.runner.rundown):
            self.runner.load(self.runner.rundown, actor="system")
            self._preflight_offers()

    def _preflight_offers(self) -> None:
        """The console judges the rundown's countdown offers when it loads (and again when each fires)."""
        console = self.rt.console
        offers = [(o.sku, o.price_fen, float(o.duration_s)) for seg in self.runner.rundown.segments for o in seg.offers]
        if console is not None and offers:
            try:
                console.preflight_offers(offers)
            except Exception:
                log.exception("preflight of the rundown's offers failed")

    def on_show_started(self) -> None:
        """Going live starts the first segment's clock: the show and its run-of-show begin together."""
        if self.runner.status == "idle":
            self.runner.start(actor="system")

    def on_show_ended(self) -> None:
        """Ending the show ends its run of show (journaled rundown.ended): the panel and the cue screen stop."""
        if self.runner.status in ("running", "paused"):
            self.runner.end(actor="system")

    def tick(self) -> None:
        self.runner.tick()

    def close(self) -> None:
        if self.control_api is not None:
            self.control_api.stop()
            self.control_api = None
        self.runner.close()

    # ---- control API -----------------------------------------------------------------------------
    def start_control_api(self, port: int | None = None):
        from controlroom.rundown.control_api import ControlAPI, control_token
        if self.control_api is None:
            self.control_api = ControlAPI(self.runner, control_token(self.rt.data_dir, self.rt.note_tightened),
                                          port=self.settings.control_api_port if port is None else port)
            self.control_api.start()
        return self.control_api

    def _offer_alert(self, sku: str, action: str, error: str) -> None:
        alerts = self.rt.alerts
        if alerts is None:
            return
        from controlroom.alerts import Alert
        alerts.raise_alert(Alert(rule="rundown_offer_failed", severity="warning", source="rundown", sku=sku,
                                 title=f"Countdown offer {action} for {sku} failed", detail=error,
                                 values={"sku": sku, "action": action}, to_cue=False))


def attach(rt) -> RundownRoom:
    return RundownRoom(rt)
