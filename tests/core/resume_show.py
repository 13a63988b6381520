"""A scripted show that can be killed with SIGKILL at any moment and resumed: the harness of the
exact-resume tests (tests/core/test_resume_exact.py).

The show runs the real runtime (console with its interlocks, lanes and breaker, the rundown runner, the metrics room,
the embedded simulated shop) on a ManualClock, second by second, as the recap tests do. Everything
asynchronous (the console's platform worker, its metrics poller) is drained every second, so every
platform call lands on a known simulated second: two uninterrupted runs with one seed are identical.

Run as a child process:

    python -m tests.core.resume_show DATA_DIR SEED new|resume [standard|breaker [UNTIL_S]]

It writes one line per finished simulated second ("<t>") and "done" at the end. A resumed run finds
where to continue from the journal alone: the last instant anything was committed (an event or a
sample). It continues the script from there, skipping the actions the journal shows done (each
action's outcome carries the actor "op@<second>"), and redoing the ones a kill interrupted.
"""
from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from controlroom.clock import ManualClock  # noqa: E402
from controlroom.platform import CouponSpec  # noqa: E402
from tests.children import reap, sigkill  # noqa: E402

BASE_UTC = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)
BASE_MONO = 1000.0
TOTAL_S = 900
TITLE = "Resume test show"
SEED = 23


def actor(t: int) -> str:
    return f"op@{t}"


def _ok(ticket) -> None:
    if ticket.outcome is None or not ticket.outcome.ok:
        raise RuntimeError(f"scripted action failed: {ticket.command.describe()}: {ticket.state} "
                           f"{getattr(ticket.outcome, 'error', '')} {ticket.verdict}")


def _price(sku: str, fen: int):
    return lambda d, t: _ok(d.rt.console.change_price(sku, fen, actor=actor(t), confirmed=True, wait=True))


def _offer(sku: str, fen: int, seconds: float):
    return lambda d, t: _ok(d.rt.console.start_offer(sku, fen, seconds, actor=actor(t), confirmed=True, wait=True))


def _coupon(spec: CouponSpec):
    return lambda d, t: _ok(d.rt.console.issue_coupon(spec, actor=actor(t), confirmed=True, wait=True))


def _shown(sku: str, n: int | None):
    return lambda d, t: _ok(d.rt.console.set_displayed_stock(sku, n, actor=actor(t), wait=True))


def _pin(sku: str):
    return lambda d, t: _ok(d.rt.console.pin_product(sku, actor=actor(t), confirmed=True, wait=True))


def _unlist(sku: str):
    return lambda d, t: _ok(d.rt.console.unlist_product(sku, actor=actor(t), reason="sold through", wait=True))


def _next(d, t):
    d.rt.rundown.runner.next(actor=actor(t))


def _stream(kind: str):
    # The stream guard's verdict as it journals it; the console (offers) and the audience react to the event.
    def fn(d, t):
        d.rt.journal.append(d.sid, kind, actor(t), {"to": "backup" if kind == "stream.failover" else "main",
                                                     "reason": "drill"})
    return fn


@dataclass(frozen=True)
class Step:
    fn: Callable
    done_kinds: tuple[str, ...]   # the outcome events that prove the action happened


SCRIPT: dict[int, Step] = {
    150: Step(_price("CRM-003", 16900), ("console.price_changed",)),
    200: Step(_next, ("rundown.segment",)),
    260: Step(_coupon(CouponSpec("SER-002", 19900, 2000, 400)), ("console.coupon_issued",)),
    300: Step(_shown("LIP-001", 120), ("console.displayed_stock_set",)),
    360: Step(_offer("SER-002", 17900, 120), ("console.offer_started",)),
    430: Step(_pin("MSK-004"), ("console.pinned",)),
    520: Step(_stream("stream.failover"), ("stream.failover",)),
    575: Step(_stream("stream.returned"), ("stream.returned",)),
    640: Step(_next, ("rundown.segment",)),
    700: Step(_price("CRM-003", 17900), ("console.price_changed",)),
    760: Step(_next, ("rundown.segment",)),
    820: Step(_unlist("CLN-006"), ("console.unlisted",)),
}


# A cut that arms the console's circuit breaker on LIP-001, then LIP-001's segment: orders run far above the
# plan (BREAKER_PLAN: the breaker measures the rate against a planned one) and, uninterrupted, the breaker
# trips and takes LIP-001 off sale.
BREAKER_SCRIPT: dict[int, Step] = {
    150: Step(_price("LIP-001", 5900), ("console.price_changed",)),
    200: Step(_next, ("rundown.segment",)),
}
BREAKER_PLAN = {"LIP-001": "6"}   # planned orders per minute
SCRIPTS = {"standard": SCRIPT, "breaker": BREAKER_SCRIPT}


