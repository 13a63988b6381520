"""Rundown files: the sample show, round trips, and broken files rejected whole with file/row/column."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from controlroom.paths import SAMPLE_SHOW
from controlroom.rundown import cadence, files
from controlroom.rundown.files import RundownImportError

HEADER = ["cue", "title", "kind", "duration", "products", "price_anchor", "interaction", "talk_track"]


def write(tmp_path: Path, rows: list[list[str]], header=HEADER, name="plan.csv") -> Path:
    p = tmp_path / name
    with p.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return p


def good_rows():
    return [["1", "开场", "opening", "3:00", "SER-002", "yes", "yes", "欢迎来到直播间"],
            ["2", "口红讲解", "product", "20:00", "LIP-001", "yes", "no", "一抹显白"],
            ["3", "收尾", "closing", "5:00", "", "no", "yes", "点个关注"]]


def skus():
    return files.known_skus(SAMPLE_SHOW)


def test_sample_show_follows_the_template():
    r = files.load(SAMPLE_SHOW / "rundown.csv", skus=skus())
    assert r.warnings == ()
    assert r[0].kind == "opening" and r[0].planned_s == 180
    assert r[-1].kind == "closing" and r[-1].planned_s == 300
    assert 170 * 60 <= r.total_s <= 180 * 60            # about 3 hours, inside the 180-min slot
    products = [s for s in r.segments if s.kind == "product"]
    assert len(products) >= 7
    catalog = skus()
    assert all(p in catalog for s in r.segments for p in s.products)
    assert cadence.check(r, max_gap_minutes=20, slot_minutes=180) == []
    starts = r.planned_starts()
    anchors = [t for s, t in zip(r.segments, starts) if s.price_anchor]
    assert all(b - a <= 20 * 60 for a, b in zip(anchors, anchors[1:]))
    assert any(s.offers for s in r.segments)


def test_round_trip_csv_and_xlsx(tmp_path):
    r = files.load(SAMPLE_SHOW / "rundown.csv", skus=skus())
    for name in ("out.csv", "out.xlsx"):
        path = files.save(r, tmp_path / name)
        back = files.load(path, skus=skus())
        assert back.segments == r.segments, name


def test_duration_and_offer_parsing():
    assert files.parse_duration("20:00") == 1200
    assert files.parse_duration("1:05:00") == 3900
    assert files.parse_duration("0:45") == 45
    for bad in ("20", "20min", "1:75", "abc", "-3:00"):
        with pytest.raises(ValueError):
            files.parse_duration(bad)
    (o,) = files.parse_offers("SER-002=179.90@10:00+3:00")
    assert (o.sku, o.price_fen, o.start_s, o.duration_s) == ("SER-002", 17990, 600, 180)
    with pytest.raises(ValueError):
        files.parse_offers("SER-002=1.234@1:00+3:00")
    with pytest.raises(ValueError):
        files.parse_offers("SER-002 179 for 3 minutes")


def test_missing_column_is_rejected(tmp_path):
    header = [h for h in HEADER if h != "duration"]
    p = write(tmp_path, [r[:3] + r[4:] for r in good_rows()], header=header)
    with pytest.raises(RundownImportError) as e:
        files.load(p, skus=skus())
    (issue,) = e.value.issues
    assert issue.column == "duration" and issue.row == 1 and issue.file == "plan.csv"
    assert "plan.csv" in str(e.value) and "duration" in str(e.value)


def test_every_bad_cell_is_reported_and_nothing_imported(tmp_path):
    rows = good_rows()
    rows[1][3] = "twenty"          # bad duration, row 3
    rows[2][2] = "dance"           # unknown kind, row 4
    rows.append(["2", "重复", "product", "10:00", "NOPE-1", "maybe", "no", ""])  # row 5: dup cue, bad SKU, bad bool
    p = write(tmp_path, rows)
    with pytest.raises(RundownImportError) as e:
        files.load(p, skus=skus())
    got = {(i.row, i.column) for i in e.value.issues}
    assert {(3, "duration"), (4, "kind"), (5, "cue"), (5, "products"), (5, "price_anchor")} <= got
    assert all(i.file == "plan.csv" for i in e.value.issues)
    assert "expected a duration" in str(e.value) and "unknown kind 'dance'" in str(e.value)
    assert "duplicate cue '2'" in str(e.value) and "row 3" in str(e.value)


def test_xlsx_errors_name_the_row(tmp_path):
    import pandas as pd
    df = pd.DataFrame(good_rows(), columns=HEADER, dtype=str)
    df.loc[1, "kind"] = "karaoke"
    path = tmp_path / "plan.xlsx"
    df.to_excel(path, index=False, engine="xlsxwriter")
    with pytest.raises(RundownImportError) as e:
        files.load(path, skus=skus())
    (issue,) = e.value.issues
    assert (issue.file, issue.row, issue.column) == ("plan.xlsx", 3, "kind")


def test_banned_terms_are_flagged_not_fatal(tmp_path):
    rows = good_rows()
    rows[1][7] = "全网最低价，错过再等一年"
    rows[2][1] = "国家级收尾"
    r = files.load(write(tmp_path, rows), skus=skus())
    assert len(r) == 3
    where = {(w.row, w.column) for w in r.warnings}
    assert where == {(3, "talk_track"), (4, "title")}
    assert all(w.severity == "warning" for w in r.warnings)


def test_unknown_column_and_empty_file(tmp_path):
    p = write(tmp_path, good_rows(), header=HEADER[:-1] + ["colr"])
    with pytest.raises(RundownImportError) as e:
        files.load(p)
    assert e.value.issues[0].column == "colr"
    empty = tmp_path / "empty.csv"
    empty.write_text("cue,title,kind,duration\n", encoding="utf-8")
    with pytest.raises(RundownImportError):
        files.load(empty)


def test_chinese_headers_and_kind_words(tmp_path):
    p = write(tmp_path, [["1", "开场", "开场", "3:00"], ["2", "福袋", "福袋", "5:00"], ["3", "机动", "机动", "5:00"]],
              header=["序号", "标题", "类型", "时长"])
    r = files.load(p)
    assert [s.kind for s in r.segments] == ["opening", "benefit", "break"]
    assert r[2].absorbs_delay


def test_cadence_flags_gaps_and_overrun(tmp_path):
    rows = [["1", "开场", "opening", "3:00", "", "yes", "yes", ""],
            ["2", "长讲解", "product", "25:00", "", "no", "no", ""],
            ["3", "讲解", "product", "20:00", "", "yes", "yes", ""]]
    r = files.load(write(tmp_path, rows))
    warns = cadence.check(r, max_gap_minutes=20, slot_minutes=45)
    rules = sorted(w.rule for w in warns)
    assert rules == ["anchor_gap", "interaction_gap", "overrun"]
    gap = next(w for w in warns if w.rule == "anchor_gap")
    assert gap.start_s == 0 and gap.end_s == 28 * 60
    assert cadence.check(r, max_gap_minutes=30, slot_minutes=60) == []


def test_sample_xlsx_template_matches_the_csv():
    csv_plan = files.load(SAMPLE_SHOW / "rundown.csv", skus=skus())
    xlsx_plan = files.load(SAMPLE_SHOW / "rundown.xlsx", skus=skus())
    assert xlsx_plan.segments == csv_plan.segments


def test_offer_prices_use_the_one_strict_money_parser():
    import pytest
    from controlroom.rundown.files import parse_yuan
    assert parse_yuan("179.9") == 17990 and parse_yuan("¥1,699") == 169900 and parse_yuan("１７９") == 17900
    for bad in ("29,9", "179.999", "1e3", "-5", "0"):
        with pytest.raises(ValueError):
            parse_yuan(bad)
