"""Running a rehearsal: the real console (interlocks, tickets, lanes, breaker, offers, journal) and the
show's rundown on a simulated clock, against the simulated shop with no audience of its own.

The driver is a discrete-event loop. It moves the clock to the next thing due — a script line, a
buyer of an `orders` line, a ticket submitted at its `confirm_at`, the console's next timer, a worker
parked on the clock (a hanging shop call) — at most half a second at a time, ticks the rooms, and
waits until every lane is idle or parked on the clock before it moves on. So a 30-second hang costs
no real time, a different SKU's revert still happens when it is due, and every outcome is known at
the simulated second it happened.

A `restart` line kills the app as a crash would (nothing more is journaled or sent, a call in flight
is abandoned) and resumes a new one from the journal against the same shop.
"""
from __future__ import annotations

import heapq
import itertools
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from controlroom.commerce import commands as cmds
from controlroom.commerce.interlocks import BLOCK, CONFIRM
from controlroom.commerce.money import format_money
from controlroom.commerce.rehearsal.script import Line
from controlroom.commerce.rehearsal.simclock import SimClock
from controlroom.commerce.service import (AutoAction, ConfirmationRequired, ConsoleError, Override, OverrideRefused,
                                          Ticket, VerdictChanged)
from controlroom.platform import CouponSpec

log = logging.getLogger(__name__)

ROOMS = {"console": "controlroom.commerce.room", "rundown": "controlroom.rundown.room"}
MAX_STEP = 0.5          # seconds of show time between ticks when nothing else is due
SETTLE_TIMEOUT = float(os.environ.get("CONTROLROOM_REHEARSAL_SETTLE_S", "60"))  # real seconds a lane may work without parking before the run is declared stuck
TAIL_S = 600.0          # after the last line, at most this long for outcomes still open (hung calls)


class RehearsalError(RuntimeError):
    pass


def _money(fen: int | None) -> str | None:
    return None if fen is None else format_money(fen)


@dataclass
class _Pending:
    line: Line
    ticket: Ticket | None = None
    done: bool = False


@dataclass(order=True)
class _Item:
    at: float
    order: int                # at one time: submissions (0) before lines (1) before buyers (2)
    seq: int
    what: str = field(compare=False)
    data: Any = field(compare=False, default=None)


