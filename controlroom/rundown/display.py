"""How a timer reads on screen: whole seconds, tenths in the last 10 seconds, overtime with a minus."""
from __future__ import annotations

import math

PHASES = ("idle", "normal", "warning", "danger", "overtime")


def format_countdown(remaining_s: float) -> str:
    """20:00 … 0:11, 0:10, 0:09.9 … 0:00.1, then -0:01, -0:02 … ; hours as h:mm:ss.

    A countdown shows the second it is in (ceil), so a fresh 20-minute timer reads 20:00 and zero
    is reached exactly when 0:00.1 goes. Overtime counts whole seconds past zero.
    """
    r = round(float(remaining_s), 6)  # float noise from a clock must not flip a digit
    if r > 0:
        tenths = math.ceil(r * 10)
        if tenths < 100:
            return f"0:{tenths // 10:02d}.{tenths % 10}"
        return _hms(math.ceil(r))
    if r == 0:
        return "0:00"
    return "-" + _hms(math.floor(-r))


def _hms(seconds: int) -> str:
    h, rem = divmod(int(seconds), 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def phase_for(remaining_s: float, warning_s: float, danger_s: float) -> str:
    if remaining_s <= 0:
        return "overtime"
    if remaining_s <= danger_s:
        return "danger"
    if remaining_s <= warning_s:
        return "warning"
    return "normal"


def format_offset(offset_s: float) -> str:
    """+2:10 behind / -0:45 ahead / on time (within a second), for people."""
    if abs(offset_s) < 1:
        return "on time"
    word = "behind" if offset_s > 0 else "ahead"
    return f"{_hms(int(abs(offset_s)))} {word}"
