"""Lucky bags 福袋 (a ConsoleService mixin): started by the operator, counted down by the console, drawn
among the viewers who commented the passphrase 口令 — and followed, when that is a condition.

The public shop APIs have no lucky-bag method, so the console owns the bag: `StartLuckyBag` and
`EndLuckyBag` are console-side commands (judged, journaled as intent then outcome, applied by
ConsoleState.apply like every other). The entries come from the comment room (rt.comments), which
collects the passphrase comments while the bag runs and journals them; the draw happens on the bag's
own lane (never the GUI thread), after one last read of the comments, and is deterministic for the
show and the bag (a replay draws the same winners). Where the platform shows no comments the bag still
counts down on the cue screen and ends without a draw (the platform's own 福袋 tool draws).
"""
from __future__ import annotations

import logging
import random
from typing import Any

from controlroom.commerce import commands as cmds
from controlroom.commerce.lanes import LaneClosed
from controlroom.commerce.tickets import ConsoleError, Ticket
from controlroom.commerce.views import LuckyBagView

log = logging.getLogger(__name__)


def draw(show: Any, bag_id: str, entries: dict[str, bool], follow_required: bool, follow_known: bool,
         winners: int) -> tuple[list[str], list[str]]:
    """(eligible, winners): the entries meeting the condition, and `winners` of them drawn by a generator
    seeded with the show and the bag (the same entries always draw the same winners)."""
    eligible = sorted(u for u, follower in entries.items()
                      if not (follow_required and follow_known) or follower)
    rng = random.Random(f"{show}:{bag_id}:{len(eligible)}")
    return eligible, (rng.sample(eligible, min(winners, len(eligible))) if eligible else [])


class LuckyBags:
    """ConsoleService's lucky bags (uses its state, lanes, lock and tickets)."""

    def lucky_bag_command(self, prize: str, countdown_s: float, passphrase: str, *, follow_required: bool = True,
                          winners: int = 1) -> cmds.StartLuckyBag:
        """The command that starts the next lucky bag (its id: LB1, LB2, … in the show); request() judges it."""
        with self._lock:
            n = len(self.state.lucky_bags) + (1 if self.state.lucky_bag else 0) + 1
        return cmds.StartLuckyBag(f"LB{n}", prize.strip() if isinstance(prize, str) else prize, countdown_s,
                                  passphrase.strip() if isinstance(passphrase, str) else passphrase,
                                  follow_required, winners)

    def start_lucky_bag(self, prize: str, countdown_s: float, passphrase: str, *, follow_required: bool = True,
                        winners: int = 1, actor: str = "operator", confirmed: bool = False, override=None,
                        wait: bool = False) -> Ticket:
        """Start a lucky bag: the prize, the countdown, the condition (口令, and 关注 when follow_required)."""
        cmd = self.lucky_bag_command(prize, countdown_s, passphrase, follow_required=follow_required,
                                     winners=winners)
        return self._go(cmd, actor, confirmed, override, wait)

    def end_lucky_bag(self, *, draw_now: bool = True, actor: str = "operator") -> None:
        """End the running bag early: draw now (draw_now) or cancel it without a draw. The draw runs on the
        bag's lane; its outcome arrives as an event like any other."""
        with self._lock:
            bag = self.state.lucky_bag
            if bag is None:
                raise ConsoleError("no lucky bag is running")
            if self._bag_ending == bag.bag_id:
                return
            self._bag_ending = bag.bag_id
        self._queue_draw(bag, "operator" if draw_now else "cancelled", actor, draw_now)

    def on_show_ended(self) -> None:
        """下播 (Runtime.end): the room is closed — nobody can enter or be drawn. A running bag ends at once
        without a draw, journaled as ended because the show ended (a platform's own 福袋 is cancelled the same way)."""
        with self._lock:
            bag = self.state.lucky_bag
            if bag is None or self._bag_ending == bag.bag_id:
                return
            self._bag_ending = bag.bag_id
        self._queue_draw(bag, "show_ended", "system", False)

    def _bag_view(self, now: float) -> LuckyBagView | None:
        b = self.state.lucky_bag
        if b is None:
            return None
        return LuckyBagView(b.bag_id, b.prize, b.passphrase, b.follow_required, b.winners,
                            max(0.0, self.mono_of(b.ends_utc) - now), b.countdown_s)

    def _bag_due(self, now: float) -> None:
        """From tick: the running bag's countdown is over -> draw (once)."""
        with self._lock:
            bag = self.state.lucky_bag
            if bag is None:
                self._bag_ending = None
                return
            if self._bag_ending == bag.bag_id or now < self.mono_of(bag.ends_utc):
                return
            self._bag_ending = bag.bag_id
        self._queue_draw(bag, "expired", "system", True)

    def _queue_draw(self, bag, reason: str, actor: str, do_draw: bool) -> None:
        try:
            self.lanes.submit(cmds.LUCKY_BAG, lambda: self._draw(bag, reason, actor, do_draw), urgent=True)
        except LaneClosed:
            pass

    def _draw(self, bag, reason: str, actor: str, do_draw: bool) -> None:
        """On the bag's lane: read the entries, draw, and send the outcome as a console-side command."""
        comments = self.rt.comments
        entries: dict[str, bool] = {}
        follow_known = False
        note = ""
        can_read = comments is not None and comments.enabled
        if do_draw and can_read:
            try:
                entries = comments.bag_entries(bag.bag_id)
                follow_known = comments.follower_marks_seen
            except Exception as e:   # the draw still ends the bag; it says why nobody won
                log.exception("lucky bag %s: entries could not be read", bag.bag_id)
                note = f"entries could not be read: {e}"
        elif do_draw:
            note = "the platform shows no comments here: draw in the platform's own lucky-bag tool"
        eligible, winners = draw(self.session_id, bag.bag_id, entries, bag.follow_required, follow_known,
                                 bag.winners) if do_draw and can_read else ([], [])
        if do_draw and can_read and not eligible and not note:
            note = "nobody commented the passphrase" if not entries else "nobody met the condition"
        cmd = cmds.EndLuckyBag(bag.bag_id, reason, len(entries), len(eligible), tuple(winners),
                               bool(winners), follow_known, note)
        self._auto_ticket(cmd, actor, f"lucky bag {bag.bag_id} ({reason})", "lucky_bag")
