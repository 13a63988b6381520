"""The console's clock: offer ends, scheduled coupons, settling read-backs and the metrics poll that feeds
the circuit breaker; and the stream guard's failovers, which pause console-run offers."""
from __future__ import annotations

import logging
from typing import Any

from controlroom.commerce import commands as cmds
from controlroom.commerce import events as ev
from controlroom.commerce.breaker import Trip
from controlroom.commerce.lanes import LaneClosed
from controlroom.commerce.money import format_yuan
from controlroom.commerce.tickets import APPLIED_, ConsoleError
from controlroom.journal import JournalWriteError
from controlroom.platform import PlatformError, deadline

log = logging.getLogger(__name__)


class Watch:
    """ConsoleService's timed work (a mixin). `tick()` is called about every 100 ms by whoever drives the show;
    it only enqueues work on the lanes, first in line."""

    # ======================================================================= tick: timers, polls
    def next_due(self) -> float | None:
        """The monotonic time of the console's next timer (for a driver that jumps a simulated clock)."""
        with self._lock:
            dues = [self.mono_of(o.ends_utc) for s, o in self.state.offers.items()
                    if o.paused_remaining is None and s not in self._stopping]
            dues += [d for d, _s, _a in self._scheduled]
            dues += list(self._settle_at.values()) + list(self._recon_at.values())
            dues.append(self._last_poll + self.settings.metrics_poll_s)
            if self.state.lucky_bag is not None and self._bag_ending != self.state.lucky_bag.bag_id:
                dues.append(self.mono_of(self.state.lucky_bag.ends_utc))
        return min(dues) if dues else None

    def tick(self) -> None:
        if self.session_id is None or self.killed:
            return
        now = self.clock.monotonic()
        due_offers, due_coupons, settle = [], [], []
        with self._lock:
            if not self.journal_ok and now - self._last_probe >= 1.0:
                self._last_probe = now
                try:
                    self.journal.append(self._sid(), "console.journal_restored", "system", {})
                    self._journal_up()
                except JournalWriteError:
                    pass
            if not self.journal_ok:
                return   # nothing is sent until the journal can be written
            for sku, o in self.state.offers.items():
                if o.paused_remaining is not None:
                    continue
                sent = self._stopping.get(sku)
                if now >= self.mono_of(o.ends_utc) and (sent is None or now - sent > self.config.settle_interval_s
                                                        + self.config.action_deadline_s):
                    self._stopping[sku] = now
                    due_offers.append(o)
            if not (self.state.on_backup and self.settings.hold_coupons_on_failover):
                due_coupons = [x for x in self._scheduled if x[0] <= now]
                self._scheduled = [x for x in self._scheduled if x[0] > now]
            for lane, at in list(self._settle_at.items()):
                if at <= now:
                    del self._settle_at[lane]
                    settle.append(lane)
            recon = [sku for sku, at in self._recon_at.items() if at <= now]
            for sku in recon:
                del self._recon_at[sku]
            poll = (not self._poll_pending) and now - self._last_poll >= self.settings.metrics_poll_s
            if poll:
                self._poll_pending, self._last_poll = True, now
        for o in due_offers:
            what = "offer_end" if o.native else "revert"
            self._auto_ticket(cmds.StopOffer(o.sku, "expired"), "system",
                              f"the offer on {o.sku} at {format_yuan(o.price)} reached its end", what)
        for _due, spec, actor in due_coupons:
            self.issue_coupon(spec, actor=actor)
        self._bag_due(now)
        for lane in settle:
            try:
                self.lanes.submit(lane, lambda lane=lane: self._settle(lane), urgent=True)
            except LaneClosed:
                return
        for sku in recon:
            try:
                self.lanes.submit(sku, lambda sku=sku: self._reconcile(sku), urgent=True)
            except LaneClosed:
                return
        if poll:
            try:
                self.lanes.submit("metrics", self._poll)
            except LaneClosed:
                self._poll_pending = False

    def _poll(self) -> None:
        try:
            with deadline(self.config.action_deadline_s, self.clock):
                m = self.platform.metrics()
                ended = []
                with self._lock:
                    native = [(o.sku, o.offer_id, o.qty) for o in self.state.offers.values()
                              if o.native and o.offer_id and o.sku not in self._stopping]
                for sku, oid, qty in native:
                    try:
                        st = self.platform.read_offer(oid)
                    except PlatformError:
                        continue
                    if not st.active:
                        ended.append((sku, oid, st, qty))
        except PlatformError as e:
            log.info("metrics poll failed: %s", e)
            return
        finally:
            self._poll_pending = False
        if self.killed:
            return
        now = self.clock.monotonic()
        with self._lock:
            for sku, oid, st, qty in ended:
                o = self.state.offers.get(sku)
                if o is None or o.offer_id != oid:
                    continue
                reason = "sold_out" if qty is not None and st.sold >= qty else "ended at the shop"
                try:
                    self._commit(ev.OfferStopped(sku=sku, what=f"offer {sku} ended", price=o.prev_price,
                                                 offer_price=o.price, reason=reason, sold=st.sold,
                                                 readback=None), "system")
                except (JournalWriteError, ConsoleError):
                    return
                self.breaker.changed(sku)
                self._auto("offer_end", sku, APPLIED_, f"the offer on {sku} {reason.replace('_', ' ')} "
                                                       f"({st.sold} sold)")
            trips, sold_out = self.breaker.observe(now, m, self.state, self.judge)
            sold_out = [s for s in sold_out if s not in self._stopping]
            for s in sold_out:
                self._stopping[s] = now
        for sku in sold_out:
            self._auto_ticket(cmds.StopOffer(sku, "sold_out"), "system", f"the offer on {sku} sold its quantity",
                              "revert")
        for trip in trips:
            self._trip(trip)
        self._watch_stock(now, m)
        if ended:
            self._publish(None, "offers")

    def _trip(self, trip: Trip) -> None:
        action = self.settings.pause_action
        sku = trip.sku
        with self._lock:
            o = self.state.offers.get(sku)
            last = next((h for h in reversed(self.state.price_history) if h[0] == sku), None)
            if action == "unlist":
                cmd: cmds.Command = cmds.UnlistProduct(sku, f"breaker:{trip.rule}")
            elif o is not None:
                cmd = cmds.StopOffer(sku, f"breaker:{trip.rule}")
                self._stopping[sku] = self.clock.monotonic()
            elif last is not None:
                cmd = cmds.SetPrice(sku, last[1], revert=True, reason=f"breaker:{trip.rule}")
            elif trip.rule == "order_rate":
                # nothing to pause and nothing sold below floor: a fast rate at the product's own price is demand,
                # not a mis-price — taking the product being explained off sale is what the breaker must not do
                cmd = None
            else:   # nothing to pause: money leaks at the plan's own price — take it off sale
                cmd = cmds.UnlistProduct(sku, f"breaker:{trip.rule}")
            what = "nothing to pause" if cmd is None else \
                {"unlist": "unlisted", "offer_stop": "offer paused", "price": "price put back"}[cmd.kind]
            self._note("interlock.breaker_tripped", "system", {
                "sku": sku, "rule": trip.rule, "values": trip.values, "words": trip.words, "pause_action": action,
                "does": what})
        self._alert(f"breaker_{trip.rule}", "critical", f"Circuit breaker on {sku}: {what}", trip.words, sku,
                    {**trip.values, "does": what})
        if cmd is not None:
            self._auto_ticket(cmd, "breaker", f"{trip.rule}: {trip.words} — {what}", "breaker")
        self._publish(sku, "breaker")

    # ======================================================================= the stream guard
    def _on_stream(self, topic: str, payload: Any) -> None:
        if self.session_id is None or self.killed:
            return
        if topic not in ("journal.stream.failover", "journal.stream.returned"):
            return
        with self._lock:
            if topic == "journal.stream.failover":
                self._changed(self.state.apply(ev.StreamFailover()))
                if self.settings.pause_offers_on_failover:
                    now = self.clock.monotonic()
                    for o in list(self.state.offers.values()):
                        if o.paused_remaining is None and not o.native:
                            rem = round(max(0.0, self.mono_of(o.ends_utc) - now), 3)
                            try:
                                self._commit(ev.OfferPaused(o.sku, rem, "failover"))
                            except (JournalWriteError, ConsoleError):
                                return
            else:
                self._changed(self.state.apply(ev.StreamReturned()))
                for o in list(self.state.offers.values()):
                    if o.paused_remaining is not None:
                        rem = o.paused_remaining
                        try:   # duration_s lets a listener (the simulated audience) restart its countdown
                            self._commit(ev.OfferResumed(o.sku, rem, round(self.utc_now() + rem, 6), "returned"))
                        except (JournalWriteError, ConsoleError):
                            return
        self._publish(None, "failover" if topic.endswith("failover") else "returned")

