"""KPI formulas against hand-computed figures, divide-by-zero at show start, rolling windows."""
from __future__ import annotations

import pytest

from controlroom.metrics.kpi import (Segment, div_round, fmt_rate, fmt_yuan, gpm, kpis_between,
                                     project_total, rank_skus, ratio, segment_kpis, sku_kpis,
                                     target_progress, uv_value)
from controlroom.metrics.live import LiveMetrics
from controlroom.metrics.series import SeriesStore
from controlroom.metrics.targets import Targets, TargetsError, load_targets, yuan_to_fen
from controlroom.platform import MetricsSnapshot, SkuMetrics


def snap(**kw) -> MetricsSnapshot:
    return MetricsSnapshot(**kw)


SHOW = snap(online=800, views=5000, unique_viewers=1000, room_impressions=40000, interacting_viewers=250,
            new_followers=32, product_impressions=8000, product_clicks=1200, add_to_cart=300, orders=180,
            paid_orders=160, buyers=150, gmv=2_000_000, paid_gmv=1_800_000)


def test_show_kpis_hand_computed():
    k = kpis_between(None, SHOW, span_s=3600)
    assert k.conversion == pytest.approx(150 / 1000)          # buyers / viewers
    assert k.click_to_order == pytest.approx(180 / 1200)      # orders / product clicks
    assert k.interaction_rate == pytest.approx(0.25)
    assert k.follow_rate == pytest.approx(0.032)
    assert k.add_to_cart_rate == pytest.approx(0.25)
    assert k.product_ctr == pytest.approx(0.15)
    assert k.uv_value == 2000            # 20 000 元 / 1 000 viewers = 20 元 = 2 000 分
    assert k.gpm == 400_000              # 20 000 元 × 1000 / 5 000 views = 4 000 元
    assert isinstance(k.uv_value, int) and isinstance(k.gpm, int)
    assert k.gmv == 2_000_000 and k.paid_gmv == 1_800_000
    assert [n for n, _ in k.funnel()] == ["impressions", "room entries", "product clicks", "add to cart",
                                          "orders", "paid"]
    assert [v for _, v in k.funnel()] == [40000, 5000, 1200, 300, 180, 160]


def test_money_rounds_half_up_in_integers():
    assert uv_value(1001, 2) == 501       # 500.5 分 -> 501
    assert uv_value(1000, 3) == 333
    assert gpm(1, 3) == 333               # 1 × 1000 / 3
    assert div_round(5, 10) == 1 and div_round(4, 10) == 0


def test_show_start_is_divide_by_zero_safe():
    k = kpis_between(None, MetricsSnapshot(), span_s=0)
    for name in ("conversion", "click_to_order", "interaction_rate", "uv_value", "gpm", "follow_rate",
                 "add_to_cart_rate", "product_ctr"):
        assert getattr(k, name) is None, name
    assert fmt_rate(k.conversion) == "—" and fmt_yuan(k.uv_value) == "—"
    k2 = kpis_between(None, None, span_s=0)
    assert k2.conversion is None and k2.views == 0
    assert ratio(5, 0) is None and ratio(0, 5) == 0.0
    assert sku_kpis(SkuMetrics("X")).ctr is None


def test_formatting():
    assert fmt_yuan(123456) == "¥1,234.56"
    assert fmt_yuan(123456, decimals=False) == "¥1,235"
    assert fmt_rate(0.1534) == "15.3 %"


def _store_with(series):
    st = SeriesStore(capacity=4096)
    for t, s in series:
        st.append(1000.0 + t, 1_700_000_000.0 + t, s)
    return st


