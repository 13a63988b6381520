"""After a crash: the console's state rebuilt from the journal by the same `ConsoleState.apply`, actions with
no outcome marked uncertain, and the shop reconciled to the journal — each fix an action of its own with a
fresh idempotency key, proved by its read-back."""
from __future__ import annotations

import logging

from controlroom.commerce import poll_history
from controlroom.commerce import commands as cmds
from controlroom.commerce import events as ev
from controlroom.commerce.commands import readback_json
from controlroom.commerce.stock import StockLevels
from controlroom.commerce.tickets import APPLIED_, UNCERTAIN, ConsoleError, Ticket
from controlroom.journal import JournalWriteError
from controlroom.platform import PlatformError, deadline

log = logging.getLogger(__name__)


class Recovery:
    """ConsoleService's sync, replay and reconcile (a mixin)."""

    # ======================================================================= sync, replay, reconcile
    def _sync(self, reason: str) -> None:
        def read():
            with deadline(self.config.action_deadline_s, self.clock):
                return self.platform.read_products()
        try:
            states = self.lanes.submit("shop", read, urgent=True).result(
                timeout=max(30.0, 2 * self.config.action_deadline_s))
        except PlatformError as e:
            log.error("console: reading the shop failed: %s", e)
            return
        with self._lock:
            try:
                self._commit(ev.Synced([readback_json(s) for s in states], reason))
            except JournalWriteError:
                pass

    def _replay(self, sid: int) -> None:
        known = ev.kinds()
        events = [e for e in self.journal.events(sid) if e.kind in known]
        polls = poll_history.polls(self.journal, sid, self.mono_of)
        with self._lock:
            timed = []
            for e in events:
                typed = ev.decode(e.kind, e.payload)
                if typed is not None:
                    self.state.apply(typed)
                    timed.append((self.mono_of(e.utc.timestamp()), typed))
            self._dirty.add("*")
            # what the metrics polls taught the console comes back too: the circuit breakers armed before the
            # crash stay armed with the counters they had, the stock watch goes on from the same estimate
            self.breaker.restore(*poll_history.breaker_memory(self.journal, sid, self.mono_of, polls,
                                                              self.clock.monotonic(), self.breaker.keep_s))
            self.stock = StockLevels.replay(timed, polls, self.config.low_stock_units, self.config.stock_read_every_s)
            orphans = [p for p in self.state.pending.values() if not p.uncertain]
            try:
                for p in orphans:
                    self._commit(ev.ActionUncertain(p.key, p.ticket, p.command.target, p.command.kind,
                                                    p.command.describe(),
                                                    "the console stopped before the outcome was known"))
                    self._auto("lock", p.command.target, UNCERTAIN,
                               f"{p.command.describe()}: the console stopped before the outcome was known")
                now = self.clock.monotonic()
                st = self.state
                if st.on_backup and self.settings.pause_offers_on_failover:
                    for o in st.offers.values():   # paused by a failover that never returned: stays paused
                        if o.paused_remaining is None and not o.native:
                            self._commit(ev.OfferPaused(o.sku, round(max(0.0, self.mono_of(o.ends_utc) - now), 3),
                                                        "failover"))
                self._commit(ev.Restored(len(st.skus), {s: round(self._remaining(o, now), 3)
                                                        for s, o in st.offers.items()},
                                         {k: v.reason for k, v in st.locks.items()}, list(st.coupons),
                                         [p.key for p in st.pending.values()]))
            except JournalWriteError:
                pass
            lanes = {p.lane for p in self.state.pending.values() if not p.mismatch}
            skus = list(self.state.skus)
        for lane in lanes:
            self.lanes.submit(lane, lambda lane=lane: self._settle(lane), urgent=True)
        for sku in skus:
            self.lanes.submit(sku, lambda sku=sku: self._reconcile(sku), urgent=True)

    def _reconcile(self, sku: str) -> None:
        """After a restart: make the shop show what the journal says was commanded. Each fix is an action of
        its own with a fresh idempotency key, proved by its read-back."""
        if self.killed:
            return
        try:
            with deadline(self.config.action_deadline_s, self.clock):
                shop = self.platform.read_product(sku)
        except PlatformError as e:
            log.warning("console: reconcile %s: read failed (%s); trying again", sku, e)
            with self._lock:
                self._recon_at[sku] = self.clock.monotonic() + self.config.settle_interval_s
            return
        fixes: list[cmds.Command] = []
        ended_offer = None
        with self._lock:
            s = self.state.skus.get(sku)
            if s is None or sku in self.state.locks or any(p.lane == sku for p in self.state.pending.values()):
                return
            o = self.state.offers.get(sku)
            if o is not None and o.native and not (shop.offer is not None and shop.offer.active
                                                    and shop.offer.offer_id == o.offer_id):
                ended_offer = o
            want_price = o.price if (o is not None and not o.native) else s.price
            if shop.price != want_price:     # the price first: a product is listed at the price it should have
                fixes.append(cmds.RestorePrice(sku, want_price))
            if shop.listed != s.listed:
                fixes.append(cmds.ListProduct(sku) if s.listed else cmds.UnlistProduct(sku, "reconcile"))
        if ended_offer is not None:
            # the shop lost an offer the journal says is running (a shop restarted with the app): run it again
            # for what is left of it, with a fresh key; a second that is left is not worth it
            left = self.mono_of(ended_offer.ends_utc) - self.clock.monotonic()
            if ended_offer.paused_remaining is None and left >= 1.0:
                fixes.append(cmds.StartOffer(sku, ended_offer.price, round(left, 3), ended_offer.qty,
                                             ended_offer.per_buyer_limit))
            else:
                with self._lock:
                    try:
                        self._commit(ev.OfferStopped(sku=sku, what=f"offer {sku} ended", price=ended_offer.prev_price,
                                                     offer_price=ended_offer.price,
                                                     reason="ended while the console was stopped",
                                                     readback=readback_json(shop)))
                    except (JournalWriteError, ConsoleError):
                        return
                self._auto("offer_end", sku, APPLIED_, f"the offer on {sku} ended while the console was stopped")
        for cmd in fixes:
            fixed = {"price": [shop.price, cmd.price]} if isinstance(cmd, cmds.SetPrice) else \
                {"offer": [None, cmd.price]} if isinstance(cmd, cmds.StartOffer) else \
                {"listed": [shop.listed, not shop.listed]}

            def note(tk: Ticket, fixed=fixed) -> None:
                if tk.outcome is not None and tk.outcome.ok:
                    with self._lock:
                        try:
                            self._commit(ev.Reconciled(sku, fixed, tk.key, tk.outcome.readback))
                        except (JournalWriteError, ConsoleError):
                            pass
            self._auto_ticket(cmd, "system", f"reconcile {sku} after a restart: {fixed}", "reconcile", note)

