"""The sample show comes alive: products listed through the interlocks, orders arrive within a simulated minute."""
from __future__ import annotations

import time

from controlroom.clock import ManualClock
from controlroom.sample import ACTOR, open_the_bag


def test_sample_show_is_alive_in_the_first_minute(make_runtime):
    clock = ManualClock()
    rt = make_runtime(clock=clock)
    try:
        rt.new_show()
        rt.start()
        n = open_the_bag(rt)
        assert n >= 10
        console = rt.console
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and sum(p.listed for p in console.products()) < n:
            time.sleep(0.02)
        assert sum(p.listed for p in console.products()) == n
        listed = [e for e in rt.journal.events(rt.session_id, prefix="console.listed")]
        assert len(listed) == n and all(e.actor == ACTOR for e in listed)
        for _ in range(60):
            clock.advance(1.0)
            rt.tick()
        snap = rt.platform.metrics()
        assert snap.online > 0 and snap.orders > 0
    finally:
        rt.close()
