"""The stream guard's configuration: guard.toml (see resources/guard.example.toml for every key).

Passwords and stream keys are never written in the file in clear if avoidable: an OBS password comes
from an environment variable (`password_env`) or the keyring (`password_keyring`); an ingest key may
be given inline (`key`), or through `key_env` / `key_keyring`. None of them ever reaches the journal.
Errors name the file and the key, and nothing is half-loaded.
"""
from __future__ import annotations

import dataclasses
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

METHODS = ("backup_encoder", "backup_ingest", "backup_scene")
ROLES = ("primary", "backup")


class GuardConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Ingest:
    """An RTMP ingest: server URL and stream key (the key is a secret: never journal it)."""
    url: str
    key: str = ""
    key_env: str | None = None
    key_keyring: str | None = None

    def resolved_key(self) -> str:
        found = _secret(self.key_keyring, self.key_env)
        return found if found else self.key

    def describe(self) -> str:
        """For the journal, logs and the screen: the URL with its auth masked (and the key, wherever it is)."""
        from controlroom.stream.urls import mask_url
        return mask_url(self.url, (self.key, self.resolved_key()))


@dataclass(frozen=True)
class InstanceConfig:
    name: str
    host: str = "127.0.0.1"
    port: int = 4455
    role: str = "primary"
    password_env: str | None = None
    password_keyring: str | None = None
    ingest: Ingest | None = None          # where this OBS normally streams (None: leave OBS's own setting)
    backup_ingest: Ingest | None = None   # the platform's backup ingest for this stream

    def password(self) -> str | None:
        return _secret(self.password_keyring, self.password_env)


@dataclass(frozen=True)
class Scenes:
    program: str | None = None   # the normal program scene (what RETURN switches back to)
    backup: str | None = None    # the prepared backup scene (a loop with the product card)


@dataclass(frozen=True)
class Thresholds:
    hold_s: float = 2.0                 # a SOFT failure this long (from the fault's onset) fails over
    hard_confirm_s: float = 0.15        # a HARD failure (OBS gone, output RECONNECTING/STOPPED unasked) this long
    auto_return: bool = False           # return to primary by itself (otherwise the operator does)
    return_dwell_s: float = 60.0        # primary healthy this long before an automatic return
    min_switch_interval_s: float = 5.0  # between two automatic switches
    request_timeout_s: float = 0.75     # every OBS call is bounded by this
    poll_interval_s: float = 0.25       # GetStreamStatus/GetStats cadence per instance
    bitrate_window_s: float = 3.0       # rolling window for the bitrate from outputBytes deltas
    bytes_flat_s: float = 1.5           # outputBytes not growing this long while live = stalled
    min_bitrate_kbps: float = 0.0       # below this: DEGRADED (0 = off; static test scenes send little)
    congestion_warn: float = 0.3        # outputCongestion at or above: DEGRADED
    congestion_fail: float = 0.8        # at or above: FAILED (still needs hold_s to switch)
    frame_window_s: float = 10.0        # rolling window for skipped/dropped frames
    frame_drop_warn_pct: float = 5.0
    frame_drop_fail_pct: float = 50.0
    render_lag_warn_pct: float = 5.0    # render skipped frames in the window: DEGRADED (never a switch)
    screenshot_interval_s: float = 1.0  # program fingerprint cadence (0 = no picture checks)
    black_luma: int = 16                # mean 8-bit luma at or below = black
    black_after_s: float = 3.0          # black this long = FAILED (0 = off)
    frozen_after_s: float = 10.0        # identical picture this long = FAILED (0 = off; set 0 for static scenes)
    frozen_tolerance: int = 2           # max per-pixel difference still counted as "identical"
    start_verify_s: float = 1.5         # a started stream must be confirmed live within this
    start_retries: int = 5              # OBS does not retry a failed start: we do
    stop_verify_s: float = 2.0          # before re-targeting, the output must be seen stopped
    probe_url: str | None = None        # optional viewer-side pull (the playback URL, or the ingest in tests)
    probe_stall_s: float = 2.0          # no frame from the probe this long = FAILED
    reconnect_backoff_max_s: float = 2.0  # reconnect to a lost OBS with backoff + jitter up to this


# [thresholds] key -> (lowest, highest, lowest excluded). Every number must be finite and in range: a nan
# compares false with everything, so `hold_s = nan` used to leave a FAILED primary on air for ever, and an
# absurdly large value disarms the guard just as well.
_RANGES: dict[str, tuple[float, float, bool]] = {
    "hold_s": (0, 60, True), "hard_confirm_s": (0, 5, False), "return_dwell_s": (0, 3600, False),
    "min_switch_interval_s": (0, 600, False), "request_timeout_s": (0, 10, True), "poll_interval_s": (0, 10, True),
    "bitrate_window_s": (0, 120, True), "bytes_flat_s": (0, 60, True), "min_bitrate_kbps": (0, 1e6, False),
    "congestion_warn": (0, 1, False), "congestion_fail": (0, 1, True), "frame_window_s": (0, 600, True),
    "frame_drop_warn_pct": (0, 100, False), "frame_drop_fail_pct": (0, 100, True),
    "render_lag_warn_pct": (0, 100, False), "screenshot_interval_s": (0, 60, False), "black_luma": (0, 255, False),
    "black_after_s": (0, 600, False), "frozen_after_s": (0, 3600, False), "frozen_tolerance": (0, 255, False),
    "start_verify_s": (0, 60, True), "start_retries": (0, 100, False), "stop_verify_s": (0, 60, False),
    "probe_stall_s": (0, 60, True), "reconnect_backoff_max_s": (0, 60, False),
}


