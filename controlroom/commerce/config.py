"""The [console] section of settings.toml: how the console runs actions (the thresholds it judges them
by are in [interlocks], the PIN in [supervisor])."""
from __future__ import annotations

from dataclasses import dataclass

from controlroom.settings import setting


@dataclass(frozen=True)
class ConsoleSettings:
    action_deadline_s: float = setting(5.0, min=0.1, max=120.0)   # one deadline per action, read-back included
    readback_reserve_s: float = setting(1.0, min=0.0, max=60.0)   # of it, kept for the read-back after the call
    settle_interval_s: float = setting(2.0, min=0.1, max=600.0)   # an uncertain SKU is read back this often
    lane_workers: int = setting(16, min=2, max=256)               # shop calls in flight at once (one per lane)
    override_max_attempts: int = setting(5, min=1, max=100)       # wrong PINs in a row before overrides lock
    override_lockout_s: float = setting(300.0, min=1.0, max=86400.0)
    low_stock_units: int = setting(20, min=0, max=1_000_000)      # at or under this a product is running low
    stock_read_every_s: float = setting(10.0, min=0.5, max=3600.0)  # a low product is read back at most this often

    def __post_init__(self):
        if self.readback_reserve_s >= self.action_deadline_s:
            raise ValueError(f"[console] readback_reserve_s ({self.readback_reserve_s:g}) must be below "
                             f"action_deadline_s ({self.action_deadline_s:g})")
