"""A platform whose cumulative counters restart (a shop that resets its live-room id, an adapter that lost
its session, a simulator that could not be restored): the metrics room never shows or records a counter
going backwards, says so in the journal, keeps it across a resume, and does not read the restart as a
drop in viewers. A small correction holds the counter instead."""
from __future__ import annotations

from dataclasses import replace

from controlroom.clock import ManualClock
from controlroom.metrics.room import MetricsService
from controlroom.paths import SAMPLE_SHOW
from controlroom.recap.report import build_recap
from plugins.simulator import SimulatedShop


def _shop(clock, seed):
    shop = SimulatedShop.from_show(SAMPLE_SHOW, clock=clock, seed=seed, peak_online=5_000)
    for s in shop.skus:
        shop.list_product(s, idempotency_key=f"l-{s}")
    return shop


def _runtime(make_runtime, clock):
    rt = make_runtime(clock=clock, platform=_shop(clock, 3), rooms={})
    svc = MetricsService(rt, start_worker=False)
    rt.add_service("metrics", svc)
    return rt, svc


def _second(rt, svc, reports):
    rt.clock.advance(1)
    svc.poll_once()
    reports.append(svc.report)


def test_a_platform_that_restarts_its_counters_is_rebased_not_shown_backwards(make_runtime):
    clock = ManualClock()
    rt, svc = _runtime(make_runtime, clock)
    sid = rt.new_show("restart")
    rt.start()
    for s in rt.platform.skus:   # a new show opens a new, empty room
        rt.platform.list_product(s, idempotency_key=f"l2-{s}")
    reports = []
    for t in range(900):
        if t % 300 == 0:
            rt.journal.append(sid, "rundown.segment" if t else "rundown.started", "op",
                              {"title": f"Block {t // 300 + 1}", "index": t // 300, "t": float(t)})
        if t == 600:
            before = svc.report.show
            at_restart = len(reports)
            rt.platform = _shop(clock, 4)   # the shop's live room restarted: every counter from zero
        _second(rt, svc, reports)
    rt.end()
    svc.poll_once()
    svc.flush()

    after = reports[at_restart:]
    assert after[0].show.gmv >= before.gmv and after[0].show.orders >= before.orders
    for a, b in zip(reports, reports[1:]):
        assert b.show.gmv >= a.show.gmv and b.show.views >= a.show.views and b.show.orders >= a.show.orders
    for rep in reports:
        for w, k in rep.windows.items():
            assert k.gmv >= 0 and k.orders >= 0 and k.views >= 0 and k.unique_viewers >= 0, (w, k)
    # the minute across the restart is not a minute anyone saw whole; a minute after it is
    assert not after[30].windows[60.0].complete and after[90].windows[60.0].complete
    rebased = rt.journal.events(sid, kinds=["metrics.rebased"])
    assert [e.payload["reason"] for e in rebased] == ["restart"]
    assert rebased[0].payload["offsets"]["gmv"] >= before.gmv
    alerts = [e.payload for e in rt.journal.events(sid, kinds=["alert.raised"])]
    assert not [a for a in alerts if a["rule"] == "viewers_drop"], alerts
    # the recap reads the same continuous figures: the whole show, no segment below zero
    recap = build_recap(rt.journal, sid)
    assert recap.metric("gmv").value == svc.report.show.gmv
    assert all(s.gmv >= 0 and s.orders >= 0 for s in recap.segments if s.gmv is not None)
    assert sum(p.orders for p in recap.products) == svc.report.show.orders


def test_the_rebase_survives_a_resume(make_runtime):
    clock = ManualClock()
    rt, svc = _runtime(make_runtime, clock)
    reports = []
    sid = rt.new_show("restart then crash")
    rt.start()
    for s in rt.platform.skus:   # a new show opens a new, empty room
        rt.platform.list_product(s, idempotency_key=f"l2-{s}")
    for t in range(400):
        if t == 200:
            rt.platform = _shop(clock, 4)
        _second(rt, svc, reports)
    svc.flush()
    shop = rt.platform
    gmv = svc.report.show.gmv
    rt.abandon()   # the app is killed: the journal and the writer lock go with it

    # a new process on the same journal; the shop (an outside one) kept counting from its restart
    rt2 = make_runtime(clock=clock, platform=_Outside(shop), rooms={})
    svc2 = MetricsService(rt2, start_worker=False)
    rt2.add_service("metrics", svc2)
    rt2.resume(sid)
    assert svc2.report.show.gmv == gmv, "the tiles come back as they were"
    _second(rt2, svc2, reports)
    assert svc2.report.show.gmv >= gmv
    assert svc2.report.show.gmv - gmv == shop.metrics().gmv - (gmv - svc2.rebase.room.get("gmv", 0)), \
        "the restored offset carries on, no second rebase"
    assert len(rt2.journal.events(sid, kinds=["metrics.rebased"])) == 1


class _Outside:
    """A shop outside the app (its metrics only): the simulator object stands in, without its journal hook."""
    name, currency = "outside", "CNY"

    def __init__(self, inner):
        self.inner = inner

    def metrics(self):
        return self.inner.metrics()


class _Glitch:
    """A real shop whose metrics once report a few orders fewer than before (a platform correction)."""
    name, currency = "glitch", "CNY"

    def __init__(self, inner):
        self.inner = inner
        self.glitch_at: int | None = None
        self.calls = 0

    def metrics(self):
        self.calls += 1
        m = self.inner.metrics()
        if self.calls >= (self.glitch_at or 1 << 30):
            m = replace(m, orders=m.orders - 3)
        return m


def test_a_small_correction_holds_the_counter_and_is_no_break(make_runtime):
    clock = ManualClock()
    glitch = _Glitch(_shop(clock, 5))
    rt = make_runtime(clock=clock, platform=glitch, rooms={})
    svc = MetricsService(rt, start_worker=False)
    rt.add_service("metrics", svc)
    sid = rt.new_show("correction")
    rt.start()
    reports = []
    for t in range(600):
        if t == 500:
            glitch.glitch_at = glitch.calls + 1
        _second(rt, svc, reports)
    orders = [r.show.orders for r in reports]
    assert orders == sorted(orders)
    ev = rt.journal.events(sid, kinds=["metrics.rebased"])
    assert [e.payload["reason"] for e in ev] == ["correction"]
    was, now = ev[0].payload["fell"]["orders"]
    assert ev[0].payload["offsets"] == {"orders": was - now} and 0 < was - now <= 3
    assert svc.live.breaks == [] and reports[-1].windows[60.0].complete
    assert reports[-1].show.gmv == glitch.inner.metrics().gmv, "nothing else moved"


def test_an_old_journal_whose_counters_fell_reads_back_whole(tmp_path):
    """A show journaled before the rebase rule, its simulator restarted at 300 s: the samples fall back to
    almost zero. The recap (and a resumed room) read them with the same rule: the whole show, no segment
    below zero, product figures that add up."""
    from controlroom.journal import Journal, Sample
    from controlroom.metrics.history import latest_sku_values, read_series
    clock = ManualClock()
    with Journal(tmp_path / "journal.sqlite", clock) as j:
        sid = j.new_session("legacy")
        j.start_session(sid)
        j.append(sid, "rundown.started", "op", {"title": "A", "index": 0, "t": 0.0})

        def counters(t):   # what a platform restarted at 300 s reports
            n = t if t < 300 else t - 300 + 1
            return {"views": 40 * n, "unique_viewers": 30 * n, "orders": 2 * n, "gmv": 2 * n * 9900,
                    "paid_gmv": n * 9900, "buyers": 2 * n, "online": 1000}
        for t in range(600):
            clock.advance(1)
            if t == 250:
                j.append(sid, "rundown.segment", "op", {"title": "B", "index": 1, "t": 250.0})
            c = counters(t)
            rows = [Sample(m, v, None, clock.monotonic(), clock.utcnow()) for m, v in c.items()]
            rows += [Sample("sku.orders", c["orders"], "LIP-001", clock.monotonic(), clock.utcnow()),
                     Sample("sku.gmv", c["gmv"], "LIP-001", clock.monotonic(), clock.utcnow())]
            j.append_samples(sid, rows)
        j.end_session(sid)
        data = read_series(j, sid)
        assert len(data.restarts_utc) == 1
        assert (data.values["gmv"][1:] >= data.values["gmv"][:-1]).all()
        whole_orders = 2 * 299 + 2 * 300
        assert data.values["orders"][-1] == whole_orders
        assert latest_sku_values(j, sid, data.restarts_utc)["LIP-001"]["orders"] == whole_orders
        recap = build_recap(j, sid)
        assert recap.metric("orders").value == whole_orders
        assert [(s.title, s.orders >= 0, s.gmv >= 0) for s in recap.segments if s.gmv is not None] == \
            [("A", True, True), ("B", True, True)]
        assert sum(p.orders for p in recap.products) == whole_orders
