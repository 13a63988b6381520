"""The journal: append and ordering, durability settings, redaction, sessions, samples, threads."""
from __future__ import annotations

import sqlite3
import threading

import pytest

from controlroom.bus import EventBus
from controlroom.clock import ManualClock
from controlroom.journal import Journal, Sample


@pytest.fixture
def journal(tmp_path):
    j = Journal(tmp_path / "journal.sqlite", ManualClock(), EventBus())
    yield j
    j.close()


def test_append_orders_events_per_session_with_gapless_seq(journal):
    a = journal.new_session("Show A")
    b = journal.new_session("Show B")
    journal.start_session(a)
    for i in range(5):
        journal.clock.advance(1.5)
        journal.append(a, "console.price_set", "operator", {"sku": "A1", "price_fen": 9900 + i})
        journal.append(b, "rundown.segment_started", "runner", {"segment": i})
    ev_a = journal.events(a)
    ev_b = journal.events(b)
    assert [e.seq for e in ev_a] == list(range(1, len(ev_a) + 1))
    assert [e.seq for e in ev_b] == list(range(1, len(ev_b) + 1))
    assert [e.kind for e in ev_a[:2]] == ["session.created", "session.started"]
    assert [e.payload["price_fen"] for e in ev_a if e.kind == "console.price_set"] == [9900, 9901, 9902, 9903, 9904]
    monos = [e.mono for e in ev_a]
    assert monos == sorted(monos)
    assert all(e.utc.tzinfo is not None and e.utc.utcoffset().total_seconds() == 0 for e in ev_a)
    assert ev_a[-1].utc > ev_a[1].utc
    # filters used by rooms replaying their own events
    assert [e.kind for e in journal.events(a, prefix="session.")] == ["session.created", "session.started"]
    assert len(journal.events(a, kinds=["console.price_set"], after_seq=4)) == 3
    assert journal.events(a, kinds=[]) == []
    assert journal.last_seq(a) == ev_a[-1].seq


def test_append_returns_the_event_as_replayed_and_publishes_it(journal):
    seen = []
    journal.bus.subscribe(lambda topic, ev: seen.append((topic, ev)), "journal.")
    sid = journal.new_session("Show")
    ev = journal.append(sid, "cue.sent", "producer", {"text": "上链接 3号", "n": 2, "nested": {"x": [1, 2]}})
    assert journal.events(sid)[-1] == ev
    assert seen[-1] == ("journal.cue.sent", ev)
    assert [t for t, _ in seen] == ["journal.session.created", "journal.cue.sent"]


def test_durable_settings_wal_and_full_sync(journal):
    assert journal._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert journal._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    sid = journal.new_session("Show")
    journal.append(sid, "metrics.tick", "metrics", {"v": 1}, durable=False)
    assert journal._db.execute("PRAGMA synchronous").fetchone()[0] == 2
    # committed and visible to another connection as soon as append returns
    with sqlite3.connect(journal.path) as other:
        assert other.execute("SELECT count(*) FROM events WHERE session_id=?", (sid,)).fetchone()[0] == 2


def test_secrets_are_masked_in_payloads_and_meta(journal):
    sid = journal.new_session("Show", {"obs": {"host": "127.0.0.1", "password": "hunter2"}, "api_key": "K-123"})
    journal.update_meta(sid, webhook_token="tok-999", target_gmv_fen=1_000_000)
    ev = journal.append(sid, "stream.connected", "guard", {"auth": "Bearer abc", "items": [{"secret": "s3"}]})
    assert ev.payload == {"auth": "***", "items": [{"secret": "***"}]}
    meta = journal.session(sid).meta
    assert meta == {"obs": {"host": "127.0.0.1", "password": "***"}, "api_key": "***",
                    "webhook_token": "***", "target_gmv_fen": 1_000_000}
    raw = journal.path.read_bytes() + (journal.path.with_name(journal.path.name + "-wal").read_bytes())
    for secret in (b"hunter2", b"K-123", b"tok-999", b"Bearer abc", b"s3\""):
        assert secret not in raw


def test_bad_input_is_refused_and_nothing_written(journal):
    sid = journal.new_session("Show")
    before = journal.last_seq(sid)
    with pytest.raises(KeyError, match="no session 999"):
        journal.append(999, "console.x", "op", {})
    with pytest.raises(ValueError, match="dotted"):
        journal.append(sid, "nodots", "op", {})
    with pytest.raises(TypeError, match="dict"):
        journal.append(sid, "console.x", "op", ["not", "a", "dict"])
    with pytest.raises(TypeError, match="integer"):
        journal.append_samples(sid, [Sample("gmv", 1.5)])
    with pytest.raises(KeyError):
        journal.append_samples(999, [Sample("gmv", 1)])
    assert journal.last_seq(sid) == before
    assert journal.samples(sid) == []
    assert journal.append(sid, "console.x", "op", {}).seq == before + 1  # no gap after refusals


def test_events_are_append_only_in_the_database(journal):
    sid = journal.new_session("Show")
    with sqlite3.connect(journal.path) as other:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            other.execute("UPDATE events SET kind='x.y' WHERE session_id=?", (sid,))
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            other.execute("DELETE FROM events")


