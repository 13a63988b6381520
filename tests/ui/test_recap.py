"""The post-show recap end to end: a 20-minute simulated show (real console, runner, metrics sampler,
alert router, stream guard on fake OBS) on a real SQLite journal, the recap built from it, its numbers
checked against the journal, and the HTML / XLSX / PDF / PNG files written and looked at."""
from __future__ import annotations

import re
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pytest

from controlroom.journal import Journal, Sample
from controlroom.metrics.kpi import ratio
from controlroom.recap.report import RecapError, RecapSettings, build_recap
from tests.core.recap.test_recap_sim import PIN, standard_show


@pytest.fixture(scope="module")
def show(tmp_path_factory):
    d = tmp_path_factory.mktemp("recap-show")
    s, sid = standard_show(d, minutes=20)
    s.close()
    j = Journal(d / Journal.FILENAME)
    yield d, j, sid
    j.close()


@pytest.fixture(scope="module")
def recap(show):
    _, j, sid = show
    return build_recap(j, sid)


def _last(j, sid, metric, sku=None):
    rows = j.samples(sid, metric=metric, sku=sku)
    if sku is None:
        rows = [r for r in rows if r["sku"] is None]
    return rows[-1]["value"] if rows else None


def _ts(ev) -> float:
    return ev.utc.timestamp()


# ---- the numbers against the journal ---------------------------------------------------------------
def test_headline_equals_the_last_samples_and_targets_come_from_show_toml(show, recap):
    _, j, sid = show
    h = {m.key: m for m in recap.headline}
    assert h["gmv"].value == _last(j, sid, "gmv") > 0
    assert h["paid_gmv"].value == _last(j, sid, "paid_gmv")
    assert h["unpaid_gmv"].value == h["gmv"].value - h["paid_gmv"].value
    assert h["orders"].value == _last(j, sid, "orders") > 0
    assert h["unique_viewers"].value == _last(j, sid, "unique_viewers")
    assert h["pcu"].value == max(r["value"] for r in j.samples(sid, metric="online"))
    assert 0 < h["acu"].value < h["pcu"].value
    assert h["conversion"].value == pytest.approx(_last(j, sid, "buyers") / _last(j, sid, "unique_viewers"))
    assert all(isinstance(h[k].value, int) for k in ("gmv", "paid_gmv", "uv_value", "gpm"))  # money in 分
    # the sample show's targets: gmv "6000000" 元, viewers 150000, conversion 0.15
    assert h["gmv"].target == 6000000 * 100
    assert h["gmv"].target_fraction == pytest.approx(h["gmv"].value / (6000000 * 100))
    assert h["conversion"].target == 0.15
    assert recap.status == "ended" and recap.previous == []
    assert recap.duration_s == pytest.approx(20 * 60 + 20, abs=5)


def test_segments_plan_against_actual_from_the_runner_transitions(show, recap):
    _, j, sid = show
    trans = j.events(sid, kinds=["rundown.started", "rundown.segment", "rundown.ended"])
    plan = j.events(sid, kinds=["rundown.loaded"])[0].payload["segments"]
    played = [s for s in recap.segments if s.actual_start_s is not None]
    assert len(played) == len(trans) - 1 == 4
    for seg, a, b in zip(played, trans, trans[1:]):
        assert seg.title == a.payload["title"] and seg.index == a.payload["index"]
        assert seg.actual_s == pytest.approx(_ts(b) - _ts(a), abs=1e-3)
        assert seg.actual_start_s == pytest.approx(_ts(a) - _ts(trans[0]), abs=1e-3)
        assert seg.planned_s == plan[seg.index]["planned_s"]
        assert seg.planned_start_s == sum(p["planned_s"] for p in plan[:seg.index])
    opening = played[0]
    assert opening.length_delta_s == pytest.approx(20, abs=2)       # next at 200 s of a 180 s opening
    assert played[1].length_delta_s < -200                         # the product block was cut short
    skipped = [s for s in recap.segments if s.actual_start_s is None]
    assert len(skipped) == len(plan) - 4 and all(s.callout == "skipped" for s in skipped)
    # the segments' GMV adds up to the show's (they tile the show without gaps)
    assert sum(s.gmv for s in played) == pytest.approx(recap.metric("gmv").value, rel=0.02)


