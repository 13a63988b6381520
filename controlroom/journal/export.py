"""Export a session's full journal (or every session) to CSV, XLSX or Parquet.

One file (CSV, Parquet) or one sheet (XLSX) per table: sessions, events, samples. Every row and
field of the journal is exported as stored (utc as ISO-8601 UTC text, payload and meta as JSON
text), plus a `local_time` column (local wall time with its UTC offset). Secrets are masked again
on the way out, whatever the journal holds.

Speed (issue 2 targets: 1M events to CSV <= 4 s, to Parquet <= 1 s, 100k events to XLSX <= 8 s):
tables are read through ADBC (SQLite rows straight into Arrow batches in C, no Python object per
value), read ahead on a thread, converted with Arrow/numpy kernels and written batch by batch, so
memory stays flat. Local times are computed in numpy on the journal's fixed-width UTC text; the
redaction regex runs over runs of payloads and Python parses only the payloads that mention a
secret-looking key. XLSX sheets are built as XML with Arrow string kernels. Everything comes from
one read transaction (one snapshot), and files are written under a temporary name and renamed when
complete: a failed export leaves no half-written file.
"""
from __future__ import annotations

import json
import os
import queue
import threading
import tempfile
from collections.abc import Callable
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator
from xml.sax.saxutils import escape

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from controlroom.cells import PLAIN_NUMBER_RE, RISKY_START_RE
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
        try:
            Journal(path).close()
        except migrate.JournalError as e:
            raise ExportError(f"The journal {path} is from an older Control Room and must be upgraded before it "
                              f"can be exported, which needs it writable: {e}") from e
    return path


_END = object()


class _Reader:
    """One read-only ADBC connection to the journal: SQLite rows straight into Arrow in C, with no
    Python object per value. It runs in one transaction (ADBC's DB-API connections are not
    autocommit; SQLite takes the snapshot at the first read), so every table read through it comes
    from the same moment while the show keeps writing."""

    def __init__(self, path: Path):
        import adbc_driver_sqlite.dbapi as adbc
        self.path = path
        self.ranges: dict[tuple[str, int], tuple[int, int, int]] = {}
        self._active: tuple[threading.Event, threading.Thread] | None = None
        self._errors = (adbc.Error, OSError)
        # A journal in a read-only folder (a copy on a read-only share, a locked-down archive): SQLite
        # cannot make the -shm file WAL readers need. With no -wal file nobody can be writing it (a
        # writer would need one), so it is read as immutable: no -shm, no locking.
        immutable = not os.access(path.parent, os.W_OK) and not Path(f"{path}-wal").exists()
        self._conn = None
        try:
            self._conn = adbc.connect(f"{path.resolve().as_uri()}?mode=ro" + ("&immutable=1" if immutable else ""))
            self._cur = self._conn.cursor()
            self.rows("PRAGMA busy_timeout=5000")
            self.rows("SELECT count(*) FROM sqlite_master")  # SQLite opens lazily: fail here, with a reason
        except (ExportError, *self._errors) as e:
            if self._conn is not None:
                self._conn.close()
            if not os.access(path.parent, os.W_OK) and Path(f"{path}-wal").exists():
                raise ExportError(f"The journal {path} cannot be read where it is: its folder is read-only and it "
                                  f"still has a write-ahead log ({path.name}-wal, from a writer that was stopped "
                                  f"or crashed), which SQLite must open read-write. Copy the data dir somewhere "
                                  f"writable and export from the copy.") from e
            raise ExportError(f"The journal {path} cannot be opened for reading: {e}") from e

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        try:
            self._cur.execute(sql, params or None)
            return self._cur.fetchall()
        except self._errors as e:
            raise ExportError(f"Cannot read the journal {self.path}: {e}") from e

    def batches(self, sql: str, params: tuple, schema: pa.Schema) -> Iterator[pa.RecordBatch]:
        """Record batches of CHUNK rows with the given column types, read ahead on a thread (SQLite
        and the driver run without the GIL, so reading overlaps converting and writing). The
        driver infers each column's type from its first batch, so the queries never hand it a
        NULL (nullable text comes as COALESCE(col, '') plus a col IS NULL flag). Close the
        generator (or exhaust it) before the next query: closing stops and joins the reader."""
        ahead: queue.Queue = queue.Queue(maxsize=2)
        stop = threading.Event()

        def put(item) -> bool:
            while not stop.is_set():
                try:
                    ahead.put(item, timeout=0.05)
                    return True
                except queue.Full:
                    continue
            return False

        def read() -> None:
            try:
                self._cur.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": str(CHUNK)})
                self._cur.execute(sql, params)
                reader = self._cur.fetch_record_batch()
                try:
                    for batch in reader:
                        if batch.num_rows and not put(pa.RecordBatch.from_arrays(
                                [c if c.type == f.type else c.cast(f.type) for c, f in zip(batch.columns, schema)],
                                schema=schema)):
                            return
                finally:
                    reader.close()
                put(_END)
            except BaseException as e:  # handed to the consumer, raised there
                put(e)

        worker = threading.Thread(target=read, name="export-read", daemon=True)
        self._active = (stop, worker)
        worker.start()
        try:
            while (item := ahead.get()) is not _END:
                if isinstance(item, self._errors):
                    raise ExportError(f"Cannot read the journal {self.path}: {item}") from item
                if isinstance(item, (pa.ArrowInvalid, pa.ArrowNotImplementedError)):
                    raise ExportError(f"The journal {self.path} holds a value of an unexpected type: "
                                      f"{item}") from item
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()
            worker.join()
            self._active = None

    def close(self) -> None:
        if self._active is not None:  # a read-ahead whose generator was never closed
            stop, worker = self._active
            stop.set()
            worker.join()
        try:
            self._cur.close()
        finally:
            self._conn.close()  # a read-only transaction: closing rolls it back


