"""UI text in Simplified Chinese and English, switchable at run time.

Source strings are English; catalogs are JSON files under resources/i18n/<lang>/ (one per room, so
rooms add strings without touching each other's files), merged at load. A missing translation
falls back to the English source. Call `tr("Next segment")` whenever a widget's text is (re)built;
panels rebuild their text in `retranslate()` or are recreated when the language changes.
"""
from __future__ import annotations

import json
import locale
import os
from collections.abc import Callable

from controlroom.paths import RESOURCES

LANGS = {"zh_CN": "简体中文", "en": "English"}
_catalog: dict[str, str] = {}
_lang = "en"
_listeners: list[Callable[[str], None]] = []


def system_default() -> str:
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        val = os.environ.get(var, "")
        if val and not val.startswith(("C", "POSIX")):
            return "zh_CN" if val.lower().startswith("zh") else "en"
    loc = (locale.getlocale()[0] or "").lower()
    return "zh_CN" if loc.startswith("zh") else "en"


def load(lang: str) -> None:
    global _lang, _catalog
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGS)}")
    catalog: dict[str, str] = {}
    folder = RESOURCES / "i18n" / lang
    if folder.is_dir():
        for f in sorted(folder.glob("*.json")):
            catalog.update(json.loads(f.read_text(encoding="utf-8")))
    _lang, _catalog = lang, catalog
    for fn in list(_listeners):
        fn(lang)


def current() -> str:
    return _lang


def tr(text: str, **fmt) -> str:
    out = _catalog.get(text, text)
    return out.format(**fmt) if fmt else out


def on_change(fn: Callable[[str], None]) -> None:
    _listeners.append(fn)