class Rehearsal:
    def __init__(self, lines: list[Line], *, show_dir: Path, data_dir: Path, seed: int = 7, pin: str | None = None,
                 platform_factory=None, title: str | None = None):
        self.lines = lines
        self.show_dir = Path(show_dir)
        self.data_dir = Path(data_dir)
        self.seed = seed
        self.pin = pin
        self.title = title
        self.clock = SimClock(start_utc=datetime.now(timezone.utc).replace(microsecond=0))
        self._platform_factory = platform_factory
        self.records: list[tuple[float, int, dict]] = []
        self._rec_seq = itertools.count()
        self._rec_lock = threading.Lock()
        self._queue: list[_Item] = []
        self._seq = itertools.count()
        self._open: dict[int, _Pending] = {}
        self.rt = None
        self.shop = None
        self.session_id: int | None = None
        self.t0 = 0.0
        self._unsub = None

    # ---- set-up -----------------------------------------------------------------------------------
    def _make_shop(self):
        from controlroom.adapters import PlatformContext, platform_kinds
        from controlroom.settings import Settings
        settings = Settings(self.data_dir / Settings.FILENAME)
        if self._platform_factory is not None:
            shop = self._platform_factory(PlatformContext(settings, self.show_dir, self.clock, self.data_dir, self.seed))
        else:
            kinds = platform_kinds()
            if "simulator" not in kinds:
                raise RehearsalError("the simulated shop is not installed (run: pip install -e .)")
            shop = kinds["simulator"]()(PlatformContext(settings, self.show_dir, self.clock, self.data_dir, self.seed))
        for need in ("place_order", "inject_fault", "true_product", "true_metrics", "audience"):
            if not hasattr(shop, need):
                raise RehearsalError(f"the platform {getattr(shop, 'name', '?')!r} cannot rehearse (no {need})")
        shop.audience = False    # no audience of its own: the only buyers are the script's orders lines
        return shop

    def _start_runtime(self, resume: int | None = None):
        from controlroom.runtime import Runtime
        # the data dir's one writer while it runs (controlroom.datadir): refused, naming the holder, when the
        # app or a guard writes there
        rt = Runtime.create(self.data_dir, clock=self.clock, platform=self.shop, show_dir=self.show_dir,
                            rooms=ROOMS, seed=self.seed, alert_sinks=False, program="rehearse")
        if rt.rundown is not None and rt.rundown.control_api is not None:
            rt.rundown.control_api.stop()        # a rehearsal never serves the studio's buttons
            rt.rundown.control_api = None
        if self.pin and not rt.settings.section("supervisor", _sup()).pin_hash:
            # no PIN configured here: --pin is the rehearsal's own (kept in memory, never saved)
            from controlroom.commerce.supervisor import _hash
            rt.settings.data.setdefault("supervisor", {})["pin_hash"] = _hash(self.pin, 2 ** 10)
        self.rt = rt
        self._unsub = rt.bus.subscribe(self._on_auto, "console.auto")
        if resume is None:
            title = self.title or f"{rt.show.title} — rehearsal 预案演练"
            # kind "rehearsal": never offered to the app as a crashed show to resume
            self.session_id = rt.new_show(title, meta={"kind": "rehearsal", "rehearsal": True, "seed": self.seed})
        else:
            rt.resume(resume)
        return rt

    # ---- records ----------------------------------------------------------------------------------
    def _t(self, mono: float | None = None) -> float:
        return round((self.clock.monotonic() if mono is None else mono) - self.t0, 3)

    def _emit(self, t: float, rec: dict) -> None:
        with self._rec_lock:
            self.records.append((t, next(self._rec_seq), rec))

    def _on_auto(self, topic: str, a: AutoAction) -> None:
        if not isinstance(a, AutoAction):
            return
        self._emit(self._t(a.mono), {"line": None, "t": self._t(a.mono), "do": "auto", "what": a.what,
                                     "sku": a.sku, "outcome": a.outcome, "reason": a.reason})

    def _line_record(self, line: Line, t: float, verdict, outcome: str, **extra) -> None:
        rec = {"line": line.no, "t": t, "do": line.do, "sku": line.sku,
               "verdict": verdict.verdict if verdict is not None else None,
               "rules": list(verdict.rules) if verdict is not None else [],
               "outcome": outcome,
               "net_price": _money(verdict.net_price) if verdict is not None else None}
        rec.update(extra)
        self._emit(t, rec)
        p = self._open.get(line.no)
        if p is not None:
            p.done = True

    # ---- the loop ---------------------------------------------------------------------------------
    def _push(self, at: float, order: int, what: str, data: Any = None) -> None:
        heapq.heappush(self._queue, _Item(at, order, next(self._seq), what, data))

    def run(self) -> dict:
        try:
            self.shop = self._make_shop()
        except ValueError as e:   # the show's catalog cannot be read (CatalogError names file, line, column)
            raise RehearsalError(str(e)) from None
        rt = self._start_runtime()
        rt.start()                           # on air at t = 0: the rundown starts
        self.t0 = self.clock.monotonic()
        self._settle()
        for line in self.lines:
            self._push(self.t0 + line.t, 1, "line", line)
        try:
            while self._queue:
                item = self._queue[0]
                self._advance_to(item.at)
                while self._queue and self._queue[0].at <= self.clock.monotonic() + 1e-9:
                    item = heapq.heappop(self._queue)
                    self._handle(item)
                    self._settle()
            end = self.clock.monotonic() + TAIL_S
            while any(not p.done for p in self._open.values()) and self.clock.monotonic() < end:
                self._advance_to(self.clock.monotonic() + MAX_STEP)
            for p in self._open.values():
                if not p.done:
                    self._line_record(p.line, self._t(), p.ticket.verdict if p.ticket else None, "uncertain")
            final = self._final()
        finally:
            self._shutdown()
        self.records.sort(key=lambda r: (r[0], r[1]))
        return final

    def _settle(self) -> None:
        """Wait until every lane is idle or parked on the simulated clock."""
        rt = self.rt
        if rt is None or rt.console is None:
            return
        lanes = rt.console.lanes
        deadline = time.monotonic() + SETTLE_TIMEOUT
        spins = 0
        while not lanes.quiet(parked=self.clock.parked_threads()):
            spins += 1
            if time.monotonic() > deadline:
                raise RehearsalError(f"the console did not settle: {lanes.describe()}; "
                                     f"{self.clock.parked} waiting on the clock")
            time.sleep(0 if spins < 50 else 0.0005)

    def _advance_to(self, target: float) -> None:
        while True:
            self._settle()
            now = self.clock.monotonic()
            if now >= target - 1e-9:
                return
            # the next half-second of the show's grid, or sooner if something is due
            nxt = min(target, self.t0 + (int((now - self.t0) / MAX_STEP + 1e-9) + 1) * MAX_STEP)
            runner = self.rt.rundown.runner if self.rt.rundown is not None else None
            for due in (self.clock.next_wake(), self.rt.console.next_due() if self.rt.console else None,
                        runner.next_due(now) if runner is not None else None):
                if due is not None and now + 1e-6 < due < nxt:
                    nxt = due
            self.clock.advance_to(nxt)
            self._follow_the_plan(runner)
            self.rt.tick()

    def _follow_the_plan(self, runner) -> None:
        """The rehearsal's show keeps to its run-of-show: at a segment's planned end it moves to the next."""
        if runner is None or runner.status != "running":
            return
        if runner.remaining() <= 1e-9:
            runner.next(actor="rehearsal")

    # ---- one thing at a time ---------------------------------------------------------------------------
    def _handle(self, item: _Item) -> None:
        if item.what == "line":
            self._line(item.data)
        elif item.what == "submit":
            self._submit(*item.data)
        elif item.what == "buyer":
            self._buyer(*item.data)

    def _line(self, line: Line) -> None:
        do = line.do
        if do == "restart":
            self._restart()
            self._line_record(line, self._t(), None, "applied")
        elif do == "fault":
            self.shop.inject_fault(line.kind, line.sku, line.for_s)
            self._line_record(line, self._t(), None, "applied")
        elif do == "orders":
            acc = {"filled": {}, "rejected": 0, "left": line.count}
            gap = line.over_s / line.count if line.count else 0.0
            for i in range(line.count):
                self._push(self.clock.monotonic() + i * gap, 2, "buyer", (line, i, acc))
        else:
            self._action(line)

    def _command(self, line: Line) -> cmds.Command:
        do, sku = line.do, line.sku
        if do == "list":
            return cmds.ListProduct(sku)
        if do == "unlist":
            return cmds.UnlistProduct(sku, "rehearsal")
        if do == "pin":
            return cmds.PinProduct(sku)
        if do == "stock":
            return cmds.SetDisplayedStock(sku, line.shown)
        if do == "price":
            return cmds.SetPrice(sku, line.price)
        if do == "offer":
            return cmds.StartOffer(sku, line.price, line.duration_s, line.quantity, line.per_buyer_limit)
        if do == "coupon":
            return cmds.IssueCoupon(CouponSpec(sku, line.threshold, line.off, line.quantity,
                                               line.per_buyer_limit if line.per_buyer_limit is not None else 1))
        raise RehearsalError(f"line {line.no}: {do!r} is not an action")

    def _action(self, line: Line) -> None:
        console = self.rt.console
        ticket = console.request(self._command(line), actor="rehearsal")
        self._open[line.no] = _Pending(line, ticket)
        if line.confirm_at is not None and line.confirm_at > line.t:
            self._push(self.t0 + line.confirm_at, 0, "submit", (line, ticket))
        else:
            self._submit(line, ticket)

    def _submit(self, line: Line, ticket: Ticket) -> None:
        console = self.rt.console
        if ticket.future is not None:
            return
        if console is None or ticket.key not in {t.key for t in console.tickets.values()}:
            self._line_record(line, self._t(), ticket.verdict, "refused")   # the app was restarted meanwhile
            return
        v = ticket.verdict.verdict
        confirmed = line.confirm or line.confirm_at is not None or line.override is not None
        override = None
        if line.override is not None and v == BLOCK:
            if not self.pin:   # nothing to check it with: refused, and not counted as a wrong PIN
                console.cancel(ticket)
                self._line_record(line, self._t(), ticket.verdict, "refused")
                return
            override = Override(line.override[0], self.pin, line.override[1])

        def done(tk: Ticket, line=line) -> None:
            out = tk.outcome
            mono = tk.done_mono if tk.done_mono is not None else self.clock.monotonic()
            self._line_record(line, self._t(mono), tk.verdict, out.status if out else "refused")
        if (v == CONFIRM and not confirmed) or (v == BLOCK and override is None):
            console.cancel(ticket)
            self._line_record(line, self._t(), ticket.verdict, "refused")
            return
        try:
            console.submit(ticket, confirmed=confirmed, override=override, on_done=done)
        except (VerdictChanged, OverrideRefused, ConfirmationRequired, ConsoleError):
            self._line_record(line, self._t(), ticket.verdict, "refused")

    def _buyer(self, line: Line, i: int, acc: dict) -> None:
        res = self.shop.place_order(line.sku, line.per_buyer, buyer=f"L{line.no}-{i + 1}")
        if res.filled:
            for price, n in res.filled.items():
                k = format_money(price)
                acc["filled"][k] = acc["filled"].get(k, 0) + n
        else:
            acc["rejected"] += 1
        acc["left"] -= 1
        if acc["left"] == 0:
            filled = dict(sorted(acc["filled"].items(), key=lambda kv: float(kv[0])))
            self._line_record(line, self._t(), None, "applied" if filled else "ignored", filled=filled,
                              rejected=acc["rejected"])

    # ---- a crash and a resume -----------------------------------------------------------------------
    def _restart(self) -> None:
        old = self.rt
        sid = self.session_id
        if self._unsub:
            self._unsub()
        old.console.kill()                 # as a killed process: nothing more is sent or journaled
        for p in list(self._open.values()):
            # an action in flight when the app died: its outcome is unknown (the resumed console marks it
            # uncertain from its journaled intent, and a read-back settles it: an auto "reconcile" line)
            if not p.done and p.ticket is not None and p.ticket.future is not None:
                self._line_record(p.line, self._t(), p.ticket.verdict, "uncertain")
        if old.rundown is not None:
            old.rundown.close()
        old.alerts.close()
        self.shop.close()                  # the shop lives on (it is the world); only its old subscriptions go
        old.abandon()                      # the journal and the writer lock go, as with a killed process
        self._start_runtime(resume=sid)
        self._settle()

    # ---- the end -------------------------------------------------------------------------------------
    def _final(self) -> dict:
        console = self.rt.console
        m = self.shop.true_metrics()
        skus = []
        for sku in self.shop.skus:
            truth = self.shop.true_product(sku)
            shop_price = truth.offer.spec.price if (truth.offer is not None and truth.offer.active) else truth.price
            view = console.product(sku)
            skus.append({"sku": sku, "listed": truth.listed, "shop_price": format_money(shop_price),
                         "console_price": format_money(view.live_price) if view is not None else None,
                         "locked": bool(view is not None and (view.locked or view.uncertain)),
                         "sold": int(m.skus[sku].units) if sku in m.skus else 0})
        return {"final": True, "skus": skus}

    def _shutdown(self) -> None:
        rt = self.rt
        if rt is None:
            return
        if self._unsub:
            self._unsub()
        try:
            if self.session_id is not None and not rt.console.killed:
                rt.end()
        except Exception:
            log.exception("ending the rehearsal session failed")
        rt.console.kill()
        self.clock.release_all()           # a call still parked on the clock wakes, sees the console gone
        if rt.rundown is not None:
            rt.rundown.close()
        rt.alerts.close()
        self.shop.close()
        rt.journal.close()
        if rt.lock is not None:
            rt.lock.release()


def _sup():
    from controlroom.commerce.supervisor import SupervisorSettings
    return SupervisorSettings