def test_callouts_follow_the_documented_thresholds(recap):
    st = recap.settings
    for s in recap.segments:
        if s.callout == "talk_track_missed":
            assert s.traffic_index >= st.traffic_ok and s.conversion_index < st.conversion_low
            assert "talk track" in s.callout_text
        elif s.callout == "traffic_short":
            assert s.conversion_index >= st.conversion_ok and s.traffic_index < st.traffic_low
        elif s.callout == "" and s.traffic_index is not None and s.actual_s >= st.min_segment_s \
                and s.new_viewers >= st.min_segment_viewers:
            assert not (s.traffic_index >= st.traffic_ok and s.conversion_index < st.conversion_low)
            assert not (s.conversion_index >= st.conversion_ok and s.traffic_index < st.traffic_low)


def test_products_and_price_change_effects_from_the_sku_samples(show, recap):
    _, j, sid = show
    by = {p.sku: p for p in recap.products}
    for sku, p in by.items():
        assert p.gmv == (_last(j, sid, "sku.gmv", sku) or 0)
        assert p.orders == (_last(j, sid, "sku.orders", sku) or 0)
        assert p.add_to_cart == (_last(j, sid, "sku.add_to_cart", sku) or 0)
        assert p.conversion == ratio(p.orders, p.clicks)
    assert [p.gmv for p in recap.products] == sorted((p.gmv for p in recap.products), reverse=True)
    changed = j.events(sid, kinds=["console.price_changed", "console.offer_started", "console.offer_stopped"])
    assert len(recap.price_changes) == len(changed) >= 4
    lip = [c for c in by["LIP-001"].changes if c.kind == "price"]
    assert [(c.from_price, c.to_price) for c in lip] == [(6900, 5900), (5900, 590), (590, 6900)]
    assert lip[1].actor == "op-li"
    # orders/min before and after, recomputed by hand from the step-wise SKU counter
    rows = [(datetime.fromisoformat(r["utc"]).timestamp(), r["value"]) for r in j.samples(sid, "sku.orders", "LIP-001")]

    def at(t):
        return max([v for u, v in rows if u <= t], default=0)
    c = lip[1]
    t = c.utc.timestamp()
    w = recap.settings.effect_window_s
    assert c.orders_per_min_before == pytest.approx((at(t) - at(t - w)) * 60 / w)
    assert c.orders_per_min_after == pytest.approx((at(t + w) - at(t)) * 60 / w)
    offer = next(c for c in recap.price_changes if c.kind == "offer_start")
    assert (offer.sku, offer.from_price, offer.to_price) == ("SER-002", 19900, 17900)


def test_every_alert_override_block_failover_and_mismatch_is_on_the_timeline(show, recap):
    _, j, sid = show
    inc = recap.incidents
    kinds = [i.kind for i in inc]
    assert kinds.count("alert") == len(j.events(sid, kinds=["alert.raised"])) >= 3
    assert kinds.count("alert_ack") == 1
    ack = next(i for i in inc if i.kind == "alert_ack")
    assert ack.actor == "lead-zhang" and "Viewers dropping" in ack.title
    ov = next(i for i in inc if i.kind == "override")
    assert ov.actor == "Supervisor Wang" and "brand approved loss leader" in ov.detail and "op-li" in ov.detail
    assert PIN not in " ".join(i.detail + i.title for i in inc)
    assert kinds.count("block") == 1 and kinds.count("breaker") == 1
    fo = [e for e in j.events(sid, kinds=["stream.failover", "stream.returned"])]
    got = [i for i in inc if i.kind in ("failover", "returned")]
    assert [(i.kind, i.duration_ms) for i in got] == [
        ("failover" if e.kind == "stream.failover" else "returned", e.payload["detect_to_switch_ms"]) for e in fo]
    assert "on backup for" in got[1].detail
    mm = next(i for i in inc if i.kind == "readback_mismatch")
    assert mm.sku == "CRM-003" and "16900" in mm.detail
    assert [i.t_s for i in inc] == sorted(i.t_s for i in inc)
    assert {m.kind for m in recap.markers} == {"price", "alert", "failover"}


