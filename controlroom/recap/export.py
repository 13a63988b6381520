"""Export a session's full journal (or every session) to CSV, XLSX or Parquet.

One file (CSV, Parquet) or one sheet (XLSX) per table: sessions, events, samples. Every row and
field of the journal is exported as stored (utc as ISO-8601 UTC text, payload and meta as JSON
text), plus a `local_time` column (local wall time with its UTC offset). Secrets are masked again
on the way out, whatever the journal holds.

Speed: tables are streamed in chunks from a read-only sqlite3 connection straight into Arrow
arrays (pandas' own columnar engine) and written chunk by chunk, so nothing is held twice and
memory stays flat. Local times are computed per distinct UTC minute, not per row; redaction parses
only the payloads that mention a secret-looking key. Files are written under a temporary name and
renamed when complete: a failed export leaves no half-written file.
"""
from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from controlroom.journal import migrate
from controlroom.journal.redact import SECRET_KEY, redact

FORMATS = ("csv", "xlsx", "parquet")
TABLES = ("sessions", "events", "samples")
CHUNK = 65_536
XLSX_MAX_ROWS = 1_048_576           # per sheet, header included
XLSX_MAX_CELL_CHARS = 32_767
Progress = Callable[[int, int, str], Any]

# A JSON key ending in a secret-looking name (the escapes of a key's last characters allowed for).
# Only payloads that match are parsed and masked again; the rest pass through as they are.
_SECRET_IN_JSON = "(" + SECRET_KEY.pattern.rstrip("$") + r')[^"]{0,12}"\s*:'


class ExportError(RuntimeError):
    """Export cannot proceed: missing session, empty journal, unusable journal or output."""


def _journal_path(journal_or_path: Any) -> Path:
    path = getattr(journal_or_path, "path", None)
    if path is not None and hasattr(journal_or_path, "append"):
        return Path(path)  # a live Journal: already migrated; we only read its file
    path = Path(journal_or_path)
    if path.is_dir():
        path = path / "journal.sqlite"
    if not path.is_file():
        raise ExportError(f"No journal at {path}: nothing to export.")
    try:
        current = migrate.read_revision(path)
        if current is not None and current not in migrate.known_revisions():
            raise migrate.JournalTooNew(migrate._too_new_message(str(path), current))
    except migrate.JournalError as e:
        raise ExportError(str(e)) from e
    if current is None:
        raise ExportError(f"The journal {path} is empty: nothing to export.")
    if current != migrate.head_revision():  # an older journal: upgrade in place, as the app would
        from controlroom.journal import Journal
        Journal(path).close()
    return path


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None,
                           check_same_thread=False)
    conn.execute("PRAGMA busy_timeout=5000")
    return conn


# ---- column helpers ----------------------------------------------------------------------------
def _local_text(utc_text: str | None) -> str | None:
    if utc_text is None:
        return None
    return datetime.fromisoformat(utc_text).astimezone().isoformat(timespec="microseconds")


def local_time(utc: pa.Array) -> pa.Array:
    """ISO UTC text -> local wall time with offset, DST-correct (the system's time zone).

    The journal writes one fixed shape (2026-11-22T12:00:00.000000+00:00), so the local time is the
    local form of the row's UTC minute, then its seconds, then the offset: one Python conversion
    per distinct minute instead of per row."""
    n = len(utc)
    if n == 0:
        return pa.array([], pa.string())
    valid = utc.drop_null()
    shaped = len(valid) == 0 or (
        pc.all(pc.equal(pc.utf8_length(valid), 32)).as_py()
        and pc.all(pc.ends_with(valid, "+00:00")).as_py())
    if shaped:
        enc = pc.utf8_slice_codeunits(utc, 0, 16).dictionary_encode()
        prefixes, offsets, ok = [], [], True
        for minute in enc.dictionary.to_pylist():
            local = datetime.fromisoformat(minute + ":00+00:00").astimezone()
            off = local.utcoffset()
            if off is None or off.seconds % 60 or off.microseconds:
                ok = False  # a historical offset with seconds: do it row by row
                break
            text = local.isoformat()
            prefixes.append(text[:16])
            offsets.append(text[19:])
        if ok:
            idx = enc.indices
            return pc.binary_join_element_wise(
                pc.take(pa.array(prefixes, pa.string()), idx),
                pc.utf8_slice_codeunits(utc, 16, 26),
                pc.take(pa.array(offsets, pa.string()), idx), "")
    return pa.array([_local_text(u) for u in utc.to_pylist()], pa.string())