def test_rolling_window_uses_deltas_and_online_stats():
    # 0..600 s: every 60 s +100 viewers, +10 buyers; online steps 100, 200, ...
    series = [(t, snap(online=100 + t // 60 * 100, unique_viewers=t // 60 * 100, views=t // 60 * 150,
                       buyers=t // 60 * 10, gmv=t // 60 * 50_000)) for t in range(0, 601, 60)]
    st = _store_with(series)
    live = LiveMetrics(st, start_mono=1000.0, interval_s=60)
    w = live.window(300)
    assert w.unique_viewers == 500 and w.buyers == 50 and w.gmv == 250_000
    assert w.conversion == pytest.approx(0.1)
    assert w.gpm == div_round(250_000 * 1000, 750)
    assert w.complete
    assert w.pcu == 1100
    # step-wise time-weighted average over 300..600: 600..1000 each for 60 s
    assert w.acu == pytest.approx((600 + 700 + 800 + 900 + 1000) / 5)
    show = live.show()
    assert show.unique_viewers == 1000 and show.pcu == 1100
    assert show.acu == pytest.approx(sum(100 + i * 100 for i in range(10)) / 10)
    # a 15-minute window 10 minutes into the show is flagged incomplete
    assert not live.window(900).complete


def test_window_at_show_start_has_no_numbers():
    st = _store_with([(0, MetricsSnapshot())])
    live = LiveMetrics(st)
    w = live.window(60)
    assert w.conversion is None and w.uv_value is None and w.acu is None
    assert live.report().show.conversion is None
    assert LiveMetrics(SeriesStore(capacity=16)).report() is None


def test_sku_ranking_and_rates():
    skus = {"A": SkuMetrics("A", impressions=1000, clicks=100, add_to_cart=30, orders=10, gmv=50_000),
            "B": SkuMetrics("B", impressions=500, clicks=100, add_to_cart=5, orders=20, gmv=90_000),
            "C": SkuMetrics("C", impressions=0, clicks=0, gmv=0)}
    assert [k.sku for k in rank_skus(skus, "gmv")] == ["B", "A", "C"]
    assert [k.sku for k in rank_skus(skus, "ctr")] == ["B", "A", "C"]          # 0.2, 0.1, —
    assert [k.sku for k in rank_skus(skus, "add_to_cart")] == ["A", "B", "C"]  # 0.3, 0.05, —
    a = sku_kpis(skus["A"])
    assert a.ctr == pytest.approx(0.1) and a.add_to_cart_rate == pytest.approx(0.3)
    assert a.click_to_order == pytest.approx(0.1)
    with pytest.raises(ValueError):
        rank_skus(skus, "nonsense")


def test_segment_breakdown_from_boundaries():
    series = [(t, snap(online=50, unique_viewers=t, views=t, buyers=t // 10, gmv=t * 100)) for t in range(0, 601, 1)]
    st = _store_with(series)
    segs = [Segment("opening", 1000.0, 1180.0), Segment("hero", 1180.0, 1480.0), Segment("close", 1480.0)]
    out = segment_kpis(st, segs, now_mono=1600.0)
    assert [s.kpis.unique_viewers for s in out] == [180, 300, 120]
    assert [s.kpis.gmv for s in out] == [18_000, 30_000, 12_000]
    assert out[1].kpis.conversion == pytest.approx(30 / 300)
    assert sum(s.kpis.gmv for s in out) == 60_000


def test_targets_and_run_rate_projection(tmp_path):
    (tmp_path / "show.toml").write_text('slot_minutes = 180\n[targets]\ngmv = "600000"\nviewers = 150000\n'
                                        'conversion = 0.15\nuv_value = "4.5"\n', encoding="utf-8")
    t = load_targets(tmp_path)
    assert t == Targets(gmv=60_000_000, viewers=150000, conversion=0.15, uv_value=450, slot_s=10800.0)
    # an hour into a 3-hour slot with 250 000 元 sold: the run rate ends at 750 000 元
    k = kpis_between(None, snap(unique_viewers=40000, buyers=5000, gmv=25_000_000), span_s=3600)
    prog = {p.name: p for p in target_progress(t, k, elapsed_s=3600)}
    assert prog["gmv"].projected == 75_000_000 and prog["gmv"].on_track is True
    assert prog["gmv"].fraction == pytest.approx(25 / 60)
    assert prog["viewers"].projected == 120_000 and prog["viewers"].on_track is False
    assert prog["conversion"].actual == pytest.approx(0.125)
    assert prog["uv_value"].actual == 625
    assert project_total(100, 30, 10800) is None          # too early to say
    assert project_total(100, 20000, 10800) == 100         # past the slot: what it is


def test_bad_targets_name_file_and_field(tmp_path):
    (tmp_path / "show.toml").write_text('[targets]\ngmv = "six hundred"\n', encoding="utf-8")
    with pytest.raises(TargetsError, match=r"show.toml.*gmv"):
        load_targets(tmp_path)
    assert yuan_to_fen("29.9", "x") == 2990
    with pytest.raises(TargetsError):
        yuan_to_fen("1.234", "x")


def test_sample_show_targets_load():
    from controlroom.paths import SAMPLE_SHOW
    t = load_targets(SAMPLE_SHOW)
    assert t.gmv == 600_000_000 and t.uv_value == 2000 and t.slot_s == 10800


def test_store_memory_is_bounded_and_thinning_keeps_cumulative_exact():
    st = SeriesStore(capacity=100)
    for t in range(1000):
        st.append(float(t), float(t), snap(online=10 + (t % 7), gmv=t * 10))
    assert len(st) <= 100 and st.thinned > 0
    assert st.last().gmv == 9990 and st.pcu == 16
    mono, _, vals = st.arrays(["gmv"])
    assert (vals["gmv"] == (mono * 10).astype(int)).all()   # counters exact at the rows kept
    assert st.acu == pytest.approx(sum(10 + (t % 7) for t in range(999)) / 999)