# ---- previous shows, an empty session, a missing one ------------------------------------------------
def _copy_journal(show, tmp_path) -> Journal:
    d, j, _ = show
    dst = tmp_path / "data"
    dst.mkdir()
    import sqlite3
    conn = sqlite3.connect(str(j.path), isolation_level=None)
    try:  # a consistent copy of a WAL database
        conn.execute("VACUUM INTO ?", (str(dst / Journal.FILENAME),))
    finally:
        conn.close()
    return Journal(dst / Journal.FILENAME)


def test_against_the_previous_show_and_a_session_without_samples(show, tmp_path, qapp):
    _, _, sid = show
    j = _copy_journal(show, tmp_path)
    try:
        first = build_recap(j, sid)
        nxt = j.new_session("Next evening", {"show_dir": first.show_dir})
        j.start_session(nxt)
        t0 = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
        j.append_samples(nxt, [Sample(m, v, None, float(i), t0 + timedelta(seconds=i)) for i in (1, 2)
                               for m, v in (("gmv", 1000 * i), ("paid_gmv", 500 * i), ("orders", i),
                                            ("unique_viewers", 100 * i), ("buyers", i), ("online", 50))])
        j.end_session(nxt)
        r = build_recap(j, nxt)
        g = r.metric("gmv")
        assert g.value == 2000 and g.previous == first.metric("gmv").value
        assert g.vs_previous == pytest.approx(2000 / g.previous - 1)
        assert r.previous[0].session_id == sid and r.segments == [] and r.incidents == []
        empty = j.new_session("never sampled")
        e = build_recap(j, empty)
        assert not e.has_samples and e.metric("gmv").value is None and e.status == "not started"
        assert any("no metric samples" in n for n in e.notes)
        from ui.recap_render import write_recap
        paths = write_recap(e, tmp_path / "empty")
        html = paths["html"].read_text(encoding="utf-8")
        assert "—" in html and paths["pdf"].stat().st_size > 0 and paths["xlsx"].exists()
        with pytest.raises(RecapError, match="no session 999"):
            build_recap(j, 999)
    finally:
        j.close()


# ---- files ------------------------------------------------------------------------------------------
def test_cli_writes_html_xlsx_pdf_and_charts(show, tmp_path, capsys, qapp):
    d, j, sid = show
    from ui.recap_cli import main
    out = tmp_path / "out"
    assert main(["--data-dir", str(d), "--out", str(out)]) == 0
    printed = capsys.readouterr().out.split()
    html, xlsx, pdf = (Path(p) for p in printed[:3])
    assert html.name == f"recap-{sid}.html" and all(Path(p).exists() for p in printed)
    text = html.read_text(encoding="utf-8")
    from controlroom.recap.html import CHARTS      # one chart each (issue 15 added comments per minute)
    assert text.count('src="data:image/png;base64,') == len(CHARTS) == 5
    assert not re.search(r'(src|href)="(https?:|file:)', text)
    assert "<style>" in text and "直播复盘" in text and "核心指标" in text
    r = build_recap(j, sid)
    sheets = pd.read_excel(xlsx, sheet_name=None)
    assert set(sheets) == {"headline", "segments", "products", "price_changes", "incidents", "previous_shows",
                           "comments", "lucky_bags"}          # the last two: issue 15
    head = sheets["headline"].set_index("metric")
    assert int(head.loc["gmv", "value_fen"]) == r.metric("gmv").value
    assert len(sheets["incidents"]) == len(r.incidents)
    assert len(sheets["price_changes"]) == len(r.price_changes)
    assert sheets["products"]["gmv_fen"].sum() == sum(p.gmv for p in r.products)
    # the PDF's first page as a PNG (look at it: /tmp/recap-test-page-1.png)
    assert pdf.read_bytes()[:5] == b"%PDF-"
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                       check=True, timeout=60)
        png = next(tmp_path.glob("page*.png"))
        shutil.copy(png, "/tmp/recap-test-page-1.png")
        from PySide6.QtGui import QImage
        img = QImage(str(png))
        assert img.width() > img.height() > 300              # A4 landscape at 60 dpi
        dark = sum(1 for x in range(0, img.width(), 4) for y in range(0, img.height(), 4)
                   if img.pixelColor(x, y).lightness() < 128)
        assert dark > 200                                    # text on the page, not a blank sheet
    assert main(["--data-dir", str(d), "--session", "999", "--out", str(out)]) == 1
    assert "no session 999" in capsys.readouterr().err
    assert main(["--data-dir", str(tmp_path / "nowhere"), "--out", str(out)]) == 1
    assert main(["--data-dir", str(d)]) == 2