def redact_json_column(texts: pa.Array) -> pa.Array:
    """Mask secret-looking keys in JSON text again; untouched text stays byte-identical."""
    if len(texts) == 0:
        return texts
    hit = pc.fill_null(pc.match_substring_regex(texts, _SECRET_IN_JSON, ignore_case=True), False)
    if not pc.any(hit).as_py():
        return texts
    originals = pc.filter(texts, hit).to_pylist()
    fixed = []
    for text in originals:
        try:
            value = json.loads(text)
        except ValueError:
            fixed.append(text)  # not JSON: nothing keyed to mask
            continue
        masked = redact(value)
        fixed.append(text if masked == value else json.dumps(masked, ensure_ascii=False, sort_keys=True))
    return pc.replace_with_mask(texts, hit, pa.array(fixed, pa.string()))


# ---- readers: each yields Arrow record batches of one table --------------------------------------
EVENT_SCHEMA = pa.schema([("session_id", pa.int64()), ("seq", pa.int64()), ("utc", pa.string()),
                          ("local_time", pa.string()), ("mono", pa.float64()), ("kind", pa.string()),
                          ("actor", pa.string()), ("payload", pa.string())])
SAMPLE_SCHEMA = pa.schema([("session_id", pa.int64()), ("utc", pa.string()), ("local_time", pa.string()),
                           ("mono", pa.float64()), ("metric", pa.string()), ("sku", pa.string()),
                           ("value", pa.int64())])
SESSION_SCHEMA = pa.schema([("id", pa.int64()), ("title", pa.string()),
                            ("created_utc", pa.string()), ("created_local", pa.string()),
                            ("started_utc", pa.string()), ("started_local", pa.string()),
                            ("ended_utc", pa.string()), ("ended_local", pa.string()),
                            ("meta", pa.string())])


_EVENT_ROW = pa.struct([f for f in EVENT_SCHEMA if f.name not in ("session_id", "local_time")])
_SAMPLE_ROW = pa.struct([f for f in SAMPLE_SCHEMA if f.name not in ("session_id", "local_time")])


class _OutOfOrder(Exception):
    """Rowid order did not follow seq order (never written so by this journal): read by seq."""


def _sessions_batch(conn: sqlite3.Connection, ids: list[int]) -> pa.RecordBatch:
    marks = ",".join("?" * len(ids))
    rows = conn.execute(f"SELECT id, title, created_utc, started_utc, ended_utc, meta FROM sessions "
                        f"WHERE id IN ({marks}) ORDER BY id", ids).fetchall()
    cols = list(zip(*rows)) if rows else [()] * 6
    meta = [json.dumps(redact(json.loads(m or "{}")), ensure_ascii=False) for m in cols[5]]
    arrays = [pa.array(cols[0], pa.int64()), pa.array(cols[1], pa.string())]
    for c in (2, 3, 4):
        arr = pa.array(cols[c], pa.string())
        arrays += [arr, local_time(arr)]
    arrays.append(pa.array(meta, pa.string()))
    return pa.RecordBatch.from_arrays(arrays, schema=SESSION_SCHEMA)


def _id_range(conn: sqlite3.Connection, table: str, sid: int) -> tuple[int, int, int]:
    lo, hi, n = conn.execute(f"SELECT min(id), max(id), count(*) FROM {table} WHERE session_id = ?",
                             (sid,)).fetchone()
    return (lo or 0), (hi or -1), n


def _event_batches(conn: sqlite3.Connection, sid: int, by_seq: bool) -> Iterator[pa.RecordBatch]:
    cols = "seq, utc, mono, kind, actor, payload"
    if by_seq:
        cur = conn.execute(f"SELECT {cols} FROM events WHERE session_id = ? ORDER BY seq", (sid,))
    else:
        # Within a session rowid order is seq order (seq is taken in the inserting transaction and
        # rows are never updated or deleted), and a rowid range scan is much faster than walking
        # the (session_id, seq) index. The unary + keeps the planner off that index; the order is
        # still checked below.
        lo, hi, _ = _id_range(conn, "events", sid)
        cur = conn.execute(f"SELECT {cols} FROM events WHERE +session_id = ? AND id BETWEEN ? AND ? "
                           "ORDER BY id", (sid, lo, hi))
    last = 0
    while rows := cur.fetchmany(CHUNK):
        # tuples -> a struct array in one C++ pass: far cheaper than transposing in Python
        seq_a, utc_a, mono_a, kind_a, actor_a, payload_a = pa.array(rows, type=_EVENT_ROW).flatten()
        if not by_seq:
            first = rows[0][0]
            if first <= last or (len(rows) > 1 and not pc.all(
                    pc.greater(seq_a.slice(1), seq_a.slice(0, len(rows) - 1))).as_py()):
                raise _OutOfOrder()
        last = rows[-1][0]
        yield pa.RecordBatch.from_arrays([
            pa.array(np.full(len(rows), sid, dtype=np.int64)), seq_a, utc_a, local_time(utc_a),
            mono_a, kind_a, actor_a, redact_json_column(payload_a)], schema=EVENT_SCHEMA)


