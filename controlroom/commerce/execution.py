"""The lane's work: one action from its last judgment to its journaled outcome, and settling the uncertain.

Right before the shop is called the action is judged once more on the effective state; its intent is
journaled (nothing is sent if that fails); the shop is called within the action's deadline (the
adapter owns retries), read back, and the outcome journaled and applied. A call that may have applied
is decided by the read-back; when none can tell, the SKU is locked as uncertain and read back again
every `settle_interval_s` until it can.
"""
from __future__ import annotations

import logging
import time
from typing import Any

from controlroom.commerce import commands as cmds
from controlroom.commerce import events as ev
from controlroom.commerce.commands import APPLIED, MISMATCH, NOT_APPLIED, Ctx, readback_json
from controlroom.commerce.interlocks import BLOCK, Verdict
from controlroom.commerce.judge import worse
from controlroom.commerce.money import format_yuan
from controlroom.commerce.tickets import APPLIED_, FAILED, IGNORED, REFUSED, UNCERTAIN, ConsoleError, Outcome, Ticket
from controlroom.journal import JournalWriteError
from controlroom.platform import PlatformError, PlatformRateLimited, PlatformTimeout, ProductState, deadline

log = logging.getLogger(__name__)


class LaneWork:
    """ConsoleService's lane work (a mixin: it uses the service's state, journal, platform and lock)."""

    # ======================================================================= the lane: one action
    def _ctx(self, cmd: cmds.Command) -> Ctx:
        st = self.state
        sku = cmd.target
        s = st.skus.get(sku) if sku else None
        coupon = st.coupons.get(cmd.coupon_id) if isinstance(cmd, cmds.StopCoupon) else None
        pinned = st.pinned
        return Ctx(self.caps, price=s.price if s else None, listed=s.listed if s else None,
                   offer=st.offers.get(sku) if sku else None, coupon=coupon, pinned_sku=pinned,
                   units=self.breaker.units(sku) if sku else 0, utc_now=self.utc_now())

    def _finish(self, t: Ticket, out: Outcome) -> Outcome:
        t.outcome = out
        t.done_mono = self.clock.monotonic()
        t.state = {APPLIED_: "done", REFUSED: "refused" if t.state != "reverify" else "reverify",
                   FAILED: "failed", UNCERTAIN: "uncertain", IGNORED: "done"}[out.status]
        self._publish(t.command.target, t.command.kind)
        for fn in t.on_done:
            try:
                fn(t)
            except Exception:
                log.exception("console: on_done callback failed")
        return out

    def _run(self, t: Ticket) -> Outcome | None:
        cmd, key = t.command, t.key
        with self._lock:
            if self.killed:
                return None
            v, overridable = self.judge.verdict(cmd, journal_ok=self.journal_ok)
            hard = v.verdict == BLOCK and not overridable
            if hard or (not t.auto and worse(v, t.accepted or t.verdict)):
                # the state moved after the ticket was accepted: judged where it goes live, it is not what
                # the person agreed to. Nothing is sent; the ticket is shown again.
                t.verdict, t.overridable = v, overridable
                t.state = "reverify"
                self._note_verdict(t, "live")
                return self._finish(t, Outcome(REFUSED, key, f"judged again as it went live: {v.words}"))
            t.verdict = v
            ctx = self._ctx(cmd)
            if isinstance(cmd, cmds.StopOffer) and ctx.offer is None:
                # it ended meanwhile (sold out, or the shop's own timer): nothing to send, nothing to journal
                self._stopping.pop(cmd.sku, None)
                return self._finish(t, Outcome(IGNORED, key, "nothing to do: no offer is running"))
            intent = ev.Intent(key, t.id, cmd.target, cmd.to_json(), v.verdict, v.rules, v.net_price,
                               cmd.describe(), t.override)
            try:
                self._commit(intent, t.actor)
            except ConsoleError:
                return None
            except JournalWriteError:
                t.verdict, _ = self.judge.verdict(cmd, journal_ok=False)
                return self._finish(t, Outcome(REFUSED, key, "the journal cannot be written: nothing was sent"))
            self._inflight.add(key)
        try:
            return self._execute(t, ctx)
        finally:
            with self._lock:
                self._inflight.discard(key)

    def _execute(self, t: Ticket, ctx: Ctx) -> Outcome | None:
        cmd, key = t.command, t.key
        t0 = time.perf_counter()
        if not cmd.shop_call:
            return self._record(t, ctx, APPLIED_, None, None, t0)
        cfg = self.config
        start = self.clock.monotonic()
        result, err = None, None
        with deadline(cfg.action_deadline_s - cfg.readback_reserve_s, self.clock):
            try:
                result = cmd.send(self.platform, key, ctx)
            except cmds.NothingToSend as e:   # the console had nothing to send (no offer id ...)
                err = e
            except PlatformError as e:
                err = e
            except Exception as e:            # an adapter bug: it may have sent it
                log.exception("console: %s raised", cmd.describe())
                err = e
        if self.killed:
            return None
        if isinstance(err, cmds.NothingToSend):
            return self._record(t, ctx, FAILED, None, None, t0, error=str(err))
        if err is not None and not _may_have_applied(err):
            definite = isinstance(err, PlatformError) and not err.retryable and not isinstance(err, PlatformRateLimited)
            return self._record(t, ctx, REFUSED if definite else FAILED, None, None, t0,
                                error=f"{type(err).__name__}: {err}")
        rb, rb_err = None, None
        left = max(cfg.readback_reserve_s, cfg.action_deadline_s - (self.clock.monotonic() - start))
        with deadline(left, self.clock):
            try:
                rb = cmd.read(self.platform, ctx, result)
            except PlatformError as e:
                rb_err = e
            except Exception as e:
                log.exception("console: read-back of %s raised", cmd.describe())
                rb_err = e
        if self.killed:
            return None
        proof = cmd.proof(rb, ctx, result) if rb is not None else None
        error = f"{type(err).__name__}: {err}" if err is not None else ""
        if proof == APPLIED:
            return self._record(t, ctx, APPLIED_, result, rb, t0, error="")
        if proof == MISMATCH or (proof == NOT_APPLIED and err is None):
            return self._record(t, ctx, UNCERTAIN, result, rb, t0, error=error or "read-back mismatch",
                                mismatch=True)
        if proof == NOT_APPLIED and err is not None and not _no_answer(err):
            return self._record(t, ctx, FAILED, None, rb, t0, error=error)
        why = error or "no read-back"
        if rb_err is not None:
            why += f"; read-back failed: {type(rb_err).__name__}: {rb_err}"
        elif proof == NOT_APPLIED:
            why += "; the shop does not show it yet, but the call was never answered"
        return self._record(t, ctx, UNCERTAIN, result, rb, t0, error=why)

    def _record(self, t: Ticket, ctx: Ctx, status: str, result: Any, rb: Any, t0: float, *, error: str = "",
                mismatch: bool = False, settled: bool = False) -> Outcome | None:
        """Journal the outcome and apply it. A journal that refuses leaves the intent open: the action is
        then settled by a read-back once the journal is back (live and replay stay the same)."""
        cmd, key = t.command, t.key
        latency = (time.perf_counter() - t0) * 1000
        rbj = readback_json(rb)
        out = Outcome(status, key, error, rbj, result, latency, 1, mismatch)
        v = t.verdict
        with self._lock:
            if self.killed:
                return None
            try:
                if status == APPLIED_:
                    done = cmd.applied(ctx, result, rb)
                    done.key, done.ticket, done.sku = key, t.id, cmd.target
                    done.verdict, done.rules, done.net_price = v.verdict, v.rules, v.net_price
                    done.what, done.override, done.readback = cmd.describe(), t.override, rbj
                    done.latency_ms, done.settled = round(latency, 3), settled
                    self._commit(done, t.actor)
                    self._after_applied(cmd, done)
                elif status in (FAILED, REFUSED):
                    self._commit(ev.ActionFailed(key, t.id, cmd.target, cmd.kind, cmd.describe(), error, status,
                                                 v.verdict, v.rules, rbj if isinstance(rb, ProductState) else None,
                                                 settled), t.actor)
                elif mismatch:
                    commanded = cmd.commanded(ctx)
                    why = f"read-back mismatch: commanded {_brief(commanded)}, the shop shows {_brief(rbj, commanded)}"
                    out.error = why if not error or error == "read-back mismatch" else f"{error}; {why}"
                    self._commit(ev.ReadbackMismatch(key, t.id, cmd.target, cmd.kind, cmd.describe(), commanded,
                                                     rbj, v.verdict, v.rules, why), "system")
                else:
                    self._commit(ev.ActionUncertain(key, t.id, cmd.target, cmd.kind, cmd.describe(), error, rbj),
                                 "system")
                    self._settle_at[cmd.lane] = self.clock.monotonic() + self.config.settle_interval_s
            except JournalWriteError:
                out = Outcome(UNCERTAIN, key, f"{error + '; ' if error else ''}the outcome could not be journaled",
                              rbj, result, latency, 1, mismatch)
                status = UNCERTAIN
            except ConsoleError:
                return None
        if status == UNCERTAIN:
            self._auto("lock", cmd.target, UNCERTAIN, f"{cmd.describe()}: {out.error}")
            self._alert("readback_mismatch" if mismatch else "action_uncertain", "critical",
                        f"{'Read-back mismatch' if mismatch else 'Outcome unknown'} on {cmd.lane}: locked",
                        f"{cmd.describe()}: {out.error}", cmd.target, {"key": key, "readback": rbj})
        elif status == FAILED:
            self._alert("action_failed", "warning", f"Console: {cmd.describe()} failed", error, cmd.target,
                        {"key": key})
        return self._finish(t, out)

    def _after_applied(self, cmd: cmds.Command, done: ev.Done) -> None:
        sku = cmd.target
        now = self.clock.monotonic()
        if isinstance(cmd, cmds.RestorePrice) and sku:
            self.breaker.changed(sku)
        elif isinstance(cmd, cmds.SetPrice) and sku:
            self.breaker.arm(sku, now)
        elif isinstance(cmd, cmds.StartOffer) and sku:
            self.breaker.arm(sku, now)
            self._stopping.pop(sku, None)
        elif isinstance(cmd, cmds.StopOffer) and sku:
            self._stopping.pop(sku, None)
            self.breaker.disarm(sku)

    # ======================================================================= settling uncertain actions
    def _settle(self, lane: str) -> None:
        """Read back each uncertain action of a lane: what the shop shows decides applied or not."""
        with self._lock:
            todo = [p for p in self.state.pending.values()
                    if p.lane == lane and p.key not in self._inflight and not p.mismatch]
        for p in todo:
            with self._lock:
                if self.killed or p.key not in self.state.pending:
                    continue
                ctx = self._ctx(p.command)
            rb = None
            with deadline(self.config.action_deadline_s, self.clock):
                try:
                    rb = p.command.read(self.platform, ctx, None)
                except Exception as e:   # still no answer: try again later
                    log.info("console: settling %s: read-back failed: %s", p.key, e)
            if self.killed:
                return
            if rb is None:
                if p.command.shop_call and isinstance(p.command, cmds.IssueCoupon):
                    continue  # no id to read: the operator settles it
                with self._lock:
                    self._settle_at[lane] = self.clock.monotonic() + self.config.settle_interval_s
                continue
            proof = p.command.proof(rb, ctx, None)
            t = Ticket(p.ticket, p.command, "system", Verdict(p.verdict, (), None), True, p.key)
            t.verdict = Verdict(p.verdict, (), None, sku=p.command.target or "")
            status = {APPLIED: APPLIED_, NOT_APPLIED: FAILED, MISMATCH: UNCERTAIN}[proof]
            with self._lock:
                if p.key not in self.state.pending:
                    continue
            out = self._record(t, ctx, status, None, rb, time.perf_counter(), settled=True,
                               error="" if status == APPLIED_ else "settled by a read-back: not applied",
                               mismatch=proof == MISMATCH)
            if out is not None and status != UNCERTAIN:
                self._auto("reconcile", p.command.target, status,
                           f"{p.command.describe()}: settled by a read-back ({'applied' if status == APPLIED_ else 'not applied'})")


def _brief(d: dict | None, like: dict | None = None) -> str:
    """A read-back in words: only the fields that were commanded (money in 元)."""
    if not isinstance(d, dict):
        return "nothing readable"
    keys = [k for k in (like or d) if k in d] or sorted(d)
    parts = []
    for k in keys:
        v = d.get(k)
        if k in ("price", "offer_price", "list_price") and isinstance(v, int):
            v = format_yuan(v)
        parts.append(f"{k} {v}")
    return ", ".join(parts)


def _may_have_applied(err: BaseException) -> bool:
    if isinstance(err, PlatformError):
        return bool(err.may_have_applied)
    return not isinstance(err, (cmds.NothingToSend, ValueError, TypeError))


def _no_answer(err: BaseException) -> bool:
    """A timeout (or a hang cut by the deadline): the request may still land after a read-back."""
    return isinstance(err, PlatformTimeout)