def test_run_in_window_reports_the_files(show, tmp_path, qtbot):
    from PySide6.QtWidgets import QMainWindow
    from controlroom.settings import Settings
    from ui.recap_cli import run_in_window
    d, j, sid = show

    class Rt:  # what run_in_window reads from the runtime
        journal, settings, metrics, session_id = j, Settings(tmp_path / "settings.toml"), None, None

    win = QMainWindow()
    qtbot.addWidget(win)
    run_in_window(win, Rt, None, tmp_path / "w")
    qtbot.waitUntil(lambda: win.__dict__.get("_recap_box") is not None, timeout=20000)
    box = win.__dict__["_recap_box"]
    assert f"recap-{sid}.pdf" in box.text()
    assert (tmp_path / "w" / f"recap-{sid}.html").exists()
    box.close()


def test_callouts_on_a_hand_made_show(tmp_path):
    """Three 2-minute segments: as watched as the show but converting at a fifth (talk track missed), and a
    quiet one converting five times better (traffic short). Thresholds from RecapSettings."""
    clock_t0 = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)

    class Clock:
        t = 0.0

        def monotonic(self):
            return 1000.0 + self.t

        def utcnow(self):
            return clock_t0 + timedelta(seconds=self.t)

    c = Clock()
    j = Journal(tmp_path / "j.sqlite", clock=c)
    try:
        sid = j.new_session("hand-made")
        plan = [{"cue": str(i + 1), "title": f"S{i + 1}", "kind": "product", "planned_s": 120, "products": []}
                for i in range(3)]
        j.append(sid, "rundown.loaded", "system", {"segments": plan, "total_s": 360})
        j.start_session(sid)
        j.append(sid, "rundown.started", "op", {"t": 0.0, "index": 0, "cue": "1", "title": "S1", "planned_s": 120,
                                                "planned_start_s": 0})
        uv = buyers = 0
        rows = []
        for s in range(1, 361):
            seg = (s - 1) // 120
            online, duv, db = [(1000, 10, 1), (1000, 10, 1 if s % 5 == 0 else 0), (200, 2, 1)][seg]
            uv, buyers = uv + duv, buyers + db
            u = clock_t0 + timedelta(seconds=s)
            rows += [Sample("online", online, None, 1000.0 + s, u), Sample("unique_viewers", uv, None, 1000.0 + s, u),
                     Sample("buyers", buyers, None, 1000.0 + s, u), Sample("gmv", buyers * 10000, None, 1000.0 + s, u)]
            if s in (120, 240, 360):
                c.t = float(s)
                j.append_samples(sid, rows)
                rows = []
                if s < 360:
                    i = s // 120
                    j.append(sid, "rundown.segment", "op", {"t": float(s), "index": i, "cue": str(i + 1),
                                                            "title": f"S{i + 1}", "planned_s": 120,
                                                            "planned_start_s": 120 * i, "from_actual_s": 120.0})
        j.append(sid, "rundown.ended", "op", {"t": 360.0, "from_actual_s": 120.0})
        j.end_session(sid)
        r = build_recap(j, sid, RecapSettings())
        assert [s.callout for s in r.segments] == ["", "talk_track_missed", "traffic_short"]
        assert [s.actual_s for s in r.segments] == [120.0, 120.0, 120.0]
        assert r.segments[1].conversion == pytest.approx(24 / 1200)
        assert r.metric("conversion").value == pytest.approx(264 / 2640)
        # stricter thresholds: nothing is called out
        none = build_recap(j, sid, RecapSettings(traffic_ok=2.0, traffic_low=0.1))
        assert [s.callout for s in none.segments] == ["", "", ""]
    finally:
        j.close()