# ---- column helpers ----------------------------------------------------------------------------
def _local_text(utc_text: str | None) -> str | None:
    if utc_text is None:
        return None
    return datetime.fromisoformat(utc_text).astimezone().isoformat(timespec="microseconds")


_SHAPE = b"0000-00-00T00:00:00.000000+00:00"   # what the journal writes (Journal._iso): 32 bytes
_WIDTH = len(_SHAPE)
_DIGIT_AT = np.array([i < 26 and c == ord("0") for i, c in enumerate(_SHAPE)])
# Whole-row checks on four 64-bit words: separators and "+00:00" exact, digits in '0'..'9' (high
# nibble 3, and a low nibble that does not carry past 9 when 6 is added).
_MASK = np.where(_DIGIT_AT, 0xF0, 0xFF).astype(np.uint8).view(np.uint64)
_WANT = np.where(_DIGIT_AT, 0x30, np.frombuffer(_SHAPE, np.uint8)).astype(np.uint8).view(np.uint64)
_LOW = np.where(_DIGIT_AT, 0x0F, 0).astype(np.uint8).view(np.uint64)
_SIX = np.where(_DIGIT_AT, 6, 0).astype(np.uint8).view(np.uint64)
_CARRY = np.where(_DIGIT_AT, 0x10, 0).astype(np.uint8).view(np.uint64)
_KEEP_MICRO = np.array([0xFF, 0xFF, 0, 0, 0, 0, 0, 0], np.uint8).view(np.uint64)[0]  # bytes 24, 25
_CELL = 3600        # the zone is asked once per hour of data; a transition is then bisected
_DENSE_CELLS = 4096


def _utc_offset(t: int) -> int:
    """The system zone's UTC offset in seconds at epoch second t, as datetime.astimezone() sees it."""
    return int(datetime.fromtimestamp(t, timezone.utc).astimezone().utcoffset().total_seconds())


def _offsets(secs: np.ndarray) -> np.ndarray:
    """Per instant, the local UTC offset (seconds): DST transitions found to the second."""
    cell = secs // _CELL
    lo, hi = int(cell.min()), int(cell.max())
    if hi - lo < _DENSE_CELLS:
        cells, inv = np.arange(lo, hi + 1), cell - lo
    else:
        cells, inv = np.unique(cell, return_inverse=True)
    known: dict[int, int] = {}

    def off(t: int) -> int:
        if t not in known:
            known[t] = _utc_offset(t)
        return known[t]

    before = np.empty(len(cells), np.int64)
    after = np.empty(len(cells), np.int64)
    switch = np.full(len(cells), np.iinfo(np.int64).max, np.int64)
    for k, c in enumerate(cells.tolist()):
        a, b = c * _CELL, (c + 1) * _CELL
        before[k], after[k] = off(a), off(b)
        if before[k] != after[k]:  # a transition inside this hour: bisect to its first second
            x, y = a, b
            while y - x > 1:
                mid = (x + y) // 2
                if off(mid) == before[k]:
                    x = mid
                else:
                    y = mid
            switch[k] = y
    return np.where(secs >= switch[inv], after[inv], before[inv])


