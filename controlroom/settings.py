"""One settings file (settings.toml in the data directory) holds every threshold.

Each room declares its defaults as a frozen dataclass and reads its section with
`settings.section("interlocks", InterlockSettings)`. Missing keys take the defaults; unknown keys
are reported, not silently ignored; a wrong type names the file, section and key.
"""
from __future__ import annotations

import dataclasses
import os
import threading
import tomllib
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


class SettingsError(ValueError):
    pass


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


class Settings:
    FILENAME = "settings.toml"

    def __init__(self, path: str | Path | None = None, data: dict[str, Any] | None = None):
        self.path = Path(path) if path else None
        self._lock = threading.Lock()
        self.data: dict[str, Any] = data if data is not None else {}
        if self.path and self.path.exists() and data is None:
            try:
                self.data = tomllib.loads(self.path.read_text(encoding="utf-8"))
            except tomllib.TOMLDecodeError as e:
                raise SettingsError(f"{self.path}: not valid TOML: {e}") from e

    def section(self, name: str, cls: type[T]) -> T:
        raw = self.data.get(name, {})
        if not isinstance(raw, dict):
            raise SettingsError(f"{self.path}: [{name}] must be a table")
        fields = {f.name: f for f in dataclasses.fields(cls)}
        unknown = set(raw) - set(fields)
        if unknown:
            raise SettingsError(f"{self.path}: [{name}] has unknown keys: {', '.join(sorted(unknown))}")
        values = {}
        defaults = cls()
        for key, val in raw.items():
            want = type(getattr(defaults, key))
            if want is tuple and isinstance(val, list):  # TOML arrays arrive as lists
                val = tuple(val)
            if want is float and isinstance(val, int) and not isinstance(val, bool):
                val = float(val)
            if getattr(defaults, key) is not None and not isinstance(val, want):
                raise SettingsError(f"{self.path}: [{name}] {key} must be {want.__name__}, got {val!r}")
            values[key] = tuple(val) if isinstance(getattr(defaults, key), tuple) else val
        return dataclasses.replace(defaults, **values)

    def set(self, section: str, key: str, value: Any) -> None:
        with self._lock:
            self.data.setdefault(section, {})[key] = value
            self.save()

    def save(self) -> None:
        if not self.path:
            return
        lines = ["# Control Room settings. Every threshold lives here; delete a key to get its default back.", ""]
        for sec, table in self.data.items():
            lines.append(f"[{sec}]")
            for k, v in table.items():
                if v is not None:
                    lines.append(f"{k} = {_toml_value(v)}")
            lines.append("")
        tmp = self.path.with_suffix(".tmp")
        # 0600 from the first byte: the file holds the supervisor PIN's hash
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write("\n".join(lines))
        os.chmod(tmp, 0o600)  # an old .tmp left looser keeps its mode through O_CREAT
        tmp.replace(self.path)