@dataclass(frozen=True)
class GuardConfig:
    instances: tuple[InstanceConfig, ...]
    method: str = "backup_encoder"
    scenes: Scenes = field(default_factory=Scenes)
    thresholds: Thresholds = field(default_factory=Thresholds)
    stall_talk_track: str = ""          # shown on the cue screen with ON BACKUP
    source: str = ""                    # the file it came from (for messages)

    def __post_init__(self):
        where = self.source or "guard config"
        if self.method not in METHODS:
            raise GuardConfigError(f"{where}: method must be one of {', '.join(METHODS)}, got {self.method!r}")
        names = [i.name for i in self.instances]
        if len(set(names)) != len(names):
            raise GuardConfigError(f"{where}: instance names must be unique, got {names}")
        prim = [i for i in self.instances if i.role == "primary"]
        if len(prim) != 1:
            raise GuardConfigError(f"{where}: exactly one instance must have role = \"primary\" (found {len(prim)})")
        if self.method == "backup_encoder" and not [i for i in self.instances if i.role == "backup"]:
            raise GuardConfigError(f"{where}: method = \"backup_encoder\" needs an instance with role = \"backup\"")
        if self.method == "backup_ingest" and prim[0].backup_ingest is None:
            raise GuardConfigError(f"{where}: method = \"backup_ingest\" needs [instances.{prim[0].name}]"
                                   f" backup_ingest_url")
        if self.method == "backup_scene" and not self.scenes.backup:
            raise GuardConfigError(f"{where}: method = \"backup_scene\" needs [scenes] backup")

    # ---- lookups ----------------------------------------------------------------------------
    @property
    def primary(self) -> InstanceConfig:
        return next(i for i in self.instances if i.role == "primary")

    @property
    def backup(self) -> InstanceConfig | None:
        return next((i for i in self.instances if i.role == "backup"), None)

    def instance(self, name: str) -> InstanceConfig:
        for i in self.instances:
            if i.name == name:
                return i
        raise KeyError(name)

    # ---- loading ----------------------------------------------------------------------------
    @classmethod
    def load(cls, path: str | Path) -> "GuardConfig":
        path = Path(path)
        try:
            raw = path.read_bytes()
        except OSError as e:
            raise GuardConfigError(f"{path}: cannot read the guard config: {e.strerror or e}") from e
        try:
            text = raw.decode("utf-8-sig")     # a BOM (Windows Notepad) is fine; GBK is not
        except UnicodeDecodeError as e:
            line = raw[:e.start].count(b"\n") + 1
            raise GuardConfigError(f"{path}: not UTF-8 (byte 0x{raw[e.start]:02x} at offset {e.start}, line {line});"
                                   f" save the file as UTF-8") from None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            raise GuardConfigError(f"{path}: not valid TOML: {e}") from e
        return cls.from_dict(data, source=str(path))

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "guard config") -> "GuardConfig":
        _unknown(data, {"guard", "instances", "scenes", "thresholds"}, source, "")
        guard = _table(data, "guard", source)
        _unknown(guard, {"method", "stall_talk_track"}, source, "[guard]")
        method = _get(guard, "method", str, "backup_encoder", source, "[guard]")
        talk = _get(guard, "stall_talk_track", str, "", source, "[guard]")

        raw_inst = data.get("instances")
        if not isinstance(raw_inst, dict) or not raw_inst:
            raise GuardConfigError(f"{source}: [instances.<name>] tables are required (at least the primary OBS)")
        instances = []
        for name, t in raw_inst.items():
            sec = f"[instances.{name}]"
            if not isinstance(t, dict):
                raise GuardConfigError(f"{source}: {sec} must be a table")
            _unknown(t, {"host", "port", "role", "password_env", "password_keyring", "ingest_url", "ingest_key",
                         "ingest_key_env", "ingest_key_keyring", "backup_ingest_url", "backup_ingest_key",
                         "backup_ingest_key_env", "backup_ingest_key_keyring"}, source, sec)
            role = _get(t, "role", str, "primary", source, sec)
            if role not in ROLES:
                raise GuardConfigError(f"{source}: {sec} role must be \"primary\" or \"backup\", got {role!r}")
            port = _get(t, "port", int, 4455, source, sec)
            if not 0 < port < 65536:
                raise GuardConfigError(f"{source}: {sec} port must be 1..65535, got {port}")
            instances.append(InstanceConfig(
                name=str(name), host=_get(t, "host", str, "127.0.0.1", source, sec), port=port, role=role,
                password_env=_get(t, "password_env", str, None, source, sec),
                password_keyring=_get(t, "password_keyring", str, None, source, sec),
                ingest=_ingest(t, "ingest", source, sec),
                backup_ingest=_ingest(t, "backup_ingest", source, sec)))

        scenes_t = _table(data, "scenes", source)
        _unknown(scenes_t, {"program", "backup"}, source, "[scenes]")
        scenes = Scenes(program=_get(scenes_t, "program", str, None, source, "[scenes]"),
                        backup=_get(scenes_t, "backup", str, None, source, "[scenes]"))

        th_t = _table(data, "thresholds", source)
        defaults = Thresholds()
        fields = {f.name for f in dataclasses.fields(Thresholds)}
        _unknown(th_t, fields, source, "[thresholds]")
        values = {}
        for key, val in th_t.items():
            want = type(getattr(defaults, key)) if getattr(defaults, key) is not None else str
            values[key] = _coerce(val, want, source, "[thresholds]", key)
        th = dataclasses.replace(defaults, **values)
        for key, (lo, hi, lo_open) in _RANGES.items():
            v = getattr(th, key)
            # `not (lo <= v)` also catches nan: nan compares false with everything
            if not math.isfinite(v) or not (lo < v if lo_open else lo <= v) or not v <= hi:
                floor = f"greater than {lo:g}" if lo_open else f"at least {lo:g}"
                raise GuardConfigError(f"{source}: [thresholds] {key} must be a finite number {floor} and at most"
                                       f" {hi:g}, got {v!r}")
        if th.hard_confirm_s > th.hold_s:
            raise GuardConfigError(f"{source}: [thresholds] hard_confirm_s ({th.hard_confirm_s}) must not be longer"
                                   f" than hold_s ({th.hold_s})")
        if th.probe_url is not None and "://" not in th.probe_url:
            raise GuardConfigError(f"{source}: [thresholds] probe_url must be a URL (scheme://host/...)")
        if th.return_dwell_s < th.hold_s:
            raise GuardConfigError(f"{source}: [thresholds] return_dwell_s ({th.return_dwell_s}) must be at least"
                                   f" hold_s ({th.hold_s})")
        return cls(instances=tuple(instances), method=method, scenes=scenes, thresholds=th,
                   stall_talk_track=talk, source=source)


