"""The fast export paths: one snapshot through the ADBC reader, nullable columns across read
batches, vectorised local time in odd time zones, the hand-built XLSX read back by openpyxl."""
from __future__ import annotations

import random
import sqlite3
import time
import zipfile
from datetime import datetime, timedelta, timezone
from xml.etree import ElementTree

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from controlroom.clock import ManualClock
from controlroom.journal import Journal, Sample
from controlroom.journal import export as export_mod
from controlroom.journal.export import ExportError, export_session, local_time


def _local(u):
    return None if u is None else datetime.fromisoformat(u).astimezone().isoformat(timespec="microseconds")


@pytest.fixture
def tz(monkeypatch):
    def use(name):
        monkeypatch.setenv("TZ", name)
        time.tzset()
    yield use
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "America/New_York", "Europe/London", "Australia/Lord_Howe",
                                  "Asia/Kolkata", "Pacific/Chatham", "America/St_Johns", "UTC"])
def test_local_time_matches_python_in_many_zones(tz, zone):
    tz(zone)
    rnd = random.Random(zone)
    base = datetime(2026, 1, 1, tzinfo=timezone.utc)
    # a year of instants, densest around whatever DST transitions the zone has, plus time order
    utc = sorted((base + timedelta(seconds=rnd.randrange(366 * 86400), microseconds=rnd.randrange(10 ** 6)))
                 .isoformat(timespec="microseconds") for _ in range(4000))
    utc += [(base + timedelta(days=d, minutes=m)).isoformat(timespec="microseconds")
            for d in range(366) for m in range(0, 24 * 60, 29) if d % 7 == 0]
    arr = pa.array(utc + [None], pa.string())
    assert export_mod._fixed_local_time(pa.array(utc)) is not None  # the vectorised path is the one tested
    assert local_time(arr).to_pylist() == [_local(u) for u in utc] + [None]
    sliced = arr.slice(1234, 777)
    assert local_time(sliced).to_pylist() == [_local(u) for u in utc[1234:1234 + 777]]


def test_local_time_other_shapes_fall_back(tz):
    tz("America/New_York")
    odd = ["2026-03-08T06:30:00+00:00", "2026-07-01T12:00:00.000000+02:00", "0001-01-01T00:00:00.000000+00:00"]
    with pytest.raises(ValueError):
        local_time(pa.array(["2026-13-01T00:00:00.000000+00:00"])).to_pylist()
    assert local_time(pa.array(odd[:2])).to_pylist() == [_local(u) for u in odd[:2]]


def test_export_is_one_snapshot_while_the_show_writes(tmp_path, monkeypatch):
    """Rows appended and a session ended during the export are not in it, for every table."""
    monkeypatch.setattr(export_mod, "CHUNK", 5)
    clock = ManualClock(datetime(2026, 11, 22, 12, tzinfo=timezone.utc))
    j = Journal(tmp_path / "journal.sqlite", clock)
    sid = j.new_session("live")
    j.start_session(sid)
    for i in range(40):
        clock.advance(1)
        j.append(sid, "console.price_set", "operator", {"i": i})
        j.append_samples(sid, [Sample("viewers", i, None, clock.monotonic(), clock.utcnow())])
    before_events = len(list(j.events(sid)))
    wrote = []

    def progress(done, total, stage):
        if stage == "events" and not wrote:  # mid-export, from another connection
            for k in range(30):
                j.append(sid, "console.price_set", "operator", {"late": k})
            j.append_samples(sid, [Sample("viewers", 1, "late", 1.0, clock.utcnow())] * 30)
            j.end_session(sid)
            wrote.append(True)

    files = export_session(j.path, sid, "csv", tmp_path / "out", progress=progress)
    assert wrote
    tables = {f.stem.split("_")[-1]: pd.read_csv(f, dtype=str, keep_default_na=False) for f in files}
    assert len(tables["events"]) == before_events
    assert not any("late" in p for p in tables["events"]["payload"])
    assert len(tables["samples"]) == 40 and "late" not in set(tables["samples"]["sku"])
    assert tables["sessions"]["ended_utc"].tolist() == [""]  # still open at the snapshot
    j.close()
    again = export_session(tmp_path / "journal.sqlite", sid, "csv", tmp_path / "again")
    assert len(pd.read_csv(again[1])) == before_events + 31  # the 30 late ones and session.ended


def test_nullable_columns_across_read_batches(tmp_path, monkeypatch):
    """The driver types a column from its first batch: a sku that is NULL there and text later
    (and started/ended times NULL for some sessions) must still come out right."""
    monkeypatch.setattr(export_mod, "CHUNK", 4)
    j = Journal(tmp_path / "journal.sqlite", ManualClock())
    a = j.new_session("never started")
    b = j.new_session("ran")
    j.start_session(b)
    j.end_session(b)
    rows = [Sample("viewers", k, None, 1.0 + k) for k in range(9)] + [Sample("sold", 3, "SKU-1", 20.0)]
    j.append_samples(b, rows + [Sample("viewers", 5, None, 21.0)])
    for fmt in ("parquet", "csv", "xlsx"):
        files = export_session(j, None, fmt, tmp_path / fmt)
        if fmt == "parquet":
            samples, sessions = pq.read_table(files[2]), pq.read_table(files[0])
            assert samples["sku"].to_pylist() == [None] * 9 + ["SKU-1", None]
            assert samples["value"].to_pylist() == list(range(9)) + [3, 5]
            assert [v is None for v in sessions["started_utc"].to_pylist()] == [True, False]
            assert [v is None for v in sessions["started_local"].to_pylist()] == [True, False]
            assert [v is None for v in sessions["ended_local"].to_pylist()] == [True, False]
        elif fmt == "xlsx":
            s = pd.read_excel(files[0], sheet_name="samples", dtype=object)
            assert [None if pd.isna(v) else v for v in s["sku"]] == [None] * 9 + ["SKU-1", None]
    assert a == 1
    j.close()


