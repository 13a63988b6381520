"""Crash recovery: a child process appends durable events (and sample batches) and reports each
acknowledged write on stdout only after append returned; we SIGKILL it at random moments and check
that every acknowledged write is in the reopened journal, whole, with no gaps and an intact file."""
from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from controlroom.journal import Journal
from tests.children import reap, sigkill

ROOT = Path(__file__).resolve().parents[3]
BATCH = 400

CHILD = textwrap.dedent("""
    import sys
    sys.path.insert(0, sys.argv[1])
    from controlroom.journal import Journal, Sample
    path, sid, mode, start = sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
    j = Journal(path)
    print("ready", flush=True)
    i = start
    while True:
        i += 1
        if mode in ("events", "mixed"):
            ev = j.append(sid, "console.action", "child", {"i": i, "pad": "x" * (i % 700), "price_fen": i * 100})
            # one write per acknowledgement: with PYTHONUNBUFFERED print() emits each field separately and a kill
            # between them leaves half a line
            sys.stdout.write("E %d %d\\n" % (ev.seq, i)); sys.stdout.flush()
        if mode in ("samples", "mixed"):
            j.append_samples(sid, [Sample("viewers", k, "b%d" % i, float(k)) for k in range(%(batch)d)])
            sys.stdout.write("S %d\\n" % i); sys.stdout.flush()
""").replace("%(batch)d", str(BATCH))

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")


def _run_and_kill(script: Path, path: Path, sid: int, mode: str, start: int, rng: random.Random):
    proc = subprocess.Popen([sys.executable, str(script), str(ROOT), str(path), str(sid), mode, str(start)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
        wanted = rng.randint(5, 60)
        acked = []
        while len(acked) < wanted:
            line = proc.stdout.readline()
            assert line, proc.stderr.read()
            acked.append(line.split())
        time.sleep(rng.uniform(0, 0.02))  # land the kill anywhere inside the next write
        sigkill(proc, timeout=10)
        # only whole lines were acknowledged: a kill can land in the middle of the last one
        rest = proc.stdout.read().split("\n")[:-1]
        acked += [line.split() for line in rest if line.strip()]
    finally:
        reap(proc)
    assert proc.returncode == -signal.SIGKILL
    return acked


def test_sigkill_mid_write_loses_nothing_acknowledged(tmp_path):
    path = tmp_path / "journal.sqlite"
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    with Journal(path) as j:
        sid = j.new_session("Killed mid-show")
        j.start_session(sid)
    rng = random.Random(20261122)
    acked_events: dict[int, int] = {}
    acked_batches: set[str] = set()
    counter = 0
    for mode in ("events", "samples", "mixed", "events", "mixed"):
        for rec in _run_and_kill(script, path, sid, mode, counter, rng):
            if rec[0] == "E":
                acked_events[int(rec[1])] = int(rec[2])
            else:
                acked_batches.add("b" + rec[1])
        counter += 10_000  # each child numbers its writes apart from the previous ones

        c = sqlite3.connect(path)
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        c.close()
        with Journal(path) as j:
            evs = j.events(sid)
            assert [e.seq for e in evs] == list(range(1, len(evs) + 1)), "seq must be gapless"
            by_seq = {e.seq: e for e in evs}
            for seq, i in acked_events.items():
                ev = by_seq[seq]
                assert ev.kind == "console.action" and ev.actor == "child"
                assert ev.payload == {"i": i, "pad": "x" * (i % 700), "price_fen": i * 100}
            counts = {}
            for r in j.samples(sid, metric="viewers"):
                counts[r["sku"]] = counts.get(r["sku"], 0) + 1
            assert acked_batches <= set(counts)
            assert set(counts.values()) <= {BATCH}, "a sample batch is all or nothing"
            assert [s.id for s in j.open_sessions()] == [sid]
    assert len(acked_events) > 10 and len(acked_batches) > 5
