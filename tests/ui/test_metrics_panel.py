"""The metrics panel offscreen (pytest-qt): smoke on simulated data, the start of a show, alerts
acknowledged from the panel, chart settings for long shows, a screenshot."""
from __future__ import annotations

import csv

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from controlroom.alerts import Alert                      # noqa: E402
from controlroom.clock import ManualClock                 # noqa: E402
from controlroom.metrics.room import MetricsService       # noqa: E402
from controlroom.paths import SAMPLE_SHOW                 # noqa: E402


def _runtime(make_runtime):
    clock = ManualClock()
    from plugins.simulator import SimulatedShop
    shop = SimulatedShop.from_show(SAMPLE_SHOW, clock=clock, seed=11)
    rt = make_runtime(clock=clock, platform=shop, rooms={})
    svc = MetricsService(rt, start_worker=False)
    rt.add_service("metrics", svc)
    return rt, svc


def _simulate(rt, svc, seconds, title):
    skus = [r["sku"] for r in csv.DictReader(open(SAMPLE_SHOW / "products.csv", encoding="utf-8"))]
    sid = rt.new_show(title)
    rt.start()
    for k, sku in enumerate(skus[:6]):
        rt.platform.list_product(sku, idempotency_key=f"{title}-list-{k}")
    for i in range(seconds):
        if i % 120 == 0:
            rt.journal.append(sid, "rundown.segment" if i else "rundown.started", "operator",
                              {"title": f"Block {i // 120 + 1}", "index": i // 120, "t": float(i)})
        if i == 200:
            rt.journal.append(sid, "console.price_changed", "operator", {"sku": skus[1], "price": 17900})
        rt.clock.advance(1)
        svc.poll_once()
    return sid


@pytest.fixture
def bridge_for():
    made = []

    def make(rt):
        from ui.bridge import QtBridge
        b = QtBridge(rt.bus)
        made.append(b)
        return b
    yield make
    for b in made:
        b.close()


def test_panel_shows_a_simulated_show_with_previous_overlay(qtbot, make_runtime, tmp_path, bridge_for):
    from ui.panels.metrics import CHARTS, create_panel
    rt, svc = _runtime(make_runtime)
    _simulate(rt, svc, 200, "last night")
    rt.end()
    svc.flush()
    svc.previous = None
    _simulate(rt, svc, 400, "tonight")
    qtbot.waitUntil(lambda: svc.previous is not None, timeout=5000)
    w = create_panel(rt, bridge_for(rt))
    qtbot.addWidget(w)
    w.resize(1100, 1000)
    w.show()
    qtbot.waitUntil(lambda: w._version == svc.store.version, timeout=3000)
    assert w.tiles["online"].value.text() == f"{svc.report.show.online:,}"
    assert w.tiles["gmv"].value.text().startswith("¥")
    assert len(w.curves) == len(CHARTS) == 8
    n = len(svc.store)
    for key, curve in w.curves.items():
        x, y = curve.getOriginalDataset()
        assert len(x) == n, key
        assert x[-1] == pytest.approx(svc.store.last().utc)
    def prev_points():
        x, _ = w.prev_curves["gmv"].getOriginalDataset()
        return 0 if x is None else len(x)
    qtbot.waitUntil(lambda: prev_points() > 0, timeout=3000)
    assert prev_points() == len(svc.previous)
    assert len(w.marker_layers["online"]) >= 4          # segments + a price change
    assert w.sku_table.rowCount() >= 1
    assert w.seg_table.rowCount() == 4
    path = tmp_path / "metrics_panel.png"
    assert w.grab().save(str(path))
    from PySide6.QtGui import QImage
    img = QImage(str(path))
    assert img.width() >= 1000
    colours = {img.pixel(x, y) for x in range(0, img.width(), 37) for y in range(0, img.height(), 37)}
    assert len(colours) > 10                             # something was drawn, not a blank panel
    rt.close()


def test_panel_at_show_start_shows_dashes_not_errors(qtbot, make_runtime, bridge_for):
    from ui.panels.metrics import create_panel
    rt, svc = _runtime(make_runtime)
    rt.new_show("empty")
    w = create_panel(rt, bridge_for(rt))
    qtbot.addWidget(w)
    assert w.tiles["conversion"].value.text() == "—"
    from controlroom.platform import MetricsSnapshot
    svc.ingest(MetricsSnapshot(), rt.clock.monotonic(), rt.clock.utcnow())   # all zero: no denominators
    w.refresh()
    assert w.tiles["conversion"].value.text() == "—"
    assert w.tiles["uv_value"].value.text() == "—"
    rt.close()


def test_acknowledge_an_alert_from_the_panel(qtbot, make_runtime, bridge_for):
    from ui.panels.metrics import create_panel
    rt, svc = _runtime(make_runtime)
    sid = rt.new_show("alerts")
    w = create_panel(rt, bridge_for(rt))
    qtbot.addWidget(w)
    a = rt.alerts.raise_alert(Alert(rule="viewers_drop", severity="warning", title="Viewers down 25 %",
                                    source="metrics", suggestion="launch a lucky bag 福袋", to_cue=True))
    qtbot.waitUntil(lambda: w.alert_table.rowCount() == 1, timeout=3000)
    assert w.alert_table.item(0, 1).text() == "WARNING"
    assert "(1)" in w.tabs.tabText(w.alerts_tab)
    w.alert_table.selectRow(0)
    w.ack_button.click()
    acked = rt.journal.events(sid, kinds=["alert.acked"])
    assert [e.payload["alert_id"] for e in acked] == [a.alert_id]
    qtbot.waitUntil(lambda: w.alert_table.item(0, 2).text() == "acknowledged", timeout=3000)
    rt.close()


def test_long_curves_downsample_and_clip(qtbot):
    from ui import charts
    plot = charts.time_plot("x")
    qtbot.addWidget(plot)
    c = charts.long_curve(plot, "#fff")
    assert c.opts["autoDownsample"] is True and c.opts["downsampleMethod"] == "peak"
    assert c.opts["clipToView"] is True
    x = 1.7e9 + np.arange(28_800, dtype=float)
    c.setData(x, np.sin(x / 300))
    plot.resize(600, 200)
    plot.grab()
    assert isinstance(plot.getPlotItem().getAxis("bottom"), charts.pg.DateAxisItem)


def test_panel_without_metrics_room_and_in_chinese(qtbot, make_runtime):
    from ui import i18n
    from ui.panels.metrics import create_panel
    rt = make_runtime(clock=ManualClock(), platform=None, rooms={})
    w = create_panel(rt, None)
    qtbot.addWidget(w)
    rt.add_service("metrics", MetricsService(rt, start_worker=False))
    i18n.load("zh_CN")
    try:
        w2 = create_panel(rt, None)          # panels are rebuilt on a language switch
        qtbot.addWidget(w2)
        assert w2.tiles["online"].title.text() == "在线人数"
        assert w2.tiles["conversion"].title.text() == "转化率"
    finally:
        i18n.load("en")
    rt.close()


def test_tiles_show_the_pre_kill_gmv_after_a_resume(qtbot, tmp_path, bridge_for):
    """Issue 11, finding 3: after kill -9 and a resume the GMV tile restarted at ¥0, "-¥90,429" for the last
    minute. The show runs in a child process killed with SIGKILL; the resumed room's tiles carry on."""
    import random

    from controlroom.journal import Journal
    from controlroom.metrics.kpi import fmt_yuan
    from tests.core import resume_show as rs
    from ui.panels.metrics import create_panel
    d = tmp_path / "data"
    rs.kill_at(rs.spawn(d, "new"), 400, random.Random(11))
    with Journal(d / "journal.sqlite") as j:
        pre_gmv = j.samples(j.sessions()[-1].id, metric="gmv")[-1]["value"]
    assert pre_gmv > 0
    show = rs.resume(d, rs.SEED)        # polls once at once, as the sampler does
    try:
        w = create_panel(show.rt, bridge_for(show.rt))
        qtbot.addWidget(w)
        w.refresh()

        def tile() -> tuple[str, str]:
            return w.tiles["gmv"].value.text(), w.tiles["gmv"].sub.text()

        shown, sub = tile()
        assert shown == fmt_yuan(show.metrics.report.show.gmv, decimals=False)
        assert int(shown.lstrip("¥").replace(",", "")) >= pre_gmv // 100
        assert "-¥" not in sub, sub
        show.run(until=int(show.now_s()) + 60)
        w.refresh()
        later, sub = tile()
        assert int(later.lstrip("¥").replace(",", "")) >= int(shown.lstrip("¥").replace(",", ""))
        assert "-¥" not in sub, sub
    finally:
        show.close()
