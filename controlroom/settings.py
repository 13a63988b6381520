"""One settings file (settings.toml in the data directory) holds every threshold.

Each room declares its defaults as a frozen dataclass and reads its section with
`settings.section("interlocks", InterlockSettings)`. Missing keys take the defaults. Everything
else is refused with the file, the section and the key named, because a threshold that is silently
ignored switches a safety off (`breaker_rate_multiple = nan` once turned the circuit breaker off):

- an unknown section (`[interlock]` for `[interlocks]`) or an unknown key;
- a value of the wrong type: a bool where a number belongs (`price_band_pct = true`), a float
  where a whole number belongs, a list whose elements have the wrong type (`["a"]` for numbers);
- a number that is not finite (nan, inf);
- a number out of its range. The range is declared next to the field with `setting(...)`
  (dataclass field metadata: `min`, `max`, `choices`, `items`); without a declaration a number
  whose default is 0 or more must not be negative (no threshold here means anything below zero).

The writer keeps every table it read, nested ones such as `[platform.http]` included.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import difflib
import math
import os
import re
import threading
import tomllib
import types
import typing
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

# Sections the code base reads. A room or plugin may add its own with register_section(); reading a
# section with section() registers it too. Anything else in the file is a typo and is refused.
KNOWN_SECTIONS: set[str] = {"interlocks", "supervisor", "console", "rundown", "metrics", "alerts", "guard",
                            "recap", "platform", "alert_sinks"}
# Tables nested inside a section that are sections of their own.
KNOWN_SUBSECTIONS: set[str] = {"platform.http"}
_known_lock = threading.Lock()


class SettingsError(ValueError):
    pass


def register_section(name: str) -> None:
    """Declare a top-level settings section (e.g. a plugin's own table)."""
    with _known_lock:
        KNOWN_SECTIONS.add(name.split(".", 1)[0])
        if "." in name:
            KNOWN_SUBSECTIONS.add(name)


def setting(default: Any = dataclasses.MISSING, *, min: float | None = None, max: float | None = None,
            choices: tuple | None = None, items: type | None = None, default_factory: Any = dataclasses.MISSING,
            ) -> Any:
    """A settings field with its range: `price_band_pct: int = setting(50, min=1, max=100)`."""
    meta = {k: v for k, v in (("min", min), ("max", max), ("choices", choices), ("items", items))
            if v is not None}
    if default_factory is not dataclasses.MISSING:
        return dataclasses.field(default_factory=default_factory, metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


# ---- reading --------------------------------------------------------------------------------------
def _hints(cls: type) -> dict[str, Any]:
    try:
        return typing.get_type_hints(cls)
    except Exception:  # an annotation that cannot be resolved: fall back to the defaults' types
        return {}


def _unwrap_optional(hint: Any) -> tuple[Any, bool]:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        nullable = len(args) < len(typing.get_args(hint))
        if len(args) == 1:
            return args[0], nullable
        return tuple(args), nullable
    return hint, False


def _type_name(t: Any) -> str:
    if isinstance(t, tuple):
        return " or ".join(_type_name(x) for x in t)
    return {bool: "bool", int: "int", float: "float", str: "str", tuple: "list"}.get(t, getattr(t, "__name__", str(t)))


def _scalar_ok(value: Any, want: Any) -> tuple[bool, Any]:
    """Is `value` of type `want`? Returns (ok, value converted: an int where a float belongs)."""
    if isinstance(want, tuple):
        for w in want:
            ok, v = _scalar_ok(value, w)
            if ok:
                return True, v
        return False, value
    if want is bool:
        return isinstance(value, bool), value
    if want is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False, value
        return True, float(value)
    if want is int:
        return isinstance(value, int) and not isinstance(value, bool), value
    if want is Any or want is object:
        return True, value
    if isinstance(want, type):
        return isinstance(value, want), value
    return True, value


class _Field:
    """What one dataclass field accepts."""

    def __init__(self, f: dataclasses.Field, hint: Any, default: Any):
        self.name = f.name
        self.meta = dict(f.metadata or {})
        self.default = default
        base, self.nullable = _unwrap_optional(hint) if hint is not None else (None, False)
        self.items: Any = self.meta.get("items")
        if base is None:
            base = type(default) if default is not None else None
        origin = typing.get_origin(base)
        if origin in (tuple, list) or base in (tuple, list):
            args = [a for a in typing.get_args(base) if a is not Ellipsis]
            if self.items is None and args:
                self.items = args[0]
            if self.items is None and isinstance(default, (tuple, list)) and default:
                self.items = type(default[0])
            base = tuple
        self.kind = base
        if default is None and base is not None:
            self.nullable = True

    def check(self, value: Any, where: str) -> Any:
        name = self.name
        if value is None and self.nullable:
            return None
        if self.kind is tuple:
            if not isinstance(value, (list, tuple)):
                raise SettingsError(f"{where} {name} must be a list, got {value!r}")
            out = []
            for i, v in enumerate(value):
                if self.items is not None:
                    ok, v = _scalar_ok(v, self.items)
                    if not ok:
                        raise SettingsError(f"{where} {name}[{i}] must be {_type_name(self.items)}, got {v!r}")
                out.append(self._number(v, f"{name}[{i}]", where))
            return tuple(out)
        if self.kind is not None:
            ok, value = _scalar_ok(value, self.kind)
            if not ok:
                raise SettingsError(f"{where} {name} must be {_type_name(self.kind)}, got {value!r}")
        value = self._number(value, name, where)
        choices = self.meta.get("choices")
        if choices is not None and value not in choices:
            raise SettingsError(f"{where} {name} must be one of {', '.join(repr(c) for c in choices)}, "
                                f"got {value!r}")
        return value

    def _number(self, value: Any, name: str, where: str) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return value
        if isinstance(value, float) and not math.isfinite(value):
            raise SettingsError(f"{where} {name} must be a finite number, got {value!r}")
        lo, hi = self.meta.get("min"), self.meta.get("max")
        if lo is None and "min" not in self.meta:
            d = self.default
            ref = d[0] if isinstance(d, (tuple, list)) and d else d
            if isinstance(ref, (int, float)) and not isinstance(ref, bool) and ref >= 0:
                lo = 0
        if lo is not None and value < lo:
            raise SettingsError(f"{where} {name} must be at least {lo:g}, got {value!r}")
        if hi is not None and value > hi:
            raise SettingsError(f"{where} {name} must be at most {hi:g}, got {value!r}")
        return value


def _fields(cls: type) -> dict[str, _Field]:
    hints = _hints(cls)
    try:
        defaults = cls()
    except TypeError:
        defaults = None
    out = {}
    for f in dataclasses.fields(cls):
        d = getattr(defaults, f.name) if defaults is not None else None
        out[f.name] = _Field(f, hints.get(f.name), d)
    return out


# ---- writing --------------------------------------------------------------------------------------
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _key(k: str) -> str:
    return k if _BARE_KEY.fullmatch(k) else _string(k)


def _string(v: str) -> str:
    out = []
    for ch in v:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, (_dt.datetime, _dt.date, _dt.time)):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):  # an inline table (inside an array)
        return "{" + ", ".join(f"{_key(k)} = {_toml_value(x)}" for k, x in v.items() if x is not None) + "}"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def _is_table_array(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)


