"""Random sequences against the real console and the simulated shop, with faults and restarts.

A hypothesis RuleBasedStateMachine drives the rehearsal's driver (simulated clock, no audience):
list/unlist, price changes, flash offers, coupons, buyers, injected faults (hang, apply_then_error,
error, rate_limit, lie), time passing and kill-and-resume. After every step, once every lane is idle
or parked on the clock, two things must hold:

  money: no product on sale at the shop can be bought below its floor (or cost), judged from what the
         shop really does (its true price, its live offer and coupons) — no override is ever given, so
         nothing below floor is approved;
  replay: the console's state rebuilt from the journal equals the live state.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from controlroom.commerce import events as ev
from controlroom.commerce.interlocks import Coupon, InterlockEngine, Terms
from controlroom.commerce.rehearsal.driver import Rehearsal
from controlroom.commerce.rehearsal.script import Line
from controlroom.commerce.state import ConsoleState
from controlroom.paths import SAMPLE_SHOW

SKUS = ["LIP-001", "SER-002", "MSK-004", "LKY-011"]
KINDS = ["hang", "apply_then_error", "error", "rate_limit", "lie"]


class ConsoleMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="console-sm-"))
        self.r = Rehearsal([], show_dir=SAMPLE_SHOW, data_dir=self.tmp, seed=3)
        self.r.shop = self.r._make_shop()
        self.r._start_runtime()
        self.r.rt.start()
        self.r.t0 = self.r.clock.monotonic()
        self.r._settle()
        self.no = 0
        self.engine = InterlockEngine()

    def teardown(self):
        try:
            self.r._shutdown()
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)

    # ---- helpers ------------------------------------------------------------------------------
    @property
    def now(self) -> float:
        return self.r.clock.monotonic() - self.r.t0

    def _do(self, **kw) -> None:
        self.no += 1
        line = Line(no=self.no, t=self.now, confirm=kw.pop("confirm", kw["do"] not in ("orders", "fault")), **kw)
        self.r._line(line)
        self.r._settle()
        self.r._advance_to(self.r.clock.monotonic() + 0.5)

    def _list_price(self, sku: str) -> int:
        return self.r.shop.true_product(sku).list_price

    # ---- rules ---------------------------------------------------------------------------------
    @rule(sku=st.sampled_from(SKUS))
    def list(self, sku):
        self._do(do="list", sku=sku)

    @rule(sku=st.sampled_from(SKUS))
    def unlist(self, sku):
        self._do(do="unlist", sku=sku)

    @rule(sku=st.sampled_from(SKUS), pct=st.integers(5, 110))
    def price(self, sku, pct):
        self._do(do="price", sku=sku, price=max(1, self._list_price(sku) * pct // 100))

    @rule(sku=st.sampled_from(SKUS), pct=st.integers(5, 100), duration=st.integers(1, 60),
          qty=st.none() | st.integers(1, 40), limit=st.none() | st.integers(1, 3))
    def offer(self, sku, pct, duration, qty, limit):
        self._do(do="offer", sku=sku, price=max(1, self._list_price(sku) * pct // 100), duration_s=float(duration),
                 quantity=qty, per_buyer_limit=limit)

    @rule(sku=st.none() | st.sampled_from(SKUS), threshold=st.integers(0, 30000), off=st.integers(1, 15000),
          qty=st.none() | st.integers(1, 100))
    def coupon(self, sku, threshold, off, qty):
        self._do(do="coupon", sku=sku, threshold=threshold, off=off, quantity=qty, per_buyer_limit=1)

    @rule(sku=st.sampled_from(SKUS), count=st.integers(1, 12), per_buyer=st.integers(1, 3))
    def orders(self, sku, count, per_buyer):
        self._do(do="orders", sku=sku, count=count, over_s=2.0, per_buyer=per_buyer)
        self.r._advance_to(self.r.clock.monotonic() + 2.5)

    @rule(kind=st.sampled_from(KINDS), sku=st.none() | st.sampled_from(SKUS), for_s=st.integers(1, 20))
    def fault(self, kind, sku, for_s):
        self._do(do="fault", kind=kind, sku=sku, for_s=float(for_s))

    @rule(seconds=st.integers(1, 30))
    def wait(self, seconds):
        self.r._advance_to(self.r.clock.monotonic() + seconds)

    @rule()
    def restart(self):
        self.r._restart()
        self.r._advance_to(self.r.clock.monotonic() + 0.5)

    # ---- invariants ----------------------------------------------------------------------------------
    @invariant()
    def nothing_on_sale_below_floor(self):
        shop = self.r.shop
        plan = self.r.rt.console.state.plan
        coupons = [c for c in shop._coupons.values() if c.active and c.remaining() != 0]
        for sku in shop.skus:
            p = shop.true_product(sku)
            row = plan.get(sku)
            if not p.listed or row is None:
                continue
            o = p.offer if p.offer is not None and p.offer.active else None
            limit = row.per_buyer_limit
            if o is not None and o.spec.per_buyer_limit is not None:
                limit = o.spec.per_buyer_limit if limit is None else min(limit, o.spec.per_buyer_limit)
            t = Terms(sku=sku, list_price=p.list_price, live_price=p.price, cost=row.cost,
                      floor_price=row.floor_price, stock=p.stock, per_buyer_limit=limit,
                      approved_deep_discount=row.approved_deep_discount,
                      coupons=tuple(Coupon(c.spec.threshold, c.spec.amount, c.spec.total_qty, c.spec.per_buyer_limit,
                                           c.spec.sku) for c in coupons if c.spec.sku in (None, sku)),
                      tiers=row.tiers, offer_price=o.spec.price if o else None,
                      offer_qty=o.spec.quantity if o else None)
            net = self.engine.net_price(t)
            if t.floor is not None and not t.approved_exception:
                assert net >= t.floor, f"{sku} on sale at a net {net} below its floor {t.floor}: {t}"

    @invariant()
    def replay_equals_live(self):
        rt = self.r.rt
        console = rt.console
        replayed = ConsoleState()
        for e in rt.journal.events(console.session_id):
            typed = ev.decode(e.kind, e.payload)
            if typed is not None:
                replayed.apply(typed)
        with console._lock:
            live = console.state.dump()
        again = replayed.dump()
        assert again == live, {k: (again[k], live[k]) for k in live if again[k] != live[k]}


TestConsoleMachine = ConsoleMachine.TestCase
TestConsoleMachine.settings = settings(max_examples=12, stateful_step_count=18, deadline=None,
                                       suppress_health_check=list(HealthCheck))
