"""Export round trip: every row and field exported equals the journal, for CSV, XLSX and Parquet;
secrets never reach an exported file; XLSX splits past the row limit; progress; errors for people."""
from __future__ import annotations

import json
import sqlite3
import time
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from controlroom.clock import ManualClock
from controlroom.journal import Journal, Sample
from controlroom.journal.redact import redact
from controlroom.journal import export as export_mod
from controlroom.journal.export import ExportError, export_session, local_time
from controlroom.journal.export_cli import main as cli_main

PLANTED = ["hunter2-PLANTED", "tok-PLANTED-777", "sk-PLANTED-api", "RAW-PLANTED-42", "cookie-PLANTED"]


@pytest.fixture
def shanghai(monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _local(utc_text):
    return None if utc_text is None else datetime.fromisoformat(utc_text).astimezone().isoformat(timespec="microseconds")


def _iso(dt):
    return dt.astimezone(timezone.utc).isoformat(timespec="microseconds")


@pytest.fixture
def journal(tmp_path):
    clock = ManualClock(datetime(2026, 11, 22, 11, 58, 30, tzinfo=timezone.utc))
    j = Journal(tmp_path / "data" / "journal.sqlite", clock)
    a = j.new_session("双11 美妆专场", {"show_dir": "/shows/11", "obs": {"host": "127.0.0.1", "password": PLANTED[0]}})
    j.start_session(a)
    for i in range(120):
        clock.advance(0.731 + i / 1000)
        j.append(a, "console.price_set", "operator", {
            "sku": f"SKU-{i % 7}", "price_fen": 9900 + i, "note": 'quote " comma , newline \n 中文 仅剩 3 件',
            "webhook_token": PLANTED[1], "nested": {"api_key": PLANTED[2], "ok": [1, 2, {"x": None}]}})
        if i % 10 == 0:
            j.append_samples(a, [Sample("viewers", 50_000 + i, None, clock.monotonic(), clock.utcnow()),
                                 Sample("sold", i, f"SKU-{i % 7}")])
    b = j.new_session("second show", {"session_cookie": PLANTED[4]})
    j.append(b, "rundown.segment_started", "runner", {"segment": "开场", "empty": ""})
    # A secret that slipped into the file behind the journal's back: export must still mask it.
    with sqlite3.connect(j.path) as c:
        c.execute("INSERT INTO events (session_id, seq, utc, mono, kind, actor, payload) VALUES (?,?,?,?,?,?,?)",
                  (b, 3, _iso(clock.utcnow()), clock.monotonic(), "stream.connected", "guard",
                   json.dumps({"obs_password": PLANTED[3], "scene": "Main"})))
    c.close()
    j.end_session(b)
    yield j
    j.close()


def _expected(j):
    sessions, events, samples = [], [], []
    with sqlite3.connect(j.path) as c:
        for sid, title, cu, su, eu, meta in c.execute(
                "SELECT id, title, created_utc, started_utc, ended_utc, meta FROM sessions ORDER BY id"):
            sessions.append({"id": sid, "title": title, "created_utc": cu, "created_local": _local(cu),
                             "started_utc": su, "started_local": _local(su), "ended_utc": eu,
                             "ended_local": _local(eu), "meta": redact(json.loads(meta))})
        for row in c.execute("SELECT session_id, seq, utc, mono, kind, actor, payload FROM events "
                             "ORDER BY session_id, seq"):
            sid, seq, utc, mono, kind, actor, payload = row
            events.append({"session_id": sid, "seq": seq, "utc": utc, "local_time": _local(utc), "mono": mono,
                           "kind": kind, "actor": actor, "payload": redact(json.loads(payload))})
        for row in c.execute("SELECT session_id, utc, mono, metric, sku, value FROM samples ORDER BY session_id, id"):
            sid, utc, mono, metric, sku, value = row
            samples.append({"session_id": sid, "utc": utc, "local_time": _local(utc), "mono": mono,
                            "metric": metric, "sku": sku, "value": value})
    c.close()
    return sessions, events, samples


def _read(fmt, files):
    if fmt == "xlsx":
        sheets = pd.read_excel(files[0], sheet_name=None, dtype=object, keep_default_na=False, na_values=[])
        return {name: sheets[name] for name in ("sessions", "events", "samples")}
    out = {}
    for f in files:
        name = f.stem.split("_")[-1]
        if fmt == "csv":
            out[name] = pd.read_csv(f, dtype=str, keep_default_na=False, na_values=[])
        else:
            out[name] = pd.read_parquet(f)
    return out


def _norm(v):
    if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA or v == "":
        return None
    return v


def _compare(fmt, df, expected, ints=(), floats=(), json_cols=()):
    assert len(df) == len(expected)
    assert list(df.columns) == list(expected[0].keys())
    for got, want in zip(df.to_dict("records"), expected):
        for col, w in want.items():
            g = _norm(got[col])
            if col in json_cols:
                assert json.loads(g) == w, col
            elif col in ints:
                assert int(g) == w, col
            elif col in floats:
                if fmt == "xlsx":  # Excel numbers carry 15-16 significant digits
                    assert float(g) == pytest.approx(w, rel=1e-15), col
                else:
                    assert float(g) == w, col
            else:
                assert g == _norm(w), (col, g, w)


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx"])
def test_round_trip_every_row_and_field(journal, tmp_path, fmt, shanghai):
    seen = []
    files = export_session(journal, None, fmt, tmp_path / "out", progress=lambda d, t, s: seen.append((d, t, s)))
    assert all(f.exists() for f in files)
    assert not list((tmp_path / "out").glob(".*"))  # no temporary leftovers
    tables = _read(fmt, files)
    sessions, events, samples = _expected(journal)
    assert len(events) == 2 + 120 + 4 and len(samples) == 24
    _compare(fmt, tables["sessions"], sessions, ints=("id",), json_cols=("meta",))
    _compare(fmt, tables["events"], events, ints=("session_id", "seq"), floats=("mono",), json_cols=("payload",))
    _compare(fmt, tables["samples"], samples, ints=("session_id", "value"), floats=("mono",))
    assert tables["events"]["local_time"].iloc[0].endswith("+08:00")
    assert tables["events"]["local_time"].iloc[0][:13] == "2026-11-22T19"
    dones = [d for d, _, _ in seen]
    assert dones == sorted(dones) and seen[-1] == (dones[-1], dones[-1], "done")
    assert seen[-1][1] == len(sessions) + len(events) + len(samples)


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx"])
def test_one_session_only(journal, tmp_path, fmt):
    files = export_session(journal.path.parent, 2, fmt, tmp_path / "one")
    assert all("session-2" in f.name for f in files)
    tables = _read(fmt, files)
    assert [int(x) for x in tables["sessions"]["id"]] == [2]
    assert [int(x) for x in tables["events"]["seq"]] == [1, 2, 3, 4]
    assert {int(x) for x in tables["events"]["session_id"]} == {2}
    assert len(tables["samples"]) == 0


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx"])
def test_no_secret_in_any_exported_file(journal, tmp_path, fmt):
    files = export_session(journal, None, fmt, tmp_path / "sec")
    for f in files:
        blobs = [f.read_bytes()]
        if fmt == "xlsx":
            with zipfile.ZipFile(f) as z:
                blobs += [z.read(n) for n in z.namelist()]
        if fmt == "parquet":
            blobs.append(pd.read_parquet(f).to_csv().encode())
        for blob in blobs:
            for secret in PLANTED:
                assert secret.encode() not in blob, (f.name, secret)
    tables = _read(fmt, files)
    raw = [json.loads(p) for p in tables["events"]["payload"] if "obs_password" in p]
    assert raw == [{"obs_password": "***", "scene": "Main"}]


def test_xlsx_splits_sheets_instead_of_losing_rows(journal, tmp_path, monkeypatch):
    monkeypatch.setattr(export_mod, "XLSX_MAX_ROWS", 50)  # 49 data rows per sheet
    monkeypatch.setattr(export_mod, "CHUNK", 17)
    files = export_session(journal, None, "xlsx", tmp_path / "split")
    sheets = pd.read_excel(files[0], sheet_name=None)
    names = [n for n in sheets if n.startswith("events")]
    _, events, _ = _expected(journal)
    n_sheets = -(-len(events) // 49)
    assert n_sheets >= 3 and names == ["events"] + [f"events_{k}" for k in range(2, n_sheets + 1)]
    joined = pd.concat([sheets[n] for n in names])
    assert list(zip(joined["session_id"], joined["seq"])) == [(e["session_id"], e["seq"]) for e in events]
    assert all(len(sheets[n]) == 49 for n in names[:-1])


def test_local_time_follows_daylight_saving(monkeypatch):
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        start = datetime(2026, 3, 8, 6, 30, tzinfo=timezone.utc)  # 01:30 EST, DST starts at 07:00 UTC
        utc = [_iso(start + timedelta(minutes=7 * k, microseconds=k)) for k in range(20)] + [None]
        got = local_time(pa.array(utc, pa.string())).to_pylist()
        assert got == [_local(u) for u in utc]
        assert got[0].endswith("-05:00") and got[19].endswith("-04:00") and got[-1] is None
        odd = ["2026-03-08T06:30:00+00:00"]  # a shape the journal never writes: still right
        assert local_time(pa.array(odd)).to_pylist() == [_local(odd[0])]
    finally:
        monkeypatch.undo()
        time.tzset()


def test_events_out_of_rowid_order_are_still_exported_by_seq(tmp_path):
    j = Journal(tmp_path / "journal.sqlite", ManualClock())
    sid = j.new_session("odd")
    j.close()
    with sqlite3.connect(tmp_path / "journal.sqlite") as c:
        for seq in (3, 2):
            c.execute("INSERT INTO events (session_id, seq, utc, mono, kind, actor, payload) VALUES "
                      "(?, ?, '2026-11-22T12:00:00.000000+00:00', 1.0, 'x.y', 'a', '{}')", (sid, seq))
    c.close()
    files = export_session(tmp_path, sid, "parquet", tmp_path / "o")
    assert pd.read_parquet(files[1])["seq"].tolist() == [1, 2, 3]


def test_errors_for_people(tmp_path, journal):
    with pytest.raises(ExportError, match="No session 99"):
        export_session(journal, 99, "csv", tmp_path / "x")
    with pytest.raises(ExportError, match="format"):
        export_session(journal, None, "docx", tmp_path / "x")
    empty = Journal(tmp_path / "empty" / "journal.sqlite")
    with pytest.raises(ExportError, match="no sessions"):
        export_session(empty, None, "csv", tmp_path / "x")
    empty.close()
    with pytest.raises(ExportError, match="No journal"):
        export_session(tmp_path / "nowhere", None, "csv", tmp_path / "x")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(ExportError, match="Cannot write"):
        export_session(journal, None, "csv", blocker / "sub")


def test_cli_exit_codes_and_messages(journal, tmp_path, capsys):
    data = str(journal.path.parent)
    out = tmp_path / "cli"
    assert cli_main(["--format", "parquet", "--out", str(out), "--data-dir", data]) == 0
    cap = capsys.readouterr()
    assert len(cap.out.split()) == 3 and "done" in cap.err
    assert cli_main(["--session", "1", "--format", "xlsx", "--out", str(out), "--data-dir", data]) == 0
    assert (out / "session-1.xlsx").exists()
    capsys.readouterr()
    assert cli_main(["--session", "42", "--format", "csv", "--out", str(out), "--data-dir", data]) == 1
    assert "No session 42" in capsys.readouterr().err
    assert cli_main(["--format", "csv", "--out", str(out), "--data-dir", str(tmp_path / "none")]) == 1
    assert "No journal" in capsys.readouterr().err
    assert not (tmp_path / "none").exists()
    assert cli_main(["--format", "pdf", "--out", str(out)]) == 2
    assert cli_main(["--out", str(out)]) == 2
