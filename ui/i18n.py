"""UI language through Qt's own translation system, switchable at run time.

Source strings are English, marked where they are written: `self.tr("Next")` in a QObject subclass,
`translate("Feed", "Price changed")` outside one, `QT_TRANSLATE_NOOP("Feed", "…")` in tables that are
translated later. `pyside6-lupdate` collects them into resources/i18n/controlroom_zh_CN.ts (Qt Linguist
edits it); `pyside6-lrelease` compiles it to the .qm that is loaded here (`.ci/i18n.sh` runs both; the
compiled .qm is committed so the app runs without a build step, and a test fails when it is stale).
Qt's own catalog (qtbase_zh_CN.qm, shipped with PySide6) is loaded beside ours, so OK/Cancel/Yes/No
and the file dialogs speak Chinese too.

Placeholders are Python's: `self.tr("{n} alerts").format(n=n)`; the translation keeps the names.

Switching: `load(lang)` swaps the translators; Qt then sends every widget a LanguageChange event.
Widgets rebuild their words in `retranslate()` (the `Retranslating` mixin calls it), so nothing is
torn down and the layout stays where the operator put it.
"""
from __future__ import annotations

import locale
import logging
import os
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QLibraryInfo, QLocale, QTranslator

from controlroom.paths import RESOURCES

log = logging.getLogger(__name__)

LANGS = {"zh_CN": "简体中文", "en": "English"}
I18N_DIR = RESOURCES / "i18n"
CATALOG = "controlroom"          # controlroom_<lang>.ts / .qm
SOURCE_LANG = "en"

_lang = SOURCE_LANG
_translators: list[QTranslator] = []


def qm_path(lang: str) -> Path:
    return I18N_DIR / f"{CATALOG}_{lang}.qm"


def ts_path(lang: str) -> Path:
    return I18N_DIR / f"{CATALOG}_{lang}.ts"


def qt_catalog(lang: str) -> Path:
    """Qt's own strings (standard buttons, file dialogs) for `lang`, as shipped with PySide6."""
    return Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)) / f"qtbase_{lang}.qm"


def system_default() -> str:
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        val = os.environ.get(var, "")
        if val and not val.startswith(("C", "POSIX")):
            return "zh_CN" if val.lower().startswith("zh") else "en"
    loc = (locale.getlocale()[0] or "").lower()
    return "zh_CN" if loc.startswith("zh") else "en"


def load(lang: str) -> None:
    """Make `lang` the UI language. Needs the QCoreApplication; without one only the choice is kept
    and `install()` applies it once the application exists."""
    global _lang
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGS)}")
    _lang = lang
    install()


def install() -> None:
    app = QCoreApplication.instance()
    if app is None:
        return
    for t in _translators:
        app.removeTranslator(t)
    _translators.clear()
    QLocale.setDefault(QLocale(_lang if _lang != SOURCE_LANG else "en_US"))
    if _lang == SOURCE_LANG:
        # removing the translators already posted a LanguageChange; say it once more in case there were none
        QCoreApplication.sendEvent(app, QEvent(QEvent.Type.LanguageChange))
        _deliver()
        return
    for path in (qt_catalog(_lang), qm_path(_lang)):
        t = QTranslator(app)
        if t.load(str(path)):
            app.installTranslator(t)       # Qt posts every window a LanguageChange event
            _translators.append(t)
        else:
            log.warning("translation catalog %s could not be loaded", path)
    _deliver()


def _deliver() -> None:
    """Deliver the posted LanguageChange events now: after load() returns, every widget speaks the new language."""
    QCoreApplication.sendPostedEvents(None, int(QEvent.Type.LanguageChange))


def current() -> str:
    return _lang


def translate(context: str, text: str) -> str:
    """The translation of `text` in `context` (the English source when there is none)."""
    return QCoreApplication.translate(context, text)


class Retranslating:
    """Mixin for widgets: on LanguageChange call self.retranslate(). List it before the Qt base class."""

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        raise NotImplementedError
