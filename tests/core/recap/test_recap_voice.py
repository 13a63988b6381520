"""The recap hears the room: comments per minute, complaint peaks and lucky bags (with the viewers and
comments before, during and after each) — in the report, the HTML and the workbook, text kept as text."""
from __future__ import annotations

import openpyxl

from controlroom.recap.html import render_html
from controlroom.recap.report import build_recap
from controlroom.recap.workbook import write_xlsx
from tests.core.comments.voice_show import VoiceShow


def test_recap_has_comments_complaint_peaks_and_lucky_bags(tmp_path):
    s = VoiceShow(tmp_path / "data", seed=4)
    try:
        s.list_all(["LIP-001", "SER-002"])
        s.console.pin_product("LIP-001", wait=True)
        s.step(1200)
        s.console.start_lucky_bag("=HYPERLINK(\"http://x\",\"口红\")", 240, "福袋冲冲冲", winners=2, wait=True)
        s.step(245)
        s.step(400)
        s.shop.complaint_wave("fake", 6.0, 60)
        s.step(120)
        s.rt.end()
        s.comments.flush_tally()
        r = build_recap(s.rt.journal, s.sid)
    finally:
        s.close()
    # comments per minute: the platform's counter on the chart, the tallies by kind beside it
    assert "comments" in r.series and int(r.series["comments"][-1]) > 0
    assert len(r.comment_minutes) >= 30
    assert sum(m.total for m in r.comment_minutes) == int(r.series["comments"][-1])
    assert max(m.entry for m in r.comment_minutes) > 0 and max(m.complaint for m in r.comment_minutes) >= 100
    # the complaint peak and the lucky bag on the incident timeline and as chart markers
    kinds = [i.kind for i in r.incidents]
    assert "complaint_peak" in kinds and kinds.count("lucky_bag") == 2
    assert {m.kind for m in r.markers} >= {"complaint", "lucky_bag"}
    peak = next(i for i in r.incidents if i.kind == "complaint_peak")
    assert "“" in peak.detail                      # its examples
    (bag,) = r.lucky_bags
    assert bag.drawn and bag.winners == 2 and bag.entries > 50 and abs(bag.ran_s - 240) < 3
    assert bag.acu_during > bag.acu_before * 1.1
    assert bag.comments_during > 1.5 * bag.comments_before
    assert bag.acu_after is not None and bag.comments_after is not None
    html = render_html(r)
    assert "Lucky bags 福袋" in html and "Complaint peak 投诉高峰" in html
    assert "&lt;" not in bag.prize and "=HYPERLINK(&quot;" in html          # escaped, never markup
    out = write_xlsx(r, tmp_path / "recap.xlsx")
    wb = openpyxl.load_workbook(out)
    ws = wb["lucky_bags"]
    header = [c.value for c in ws[1]]
    cell = ws.cell(row=2, column=header.index("prize") + 1)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")   # text, not a formula
    assert [c.value for c in wb["comments"][1]][:4] == ["local_time", "utc", "show_time_s", "comments"]


def test_a_viewers_text_stays_text_in_the_journal_exports(tmp_path):
    """A comment with markup, control characters, a formula and 10,000 characters, pushed to the cue screen
    (so journaled), exports to CSV and XLSX as text: no formula, no broken row, nothing lost from the row."""
    import csv
    import zipfile

    from controlroom.clock import ManualClock
    from controlroom.comments.classify import plain_text
    from controlroom.journal import Journal
    from controlroom.journal.export import export_session

    j = Journal(tmp_path / "journal.sqlite", clock=ManualClock())
    sid = j.new_session("voice export")
    ugly = plain_text("=HYPERLINK(\"http://evil\",\"点我\")\x00\r\n<b>假货</b>\u202e" + "哈" * 10_000)
    j.append(sid, "comments.pushed", "operator", {"comment_id": "c1", "text": ugly, "comment_kind": "complaint"})
    j.append(sid, "comments.pushed", "operator", {"comment_id": "c2", "text": "=1+1", "comment_kind": "chatter"})
    j.close()
    (csv_events,) = [p for p in export_session(tmp_path / "journal.sqlite", sid, "csv", tmp_path / "csv")
                     if "events" in p.name]
    rows = list(csv.DictReader(csv_events.open(encoding="utf-8-sig", newline="")))
    pushed = [r for r in rows if r["kind"] == "comments.pushed"]
    assert len(pushed) == 2 and all(r["payload"].startswith("{") for r in pushed)   # JSON text, never "=..."
    assert "<b>假货</b>" in pushed[0]["payload"] and "\\u0000" not in pushed[0]["payload"]
    xlsx = [p for p in export_session(tmp_path / "journal.sqlite", sid, "xlsx", tmp_path / "xlsx")][0]
    with zipfile.ZipFile(xlsx) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        xml = "".join(z.read(n).decode("utf-8") for n in sheets)
    assert "<f>" not in xml                              # no formula anywhere
    assert "&lt;b&gt;假货&lt;/b&gt;" in xml and "=1+1" in xml
