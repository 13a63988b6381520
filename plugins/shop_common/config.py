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
from typing import Any, TypeVar

from controlroom.platform import PlatformError
from controlroom.secrets import get_secret
from controlroom.settings import Settings, SettingsError
from plugins.http_retry import register_secret

T = TypeVar("T")


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
    where = f"{settings.path}: [platform.{kind}]" if settings.path else f"[platform.{kind}]"
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


def field_names(cls: type) -> list[str]:
    return [f.name for f in dataclasses.fields(cls)]
