"""Sold out and low stock, and the plan's substitute (a ConsoleService mixin).

The console knows a product's stock from its last read-back; the shop sells on between reads. Reading
every product every second would cost a 2,000-SKU shop 2,000 calls a second, so the stock is estimated
from what the metrics poll already brings: stock at the last read − units sold since. When the estimate
reaches the low-stock threshold (`[console] low_stock_units`) or zero, the product is read back (at most
every `stock_read_every_s` per SKU) and the shop's word is journaled (`console.stock_read`) and applied.
A product that is sold out, or under the threshold, raises an alert once per level ("sku_sold_out",
"sku_low_stock") naming the plan's substitute and its talk track; `swap_to_substitute` does the switch
with one call: the cue screen's sold-out line, list the substitute if it is not on sale, explain 讲解 it
with the talk track (judged for banned terms like any cue text). `sold_out(sku)` tells the metrics rules
not to call a sold-out product's add-to-cart rate low.
"""
from __future__ import annotations

import logging

from controlroom.commerce import commands as cmds
from controlroom.commerce import events as ev
from controlroom.commerce.commands import readback_json
from controlroom.commerce.tickets import ConsoleError, Ticket
from controlroom.commerce.views import SubstituteView
from controlroom.journal import JournalWriteError
from controlroom.platform import MetricsSnapshot, PlatformError, deadline

log = logging.getLogger(__name__)

SOLD_OUT, LOW = "sold_out", "low"


class StockLevels:
    """The estimate: per SKU the stock the console last heard of and the units counter at that moment."""

    def __init__(self) -> None:
        self._mark: dict[str, tuple[int, int]] = {}   # sku -> (stock as read, units counter then)
        self.estimate: dict[str, int] = {}
        self.level: dict[str, str] = {}               # the level last alerted: sold_out | low
        self.read_at: dict[str, float] = {}

    def observe(self, sku: str, stock: int, units: int) -> int:
        mark = self._mark.get(sku)
        if mark is None or mark[0] != stock:          # a new read-back came in since: measure from it
            self._mark[sku] = mark = (stock, units)
        est = max(0, stock - max(0, units - mark[1]))
        self.estimate[sku] = est
        return est

    def reset(self, sku: str, stock: int, units: int) -> None:
        self._mark[sku] = (stock, units)
        self.estimate[sku] = stock

    # ---- the watch's decisions, shared by the live poll and the rebuild after a crash ---------------
    def poll(self, sku: str, stock: int, units: int, low: int, every: float, now: float) -> tuple[int, bool]:
        """One poll of a listed SKU: (the estimate, whether to read it back now)."""
        est = self.observe(sku, stock, units)
        want = SOLD_OUT if est <= 0 else LOW if est <= low else None
        if want is None:
            self.level.pop(sku, None)     # restocked (or never low): alert again next time
            return est, False
        if _rank(want) > _rank(self.level.get(sku)) and now - self.read_at.get(sku, -1e18) >= every:
            self.read_at[sku] = now
            return est, True
        return est, False

    def read(self, sku: str, stock: int, units: int, low: int) -> str | None:
        """A read-back came in (`units`: the counter at the poll that asked for it). Returns the level to
        alert, if it is worse than the one already alerted."""
        self.reset(sku, stock, units)
        level = SOLD_OUT if stock <= 0 else LOW if stock <= low else None
        if level is None:
            self.level.pop(sku, None)
            return None
        if _rank(level) > _rank(self.level.get(sku)):
            self.level[sku] = level
            return level
        return None

    @classmethod
    def replay(cls, events: list[tuple[float, ev.Event]], polls: list[tuple[float, dict[str, tuple[int, int, int]]]],
               low: int, every: float) -> "StockLevels":
        """After a crash: the watch as the live console left it, by running its decisions again over the
        journal — the console's events (`(mono, event)`, journal order) and the metrics polls' per-SKU counters
        (poll_history.polls) — so a product already alerted sold out is not alerted again, and the estimate
        goes on from the same read-back and units counter. An event at a poll's very instant came after it (a
        read-back the poll asked for, an action of that second)."""
        from controlroom.commerce.state import ConsoleState
        levels, state = cls(), ConsoleState()
        asked: dict[str, int] = {}                    # sku -> units counter at the poll that asked for a read
        i = 0
        for at, skus in [*polls, (float("inf"), None)]:
            while i < len(events) and events[i][0] < at:
                _t, e = events[i]
                i += 1
                state.apply(e)
                if isinstance(e, ev.StockRead) and e.readback:
                    levels.read(e.sku, int(e.readback.get("stock", 0)), asked.get(e.sku, 0), low)
            if skus is None:
                break
            for sku, s in state.skus.items():
                if s.listed:
                    units = skus[sku][1] if sku in skus else 0
                    if levels.poll(sku, s.stock, units, low, every, at)[1]:
                        asked[sku] = units
        return levels


