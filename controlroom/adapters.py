"""Where the core finds its adapters: entry points, never imports.

The core names ports (`Platform`, `AlertSink`); the adapters live in plugins/ (or in any installed
package) and declare themselves in their pyproject.toml, the convention pytest and setuptools
plugins use:

    [project.entry-points."controlroom.platforms"]
    simulator = "plugins.simulator:create"          # create(ctx: PlatformContext) -> Platform

    [project.entry-points."controlroom.alert_sinks"]
    webhooks = "plugins.alert_sinks:build_sinks"    # build(settings: Settings) -> list[AlertSink]

`[platform] kind` in settings.toml names the platform entry point. Every composition — the app, the
headless guard, a rehearsal, a test — asks this module, so they all get the same adapters. Tests may
register a factory directly with `register_platform` (no install needed).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Callable

from controlroom.alerts import AlertSink
from controlroom.clock import Clock
from controlroom.platform import Platform
from controlroom.settings import Settings, SettingsError

log = logging.getLogger(__name__)

PLATFORM_GROUP = "controlroom.platforms"
ALERT_SINK_GROUP = "controlroom.alert_sinks"
DEFAULT_PLATFORM = "simulator"


@dataclass(frozen=True)
class PlatformContext:
    """What a platform factory may use to build its adapter."""
    settings: Settings
    show_dir: Path
    clock: Clock
    data_dir: Path
    seed: int = 7


PlatformFactory = Callable[[PlatformContext], Platform]
SinkFactory = Callable[[Settings], "list[AlertSink]"]

_registered: dict[str, PlatformFactory] = {}


def register_platform(kind: str, factory: PlatformFactory) -> None:
    """Add (or replace) a platform kind without an entry point (tests, embedding)."""
    _registered[kind] = factory


def platform_kinds() -> dict[str, Callable[[], PlatformFactory]]:
    """kind -> a loader of its factory. Loading is deferred: naming a kind imports only that adapter."""
    kinds: dict[str, Callable[[], PlatformFactory]] = {
        ep.name: ep.load for ep in entry_points(group=PLATFORM_GROUP)}
    for name, factory in _registered.items():
        kinds[name] = (lambda f=factory: f)
    return kinds


def platform_kind(settings: Settings) -> str:
    table = settings.data.get("platform", {})
    if not isinstance(table, dict):
        raise SettingsError(f"{settings.path}: [platform] must be a table")
    kind = table.get("kind", DEFAULT_PLATFORM)
    if not isinstance(kind, str):
        raise SettingsError(f"{settings.path}: [platform] kind must be a string, got {kind!r}")
    return kind


def create_platform(ctx: PlatformContext) -> Platform:
    """The shop `[platform] kind` names (default: the built-in simulator)."""
    kind = platform_kind(ctx.settings)
    kinds = platform_kinds()
    if kind not in kinds:
        known = ", ".join(f'"{k}"' for k in sorted(kinds)) or "none installed (run: pip install -e .)"
        raise SettingsError(f"{ctx.settings.path}: [platform] kind = {kind!r} is not a platform this "
                            f"installation knows; expected one of {known}")
    return kinds[kind]()(ctx)


def create_alert_sinks(settings: Settings) -> list[AlertSink]:
    """Every sink every installed sink provider builds from settings ([alert_sinks]). A provider that
    fails is logged and skipped: a broken chat webhook must not stop the show or the guard."""
    sinks: list[AlertSink] = []
    for ep in entry_points(group=ALERT_SINK_GROUP):
        try:
            build: SinkFactory = ep.load()
            sinks.extend(build(settings))
        except SettingsError:
            raise   # a wrong [alert_sinks] table is the operator's to fix, named at start
        except Exception:
            log.exception("alert sinks from %r could not be built; alerts stay local", ep.name)
    return sinks