def _write_table(lines: list[str], path: list[str], table: dict[str, Any]) -> None:
    scalars = [(k, v) for k, v in table.items()
               if v is not None and not isinstance(v, dict) and not _is_table_array(v)]
    subtables = [(k, v) for k, v in table.items() if isinstance(v, dict)]
    arrays = [(k, v) for k, v in table.items() if _is_table_array(v)]
    if path and (scalars or not (subtables or arrays)):
        lines.append("[" + ".".join(_key(p) for p in path) + "]")
    for k, v in scalars:
        lines.append(f"{_key(k)} = {_toml_value(v)}")
    if path and (scalars or not (subtables or arrays)):
        lines.append("")
    for k, v in subtables:
        _write_table(lines, path + [k], v)
    for k, rows in arrays:
        for row in rows:
            lines.append("[[" + ".".join(_key(p) for p in path + [k]) + "]]")
            for rk, rv in row.items():
                if rv is not None:
                    lines.append(f"{_key(rk)} = {_toml_value(rv)}")
            lines.append("")


def dumps(data: dict[str, Any]) -> str:
    lines = ["# Control Room settings. Every threshold lives here; delete a key to get its default back.", ""]
    top = {k: v for k, v in data.items() if not isinstance(v, dict) and not _is_table_array(v)}
    for k, v in top.items():
        if v is not None:
            lines.append(f"{_key(k)} = {_toml_value(v)}")
    if top:
        lines.append("")
    _write_table(lines, [], {k: v for k, v in data.items() if k not in top})
    return "\n".join(lines) + "\n"


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
            except UnicodeDecodeError as e:
                raise SettingsError(f"{self.path}: not UTF-8 text (byte {e.start})") from e

    @property
    def _where(self) -> str:
        return str(self.path) if self.path else "settings"

    def _table(self, name: str) -> dict[str, Any]:
        """The table of a section; "platform.http" is the [http] table inside [platform] (or a flat key)."""
        if name in self.data:
            raw = self.data[name]
        else:
            raw: Any = self.data
            for part in name.split("."):
                raw = raw.get(part, {}) if isinstance(raw, dict) else None
                if raw is None:
                    break
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            raise SettingsError(f"{self._where}: [{name}] must be a table")
        return raw

    def unknown_sections(self) -> list[str]:
        with _known_lock:
            known = set(KNOWN_SECTIONS)
        return [k for k, v in self.data.items() if isinstance(v, dict) and k.split(".", 1)[0] not in known]

    def check_sections(self) -> None:
        """Refuse a section nobody reads: a typo would silently leave its thresholds at their defaults."""
        for name in self.unknown_sections():
            with _known_lock:
                known = sorted(KNOWN_SECTIONS)
            near = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean [{near[0]}]?" if near else f"; known sections: {', '.join(known)}"
            raise SettingsError(f"{self._where}: [{name}] is not a settings section{hint}")

    def section(self, name: str, cls: type[T]) -> T:
        register_section(name)
        self.check_sections()
        raw = self._table(name)
        where = f"{self._where}: [{name}]"
        fields = _fields(cls)
        with _known_lock:
            subs = set(KNOWN_SUBSECTIONS)
        unknown = [k for k, v in raw.items() if k not in fields and not (isinstance(v, dict) and f"{name}.{k}" in subs)]
        if unknown:
            near = {k: difflib.get_close_matches(k, list(fields), n=1) for k in unknown}
            hints = "; ".join(f"{k} (did you mean {near[k][0]}?)" if near[k] else k for k in sorted(unknown))
            raise SettingsError(f"{where} has unknown keys: {hints}")
        values = {}
        for key, val in raw.items():
            if key not in fields:
                continue
            values[key] = fields[key].check(val, where)
        try:
            return dataclasses.replace(cls(), **values)
        except (ValueError, TypeError) as e:  # the dataclass's own cross-field checks
            msg = str(e)
            raise SettingsError(msg if self._where in msg else f"{self._where}: {msg}") from None

    def set(self, section: str, key: str, value: Any) -> None:
        with self._lock:
            table: dict[str, Any] = self.data
            for part in section.split("."):
                nxt = table.setdefault(part, {})
                if not isinstance(nxt, dict):
                    raise SettingsError(f"{self._where}: [{section}] is not a table")
                table = nxt
            table[key] = value
            self.save()

    def save(self) -> None:
        if not self.path:
            return
        text = dumps(self.data)
        tomllib.loads(text)  # never write a file we could not read back
        tmp = self.path.with_suffix(".tmp")
        # 0600 from the first byte: the file holds the supervisor PIN's hash
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o600)  # an old .tmp left looser keeps its mode through O_CREAT
        tmp.replace(self.path)

