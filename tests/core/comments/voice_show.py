"""A simulated show for the room's-voice tests: the sample show (optionally with edited products.csv) on
the simulated shop and a ManualClock, the real console, metrics and comment rooms with their workers off,
driven second by second (each second: tick, one metrics poll, one comment poll, console lanes drained)."""
from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

from controlroom.clock import ManualClock
from controlroom.comments.room import CommentRoom
from controlroom.metrics.room import MetricsService
from controlroom.paths import SAMPLE_SHOW
from controlroom.runtime import Runtime


def show_dir(tmp: Path, edit=None, extra_columns: tuple[str, ...] = ()) -> Path:
    """A copy of the sample show; `edit(row: dict) -> dict` changes products.csv rows."""
    d = Path(tmp) / "show"
    shutil.copytree(SAMPLE_SHOW, d)
    text = (d / "products.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    fields = list(rows[0].keys()) + [c for c in extra_columns if c not in rows[0]]
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    w.writeheader()
    for r in rows:
        r = {**{c: "" for c in fields}, **r}
        w.writerow(edit(r) if edit else r)
    (d / "products.csv").write_text(out.getvalue(), encoding="utf-8")
    return d


class VoiceShow:
    def __init__(self, data_dir: Path, show: Path | None = None, seed: int = 7, start: bool = True,
                 settings: dict | None = None, resume: int | None = None, clock: ManualClock | None = None):
        self.clock = clock or ManualClock()
        data_dir = Path(data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
        if settings:
            from controlroom.settings import Settings
            st = Settings(data_dir / Settings.FILENAME)
            for (section, key), value in settings.items():
                st.set(section, key, value)
        rooms = {"console": "controlroom.commerce.room"}
        self.rt = Runtime.create(data_dir, clock=self.clock, seed=seed, rooms=rooms, show_dir=show or SAMPLE_SHOW,
                                 alert_sinks=False)
        self.metrics = MetricsService(self.rt, start_worker=False)
        self.rt.add_service("metrics", self.metrics)
        self.comments = CommentRoom(self.rt, start_worker=False)
        self.rt.add_service("comments", self.comments)
        self.alerts = []
        self.batches = []
        self.rt.bus.subscribe(lambda t, a: self.alerts.append(a), "alert.raised")
        self.rt.bus.subscribe(lambda t, b: self.batches.append(b), "comments.batch")
        if resume is not None:
            self.rt.resume(resume)
        else:
            self.rt.new_show()
            if start:
                self.rt.start()
        self.sid = self.rt.session_id

    @property
    def console(self):
        return self.rt.console

    @property
    def shop(self):
        return self.rt.platform

    def idle(self) -> None:
        assert self.console.lanes.wait_idle(10)

    def step(self, seconds: int = 1, *, comments_every: int = 1) -> None:
        for i in range(int(seconds)):
            self.clock.advance(1.0)
            self.rt.tick()
            self.metrics.poll_once()
            if (i + 1) % comments_every == 0:
                self.comments.poll_once()
            self.idle()

    def list_all(self, skus=None) -> None:
        for sku in skus or list(self.console.state.skus):
            self.console.list_product(sku, wait=True)

    def rules(self, rule: str) -> list:
        return [a for a in self.alerts if a.rule == rule]

    def close(self) -> None:
        self.rt.close()