class Driver:
    """One process's show: the runtime on a ManualClock, stepped one simulated second at a time."""

    def __init__(self, data_dir: Path, clock: ManualClock, seed: int, script: dict[int, Step] = SCRIPT):
        from controlroom.metrics.room import MetricsService
        from controlroom.runtime import Runtime
        from controlroom.settings import Settings
        self.clock = clock
        if script is BREAKER_SCRIPT:   # this show's breaker takes the product off sale (the default pauses it)
            Path(data_dir).mkdir(parents=True, exist_ok=True)
            Settings(Path(data_dir) / Settings.FILENAME).set("interlocks", "pause_action", "unlist")
        rooms = {"console": "controlroom.commerce.room", "rundown": "controlroom.rundown.room"}
        self.rt = Runtime.create(data_dir, clock=clock, seed=seed, rooms=rooms)
        self.metrics = MetricsService(self.rt, start_worker=False)
        self.rt.add_service("metrics", self.metrics)
        self.sid: int | None = None
        self.script = script

    def drain(self) -> None:
        """Let the console's lanes finish what this second started (offer expiry, breakers, reconcile)."""
        if not self.rt.console.lanes.wait_idle(30):
            raise RuntimeError(f"the console's lanes did not settle: {self.rt.console.lanes.describe()}")

    def step(self) -> None:
        self.clock.advance(1.0)
        self.rt.tick()
        self.drain()
        self.metrics.poll_once()

    def now_s(self) -> float:
        return (self.clock.utcnow() - BASE_UTC).total_seconds()

    def done(self, t: int, step: Step) -> bool:
        return any(e.actor == actor(t) for e in self.rt.journal.events(self.sid, kinds=step.done_kinds))

    def run(self, until: int = TOTAL_S, on_second: Callable[["Driver", int], None] | None = None,
            out=None) -> None:
        t = int(round(self.now_s()))
        while t < until:
            step = self.script.get(t)
            if step is not None and not self.done(t, step):
                step.fn(self, t)
                self.drain()
            self.step()
            t += 1
            if on_second is not None:
                on_second(self, t)
            if out is not None:
                out.write(f"{t}\n")
                out.flush()

    def finish(self) -> None:
        self.rt.rundown.runner.end(actor=actor(TOTAL_S))
        self.rt.end()
        self.drain()
        self.metrics.poll_once()
        self.metrics.flush()

    def close(self) -> None:
        self.rt.close()


def begin(data_dir: Path, seed: int, script: dict[int, Step] = SCRIPT) -> Driver:
    from controlroom.sample import open_the_bag
    d = Driver(data_dir, ManualClock(BASE_UTC, BASE_MONO), seed, script)
    d.sid = d.rt.new_show(TITLE)
    if script is BREAKER_SCRIPT:
        plan_rates(d.rt, BREAKER_PLAN)
    d.rt.start()
    open_the_bag(d.rt)
    d.drain()
    d.metrics.poll_once()
    return d


def plan_rates(rt, rates: dict[str, str]) -> None:
    """Import the show's products as the price plan, with planned orders per minute for some SKUs."""
    import csv
    import io
    rows = list(csv.DictReader(io.StringIO((rt.show_dir / "products.csv").read_text(encoding="utf-8"))))
    for r in rows:
        r["planned_orders_per_min"] = rates.get(r["sku"], "")
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=list(rows[0]))
    w.writeheader()
    w.writerows(rows)
    path = rt.data_dir / "plan-with-rates.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    rt.console.import_plan(path, actor="system")


def last_commit_s(data_dir: Path) -> tuple[int, float]:
    """(session, seconds after BASE_UTC of the last event or sample the journal kept)."""
    con = sqlite3.connect(data_dir / "journal.sqlite")
    try:
        sid = con.execute("SELECT MAX(id) FROM sessions").fetchone()[0]
        last = max(u for (u,) in con.execute(
            "SELECT MAX(utc) FROM events WHERE session_id = ? UNION ALL "
            "SELECT MAX(utc) FROM samples WHERE session_id = ?", (sid, sid)) if u)
    finally:
        con.close()
    return sid, (datetime.fromisoformat(last) - BASE_UTC).total_seconds()


def resume(data_dir: Path, seed: int, script: dict[int, Step] = SCRIPT, down_s: float = 0.0) -> Driver:
    """Start again where the journal ends: the clock reads the last committed instant, as if the app came
    straight back (a ManualClock cannot know how long the power was off), or `down_s` later."""
    sid, at = last_commit_s(data_dir)
    at += down_s
    clock = ManualClock(BASE_UTC + timedelta(seconds=at), BASE_MONO + at)
    d = Driver(data_dir, clock, seed, script)
    d.sid = sid
    d.rt.resume(sid)
    d.drain()
    d.metrics.poll_once()
    return d


# ---- the parent's side: run a show in a child process and cut its power -------------------------------
def spawn(data_dir: Path, mode: str, *extra: str, seed: int = SEED) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tests.core.resume_show", str(data_dir), str(seed), mode,
                             *extra], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _lines(proc: subprocess.Popen):
    for line in proc.stdout:
        if line.endswith("\n"):   # a kill can cut the last line short: whole lines only
            yield line.strip()


def kill_at(proc: subprocess.Popen, second: int, rng: random.Random) -> int:
    """SIGKILL the show somewhere inside simulated second `second` (after it acknowledged second-1)."""
    acked = -1
    try:
        for line in _lines(proc):
            if line.startswith("ready"):
                continue
            assert line != "done", "the show ended before the kill"
            acked = int(line)
            if acked >= second:
                break
        assert acked >= second, proc.stderr.read()
        time.sleep(rng.uniform(0.0, 0.004))   # anywhere in the next second: an action, a sample, a flush
        sigkill(proc, timeout=20)
    finally:
        reap(proc)
    assert proc.returncode == -signal.SIGKILL
    return acked


def run_to_end(proc: subprocess.Popen) -> None:
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0 and out.rstrip().endswith("done"), err[-3000:]


def main(argv: list[str]) -> int:
    data_dir, seed, mode = Path(argv[0]), int(argv[1]), argv[2]
    script = SCRIPTS[argv[3] if len(argv) > 3 else "standard"]
    until = int(argv[4]) if len(argv) > 4 else TOTAL_S
    d = begin(data_dir, seed, script) if mode == "new" else resume(data_dir, seed, script)
    sys.stdout.write(f"ready {d.now_s():g}\n")
    sys.stdout.flush()
    d.run(until=until, out=sys.stdout)
    d.finish()
    sys.stdout.write("done\n")
    sys.stdout.flush()
    d.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
