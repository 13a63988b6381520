"""What a person can read on a window: every visible widget's text (labels, buttons, titles, tabs, table headers
and the cells in view, combo boxes, progress bars, plot titles, menus), and a judge that finds English words and
raw keys in it. Used by the zh_CN tests; the allow-list is the trade's own acronyms, key names and the show's data.
"""
from __future__ import annotations

import csv
import html
import re
import tomllib

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QComboBox, QDockWidget, QGroupBox, QLabel,
                               QMenuBar, QPlainTextEdit, QProgressBar, QTabBar, QTextBrowser, QWidget)

from controlroom.paths import SAMPLE_SHOW

# acronyms the trade uses as they are, units, key names
ALLOWED = {"SKU", "GMV", "UV", "GPM", "PCU", "ACU", "CTR", "OBS", "PIN", "API", "CSV", "XLSX", "PDF", "SQLite", "Webhook",
           "Ctrl", "Shift", "Alt", "Esc", "Enter", "Tab", "kbps", "ms", "Qt", "csv", "xlsx", "toml", "ini", "settings",
           "guard", "ui", "journal", "sqlite", "db", "png",
           "English"}   # the language menu names each language in itself
RAW_KEY = re.compile(r"\b[a-z]+\.[a-z_]+\b|\b[a-z]+_[a-z_]+\b|\b[A-Z]+_[A-Z_]+\b")
WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*[A-Za-z]|[A-Za-z]")
TAG = re.compile(r"<[^>]+>")
PATHISH = re.compile(r"https?://\S+|[\w.\-]*(?:/[\w.\-]+)+/?|\b[\w\-]+\.(?:toml|ini|db|sqlite|csv|xlsx|py|png)\b|"
                     r"\[\w+\] \w+")       # paths, URLs, file names and "[section] key" of a settings file


def data_words() -> set[str]:
    """Words that are the show's own data (product titles, the show's title, cue titles), not UI text."""
    words: set[str] = set()
    with open(SAMPLE_SHOW / "products.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            for v in row.values():
                words.update(WORD.findall(v or ""))
    for name in ("rundown.csv",):
        with open(SAMPLE_SHOW / name, encoding="utf-8") as f:
            for row in csv.reader(f):
                for v in row:
                    words.update(WORD.findall(v or ""))
    meta = tomllib.loads((SAMPLE_SHOW / "show.toml").read_text(encoding="utf-8"))
    words.update(WORD.findall(str(meta.get("title", ""))))
    return words


def plain(text: str) -> str:
    return html.unescape(TAG.sub(" ", text or "")).replace("&", "")


def visible_texts(root: QWidget) -> list[tuple[str, str]]:
    """(where, text) for everything a person can read on `root` and its visible children."""
    out: list[tuple[str, str]] = []

    def add(w, text):
        if text:
            out.append((f"{type(w).__name__}:{w.objectName()}", plain(str(text))))

    widgets = [root] + root.findChildren(QWidget)
    for w in widgets:
        if w is not root and not w.isVisibleTo(root):
            continue
        if isinstance(w, QLabel):
            add(w, w.text())
        elif isinstance(w, QAbstractButton):
            add(w, w.text())
        elif isinstance(w, QGroupBox):
            add(w, w.title())
        elif isinstance(w, QDockWidget):
            add(w, w.windowTitle())
        elif isinstance(w, QTabBar):
            for i in range(w.count()):
                add(w, w.tabText(i))
        elif isinstance(w, QComboBox):
            add(w, w.currentText())
        elif isinstance(w, QProgressBar) and w.isTextVisible():
            add(w, w.text())
        elif isinstance(w, (QTextBrowser,)):
            add(w, w.toPlainText())
        elif isinstance(w, QPlainTextEdit):
            add(w, w.toPlainText() or w.placeholderText())
        elif isinstance(w, QMenuBar):
            for act in w.actions():
                add(w, act.text())
                menu = act.menu()
                if menu is not None:
                    for sub in menu.actions():
                        add(menu, sub.text())
        if isinstance(w, QAbstractItemView) and w.model() is not None:
            model = w.model()
            header = getattr(w, "horizontalHeader", None)
            if header is not None and header().isVisible():
                for c in range(model.columnCount()):
                    if not w.isColumnHidden(c) if hasattr(w, "isColumnHidden") else True:
                        add(w, model.headerData(c, Qt.Orientation.Horizontal))
            rows = model.rowCount(QModelIndex())
            for r in range(min(rows, 60)):
                for c in range(model.columnCount()):
                    add(w, model.index(r, c).data(Qt.ItemDataRole.DisplayRole))
        # pyqtgraph plot titles
        plot_item = getattr(w, "getPlotItem", None)
        if callable(plot_item):
            title = getattr(plot_item(), "titleLabel", None)
            if title is not None and title.isVisible():
                add(w, title.text)
    return out


def problems(texts, allowed_extra: set[str] = frozenset()) -> list[str]:
    """English words and raw keys in texts meant for a zh_CN operator."""
    data = data_words()
    allowed = ALLOWED | data | set(allowed_extra)
    found = []
    for where, text in texts:
        bare = PATHISH.sub(" ", text)
        # data cut short to fit ("Evening Beauty…" → "Ev…") is still data
        bare = re.sub(r"([A-Za-z]+)…", lambda m: " " if any(d.startswith(m.group(1)) for d in data) else m.group(0),
                      bare)
        for key in RAW_KEY.findall(bare):
            found.append(f"raw key {key!r} in {where}: {text!r}")
        for word in WORD.findall(bare):
            if word in allowed or re.fullmatch(r"F\d{1,2}", word) or (len(word) == 1 and word.isupper()):
                continue
            found.append(f"English {word!r} in {where}: {text!r}")
    return found