def test_session_life_cycle_and_open_sessions(journal):
    a = journal.new_session("A")
    b = journal.new_session("B")
    assert journal.open_sessions() == []  # created, not started
    journal.start_session(a)
    journal.start_session(b)
    assert [s.id for s in journal.open_sessions()] == [a, b]
    end = journal.end_session(a)
    s = journal.session(a)
    assert not s.is_open and s.ended_utc == end.utc
    assert [s.id for s in journal.open_sessions()] == [b]
    with pytest.raises(KeyError):
        journal.session(12345)


def test_samples_round_trip(journal):
    sid = journal.new_session("Show")
    clk = journal.clock
    batch = [Sample("viewers", 1000 + i, None, clk.monotonic() + i, clk.utcnow()) for i in range(50)]
    batch += [Sample("sold", 3, "SKU-1"), Sample("gmv_fen", 29_700, "SKU-1", 2000.0)]
    assert journal.append_samples(sid, batch) == 52
    assert journal.append_samples(sid, []) == 0
    viewers = journal.samples(sid, metric="viewers")
    assert [r["value"] for r in viewers] == [1000 + i for i in range(50)]
    assert journal.samples(sid, sku="SKU-1", metric="gmv_fen")[0]["value"] == 29_700
    assert all(type(r["value"]) is int for r in journal.samples(sid))


def test_concurrent_appends_from_threads_are_gapless_and_ordered(tmp_path):
    bus = EventBus()
    published = []
    bus.subscribe(lambda t, ev: published.append(ev.seq), "journal.")
    j = Journal(tmp_path / "journal.sqlite", bus=bus)  # real clock: mono must follow seq
    sid = j.new_session("Busy show")
    n_threads, per_thread = 6, 40
    errors = []

    def worker(k):
        try:
            for i in range(per_thread):
                j.append(sid, "console.action", f"t{k}", {"k": k, "i": i})
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    evs = j.events(sid)
    assert [e.seq for e in evs] == list(range(1, n_threads * per_thread + 2))
    assert [e.mono for e in evs] == sorted(e.mono for e in evs)
    for k in range(n_threads):  # each thread's own appends keep their order
        assert [e.payload["i"] for e in evs if e.actor == f"t{k}"] == list(range(per_thread))
    assert published == list(range(1, n_threads * per_thread + 2))  # bus sees seq order too
    with sqlite3.connect(j.path) as c:
        rows = c.execute("SELECT seq FROM events WHERE session_id=? ORDER BY id", (sid,)).fetchall()
    assert [r[0] for r in rows] == list(range(1, n_threads * per_thread + 2))
    j.close()


def test_subscriber_that_appends_is_served_in_order(journal):
    sid = journal.new_session("Show")
    seen = []

    def on_event(topic, ev):
        seen.append(ev.seq)
        if ev.kind == "console.price_set":
            journal.append(sid, "interlock.checked", "interlock", {"for": ev.seq})

    journal.bus.subscribe(on_event, "journal.")
    journal.append(sid, "console.price_set", "op", {"price": 1})
    journal.append(sid, "console.note", "op", {})
    assert seen == [2, 3, 4]


def test_data_dir_resolution(tmp_path, monkeypatch):
    from controlroom.paths import ENV_DATA_DIR, data_dir
    monkeypatch.setenv(ENV_DATA_DIR, str(tmp_path / "env"))
    assert data_dir() == tmp_path / "env" and (tmp_path / "env").is_dir()
    assert data_dir(tmp_path / "flag") == tmp_path / "flag"
    monkeypatch.delenv(ENV_DATA_DIR)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert data_dir().is_relative_to(tmp_path / "xdg")


def test_tail_reads_only_the_last_events(tmp_path):
    from controlroom.journal import Journal
    with Journal(tmp_path / "j.sqlite") as j:
        sid = j.new_session("t")
        for i in range(50):
            j.append(sid, "console.note", "op", {"i": i})
        tail = j.tail(sid, 10)
        assert [e.seq for e in tail] == list(range(j.last_seq(sid) - 9, j.last_seq(sid) + 1))
        assert tail[-1].payload == {"i": 49}
        assert len(j.tail(sid, 10_000)) == j.last_seq(sid)


def test_a_full_disk_is_loud_and_recovers(tmp_path):
    """SQLITE_FULL (max_page_count pinned at the file's size: the same error a full disk gives) raises
    JournalWriteError, sets journal.fault and publishes journal.error once; the next good write clears it."""
    import pytest
    from controlroom.bus import EventBus
    from controlroom.journal import JournalWriteError
    bus = EventBus()
    seen = []
    bus.subscribe(lambda topic, ev: seen.append(topic), "journal.")
    j = Journal(tmp_path / "j.sqlite", bus=bus)
    sid = j.new_session("show")
    pages = j._db.execute("PRAGMA page_count").fetchone()[0]
    j._db.execute(f"PRAGMA max_page_count={pages}")
    big = {"blob": "x" * 200_000}
    for _ in range(2):
        with pytest.raises(JournalWriteError) as err:
            j.append(sid, "console.price_changed", "op", big)
    assert "full" in err.value.reason and j.fault and not j.healthy
    assert seen.count("journal.error") == 1, "one fault, one event — not a flood"
    assert [e.kind for e in j.events(sid)] == ["session.created"], "nothing half-written"
    j._db.execute(f"PRAGMA max_page_count={pages * 1000}")
    j.append(sid, "console.price_changed", "op", big)
    assert j.healthy and "journal.recovered" in seen
    j.close()
