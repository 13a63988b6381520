"""The app killed mid-show (SIGKILL): the next start resumes what the journal says — segment and timers, listings,
prices, running offers. Nothing acknowledged is lost."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from controlroom.runtime import Runtime

ROOT = Path(__file__).resolve().parents[2]

CHILD = textwrap.dedent("""
    import json, sys, time
    sys.path.insert(0, {root!r})
    from controlroom.runtime import Runtime
    rt = Runtime.create({data!r})
    rt.new_show(); rt.start()
    console, runner = rt.console, rt.rundown.runner
    for sku in ("LIP-001", "SER-002", "MSK-004"):
        assert console.list_product(sku, actor="op", wait=True).state == "done"
    t = console.change_price("LIP-001", 6500, actor="op", wait=True)
    assert t.state == "done", t.state
    t = console.start_offer("SER-002", 17900, 600, actor="op", wait=True)
    assert t.state == "done", t.state
    runner.next(actor="op"); runner.next(actor="op")
    print(json.dumps({{"ack": True, "session": rt.session_id, "segment": runner.index}}), flush=True)
    while True:  # the show goes on until the power is cut
        rt.tick(); time.sleep(0.05)
""")


def test_killed_mid_show_resumes_from_the_journal(tmp_path):
    data = tmp_path / "data"
    proc = subprocess.Popen([sys.executable, "-c", CHILD.format(root=str(ROOT), data=str(data))],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line, proc.stderr.read()
        ack = json.loads(line)
        time.sleep(1.0)  # the offer has been running a while when the power goes
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()

    rt = Runtime.create(data)
    try:
        open_sessions = rt.open_sessions()
        assert [s.id for s in open_sessions] == [ack["session"]], "the killed show is offered for resume"
        rt.resume(ack["session"])
        console, runner = rt.console, rt.rundown.runner
        assert console.lanes.wait_idle(30), "the reconcile after a restart runs in the console's lanes"
        products = {p.sku: p for p in console.products()}
        assert {s for s, p in products.items() if p.listed} == {"LIP-001", "SER-002", "MSK-004"}
        assert products["LIP-001"].price == 6500
        offer = products["SER-002"]
        assert offer.offer_price == 17900 and offer.offer_remaining_s is not None
        assert 0 < offer.offer_remaining_s < 600
        assert runner.index == ack["segment"] == 2
        assert runner.status == "running"
        # and the platform was put back to what the journal says
        assert rt.platform.read_product("LIP-001").price == 6500
        assert rt.platform.read_product("LIP-001").listed
    finally:
        rt.close()
