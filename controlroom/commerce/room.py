"""The console room: `attach(rt)` gives the runtime its ConsoleService (rt.console)."""
from __future__ import annotations

from controlroom.commerce.service import ConsoleService


def attach(rt) -> ConsoleService:
    return ConsoleService(rt)