def _sample_batches(conn: sqlite3.Connection, sid: int) -> Iterator[pa.RecordBatch]:
    lo, hi, _ = _id_range(conn, "samples", sid)
    cur = conn.execute("SELECT utc, mono, metric, sku, value FROM samples "
                       "WHERE +session_id = ? AND id BETWEEN ? AND ? ORDER BY id", (sid, lo, hi))
    while rows := cur.fetchmany(CHUNK):
        utc_a, mono_a, metric_a, sku_a, value_a = pa.array(rows, type=_SAMPLE_ROW).flatten()
        yield pa.RecordBatch.from_arrays([
            pa.array(np.full(len(rows), sid, dtype=np.int64)), utc_a, local_time(utc_a),
            mono_a, metric_a, sku_a, value_a], schema=SAMPLE_SCHEMA)


# ---- writers ----------------------------------------------------------------------------------
class _CsvWriter:
    def __init__(self, path: Path, schema: pa.Schema):
        import pyarrow.csv as pcsv
        self._fh = open(path, "wb")
        self._fh.write(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel/WPS then show Chinese text correctly
        self._w = pcsv.CSVWriter(self._fh, schema, write_options=pcsv.WriteOptions(quoting_style="needed"))

    def write(self, batch: pa.RecordBatch) -> None:
        self._w.write_batch(batch)

    def close(self) -> None:
        self._w.close()
        self._fh.close()


class _ParquetWriter:
    def __init__(self, path: Path, schema: pa.Schema):
        import pyarrow.parquet as pq
        self._w = pq.ParquetWriter(str(path), schema, compression="snappy")

    def write(self, batch: pa.RecordBatch) -> None:
        self._w.write_batch(batch)

    def close(self) -> None:
        self._w.close()


class _XlsxSheets:
    """Writes one table into a workbook, continuing on table_2, table_3 … past Excel's row limit."""

    WIDTHS = {"utc": 33, "local_time": 33, "created_utc": 33, "started_utc": 33, "ended_utc": 33,
              "created_local": 33, "started_local": 33, "ended_local": 33, "kind": 26, "payload": 60,
              "meta": 60, "title": 30, "metric": 18, "mono": 16}

    def __init__(self, book, name: str, schema: pa.Schema, fmt):
        self.book, self.name, self.schema, self.header_fmt = book, name, schema, fmt
        self.sheets = 0
        self.truncated = 0
        self._new_sheet()

    def _new_sheet(self) -> None:
        self.sheets += 1
        ws = self.book.add_worksheet(self.name if self.sheets == 1 else f"{self.name}_{self.sheets}")
        ws.freeze_panes(1, 0)
        for c, field in enumerate(self.schema):
            ws.set_column(c, c, self.WIDTHS.get(field.name, 12))
            ws.write_string(0, c, field.name, self.header_fmt)
        self.ws, self.row = ws, 1

    def write(self, batch: pa.RecordBatch) -> None:
        columns = []
        for field, col in zip(self.schema, batch.columns):
            numeric = pa.types.is_integer(field.type) or pa.types.is_floating(field.type)
            columns.append((numeric, col.to_pylist()))
        n = batch.num_rows
        start = 0
        while start < n:
            room = XLSX_MAX_ROWS - self.row
            if room == 0:
                self._new_sheet()
                continue
            take = min(room, n - start)
            self._write_rows(columns, start, start + take)
            start += take

    def _write_rows(self, columns, start: int, stop: int) -> None:
        # constant_memory flushes a row once the next one starts: write strictly row by row
        write_string, write_number = self.ws.write_string, self.ws.write_number
        numeric = [c[0] for c in columns]
        limit = XLSX_MAX_CELL_CHARS
        r = self.row
        for values in zip(*(c[1][start:stop] for c in columns)):
            for c, v in enumerate(values):
                if v is None:
                    continue
                if numeric[c]:
                    if -2 ** 53 < v < 2 ** 53:
                        write_number(r, c, v)
                    else:  # an Excel double would round it: keep every digit as text
                        write_string(r, c, str(v))
                else:
                    if len(v) > limit:
                        self.truncated += 1
                        v = v[:limit - 48] + " …[cut at Excel's cell limit; see CSV/Parquet]"
                    write_string(r, c, v)
            r += 1
        self.row = r

    def close(self) -> None:
        pass


# ---- the export ---------------------------------------------------------------------------------
def export_session(journal_or_path: Any, session_id: int | None = None, fmt: str = "csv",
                   out_dir: str | os.PathLike = ".", progress: Progress | None = None) -> list[Path]:
    """Export one session (or all sessions: session_id=None) to out_dir; returns the files written.

    progress(done, total, stage) is called as rows are written (stage: sessions, events, samples,
    done). Raises ExportError with a message for a person when it cannot export."""
    fmt = str(fmt).lower()
    if fmt not in FORMATS:
        raise ExportError(f"Unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}.")
    path = _journal_path(journal_or_path)
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=out, prefix=".export-probe-", delete=True)
        probe.close()
    except OSError as e:
        raise ExportError(f"Cannot write to {out}: {e.strerror or e}.") from e

    conn = _connect(path)
    try:
        conn.execute("BEGIN")  # one snapshot of every table while the show keeps writing
        all_ids = [r[0] for r in conn.execute("SELECT id FROM sessions ORDER BY id")]
        if session_id is None:
            if not all_ids:
                raise ExportError(f"The journal {path} has no sessions: nothing to export.")
            ids = all_ids
        else:
            if int(session_id) not in all_ids:
                known = ", ".join(map(str, all_ids[-10:])) or "none"
                raise ExportError(f"No session {session_id} in {path} (sessions: {known}).")
            ids = [int(session_id)]
        counts = {"sessions": len(ids), "events": 0, "samples": 0}
        for sid in ids:
            counts["events"] += _id_range(conn, "events", sid)[2]
            counts["samples"] += _id_range(conn, "samples", sid)[2]
        total = sum(counts.values())
        stem = f"session-{ids[0]}" if session_id is not None else "journal"
        try:
            return _write_all(conn, ids, fmt, out, stem, total, progress, by_seq=False)
        except _OutOfOrder:
            return _write_all(conn, ids, fmt, out, stem, total, progress, by_seq=True)
    finally:
        conn.close()


