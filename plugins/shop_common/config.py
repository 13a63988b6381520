"""A real shop's settings table, `[platform.<kind>]`, read strictly, and its secrets.

Every adapter declares its table as a frozen dataclass. `read_table` refuses, by name, an unknown key,
a key of the wrong type and a required key that is missing or empty, naming the file and the table:

    settings.toml: [platform.douyin] app_key: missing; the 19-digit app key of your 抖店 app ...

Secrets never live in settings.toml: the table names a keyring entry and an environment variable
(`*_secret` / `*_env` keys), and `secret()` looks the value up through controlroom.secrets. The value
is registered with plugins.http_retry's redaction filter at once, so no log line or error we compose
can carry it.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Callable, TypeVar

from controlroom.platform import PlatformError
from controlroom.secrets import get_secret
from controlroom.settings import Settings, SettingsError
from plugins.http_retry import register_secret

from .transport import Timing

T = TypeVar("T")


@dataclass(frozen=True)
class ShopSettings(Timing):
    """The keys every shop table has (and the generic HTTP platform's too): the transport's timing
    (Timing's fields) and the adapter's own read-back after a write. A table subclasses it, adds its
    shop's keys, and may give these other defaults by declaring them again."""
    readback_attempts: int = 3
    readback_interval: float = 0.3
    on_readback_mismatch: str = "return"        # or "raise" (plugins/shop_common/readback.py)

    @property
    def timing(self) -> Timing:
        return Timing(**{f.name: getattr(self, f.name) for f in dataclasses.fields(Timing)})

    @classmethod
    def from_settings(cls, settings: Settings) -> "ShopSettings":
        raise NotImplementedError

    def settings_keys(self) -> list[str]:
        return [f.name for f in dataclasses.fields(self)]


def where_of(settings: Settings, kind: str) -> str:
    """How messages name the table: "settings.toml: [platform.<kind>]"."""
    return f"{settings.path}: [platform.{kind}]" if settings.path else f"[platform.{kind}]"


def check_retry_keys(cfg: ShopSettings, bad: Callable[[str, str], SettingsError], positive: tuple[str, ...]) -> None:
    """The timing and read-back keys, in the words of the global shops' and the HTTP platform's tables:
    `positive` more than 0, jitter within 0..1, at least one attempt of each kind."""
    for key in positive:
        if not getattr(cfg, key) > 0:
            raise bad(key, f"must be more than 0, got {getattr(cfg, key)!r}")
    if not 0 <= cfg.jitter <= 1:
        raise bad("jitter", f"must be between 0 and 1, got {cfg.jitter!r}")
    for key in ("max_attempts", "readback_attempts"):
        if getattr(cfg, key) < 1:
            raise bad(key, "must be at least 1")


def check_mismatch_mode(cfg: ShopSettings, bad: Callable[[str, str], SettingsError]) -> None:
    if cfg.on_readback_mismatch not in ("return", "raise"):
        raise bad("on_readback_mismatch", f"must be \"return\" or \"raise\", got {cfg.on_readback_mismatch!r}")


class MissingSecret(PlatformError):
    """A credential is in neither the keyring nor the environment. Not retryable: a person must add it."""


def read_table(settings: Settings, kind: str, cls: type[T], *, required: tuple[str, ...] = (),
               hints: dict[str, str] | None = None) -> T:
    """`[platform.<kind>]` as `cls`. Unknown keys and wrong types are refused by Settings.section;
    a `required` key that is absent or empty is refused here, with `hints[key]` saying what it is."""
    platform = settings.data.get("platform", {})
    if not isinstance(platform, dict):
        raise SettingsError(f"{settings.path}: [platform] must be a table")
    table = platform.get(kind)
    where = where_of(settings, kind)
    if table is None:
        table = {}
    if not isinstance(table, dict):
        raise SettingsError(f"{where} must be a table")
    name = f"platform.{kind}"
    cfg = Settings(settings.path, data={name: dict(table)}).section(name, cls)
    hints = hints or {}
    for key in required:
        value = getattr(cfg, key)
        if key not in table or (isinstance(value, str) and not value.strip()):
            hint = f"; {hints[key]}" if key in hints else ""
            raise SettingsError(f"{where} {key}: missing{hint}")
    return cfg


def bad(where: str, key: str, message: str) -> SettingsError:
    return SettingsError(f"{where} {key}: {message}")


def check_positive(cfg: Any, where: str, *keys: str) -> None:
    for key in keys:
        v = getattr(cfg, key)
        if isinstance(v, bool) or not v > 0:
            raise bad(where, key, f"must be more than 0, got {v!r}")


def check_choice(cfg: Any, where: str, key: str, choices: tuple[str, ...]) -> None:
    v = getattr(cfg, key)
    if v not in choices:
        raise bad(where, key, f"must be one of {', '.join(repr(c) for c in choices)}, got {v!r}")


def secret(shop: str, what: str, keyring_name: str, env: str) -> str:
    """The credential `what` of `shop`, from the environment variable `env` or the keyring entry
    `keyring_name`. Raises MissingSecret naming both places (never a value)."""
    value = get_secret(keyring_name, env=env or None) if (keyring_name or env) else None
    if not value:
        places = " or ".join(p for p in (f"the keyring entry {keyring_name!r}" if keyring_name else "",
                                         f"the environment variable {env}" if env else "") if p)
        raise MissingSecret(f"{shop}: no {what}: store it in {places}")
    register_secret(value)
    return value
