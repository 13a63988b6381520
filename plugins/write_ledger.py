"""The write ledger: how a shop adapter keeps "the same idempotency key never applies twice" when the
shop's own API has no idempotency key for the call (TikTok Shop's price update, Shopify's
productVariantsBulkUpdate, and most others).

One SQLite row per key, written BEFORE the request leaves (write-ahead), so the answer to "did this
key already go out?" survives a lost answer, a crash and a restart:

    pending     sent, outcome unknown (a timeout, an apply-then-error): a retry with the same key
                first reads the shop and only sends again if the change is not there
    done        applied and answered; a replay returns the recorded result without calling the shop
    superseded  was pending when a later write to the same target (e.g. the price of SKU1) landed:
                a late retry must not undo that later write, so it is answered as done
    mismatch    applied, but the shop reads back something else: replays raise the same refusal

A key used again for a different request (another SKU, another price) is refused: that is a bug in
the caller, never something to guess about. A request the shop definitely did not apply (a refusal,
throttling, a 503 before applying) removes its row, so the same key may be tried again.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from controlroom.platform import PlatformError

PENDING, DONE, SUPERSEDED, MISMATCH = "pending", "done", "superseded", "mismatch"


class KeyReused(PlatformError):
    """The same idempotency key came with a different request. Never retry: the caller must mint a key."""

    retryable = False


@dataclass(frozen=True)
class Entry:
    key: str
    fingerprint: str
    target: str
    state: str
    result: Any          # JSON value the adapter recorded (an id, an offer record), or None
    ref: str | None      # a lookup handle (an offer or coupon id) for `by_ref`
    seq: int


def fingerprint(*parts: Any) -> str:
    """A stable digest of what a request asks for (operation and arguments)."""
    raw = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


class WriteLedger:
    """Thread-safe; `path=None` keeps the ledger in memory (tests, a shop without a data folder)."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path is not None else None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(self.path) if self.path else ":memory:", check_same_thread=False,
                                   isolation_level=None)
        if self.path is not None:
            self._db.execute("PRAGMA journal_mode=WAL")
            # a key is only useful if it is on disk before the request leaves
            self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("""CREATE TABLE IF NOT EXISTS writes (
            key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, target TEXT NOT NULL, state TEXT NOT NULL,
            result TEXT, ref TEXT, seq INTEGER NOT NULL, at REAL NOT NULL)""")
        self._db.execute("CREATE INDEX IF NOT EXISTS writes_ref ON writes(ref)")
        self._db.execute("CREATE INDEX IF NOT EXISTS writes_target ON writes(target, state)")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @staticmethod
    def _entry(row) -> Entry:
        key, fp, target, state, result, ref, seq = row
        return Entry(key, fp, target, state, json.loads(result) if result is not None else None, ref, seq)

    _COLS = "key, fingerprint, target, state, result, ref, seq"

    def claim(self, key: str, fp: str, target: str) -> Entry | None:
        """Record `key` as pending before sending. Returns None for a new key (go ahead and send), or
        the existing entry (replay or check) — after refusing a key reused for another request."""
        with self._lock:
            row = self._db.execute(f"SELECT {self._COLS} FROM writes WHERE key=?", (key,)).fetchone()
            if row is not None:
                e = self._entry(row)
                if e.fingerprint != fp:
                    raise KeyReused(f"idempotency key {key!r} was already used for another request "
                                    f"({e.target}); a new request needs a new key")
                return e
            seq = (self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM writes").fetchone()[0]) + 1
            self._db.execute("INSERT INTO writes (key, fingerprint, target, state, result, ref, seq, at) "
                             "VALUES (?, ?, ?, ?, NULL, NULL, ?, ?)", (key, fp, target, PENDING, seq, time.time()))
            return None

    def settle(self, key: str, state: str, result: Any = None, ref: str | None = None) -> None:
        """Record the outcome. `done` supersedes older pending writes to the same target."""
        with self._lock:
            row = self._db.execute("SELECT target, seq FROM writes WHERE key=?", (key,)).fetchone()
            if row is None:
                return
            target, seq = row
            self._db.execute("UPDATE writes SET state=?, result=?, ref=COALESCE(?, ref), at=? WHERE key=?",
                             (state, json.dumps(result) if result is not None else None, ref, time.time(), key))
            if state == DONE:
                self._db.execute("UPDATE writes SET state=? WHERE target=? AND state=? AND seq<?",
                                 (SUPERSEDED, target, PENDING, seq))

    def update_result(self, key: str, result: Any) -> None:
        """Replace the recorded result (an offer record that changed state), keeping the state."""
        with self._lock:
            self._db.execute("UPDATE writes SET result=?, at=? WHERE key=?",
                             (json.dumps(result) if result is not None else None, time.time(), key))

    def release(self, key: str) -> None:
        """The shop definitely did not apply it: forget the key so it may be tried again."""
        with self._lock:
            self._db.execute("DELETE FROM writes WHERE key=? AND state=?", (key, PENDING))

    def get(self, key: str) -> Entry | None:
        with self._lock:
            row = self._db.execute(f"SELECT {self._COLS} FROM writes WHERE key=?", (key,)).fetchone()
        return self._entry(row) if row else None

    def with_target(self, prefix: str) -> list[Entry]:
        """Every entry whose target starts with `prefix` (e.g. all offers), oldest first."""
        with self._lock:
            rows = self._db.execute(f"SELECT {self._COLS} FROM writes WHERE substr(target, 1, ?)=? ORDER BY seq",
                                    (len(prefix), prefix)).fetchall()
        return [self._entry(r) for r in rows]

    def by_ref(self, ref: str) -> Entry | None:
        """The latest entry recorded with lookup handle `ref` (e.g. the write that created an offer)."""
        with self._lock:
            row = self._db.execute(f"SELECT {self._COLS} FROM writes WHERE ref=? ORDER BY seq DESC LIMIT 1",
                                   (ref,)).fetchone()
        return self._entry(row) if row else None


# ---- the write protocol every real-shop adapter follows ---------------------------------------------
class ReadbackMismatch(PlatformError):
    """The shop accepted a write but reads back something else (a lying or half-applied write). Not
    retryable: the console shows what the shop says and locks the SKU."""

    retryable = False

    def __init__(self, message: str, *, field: str = "", expected: Any = None, actual: Any = None):
        super().__init__(message)
        self.field, self.expected, self.actual = field, expected, actual


def maybe_applied(exc: BaseException) -> bool:
    """Whether a failed write may have reached the shop (no answer, or an error after applying)."""
    from controlroom.platform import PlatformTimeout
    return isinstance(exc, PlatformTimeout) or bool(getattr(exc, "maybe_applied", False))


def require_key(key: object, what: str) -> str:
    if not isinstance(key, str) or not key.strip():
        raise PlatformError(f"{what}: an idempotency key is required for every write")
    return key


def guarded_write(ledger: WriteLedger, *, key: str, fp: str, target: str, what: str,
                  send, landed=None) -> tuple[Any, bool]:
    """Run one write under the ledger's rules. `send()` performs it and returns a JSON-able result;
    `landed()` (optional) checks the shop for the effect of an earlier attempt whose outcome is
    unknown and returns its result, or None if it is not there. Returns (result, sent_now)."""
    require_key(key, what)
    entry = ledger.claim(key, fp, target)
    if entry is not None:
        if entry.state in (DONE, SUPERSEDED):
            return entry.result, False
        if entry.state == MISMATCH:
            raise ReadbackMismatch(str((entry.result or {}).get("message", f"{what}: read-back mismatch")))
        if landed is not None:      # PENDING: an earlier attempt may have been applied
            found = landed()
            if found is not None:
                ledger.settle(key, DONE, found, ref=found.get("ref") if isinstance(found, dict) else None)
                return found, False
    try:
        result = send()
    except PlatformError as e:
        if not maybe_applied(e):
            ledger.release(key)
        raise
    except Exception:
        # not a shop answer at all (a body we could not build): nothing left the adapter
        ledger.release(key)
        raise
    ledger.settle(key, DONE, result, ref=result.get("ref") if isinstance(result, dict) else None)
    return result, True