def test_xlsx_is_well_formed_and_keeps_awkward_values(tmp_path):
    j = Journal(tmp_path / "journal.sqlite", ManualClock())
    sid = j.new_session("odd <&> \"show\"\x01")  # a raw control character: only titles keep one
    awkward = {"ctl": "bell\x07 and _x0041_", "lead": "  spaces  ", "a_xml": "<b>&amp;</b>", "long": "长" * 40_000}
    j.append(sid, "console.note", "operator", awkward)
    j.append_samples(sid, [Sample("gmv", 2 ** 60, "SKU-1", 1.0), Sample("gmv", -7, "SKU-1", 2.0)])
    f = export_session(j, sid, "xlsx", tmp_path / "x")[0]
    with zipfile.ZipFile(f) as z:
        assert z.testzip() is None
        for name in z.namelist():
            ElementTree.fromstring(z.read(name))  # every part is well-formed XML
    wb = openpyxl.load_workbook(f, read_only=True)
    assert wb.sheetnames == ["sessions", "events", "samples"]
    assert wb["events"].max_row == 3 and wb["events"].max_column == 8
    header = next(wb["events"].iter_rows(max_row=1))
    assert header[0].font.b  # the bold header row
    rows = list(wb["events"].iter_rows(min_row=3, values_only=True))
    payload = rows[0][7]
    # Excel reads _x005F_x0041_ back as _x0041_: its limit applies to that text
    assert len(payload.replace("_x005F", "")) <= export_mod.XLSX_MAX_CELL_CHARS
    assert payload.endswith("see CSV/Parquet]")
    assert "_x005F_x0041_" in payload and "<b>&amp;</b>" in payload
    assert "  spaces  " in payload
    samples = list(wb["samples"].iter_rows(min_row=2, values_only=True))
    assert [r[6] for r in samples] == [str(2 ** 60), -7]  # past 2**53 kept as text, every digit
    assert list(wb["sessions"].iter_rows(min_row=2, values_only=True))[0][1] == "odd <&> \"show\"_x0001_"
    j.close()


def test_failed_xlsx_export_leaves_nothing(tmp_path, monkeypatch):
    j = Journal(tmp_path / "journal.sqlite", ManualClock())
    sid = j.new_session("x")
    j.append(sid, "console.a", "op", {})

    def boom(*a, **k):
        raise OSError("disk full")
    monkeypatch.setattr(export_mod._XlsxBook, "write_rows", boom)
    with pytest.raises(OSError):
        export_session(j, sid, "xlsx", tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []
    j.close()


def test_reader_stops_when_the_export_stops_early(tmp_path, monkeypatch):
    """An error while writing mid-table: the read-ahead thread is stopped and joined, the journal
    stays usable, and nothing is left behind."""
    monkeypatch.setattr(export_mod, "CHUNK", 3)
    j = Journal(tmp_path / "journal.sqlite", ManualClock())
    sid = j.new_session("x")
    for i in range(50):
        j.append(sid, "console.a", "op", {"i": i})
    calls = []

    def progress(done, total, stage):
        calls.append(stage)
        if stage == "events" and calls.count("events") == 2:
            raise RuntimeError("stop")
    import threading
    before = threading.active_count()
    with pytest.raises(RuntimeError):
        export_session(j, sid, "parquet", tmp_path / "out", progress=progress)
    assert threading.active_count() == before
    assert not [p for p in (tmp_path / "out").iterdir()]
    j.append(sid, "console.a", "op", {"after": True})  # no lock left on the journal
    j.close()


def test_unreadable_value_type_is_an_export_error(tmp_path):
    j = Journal(tmp_path / "journal.sqlite", ManualClock())
    sid = j.new_session("x")
    j.close()
    with sqlite3.connect(tmp_path / "journal.sqlite") as c:
        c.execute("INSERT INTO samples (session_id, utc, mono, metric, sku, value) VALUES "
                  "(?, '2026-11-22T12:00:00.000000+00:00', 1.0, 'm', NULL, 1)", (sid,))
        c.execute("INSERT INTO samples (session_id, utc, mono, metric, sku, value) VALUES "
                  "(?, '2026-11-22T12:00:00.000000+00:00', 1.0, 'm', NULL, 'not a number')", (sid,))
    c.close()
    with pytest.raises(ExportError, match="journal"):
        export_session(tmp_path, sid, "csv", tmp_path / "o")