def _secret(keyring_name: str | None, env: str | None) -> str | None:
    if keyring_name:
        from controlroom.secrets import get_secret
        return get_secret(keyring_name, env=env)
    if env:
        import os
        return os.environ.get(env) or None
    return None


def _table(data: dict, name: str, source: str) -> dict:
    t = data.get(name, {})
    if not isinstance(t, dict):
        raise GuardConfigError(f"{source}: [{name}] must be a table")
    return t


def _unknown(t: dict, allowed: set[str], source: str, sec: str) -> None:
    extra = sorted(set(t) - allowed)
    if extra:
        where = f"{sec} " if sec else ""
        raise GuardConfigError(f"{source}: {where}unknown key(s): {', '.join(extra)}"
                               f" (expected one of: {', '.join(sorted(allowed))})")


def _coerce(val: Any, want: type, source: str, sec: str, key: str) -> Any:
    if want is float and isinstance(val, int) and not isinstance(val, bool):
        return float(val)
    if want is int and isinstance(val, bool) or not isinstance(val, want):
        raise GuardConfigError(f"{source}: {sec} {key} must be {_type_word(want)}, got {val!r}")
    return val


def _type_word(t: type) -> str:
    return {float: "a number", int: "an integer", bool: "true or false", str: "a string"}.get(t, t.__name__)


def _get(t: dict, key: str, want: type, default: Any, source: str, sec: str) -> Any:
    if key not in t:
        return default
    return _coerce(t[key], want, source, sec, key)


def _ingest(t: dict, prefix: str, source: str, sec: str) -> Ingest | None:
    url = _get(t, f"{prefix}_url", str, None, source, sec)
    if url is None:
        for k in ("key", "key_env", "key_keyring"):
            if f"{prefix}_{k}" in t:
                raise GuardConfigError(f"{source}: {sec} {prefix}_{k} given without {prefix}_url")
        return None
    if not url.startswith(("rtmp://", "rtmps://", "srt://")):
        from controlroom.stream.urls import mask_url
        raise GuardConfigError(f"{source}: {sec} {prefix}_url must start with rtmp://, rtmps:// or srt://,"
                               f" got {mask_url(url)!r}")
    return Ingest(url=url, key=_get(t, f"{prefix}_key", str, "", source, sec),
                  key_env=_get(t, f"{prefix}_key_env", str, None, source, sec),
                  key_keyring=_get(t, f"{prefix}_key_keyring", str, None, source, sec))
