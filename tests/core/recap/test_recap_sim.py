"""A short simulated show for the recap tests and benchmark: the sample show on the simulated shop, a
ManualClock, the real console (interlocks, override, a lying read-back), the real rundown runner, the
metrics room sampling once a simulated second, an alert raised and acknowledged, and a failover and
return through the real StreamGuard on fake OBS switchers."""
from __future__ import annotations

from dataclasses import replace

from controlroom.clock import ManualClock
from controlroom.commerce.service import Override
from controlroom.commerce.supervisor import set_supervisor_pin
from controlroom.metrics.room import MetricsService
from controlroom.runtime import Runtime
from controlroom.sample import open_the_bag

PIN = "482193"


def _guard(rt):
    from controlroom.stream.guard import StreamGuard
    from tests.fakes import FakeSwitcher
    from tests.core.stream.test_stream_guard import make_config
    cfg = make_config()
    obs = {i.name: FakeSwitcher(i.name, rt.clock) for i in cfg.instances}
    g = StreamGuard(cfg, obs, clock=rt.clock, journal=rt.journal, session_id=rt.session_id, bus=rt.bus,
                    alerts=rt.alerts)
    return g, obs


class Show:
    """Drives one show second by second. `minutes` of simulated time; returns the runtime (open)."""

    def __init__(self, data_dir, seed: int = 11):
        self.clock = ManualClock()
        from pathlib import Path
        from controlroom.settings import Settings
        Path(data_dir).mkdir(parents=True, exist_ok=True)
        # this show's breaker takes the product off sale (the default pauses it back to the price before)
        Settings(Path(data_dir) / Settings.FILENAME).set("interlocks", "pause_action", "unlist")
        rooms = {"console": "controlroom.commerce.room", "rundown": "controlroom.rundown.room"}
        self.rt = Runtime.create(data_dir, clock=self.clock, seed=seed, rooms=rooms)
        self.metrics = MetricsService(self.rt, start_worker=False)
        self.rt.add_service("metrics", self.metrics)
        set_supervisor_pin(self.rt.settings, PIN)   # in effect at once: the console reads it at every override
        self.guard = None
        self.obs = None

    @property
    def console(self):
        return self.rt.console

    @property
    def runner(self):
        return self.rt.rundown.runner

    def step(self, seconds: int = 1) -> None:
        for _ in range(int(seconds)):
            self.clock.advance(1.0)
            self.rt.tick()
            if self.guard is not None:
                for n in self.obs:
                    self.guard.run_once(n)
            self.metrics.poll_once()

    def run(self, script: dict[int, callable], total_s: int) -> None:
        """script: {second: fn(show)} run at that second of the show."""
        for t in range(total_s):
            fn = script.get(t)
            if fn is not None:
                fn(self)
            self.step()

    def begin(self, title: str = "Recap test show") -> int:
        sid = self.rt.new_show(title)
        self._plan_rates()
        self.rt.start()
        open_the_bag(self.rt)
        self.console.lanes.wait_idle(30)   # listings done before the first second
        self.runner.start()
        self.guard, self.obs = _guard(self.rt)
        self.obs["main"].operator_start()
        return sid

    def _plan_rates(self) -> None:
        """The plan says LIP-001 sells about 30 orders a minute: the circuit breaker measures its rate against
        that (without a planned rate there is no rate trip)."""
        import csv
        import io
        src = (self.rt.show_dir / "products.csv").read_text(encoding="utf-8")
        rows = list(csv.DictReader(io.StringIO(src)))
        for r in rows:
            r["planned_orders_per_min"] = "30" if r["sku"] == "LIP-001" else ""
        out = io.StringIO()
        w = csv.DictWriter(out, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
        path = self.rt.data_dir / "plan-with-rates.csv"
        path.write_text(out.getvalue(), encoding="utf-8")
        self.console.import_plan(path, actor="system")

    def finish(self) -> None:
        self.runner.end()
        self.rt.end()
        self.metrics.poll_once()
        self.metrics.flush()

    # ---- scripted moments ------------------------------------------------------------------------
    def price_cut(self, sku: str, fen: int):
        return self.console.change_price(sku, fen, actor="op-li", confirmed=True, wait=True)

    def offer(self, sku: str, fen: int, seconds: float):
        return self.console.start_offer(sku, fen, seconds, actor="op-li", wait=True)

    def blocked_then_overridden(self, sku: str, fen: int):
        t = self.console.change_price(sku, fen, actor="op-li")
        assert t.verdict.verdict == "block", t.verdict
        self.console.submit(t, override=Override("Supervisor Wang", PIN, "brand approved loss leader"))
        return t.result()

    def lying_readback(self, sku: str, fen: int):
        shop = self.rt.platform
        shop.faults = replace(shop.faults, readback_price_offset=100, readback_skus=frozenset({sku}))
        t = self.console.change_price(sku, fen, actor="op-li", wait=True)
        shop.faults = replace(shop.faults, readback_price_offset=0, readback_skus=None)
        return t

    def alert_and_ack(self):
        from controlroom.alerts import Alert
        a = self.rt.alerts.raise_alert(Alert(rule="test_drop", severity="warning", title="Viewers dropping",
                                             detail="-25 % in 2 min", source="metrics",
                                             suggestion="launch a lucky bag 福袋"))
        self.step(20)
        self.rt.alerts.acknowledge(a.alert_id, actor="lead-zhang")

    def fail_over(self):
        assert self.guard.fail_over_now("operator", "drill")
        for _ in range(30):
            if self.guard.state()["state"] == "ON_BACKUP":
                break
            self.guard_tick()

    def return_primary(self):
        assert self.guard.return_to_primary("operator", "drill over")
        for _ in range(30):
            if self.guard.state()["state"] == "ON_PRIMARY":
                break
            self.guard_tick()

    def guard_tick(self):
        for n in self.obs:
            self.guard.run_once(n)
        self.clock.advance(0.05)

    def close(self):
        if self.guard is not None:
            self.guard.stop()
        self.rt.close()


def standard_show(data_dir, minutes: int = 20, seed: int = 11, title: str = "Recap test show") -> tuple[Show, int]:
    """The tests' show: runs `minutes` simulated minutes with one of each kind of moment, then ends."""
    s = Show(data_dir, seed)
    sid = s.begin(title)
    total = minutes * 60
    script = {
        200: lambda s: s.runner.next(),                     # opening overruns its 3 min by 20 s
        300: lambda s: s.price_cut("LIP-001", 5900),
        420: lambda s: s.alert_and_ack(),
        480: lambda s: s.blocked_then_overridden("LIP-001", 590),
        520: lambda s: s.price_cut("LIP-001", 6900),
        600: lambda s: s.offer("SER-002", 17900, 120),
        700: lambda s: s.fail_over(),
        760: lambda s: s.return_primary(),
        800: lambda s: s.lying_readback("CRM-003", 16900),
        900: lambda s: s.runner.next(),                     # product block cut short
        1080: lambda s: s.runner.next(),
    }
    s.run({k: v for k, v in script.items() if k < total}, total)
    s.finish()
    return s, sid