def _num(d: np.ndarray, first: int, width: int) -> np.ndarray:
    value = np.zeros(len(d), np.int64)
    for k in range(first, first + width):
        value = value * 10 + (d[:, k].astype(np.int64) - 48)
    return value


def _fixed_local_time(utc: pa.Array) -> pa.Array | None:
    """local_time for the journal's own shape, in numpy on the fixed-width bytes; None when the
    input has another shape or needs what this path does not do (an offset with seconds, a DST
    transition inside a minute, a year outside 1..9999): the caller then goes row by row.

    Rows come in time order, so consecutive rows share their UTC minute: each run of one minute is
    converted once (date arithmetic, zone lookup), and every row gets its run's local minute and
    offset around its own unchanged seconds and microseconds."""
    n = len(utc)
    if utc.type != pa.string() or n == 0 or n * _WIDTH >= 2 ** 31:
        return None
    _, offs_buf, data_buf = utc.buffers()
    offs = np.frombuffer(offs_buf, np.int32, n + 1, utc.offset * 4)
    if offs[-1] - offs[0] != n * _WIDTH or not (np.diff(offs) == _WIDTH).all():
        return None
    raw = np.frombuffer(data_buf, np.uint8, n * _WIDTH, int(offs[0])).reshape(n, _WIDTH)
    words = raw.view(np.uint64)  # (n, 4)
    for j in range(_WIDTH // 8):  # column by column: long inner loops
        col = words[:, j]
        if not ((col & _MASK[j]) == _WANT[j]).all() or (((col & _LOW[j]) + _SIX[j]) & _CARRY[j]).any():
            return None
    if not (raw[:, 17] <= ord("5")).all():
        return None
    change = np.empty(n, bool)
    change[0] = True
    np.not_equal(words[1:, 0], words[:-1, 0], out=change[1:])
    change[1:] |= words[1:, 1] != words[:-1, 1]
    heads = raw[change]
    run = np.cumsum(change) - 1
    year, month, day = _num(heads, 0, 4), _num(heads, 5, 2), _num(heads, 8, 2)
    hour, minute = _num(heads, 11, 2), _num(heads, 14, 2)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(month, 0, 12)]
    if (year.min() < 1 or month.min() < 1 or month.max() > 12 or day.min() < 1 or hour.max() > 23
            or minute.max() > 59 or (day > month_days + (leap & (month == 2))).any()):
        return None
    # days from the civil date (H. Hinnant's algorithm; proleptic Gregorian, as Python's datetime)
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    secs = (era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468) * 86400 + hour * 3600 + minute * 60
    try:
        offset = _offsets(secs)
        if not (_offsets(secs + 59) == offset).all() or (offset % 60).any():
            return None
    except (OverflowError, OSError, ValueError):
        return None
    days, sod = np.divmod(secs + offset, 86400)
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    year = yoe + era * 400 + (month <= 2)
    if year.min() < 1 or year.max() > 9999:
        return None
    hour, minute = sod // 3600, sod % 3600 // 60
    off_h, off_m = np.divmod(np.abs(offset) // 60, 60)
    head = np.empty((len(heads), _WIDTH), np.uint8)
    head[:] = np.frombuffer(_SHAPE, np.uint8)
    head[:, 26] = np.where(offset < 0, ord("-"), ord("+"))
    for col, value, width in ((0, year, 4), (5, month, 2), (8, day, 2), (11, hour, 2), (14, minute, 2),
                              (27, off_h, 2), (30, off_m, 2)):
        for k in range(width):
            head[:, col + width - 1 - k] = value // 10 ** k % 10 + 48
    head_words = head.view(np.uint64)
    out = np.empty((n, 4), np.uint64)
    out[:, 0] = head_words[:, 0][run]         # local "YYYY-MM-DDTHH:MM"
    out[:, 1] = head_words[:, 1][run]
    out[:, 2] = words[:, 2]                   # ":SS.ffff" unchanged
    out[:, 3] = (words[:, 3] & _KEEP_MICRO) | (head_words[:, 3] & ~_KEEP_MICRO)[run]  # "ff" + offset
    return pa.Array.from_buffers(pa.string(), n, [
        None, pa.py_buffer(np.arange(0, (n + 1) * _WIDTH, _WIDTH, dtype=np.int32)), pa.py_buffer(out)])


def local_time(utc: pa.Array) -> pa.Array:
    """ISO UTC text -> local wall time with offset, DST-correct (the system's time zone), as
    datetime.fromisoformat(u).astimezone().isoformat(timespec="microseconds") would give.

    The journal writes one fixed shape (2026-11-22T12:00:00.000000+00:00): those are converted in
    numpy on the fixed-width bytes (the zone is asked once per hour of data, DST transitions
    bisected to the second); any other shape goes through Python row by row."""
    if isinstance(utc, pa.ChunkedArray):
        return pa.chunked_array([local_time(c) for c in utc.chunks], pa.string())
    if len(utc) == 0:
        return pa.array([], pa.string())
    if utc.type == pa.large_string():
        utc = utc.cast(pa.string())
    if utc.null_count:
        fast = _fixed_local_time(pc.fill_null(utc, "2000-01-01T00:00:00.000000+00:00"))
        if fast is not None:
            return pc.if_else(pc.is_valid(utc), fast, pa.scalar(None, pa.string()))
    else:
        fast = _fixed_local_time(utc)
        if fast is not None:
            return fast
    return pa.array([_local_text(u) for u in utc.to_pylist()], pa.string())


def _may_hold_secret(texts: pa.Array, rows_per_probe: int = 64) -> bool:
    """Whether any text may name a secret key: the regex runs over runs of rows_per_probe adjacent
    texts as one string each (the same bytes, a fiftieth of the calls). A run without a match
    cannot hold a row with one; a match only sends the column to the row-by-row check."""
    if texts.type != pa.string():
        return True
    _, offs_buf, data_buf = texts.buffers()
    n = len(texts)
    offs = np.frombuffer(offs_buf, np.int32, n + 1, texts.offset * 4)
    cuts = offs[::rows_per_probe]
    if cuts[-1] != offs[-1]:
        cuts = np.append(cuts, offs[-1])
    runs = pa.Array.from_buffers(pa.string(), len(cuts) - 1, [None, pa.py_buffer(cuts.astype(np.int32)), data_buf])
    return pc.any(pc.match_substring_regex(runs, _SECRET_IN_JSON, ignore_case=True)).as_py() is True


def redact_json_column(texts: pa.Array) -> pa.Array:
    """Mask secret-looking keys in JSON text again; untouched text stays byte-identical."""
    if len(texts) == 0 or not _may_hold_secret(texts):
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




class _OutOfOrder(Exception):
    """Rowid order did not follow seq order (never written so by this journal): read by seq."""


def _nullable_text(col: str) -> str:
    return f"COALESCE({col}, ''), {col} IS NULL"


def _unflag(text: pa.Array, is_null: pa.Array) -> pa.Array:
    is_null = is_null.cast(pa.bool_())
    if not pc.any(is_null).as_py():
        return text
    return pc.if_else(is_null, pa.scalar(None, pa.string()), text)


def _sessions_batch(db: _Reader, ids: list[int]) -> pa.RecordBatch:
    marks = ",".join("?" * len(ids))
    rows = db.rows(f"SELECT id, title, created_utc, {_nullable_text('started_utc')}, "
                   f"{_nullable_text('ended_utc')}, meta FROM sessions WHERE id IN ({marks}) ORDER BY id",
                   tuple(ids))
    cols = list(zip(*rows)) if rows else [()] * 8
    meta = [json.dumps(redact(json.loads(m or "{}")), ensure_ascii=False) for m in cols[7]]
    arrays = [pa.array(cols[0], pa.int64()), pa.array(cols[1], pa.string())]
    for text, null in ((cols[2], None), (cols[3], cols[4]), (cols[5], cols[6])):
        arr = pa.array([None if null and null[i] else t for i, t in enumerate(text)], pa.string())
        arrays += [arr, local_time(arr)]
    arrays.append(pa.array(meta, pa.string()))
    return pa.RecordBatch.from_arrays(arrays, schema=SESSION_SCHEMA)


def _id_range(db: _Reader, table: str, sid: int) -> tuple[int, int, int]:
    """(lowest id, highest id, row count) of one session in a table; asked once per snapshot."""
    key = (table, sid)
    if key not in db.ranges:
        n = db.rows(f"SELECT count(*) FROM {table} WHERE session_id = ?", (sid,))[0][0]
        if n and n == db.rows(f"SELECT count(*) FROM {table}")[0][0]:  # the only session here:
            query, params = f"SELECT min(id), max(id) FROM {table}", ()   # the rowid ends, O(log n)
        else:
            query, params = f"SELECT min(id), max(id) FROM {table} WHERE session_id = ?", (sid,)
        lo, hi = db.rows(query, params)[0]
        db.ranges[key] = ((lo or 0), (hi if hi is not None else -1), n)
    return db.ranges[key]


def _range_where(db: _Reader, table: str, sid: int) -> tuple[str, tuple]:
    """Rows of one session as a rowid range scan, much faster than walking the session index (the
    unary + keeps the planner off it). When the session owns every id in its range (one show at a
    time, the usual case) the session_id test is left out altogether."""
    lo, hi, n = _id_range(db, table, sid)
    if hi - lo + 1 == n:
        return "id BETWEEN ? AND ?", (lo, hi)
    return "+session_id = ? AND id BETWEEN ? AND ?", (sid, lo, hi)


_EVENT_READ = pa.schema([f for f in EVENT_SCHEMA if f.name not in ("session_id", "local_time")])
_SAMPLE_READ = pa.schema([("utc", pa.string()), ("mono", pa.float64()), ("metric", pa.string()),
                          ("sku", pa.string()), ("sku_null", pa.int64()), ("value", pa.int64())])


def _event_batches(db: _Reader, sid: int, by_seq: bool) -> Iterator[pa.RecordBatch]:
    cols = "seq, utc, mono, kind, actor, payload"
    if by_seq:
        batches = db.batches(f"SELECT {cols} FROM events WHERE session_id = ? ORDER BY seq", (sid,), _EVENT_READ)
    else:
        # Within a session rowid order is seq order (seq is taken in the inserting transaction and
        # rows are never updated or deleted); it is still checked below.
        where, params = _range_where(db, "events", sid)
        batches = db.batches(f"SELECT {cols} FROM events WHERE {where} ORDER BY id", params, _EVENT_READ)
    with closing(batches):
        yield from _events_out(sid, batches, by_seq)


def _events_out(sid: int, batches: Iterator[pa.RecordBatch], by_seq: bool) -> Iterator[pa.RecordBatch]:
    last = 0
    for batch in batches:
        seq_a, utc_a, mono_a, kind_a, actor_a, payload_a = batch.columns
        n = batch.num_rows
        if not by_seq:
            seq = seq_a.to_numpy()
            if seq[0] <= last or (n > 1 and not (seq[1:] > seq[:-1]).all()):
                raise _OutOfOrder()
            last = int(seq[-1])
        yield pa.RecordBatch.from_arrays([
            pa.array(np.full(n, sid, dtype=np.int64)), seq_a, utc_a, local_time(utc_a),
            mono_a, kind_a, actor_a, redact_json_column(payload_a)], schema=EVENT_SCHEMA)


def _sample_batches(db: _Reader, sid: int) -> Iterator[pa.RecordBatch]:
    where, params = _range_where(db, "samples", sid)
    with closing(db.batches(f"SELECT utc, mono, metric, {_nullable_text('sku')}, value FROM samples "
                            f"WHERE {where} ORDER BY id", params, _SAMPLE_READ)) as batches:
        for batch in batches:
            utc_a, mono_a, metric_a, sku_a, sku_null, value_a = batch.columns
            yield pa.RecordBatch.from_arrays([
                pa.array(np.full(batch.num_rows, sid, dtype=np.int64)), utc_a, local_time(utc_a),
                mono_a, metric_a, _unflag(sku_a, sku_null), value_a], schema=SAMPLE_SCHEMA)


# ---- writers ----------------------------------------------------------------------------------
def formula_mask(text: pa.Array) -> pa.Array | None:
    """Which texts a spreadsheet would run as formulas (controlroom.cells: starts with = + - @ tab
    CR and is not a plain number); None when none does (the usual case: one anchored regex pass)."""
    if len(text) == 0:
        return None
    start = pc.fill_null(pc.match_substring_regex(text, RISKY_START_RE), False)
    if not pc.any(start).as_py():
        return None
    risky = pc.and_(start, pc.invert(pc.fill_null(pc.match_substring_regex(text, PLAIN_NUMBER_RE), False)))
    return risky if pc.any(risky).as_py() else None


def csv_safe_batch(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Text cells that would run as formulas get a leading apostrophe; numbers stay numbers."""
    cols = list(batch.columns)
    changed = False
    for i, (field, col) in enumerate(zip(batch.schema, cols)):
        if not pa.types.is_string(field.type):
            continue
        risky = formula_mask(col)
        if risky is not None:
            cols[i] = pc.if_else(risky, pc.binary_join_element_wise("'", col, ""), col)
            changed = True
    return pa.RecordBatch.from_arrays(cols, schema=batch.schema) if changed else batch


class _CsvWriter:
    def __init__(self, path: Path, schema: pa.Schema):
        import pyarrow.csv as pcsv
        self._fh = open(path, "wb")
        self._fh.write(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel/WPS then show Chinese text correctly
        self._w = pcsv.CSVWriter(self._fh, schema, write_options=pcsv.WriteOptions(quoting_style="needed"))

    def write(self, batch: pa.RecordBatch) -> None:
        self._w.write_batch(csv_safe_batch(batch))

    def close(self) -> None:
        self._w.close()
        self._fh.close()


class _ParquetWriter:
    def __init__(self, path: Path, schema: pa.Schema):
        import pyarrow.parquet as pq
        # Dictionary pages only where values repeat (kind, actor, metric, sku): on timestamps and
        # payloads they are built and then thrown away. No min/max statistics on free text.
        repeat = [n for n in ("kind", "actor", "metric", "sku", "title") if n in schema.names]
        free = {"payload", "meta", "local_time", "created_local", "started_local", "ended_local"}
        self._w = pq.ParquetWriter(str(path), schema, compression="snappy", use_dictionary=repeat,
                                   write_statistics=[n for n in schema.names if n not in free])

    def write(self, batch: pa.RecordBatch) -> None:
        self._w.write_batch(batch)

    def close(self) -> None:
        self._w.close()


_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_NS_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_PKG = "application/vnd.openxmlformats-"
_STYLES = (_XML + f'<styleSheet {_NS}>'
           '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
           '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
           '<fills count="2"><fill><patternFill patternType="none"/></fill>'
           '<fill><patternFill patternType="gray125"/></fill></fills>'
           '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
           '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
           '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
           '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
           # 2: text that looks like a formula, shown and kept as text (Excel's leading-apostrophe style)
           '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/></cellXfs>'
           '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')
# Text Excel would misread: XML 1.0 control characters, and literal _xHHHH_ (Excel's own escape).
_XLSX_ODD_TEXT = r"[\x00-\x08\x0b\x0c\x0e-\x1f]|_[xX][0-9A-Fa-f]{4}_"
_TRUNCATED = " …[cut at Excel's cell limit; see CSV/Parquet]"


def _column_letters(c: int) -> str:
    letters = ""
    c += 1
    while c:
        c, r = divmod(c - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def _xml_text(text: pa.Array) -> pa.Array:
    # a raw CR would come back as a line feed (XML end-of-line handling); a character reference stays a CR
    for raw, escaped in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\r", "&#13;")):
        text = pc.replace_substring(text, raw, escaped)
    return text


def _excel_text(value: str) -> str:
    """One odd cell the way Excel reads it back: control characters as _xHHHH_, a literal
    _xHHHH_ protected by _x005F, too long text cut (Excel's 32,767-character cell limit)."""
    import re
    if len(value) > XLSX_MAX_CELL_CHARS:
        value = value[:XLSX_MAX_CELL_CHARS - 48] + _TRUNCATED
    value = re.sub(r"(_[xX][0-9A-Fa-f]{4}_)", r"_x005F\1", value)
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", lambda m: f"_x{ord(m.group()):04X}_", value)


class _XlsxBook:
    """A minimal Office Open XML workbook (what Excel, WPS, LibreOffice and openpyxl read), its
    sheets' XML built with Arrow string kernels a whole batch at a time and streamed into the zip:
    a generic cell-by-cell writer costs ~10 µs of Python per cell. Inline strings, one bold header
    row frozen, column widths; nothing else."""

    def __init__(self, path: Path):
        import zipfile
        self._zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
        self._names: list[str] = []
        self._fh = None

    def add_sheet(self, name: str, schema: pa.Schema, widths: dict[str, int], rows: int) -> None:
        self._end_sheet()
        self._names.append(name)
        self._fh = self._zip.open(f"xl/worksheets/sheet{len(self._names)}.xml", "w", force_zip64=True)
        cols = "".join(f'<col min="{c + 1}" max="{c + 1}" width="{widths.get(f.name, 12)}" customWidth="1"/>'
                       for c, f in enumerate(schema))
        header = "".join(f'<c r="{_column_letters(c)}1" s="1" t="inlineStr"><is><t>{escape(f.name)}</t></is></c>'
                         for c, f in enumerate(schema))
        selected = ' tabSelected="1"' if len(self._names) == 1 else ""
        self._fh.write((f'{_XML}<worksheet {_NS} {_NS_R}>'
                        f'<dimension ref="A1:{_column_letters(len(schema) - 1)}{rows + 1}"/><sheetViews><sheetView{selected} workbookViewId="0">'
                        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                        '<selection pane="bottomLeft"/></sheetView></sheetViews>'
                        f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>'
                        f'<row r="1">{header}</row>').encode())

    def write_rows(self, batch: pa.RecordBatch, first_row: int) -> int:
        """Rows first_row.. (1-based sheet rows); returns how many texts were cut to fit a cell."""
        n = batch.num_rows
        rows = pa.array(np.arange(first_row, first_row + n, dtype=np.int64)).cast(pa.string())
        cut = 0
        cells = []
        for c, (field, col) in enumerate(zip(batch.schema, batch.columns)):
            letter = _column_letters(c)
            text = None
            number = None
            risky = None
            if pa.types.is_integer(field.type) or pa.types.is_floating(field.type):
                digits = col.cast(pa.string())
                if pa.types.is_integer(field.type):  # past 2**53 an Excel double would round it
                    as_text = pc.greater_equal(pc.abs(col.cast(pa.int64())), 2 ** 53)
                else:  # nan, inf: not numbers Excel stores
                    as_text = pc.invert(pc.is_finite(col))
                as_text = pc.fill_null(as_text, False)
                number = pc.if_else(as_text, pa.scalar(None, pa.string()), digits)
                if pc.any(as_text).as_py():
                    text = pc.if_else(as_text, digits, pa.scalar(None, pa.string()))
            else:
                text = col.cast(pa.string())
                risky = formula_mask(text)  # on the text as stored, before Excel's escapes change its start
                odd = pc.fill_null(pc.or_(pc.match_substring_regex(text, _XLSX_ODD_TEXT),
                                          pc.greater(pc.utf8_length(text), XLSX_MAX_CELL_CHARS)), False)
                if pc.any(odd).as_py():
                    fixed = [_excel_text(v) for v in pc.filter(text, odd).to_pylist()]
                    cut += sum(v.endswith(_TRUNCATED) for v in fixed)
                    text = pc.replace_with_mask(text, odd, pa.array(fixed, pa.string()))
                text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)  # no empty cells
            parts = []
            if number is not None:
                parts.append(pc.binary_join_element_wise(f'<c r="{letter}', rows, '"><v>', number, "</v></c>", ""))
            if text is not None:
                opening = '" t="inlineStr"><is><t xml:space="preserve">'
                if risky is not None:  # a string cell in any case; the quote-prefix style keeps it text when edited
                    opening = pc.if_else(risky, '" s="2" t="inlineStr"><is><t xml:space="preserve">', opening)
                parts.append(pc.binary_join_element_wise(
                    f'<c r="{letter}', rows, opening, _xml_text(text), "</t></is></c>", ""))
            cell = parts[0] if len(parts) == 1 else pc.coalesce(*parts)
            cells.append(pc.fill_null(cell, ""))
        xml = pc.binary_join_element_wise('<row r="', rows, '">', *cells, "</row>", "")
        _, offs_buf, data_buf = xml.buffers()
        offs = np.frombuffer(offs_buf, np.int32, n + 1, xml.offset * 4)
        self._fh.write(memoryview(data_buf)[int(offs[0]):int(offs[-1])])
        return cut

    def _end_sheet(self) -> None:
        if self._fh is not None:
            self._fh.write(b"</sheetData></worksheet>")
            self._fh.close()
            self._fh = None

    def close(self) -> None:
        self._end_sheet()
        n = len(self._names)
        sheets = "".join(f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>'
                         for i, name in enumerate(self._names, 1))
        rels = "".join(f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                       f'relationships/worksheet" Target="worksheets/sheet{i}.xml"/>' for i in range(1, n + 1))
        overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
                            f'ContentType="{_PKG}officedocument.spreadsheetml.worksheet+xml"/>'
                            for i in range(1, n + 1))
        z = self._zip
        z.writestr("[Content_Types].xml", _XML + (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="{_PKG}package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_PKG}officedocument.spreadsheetml.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_PKG}officedocument.spreadsheetml.styles+xml"/>'
            f'{overrides}</Types>'))
        z.writestr("_rels/.rels", _XML + (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        z.writestr("xl/workbook.xml", _XML + (
            f'<workbook {_NS} {_NS_R}><bookViews><workbookView/></bookViews><sheets>{sheets}</sheets></workbook>'))
        z.writestr("xl/_rels/workbook.xml.rels", _XML + (
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}'
            f'<Relationship Id="rId{n + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/styles" Target="styles.xml"/></Relationships>'))
        z.writestr("xl/styles.xml", _STYLES)
        z.close()

    def abandon(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        self._zip.close()


class _XlsxSheets:
    """Writes one table into a workbook, continuing on table_2, table_3 … past Excel's row limit."""

    WIDTHS = {"utc": 33, "local_time": 33, "created_utc": 33, "started_utc": 33, "ended_utc": 33,
              "created_local": 33, "started_local": 33, "ended_local": 33, "kind": 26, "payload": 60,
              "meta": 60, "title": 30, "metric": 18, "mono": 16}

    def __init__(self, book: _XlsxBook, name: str, schema: pa.Schema, rows: int):
        self.book, self.name, self.schema = book, name, schema
        self.left = rows  # data rows still to come: each sheet's extent is declared up front
        self.sheets = 0
        self.truncated = 0
        self._new_sheet()

    def _new_sheet(self) -> None:
        self.sheets += 1
        rows = min(self.left, XLSX_MAX_ROWS - 1)
        self.left -= rows
        self.book.add_sheet(self.name if self.sheets == 1 else f"{self.name}_{self.sheets}", self.schema,
                            self.WIDTHS, rows)
        self.row = 1  # rows written on this sheet, the header included

    def write(self, batch: pa.RecordBatch) -> None:
        n = batch.num_rows
        start = 0
        while start < n:
            room = XLSX_MAX_ROWS - self.row
            if room == 0:
                self._new_sheet()
                continue
            take = min(room, n - start)
            self.truncated += self.book.write_rows(batch.slice(start, take), self.row + 1)
            self.row += take
            start += take


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

    db = _Reader(path)
    try:
        all_ids = [r[0] for r in db.rows("SELECT id FROM sessions ORDER BY id")]
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
            counts["events"] += _id_range(db, "events", sid)[2]
            counts["samples"] += _id_range(db, "samples", sid)[2]
        total = sum(counts.values())
        stem = f"session-{ids[0]}" if session_id is not None else "journal"
        try:
            return _write_all(db, ids, fmt, out, stem, total, progress, by_seq=False)
        except _OutOfOrder:
            return _write_all(db, ids, fmt, out, stem, total, progress, by_seq=True)
    finally:
        db.close()


def _write_all(db: _Reader, ids, fmt, out: Path, stem: str, total: int, progress: Progress | None,
               by_seq: bool) -> list[Path]:
    done = 0

    def report(n: int, stage: str) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, total, stage)

    def tables():
        yield "sessions", SESSION_SCHEMA, lambda: iter([_sessions_batch(db, ids)])
        yield "events", EVENT_SCHEMA, lambda: _all_events(db, ids, by_seq)
        yield "samples", SAMPLE_SCHEMA, lambda: (b for sid in ids for b in _sample_batches(db, sid))

    temps: list[tuple[Path, Path]] = []
    try:
        if fmt == "xlsx":
            final = out / f"{stem}.xlsx"
            tmp = out / f".{final.name}.partial"
            temps.append((tmp, final))
            book = _XlsxBook(tmp)
            try:
                for name, schema, batches in tables():
                    rows = len(ids) if name == "sessions" else sum(_id_range(db, name, sid)[2] for sid in ids)
                    sheets = _XlsxSheets(book, name, schema, rows)
                    for batch in batches():
                        sheets.write(batch)
                        report(batch.num_rows, name)
            except BaseException:
                book.abandon()
                raise
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


def _all_events(db: _Reader, ids, by_seq: bool = False) -> Iterator[pa.RecordBatch]:
    for sid in ids:
        yield from _event_batches(db, sid, by_seq)
