"""The idempotency ledger: the same key never applies twice, also across a restart.

Real shop APIs mostly take no idempotency key (抖店's sku.editPrice, 微信小店's product/auditfree and
coupon/create have none), so the adapter keeps its own: a small SQLite file in the data directory,
one row per key, written BEFORE the request leaves and marked done after the shop answered.

    entry = ledger.claim(key, "set_price", ("SKU1", 2990), target=("SKU1", "price"))
    entry.state == "new"         never seen: send it
    entry.state == "pending"     an earlier attempt may or may not have landed (a timeout, a 5xx, a crash):
                                 reconcile first (read the shop; find the coupon by its marker), send only
                                 if it did not land
    entry.state == "done"        answered before: return entry.result, send nothing
    entry.state == "superseded"  it was pending when a newer key on the same target completed: send
                                 nothing (raise Superseded) — sending it late would undo the newer write

A target names what a write sets (SKU + field; list and unlist share the field "listed"). Only writes
that set a value have one; creates (a coupon, an activity) do not and are never superseded. "Newer" is
the order keys were first claimed in (`seq`), which survives a restart like everything else here.

The same key for a different request (another operation or other arguments) is refused with
KeyReused, never applied. Rows older than `keep_days` are dropped when the ledger opens.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from controlroom.platform import PlatformError

FILENAME = "shop_ledger.sqlite"


class KeyReused(PlatformError):
    """An idempotency key already used for a different request. Never retryable."""


class Superseded(PlatformError):
    """A key left pending (its answer lost) whose target a newer write has set since: not sent, nothing
    applied (retryable and may_have_applied both False), so the console records the older command as
    not applied — which is what the shop shows."""


@dataclass
class Entry:
    key: str
    op: str
    state: str                      # "new" | "pending" | "done" | "superseded"
    result: Any = None              # for "superseded": the key that superseded it
    attempts: int = 0               # sends before this call
    notes: dict[str, Any] = field(default_factory=dict)
    target: str | None = None
    seq: int = 0


def target_of(target: tuple[str, str] | None) -> str | None:
    """(SKU, field) as stored: one text column, so a lookup is one equality."""
    if target is None:
        return None
    sku, what = target
    return json.dumps([sku, what], ensure_ascii=False, separators=(",", ":"))


def fingerprint(op: str, args: Any) -> str:
    text = json.dumps([op, args], sort_keys=True, ensure_ascii=False, default=repr, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class IdempotencyLedger:
    def __init__(self, path: str | Path | None, scope: str, *, keep_days: float = 14.0):
        """`path` None keeps the ledger in memory (one process); `scope` separates shops and apps that
        share one data directory (e.g. "douyin:<app_key>:<shop_id>")."""
        self.scope = scope
        self._lock = threading.Lock()
        target = ":memory:" if path is None else str(path)
        if path is not None:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL" if path is not None else "PRAGMA journal_mode=MEMORY")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("""CREATE TABLE IF NOT EXISTS writes (
            scope TEXT NOT NULL, key TEXT NOT NULL, op TEXT NOT NULL, fp TEXT NOT NULL,
            state TEXT NOT NULL, result TEXT, attempts INTEGER NOT NULL DEFAULT 0, notes TEXT NOT NULL DEFAULT '{}',
            created REAL NOT NULL, PRIMARY KEY (scope, key))""")
        # target and seq came later (superseding); a ledger file written before them gets the columns,
        # its rows no target (never superseded, never superseding — as they behaved when written)
        have = {row[1] for row in self._db.execute("PRAGMA table_info(writes)")}
        if "target" not in have:
            self._db.execute("ALTER TABLE writes ADD COLUMN target TEXT")
        if "seq" not in have:
            self._db.execute("ALTER TABLE writes ADD COLUMN seq INTEGER NOT NULL DEFAULT 0")
        self._db.execute("CREATE INDEX IF NOT EXISTS writes_target ON writes (scope, target, state)")
        self._db.execute("""CREATE TABLE IF NOT EXISTS records (
            scope TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL, created REAL NOT NULL,
            PRIMARY KEY (scope, kind, id))""")
        cutoff = time.time() - keep_days * 86400
        with self._lock:
            self._db.execute("DELETE FROM writes WHERE created < ?", (cutoff,))
            self._db.execute("DELETE FROM records WHERE created < ?", (cutoff,))

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # ---- writes ------------------------------------------------------------------------------
    def claim(self, key: str, op: str, args: Any, target: tuple[str, str] | None = None) -> Entry:
        """The key's entry; inserts it as pending when new. Raises KeyReused for another request.
        `target` (SKU, field) is what the write sets, for superseding (see the module's docstring)."""
        fp = fingerprint(op, args)
        tgt = target_of(target)
        with self._lock:
            row = self._db.execute("SELECT op, fp, state, result, attempts, notes, target, seq FROM writes "
                                   "WHERE scope = ? AND key = ?", (self.scope, key)).fetchone()
            if row is None:
                seq = self._db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM writes WHERE scope = ?",
                                       (self.scope,)).fetchone()[0]
                self._db.execute("INSERT INTO writes (scope, key, op, fp, state, created, target, seq) "
                                 "VALUES (?,?,?,?,?,?,?,?)",
                                 (self.scope, key, op, fp, "pending", time.time(), tgt, seq))
                return Entry(key, op, "new", target=tgt, seq=seq)
        first_op, first_fp, state, result, attempts, notes, first_tgt, seq = row
        if (first_op, first_fp) != (op, fp):
            raise KeyReused(f"{op}: idempotency key {key!r} was already used for a different request "
                            f"({first_op}); a new action needs a new key")
        return Entry(key, op, state, json.loads(result) if result is not None else None, attempts,
                     json.loads(notes), first_tgt, seq)

    def attempt(self, entry: Entry, **notes: Any) -> None:
        """About to send: count the attempt and keep what reconciling it later will need."""
        entry.notes.update(notes)
        entry.attempts += 1
        with self._lock:
            self._db.execute("UPDATE writes SET attempts = ?, notes = ? WHERE scope = ? AND key = ?",
                             (entry.attempts, json.dumps(entry.notes, ensure_ascii=False), self.scope, entry.key))

    def done(self, entry: Entry, result: Any = None) -> Any:
        """The write took effect. Older keys still pending on the same target are superseded in the same
        transaction: from now on the shop holds this write's value, and theirs must not come back."""
        entry.state, entry.result = "done", result
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute("UPDATE writes SET state = 'done', result = ? WHERE scope = ? AND key = ?",
                                 (json.dumps(result, ensure_ascii=False), self.scope, entry.key))
                if entry.target is not None:
                    self._db.execute("UPDATE writes SET state = 'superseded', result = ? WHERE scope = ? "
                                     "AND target = ? AND state = 'pending' AND seq < ?",
                                     (json.dumps(entry.key, ensure_ascii=False), self.scope, entry.target,
                                      entry.seq))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return result

    # ---- records (offers an adapter runs itself, markers) ---------------------------------------
    def put(self, kind: str, rid: str, data: dict[str, Any]) -> None:
        with self._lock:
            self._db.execute("INSERT INTO records (scope, kind, id, data, created) VALUES (?,?,?,?,?) "
                             "ON CONFLICT(scope, kind, id) DO UPDATE SET data = excluded.data",
                             (self.scope, kind, rid, json.dumps(data, ensure_ascii=False), time.time()))

    def get(self, kind: str, rid: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute("SELECT data FROM records WHERE scope = ? AND kind = ? AND id = ?",
                                   (self.scope, kind, rid)).fetchone()
        return json.loads(row[0]) if row else None

    def all(self, kind: str) -> dict[str, dict[str, Any]]:
        with self._lock:
            rows = self._db.execute("SELECT id, data FROM records WHERE scope = ? AND kind = ?",
                                    (self.scope, kind)).fetchall()
        return {rid: json.loads(data) for rid, data in rows}


def marker(key: str, length: int = 12) -> str:
    """A short, stable tag derived from an idempotency key, for shops whose create calls take a free
    text field (a coupon's notes) we can search for when reconciling an unanswered create."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:length]
