"""Queued samples commit with the journal's next write of any kind: the journal is always a consistent
prefix of the show — it never keeps an event and loses a sample taken before it (an exact resume starts
from the last thing committed and must find every sample up to there). Checked with SIGKILL too."""
from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from controlroom.bus import EventBus
from controlroom.clock import ManualClock
from controlroom.journal import Journal, JournalWriteError, Sample
from tests.children import reap, sigkill

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def journal(tmp_path):
    j = Journal(tmp_path / "journal.sqlite", ManualClock(), EventBus())
    yield j
    j.close()


def _rows(n: int, t: float) -> list[Sample]:
    return [Sample("gmv", 100 * n + k, None, t) for k in range(3)]


def test_queued_samples_go_with_the_next_event(journal):
    sid = journal.new_session("queue")
    journal.queue_samples(sid, _rows(1, 1.0))
    journal.queue_samples(sid, _rows(2, 2.0))
    assert journal.samples(sid) == []                     # queued, not yet committed
    journal.append(sid, "console.price_changed", "op", {"sku": "A"})
    assert [r["value"] for r in journal.samples(sid)] == [100, 101, 102, 200, 201, 202]
    journal.queue_samples(sid, _rows(3, 3.0))
    assert journal.flush_samples() == 3 and journal.flush_samples() == 0
    journal.queue_samples(sid, _rows(4, 4.0))
    journal.end_session(sid)                              # a session change carries them too
    assert len(journal.samples(sid)) == 12


def test_a_refused_write_keeps_the_queue_for_the_next_one(tmp_path, journal):
    sid = journal.new_session("refused")
    journal.queue_samples(sid, _rows(1, 1.0))
    other = sqlite3.connect(tmp_path / "journal.sqlite")
    other.execute("BEGIN EXCLUSIVE")
    try:
        journal._db.execute("PRAGMA busy_timeout=50")
        with pytest.raises(JournalWriteError):
            journal.append(sid, "console.price_changed", "op", {})
    finally:
        other.rollback()
        other.close()
    assert journal.samples(sid) == []
    journal.append(sid, "console.price_changed", "op", {})
    assert [r["value"] for r in journal.samples(sid)] == [100, 101, 102]


def test_closing_commits_what_is_queued(tmp_path):
    path = tmp_path / "journal.sqlite"
    with Journal(path, ManualClock()) as j:
        sid = j.new_session("close")
        j.queue_samples(sid, _rows(7, 1.0))
    with Journal(path) as j:
        assert len(j.samples(sid)) == 3


CHILD = textwrap.dedent("""
    import sys
    sys.path.insert(0, sys.argv[1])
    from controlroom.journal import Journal, Sample
    j = Journal(sys.argv[2])
    sid, run = int(sys.argv[3]), sys.argv[4]
    print("ready", flush=True)
    i = 0
    while True:
        i += 1
        j.queue_samples(sid, [Sample("tick", i, run, float(i))])   # a sample every "second" ...
        if i % 7 == 0:                                              # ... and now and then an event
            ev = j.append(sid, "console.action", "child", {"run": run, "i": i})
            sys.stdout.write("E %d %d\\n" % (ev.seq, i)); sys.stdout.flush()
        if i % 50 == 0:
            j.flush_samples()
""")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_sigkill_never_keeps_an_event_without_the_samples_before_it(tmp_path):
    path = tmp_path / "journal.sqlite"
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    with Journal(path) as j:
        sid = j.new_session("killed")
    rng = random.Random(7)
    for n in range(5):
        run = f"run{n}"
        proc = subprocess.Popen([sys.executable, str(script), str(ROOT), str(path), str(sid), run],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
            for _ in range(rng.randint(3, 40)):
                assert proc.stdout.readline(), proc.stderr.read()
            time.sleep(rng.uniform(0, 0.01))
            sigkill(proc, timeout=10)
        finally:
            reap(proc)
        with Journal(path) as j:
            events = [e.payload["i"] for e in j.events(sid, kinds=["console.action"]) if e.payload["run"] == run]
            ticks = [r["value"] for r in j.samples(sid, metric="tick", sku=run)]
            assert events, "the child acknowledged events"
            assert ticks == list(range(1, len(ticks) + 1)), "samples are kept as a gapless prefix"
            assert len(ticks) >= max(events), "an event outlived a sample taken before it"
