"""Colours and fonts shared by every panel: broadcast tally meaning everywhere.

red = on air / blocked / failed, amber = warning, green = healthy / ready, grey = idle / unknown.
Never colour alone: pair every colour with a word or an icon.
"""
from __future__ import annotations

BG = "#121418"          # window background: dim studio
PANEL = "#1a1d23"
PANEL_ALT = "#20242b"
BORDER = "#2c313a"
TEXT = "#e6e8eb"
TEXT_DIM = "#9aa3ad"
ACCENT = "#4ea1ff"

ON_AIR = "#e5484d"      # red: on air, blocked, failed, danger
WARNING = "#f5a524"     # amber: warning, confirm, degraded
HEALTHY = "#30a46c"     # green: healthy, ready, allowed
IDLE = "#6b7280"        # grey: idle, unknown

MONO = "'JetBrains Mono', 'DejaVu Sans Mono', 'Noto Sans Mono CJK SC', monospace"
SANS = "'Noto Sans CJK SC', 'Noto Sans', 'DejaVu Sans', sans-serif"

STATE_COLOURS = {
    "HEALTHY": HEALTHY, "OK": HEALTHY, "ALLOW": HEALTHY, "READY": HEALTHY,
    "DEGRADED": WARNING, "WARNING": WARNING, "CONFIRM": WARNING,
    "FAILED": ON_AIR, "BLOCK": ON_AIR, "DANGER": ON_AIR, "ON_AIR": ON_AIR, "CRITICAL": ON_AIR,
    "UNKNOWN": IDLE, "IDLE": IDLE,
}


def colour_for(state: str) -> str:
    colour = STATE_COLOURS.get(state.upper(), IDLE)
    return ok_colour() if colour == HEALTHY else colour


# ---- "nothing green while anything is failed" -------------------------------------------------------
# The safety monitor (ui.banners) records what is failed right now; every "healthy" colour on screen asks
# ok_colour() instead of using HEALTHY directly, so one failure anywhere takes the green off everywhere.
_failed: set[str] = set()


def set_failed(key: str, failed: bool) -> None:
    if failed:
        _failed.add(key)
    else:
        _failed.discard(key)


def clear_failed() -> None:
    """The window that reported the failures is gone (a new window starts from what it sees itself)."""
    _failed.clear()


def any_failed() -> bool:
    return bool(_failed)


def ok_colour() -> str:
    """HEALTHY while nothing is failed; a neutral grey otherwise."""
    return TEXT_DIM if _failed else HEALTHY
