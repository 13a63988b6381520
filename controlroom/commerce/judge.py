"""Judging a command against the effective state: what buyers could meet if it went live now.

The effective state is the console's state plus every action in flight or uncertain (its intent is
journaled, its outcome not known): a price that may have changed counts at the lower of the two,
a coupon that may have been issued counts as live, an offer that may have started counts as
running. So two actions judged at the same moment in different lanes each see the other, and a
countdown offer and a coupon that are fine alone cannot go live together below the floor.

Cost: judging a SKU reads that SKU, its coupons (indexed by scope) and the few actions in flight;
it never scans the catalogue. Only a shop-wide coupon is judged against every listed SKU.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

from controlroom.commerce import commands as cmds
from controlroom.commerce.interlocks import (ALLOW, BLOCK, CONFIRM, Coupon, Finding, InterlockEngine, Step,
                                             Terms, Verdict, worst)
from controlroom.commerce.money import format_yuan
from controlroom.commerce.state import SHOP, ConsoleState
from controlroom.platform import Capabilities, CouponSpec

_RANK = {ALLOW: 0, CONFIRM: 1, BLOCK: 2}


def _block(sku: str | None, rule: str, message: str, **values) -> Verdict:
    return Verdict(BLOCK, (Finding(rule, BLOCK, message, values),), None, sku=sku or "")


def worse(new: Verdict, seen: Verdict) -> bool:
    """Is `new` a verdict the person who accepted `seen` has not agreed to? A block stays a block; a new
    rule, or a lower net price behind a confirm or block, must be shown again."""
    if _RANK[new.verdict] > _RANK[seen.verdict]:
        return True
    if new.verdict == ALLOW:
        return False
    if set(new.rules) - set(seen.rules):
        return True
    return (new.net_price is not None and seen.net_price is not None and new.net_price < seen.net_price)


class Judge:
    def __init__(self, engine: InterlockEngine, state: ConsoleState, caps: Callable[[], Capabilities]):
        self.engine = engine
        self.state = state
        self._caps = caps

    # ---- the effective terms of one SKU ----------------------------------------------------------
    def _overlay(self, sku: str, exclude: str | None):
        """In-flight and uncertain actions touching `sku`: (lowest possible price, offer, extra coupons)."""
        low_price = None
        offer = None
        coupons: list[CouponSpec] = []
        for key, p in self.state.pending.items():
            if key == exclude:
                continue
            c = p.command
            if isinstance(c, cmds.IssueCoupon):
                if c.spec.sku in (None, sku):
                    coupons.append(c.spec)
            elif getattr(c, "sku", None) != sku:
                continue
            elif isinstance(c, cmds.SetPrice):
                low_price = c.price if low_price is None else min(low_price, c.price)
            elif isinstance(c, cmds.StartOffer):
                if offer is None or c.price < offer.price:
                    offer = c
        return low_price, offer, coupons

    def terms(self, sku: str, *, exclude: str | None = None, live_price: int | None = None,
              offer: tuple | None | bool = True, extra_coupons: tuple[CouponSpec, ...] = (),
              texts: tuple[str, ...] = (), gift_value: int | None | bool = True,
              bundle_items_sum: int | None | bool = True) -> Terms:
        """`offer`: True = the running one (and any in flight), None = none, or (price, qty, per_buyer_limit)."""
        st = self.state
        s = st.skus.get(sku)
        row = st.plan.get(sku)
        o = st.offers.get(sku)
        low, pend_offer, pend_coupons = self._overlay(sku, exclude)
        # the product's own price: under a console-run offer the shop shows the offer price
        base = (o.prev_price if (o is not None and not o.native and o.prev_price is not None) else
                (s.price if s is not None else (row.live_price if row else None)))
        if live_price is None:
            live_price = base if low is None or base is None else min(base, low)
        offer_price = offer_qty = offer_limit = None
        if offer is True:
            cands = []
            if o is not None:
                cands.append((o.price, o.qty, o.per_buyer_limit))
            if pend_offer is not None:
                cands.append((pend_offer.price, pend_offer.quantity, pend_offer.per_buyer_limit))
            if cands:
                offer_price, offer_qty, offer_limit = min(cands, key=lambda x: x[0])
        elif offer is not None:
            offer_price, offer_qty, offer_limit = offer
        coupons = []
        for scope in (sku, None):
            for cid, c in st.coupons_by_scope.get(scope, {}).items():
                coupons.append(Coupon(c.threshold, c.amount, c.total_qty, c.per_buyer_limit, c.sku, cid))
        for c in (*pend_coupons, *extra_coupons):
            coupons.append(Coupon(c.threshold, c.amount, c.total_qty, c.per_buyer_limit, c.sku))
        limit = row.per_buyer_limit if row else None
        if offer_limit is not None and self._caps().offer_per_buyer_limit:
            limit = offer_limit if limit is None else min(limit, offer_limit)
        gv = (s.gift_value if s is not None and s.gift_value is not None else (row.gift_value if row else None)) \
            if gift_value is True else gift_value
        bs = (s.bundle_items_sum if s is not None and s.bundle_items_sum is not None else
              (row.bundle_items_sum if row else None)) if bundle_items_sum is True else bundle_items_sum
        return Terms(sku=sku, title=(s.title if s and s.title else (row.title if row else "")),
                     list_price=(s.list_price if s and s.list_price else (row.list_price if row else None)),
                     live_price=live_price, cost=row.cost if row else None,
                     floor_price=row.floor_price if row else None, stock=s.stock if s else (row.stock if row else None),
                     per_buyer_limit=limit, approved_deep_discount=bool(row and row.approved_deep_discount),
                     coupons=tuple(coupons), tiers=row.tiers if row else (), offer_price=offer_price,
                     offer_qty=offer_qty, bundle_items_sum=bs, gift_value=gv, texts=texts)

    def net_price(self, sku: str) -> int | None:
        return self.engine.net_price(self.terms(sku))

    # ---- the verdict ------------------------------------------------------------------------------
    def verdict(self, cmd: cmds.Command, *, exclude: str | None = None, journal_ok: bool = True
                ) -> tuple[Verdict, bool]:
        """The verdict on `cmd` now and whether a supervisor may override it."""
        sku = cmd.target
        if not journal_ok:
            return _block(sku, "journal_unavailable", "the journal cannot be written; nothing is sent until "
                                                       "it can (free disk space, check the data folder)"), False
        bad = cmd.invalid()
        if bad:
            return Verdict(BLOCK, tuple(Finding("invalid_input", BLOCK, f"{f}: {why}", {"field": f})
                                        for f, why in bad), None, sku=sku or ""), False
        st = self.state
        if sku is not None and sku not in st.skus:
            return _block(sku, "invalid_input", f"sku: {sku!r} is not a product of this show", field="sku"), False
        if isinstance(cmd, cmds.StopCoupon) and cmd.coupon_id not in st.coupons and not any(
                isinstance(p.command, cmds.IssueCoupon) for p in st.pending.values()):
            return _block(sku, "invalid_input", f"coupon_id: {cmd.coupon_id!r} is not a live coupon",
                          field="coupon_id"), False
        lock = st.locks.get(cmd.lane)
        if lock is not None and not cmd.safe:
            what = "the shop" if cmd.lane == SHOP else sku
            return _block(sku, "sku_locked", f"{what} is locked: {lock.reason} — settle it first"), False
        e = self.engine
        if cmd.safe:
            return Verdict(ALLOW, (), self.net_price(sku) if sku else None,
                           self._list(sku), sku=sku or ""), True
        if isinstance(cmd, cmds.ListProduct):
            reasons = st.plan_blocked.get(sku)
            if reasons:
                return _block(sku, "plan_blocked", f"the price plan's row for {sku} is blocked: "
                                                   f"{'; '.join(reasons)} — fix the plan and import it again"), False
            return self._with_floor_note(e.evaluate(self.terms(sku, exclude=exclude), listing=True), sku, listing=True)
        if isinstance(cmd, cmds.RestorePrice):   # what the journal says is live: judged as it stands
            return self._with_floor_note(e.evaluate(self.terms(sku, exclude=exclude), texts=False), sku)
        if isinstance(cmd, cmds.SetPrice):
            o = st.offers.get(sku)
            console_offer = o is not None and not o.native
            t = self.terms(sku, exclude=exclude, live_price=cmd.price, offer=None if console_offer else True)
            old = self._own_price(sku)
            good = cmd.revert or self._known_good(sku, cmd.price)
            v = e.evaluate(t, step=Step(old, cmd.price, good), texts=False)
            if t.offer_price is not None:
                # under the shop's own offer the product's price is what buyers pay once the offer ends (or
                # sells out): judged on its own as well, and the worse verdict stands
                alone = e.evaluate(self.terms(sku, exclude=exclude, live_price=cmd.price, offer=None),
                                   step=Step(old, cmd.price, good), texts=False)
                if _RANK[alone.verdict] > _RANK[v.verdict]:
                    v = alone
            return self._with_floor_note(v, sku)
        if isinstance(cmd, cmds.StartOffer):
            limit = cmd.per_buyer_limit
            t = self.terms(sku, exclude=exclude, offer=(cmd.price, cmd.quantity, limit))
            cur = self._effective_price(sku)
            good = self._known_good(sku, cmd.price)
            return self._with_floor_note(e.evaluate(t, step=Step(cur, cmd.price, good), texts=False), sku)
        if isinstance(cmd, cmds.IssueCoupon):
            return self._coupon(cmd.spec, exclude)
        if isinstance(cmd, cmds.PinProduct):
            if sku is None:
                return Verdict(ALLOW, (), None), True
            t = self.terms(sku, exclude=exclude, texts=(cmd.text,) if cmd.text else ())
            return e.evaluate(t, pricing=False, texts=True), True
        if isinstance(cmd, cmds.SetDisplayedStock):
            return Verdict(ALLOW, (), self.net_price(sku), self._list(sku), sku=sku), True
        if isinstance(cmd, cmds.SetGift):
            return e.evaluate(self.terms(sku, exclude=exclude, gift_value=cmd.gift_value), texts=False), True
        if isinstance(cmd, cmds.SetBundle):
            return e.evaluate(self.terms(sku, exclude=exclude, bundle_items_sum=cmd.items_sum), texts=False), True
        if isinstance(cmd, cmds.StartLuckyBag):
            running = st.lucky_bag or next((p.command for p in st.pending.values()
                                            if isinstance(p.command, cmds.StartLuckyBag)), None)
            if running is not None:
                return _block(None, "lucky_bag_running", f"lucky bag {running.bag_id} is still running; end it "
                                                         f"first"), False
            # said on air: the prize and the passphrase are checked like any cue text
            return e.evaluate(Terms("*", None, None, texts=(cmd.prize, cmd.passphrase)), pricing=False,
                              texts=True), True
        if isinstance(cmd, cmds.EndLuckyBag):
            return Verdict(ALLOW, (), None), True
        if isinstance(cmd, cmds.ShowSubstitute):
            if cmd.substitute is not None and cmd.substitute not in st.skus:
                return _block(sku, "invalid_input", f"substitute: {cmd.substitute!r} is not a product of this "
                                                    f"show", field="substitute"), False
            return e.evaluate(Terms(cmd.substitute or sku, None, None, texts=(cmd.talk_track,)), pricing=False,
                              texts=True), True
        raise TypeError(f"no interlocks for {type(cmd).__name__}")

    def _coupon(self, spec: CouponSpec, exclude: str | None) -> tuple[Verdict, bool]:
        e = self.engine
        st = self.state
        new = Coupon(spec.threshold, spec.amount, spec.total_qty, spec.per_buyer_limit, spec.sku)
        if spec.sku is not None:
            targets = [spec.sku]
        else:  # a buyer of any listed product (or one being listed) could use it
            listing = {p.command.sku for p in st.pending.values() if isinstance(p.command, cmds.ListProduct)}
            targets = [s.sku for s in st.skus.values() if s.listed or s.sku in listing]
        if not targets:
            return e.evaluate(Terms("*", None, None), new_coupons=(new,), texts=False), True
        verdicts = []
        for i, sk in enumerate(targets):
            t = self.terms(sk, exclude=exclude, extra_coupons=(spec,))
            v = e.evaluate(t, new_coupons=(new,) if i == 0 else (), texts=False)
            verdicts.append(self._with_floor_note(v, sk)[0])
        worst_v = max(verdicts, key=lambda v: (_RANK[v.verdict], -(v.net_price or 0)))
        findings: list[Finding] = []
        for v in verdicts:
            for f in v.findings:
                msg = f.message if spec.sku or f.rule.startswith("coupon") else f"{v.sku}: {f.message}"
                if all(x.message != msg for x in findings):
                    findings.append(replace(f, message=msg))
        return Verdict(worst(*(v.verdict for v in verdicts)), tuple(findings), worst_v.net_price,
                       worst_v.list_price, worst_v.floor, spec.sku or worst_v.sku), True

    def _with_floor_note(self, v: Verdict, sku: str, listing: bool = False) -> tuple[Verdict, bool]:
        """A price judged with no floor or cost known is a guess: it needs a confirmation."""
        row = self.state.plan.get(sku)
        if (row is None or (row.floor_price is None and row.cost is None)) and v.verdict != BLOCK and not listing:
            why = ("the price plan could not be read: " + self.state.plan_error) if self.state.plan_error else \
                f"{sku} is not in the price plan" if row is None else f"the plan gives {sku} no floor or cost"
            f = Finding("no_floor", CONFIRM, f"no floor price or cost known ({why}): the net "
                                             f"{format_yuan(v.net_price) if v.net_price is not None else '—'} "
                                             f"cannot be checked against a floor", {})
            v = Verdict(worst(v.verdict, CONFIRM), v.findings + (f,), v.net_price, v.list_price, v.floor, v.sku)
        return v, True

    # ---- small reads -----------------------------------------------------------------------------
    def _list(self, sku: str | None) -> int | None:
        s = self.state.skus.get(sku) if sku else None
        return s.list_price if s else None

    def _own_price(self, sku: str) -> int:
        s = self.state.skus[sku]
        o = self.state.offers.get(sku)
        if o is not None and not o.native and o.prev_price is not None:
            return o.prev_price
        return s.price

    def _effective_price(self, sku: str) -> int:
        o = self.state.offers.get(sku)
        return o.price if o is not None else self.state.skus[sku].price

    def _known_good(self, sku: str, price: int) -> bool:
        row = self.state.plan.get(sku)
        return bool(row and price in (row.live_price, row.offer_price))
