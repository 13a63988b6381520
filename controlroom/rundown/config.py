"""The [rundown] section of settings.toml."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RundownSettings:
    """[rundown] in settings.toml."""
    max_gap_minutes: float = 20.0      # longest allowed gap between price anchors / interaction triggers
    warning_s: int = 120               # default amber threshold (time left) for a segment
    danger_s: int = 30                 # default red threshold
    heartbeat_s: float = 0.25          # the runner publishes rundown.state at least this often
    stale_after_s: float = 2.0         # the cue screen says STALE after this long without a state
    auto_offers: bool = True           # start/stop the countdown offers of the plan through the console
    sound_at_zero: bool = True         # the cue screen beeps when a segment reaches zero
    rundown_file: str = ""             # default: <show_dir>/rundown.csv
    control_api_enabled: bool = False  # local HTTP control API for Bitfocus Companion / Stream Deck
    control_api_port: int = 8765       # bound to 127.0.0.1 only; 0 picks a free port