class Substitutes:
    """ConsoleService's stock watch and sold-out switch (uses its state, platform, lanes and lock)."""

    # ---- queries ----------------------------------------------------------------------------------
    def sold_out(self, sku: str) -> bool:
        """Nothing left to sell (as read back, or as estimated from the units sold since)."""
        with self._lock:
            s = self.state.skus.get(sku)
            if s is None:
                return False
            est = self.stock.estimate.get(sku)
            return s.stock <= 0 or (est is not None and est <= 0)

    def stock_estimate(self, sku: str) -> int | None:
        with self._lock:
            s = self.state.skus.get(sku)
            return None if s is None else self.stock.estimate.get(sku, s.stock)

    def substitute_for(self, sku: str) -> tuple[str, str] | None:
        """(substitute SKU, talk track) from the plan, when the plan names one that is a product of the show."""
        row = self.state.plan.get(sku)
        if row is None or not row.substitute_sku or row.substitute_sku not in self.state.skus:
            return None
        return row.substitute_sku, row.substitute_talk_track

    def _substitute_view(self) -> SubstituteView | None:
        c = self.state.substitute
        if c is None:
            return None
        a, b = self.state.skus.get(c.sku), self.state.skus.get(c.substitute)
        return SubstituteView(c.sku, a.title if a else "", c.substitute, b.title if b else "", c.talk_track)

    # ---- the one key ------------------------------------------------------------------------------
    def swap_to_substitute(self, sku: str, *, actor: str = "operator", confirmed: bool = False,
                           override=None) -> list[Ticket]:
        """Switch from `sku` (sold out or running low) to the plan's substitute: the cue screen's line, list
        it if it is not on sale, explain it with the talk track. All in the substitute's lane, in that order.
        A ticket that needs a confirmation (a banned term in the talk track) comes back unsent."""
        with self._lock:
            got = self.substitute_for(sku)
            if got is None:
                raise ConsoleError(f"the price plan names no substitute for {sku}")
            sub, talk = got
            listed = self.state.skus[sub].listed
        out = [self._go(cmds.ShowSubstitute(sku, sub, talk), actor, confirmed, override, False)]
        if not listed:
            out.append(self.list_product(sub, actor=actor, confirmed=confirmed, override=override))
        out.append(self.pin_product(sub, text=talk, actor=actor, confirmed=confirmed, override=override))
        return out

    def clear_substitute(self, *, actor: str = "operator") -> Ticket | None:
        c = self.state.substitute
        if c is None:
            return None
        return self._go(cmds.ShowSubstitute(c.sku, None, ""), actor, False, None, False)

    # ---- the watch (on the metrics lane, from Watch._poll) ----------------------------------------
    def _watch_stock(self, now: float, m: MetricsSnapshot) -> None:
        low = self.config.low_stock_units
        every = self.config.stock_read_every_s
        to_read = []
        with self._lock:
            for sku, s in self.state.skus.items():
                if not s.listed:
                    continue
                sm = m.skus.get(sku)
                units = sm.units if sm is not None else 0
                est, read = self.stock.poll(sku, s.stock, units, low, every, now)
                if read:
                    to_read.append((sku, est, units))
        for sku, est, units in to_read:
            try:
                with deadline(self.config.action_deadline_s, self.clock):
                    rb = self.platform.read_product(sku)
            except PlatformError as e:
                log.info("stock read of %s failed: %s", sku, e)
                continue
            if self.killed:
                return
            with self._lock:
                try:
                    self._commit(ev.StockRead(sku, readback_json(rb), est), "system")
                except (JournalWriteError, ConsoleError):
                    return
                level = self.stock.read(sku, rb.stock, units, low)
                raise_it = level is not None
                got = self.substitute_for(sku)
                sub_title = self.state.skus[got[0]].title if got else ""
            if raise_it:
                self._stock_alert(sku, level, rb.stock, low, got, sub_title)
            self._publish(sku, "stock")

    def _stock_alert(self, sku: str, level: str, stock: int, low: int, got, sub_title: str) -> None:
        sub, talk = got if got else (None, "")
        values = {"stock": stock, "threshold": low, "substitute_sku": sub, "substitute_title": sub_title,
                  "talk_track": talk, "level": level}
        if level == SOLD_OUT:
            self._alert("sku_sold_out", "critical", f"{sku} sold out" + (f": switch to {sub}" if sub else ""),
                        talk or "no substitute in the price plan", sku, values,
                        suggestion=f"switch to the substitute {sub} (one key)" if sub else
                        "say it is gone and move to the next product", to_cue=True)
        else:
            self._alert("sku_low_stock", "warning", f"{sku}: only {stock} left"
                        + (f" (substitute {sub} ready)" if sub else ""), talk, sku, values,
                        suggestion="announce 仅剩 N 件; have the substitute ready" if sub else "announce 仅剩 N 件",
                        to_cue=False)


def _rank(level: str | None) -> int:
    return {None: 0, LOW: 1, SOLD_OUT: 2}[level]