def _write_all(conn, ids, fmt, out: Path, stem: str, total: int, progress: Progress | None,
               by_seq: bool) -> list[Path]:
    done = 0

    def report(n: int, stage: str) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, total, stage)

    def tables():
        yield "sessions", SESSION_SCHEMA, lambda: iter([_sessions_batch(conn, ids)])
        yield "events", EVENT_SCHEMA, lambda: _all_events(conn, ids, by_seq)
        yield "samples", SAMPLE_SCHEMA, lambda: (b for sid in ids for b in _sample_batches(conn, sid))

    temps: list[tuple[Path, Path]] = []
    try:
        if fmt == "xlsx":
            import xlsxwriter
            final = out / f"{stem}.xlsx"
            tmp = out / f".{final.name}.partial"
            temps.append((tmp, final))
            book = xlsxwriter.Workbook(str(tmp), {"constant_memory": True, "strings_to_numbers": False,
                                                 "strings_to_formulas": False, "strings_to_urls": False})
            header = book.add_format({"bold": True})
            try:
                for name, schema, batches in tables():
                    sheets = _XlsxSheets(book, name, schema, header)
                    for batch in batches():
                        sheets.write(batch)
                        report(batch.num_rows, name)
            finally:
                book.close()
        else:
            writer_cls = _CsvWriter if fmt == "csv" else _ParquetWriter
            for name, schema, batches in tables():
                final = out / f"{stem}_{name}.{fmt}"
                tmp = out / f".{final.name}.partial"
                temps.append((tmp, final))
                w = writer_cls(tmp, schema)
                try:
                    for batch in batches():
                        w.write(batch)
                        report(batch.num_rows, name)
                finally:
                    w.close()
        for tmp, final in temps:
            os.replace(tmp, final)
    except BaseException:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)
        raise
    if progress is not None:
        progress(total, total, "done")
    return [final for _, final in temps]


def _all_events(conn, ids, by_seq: bool = False) -> Iterator[pa.RecordBatch]:
    for sid in ids:
        yield from _event_batches(conn, sid, by_seq)
