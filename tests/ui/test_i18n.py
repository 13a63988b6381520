"""Issue 12 finding 7: zh_CN is Chinese everywhere — Qt's own translation system (.ts → .qm, Qt's qtbase catalog),
no English and no raw keys on the main window, tickets, banners, the feed and the cue screen; switchable at run time."""
from __future__ import annotations

import ast
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.ui.visible_text import problems, visible_texts

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "resources" / "i18n" / "controlroom_zh_CN.ts"
QM = ROOT / "resources" / "i18n" / "controlroom_zh_CN.qm"


def _marked_strings() -> set[tuple[str, str]]:
    """(context, source) of every literal the UI marks for translation: self.tr("…") (its class is the context),
    translate("Ctx", "…") and QT_TRANSLATE_NOOP("Ctx", "…") — also inside f-strings, where Linguist does not look."""
    found = set()
    for path in sorted((ROOT / "ui").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))

        def walk(node, cls=None):
            for child in ast.iter_child_nodes(node):
                c = child.name if isinstance(child, ast.ClassDef) else cls
                if isinstance(child, ast.Call):
                    f, a = child.func, child.args
                    if isinstance(f, ast.Attribute) and f.attr == "tr" and isinstance(f.value, ast.Name) \
                            and f.value.id == "self" and a and isinstance(a[0], ast.Constant) and cls:
                        found.add((cls, a[0].value, str(path)))
                    elif isinstance(f, ast.Name) and f.id in ("translate", "QT_TRANSLATE_NOOP") and len(a) >= 2 \
                            and all(isinstance(x, ast.Constant) for x in a[:2]):
                        found.add((a[0].value, a[1].value, str(path)))
                walk(child, c)
        walk(tree)
    return found


def _catalog() -> dict[tuple[str, str], str | None]:
    out = {}
    for ctx in ET.parse(TS).getroot().iter("context"):
        name = ctx.findtext("name")
        for msg in ctx.iter("message"):
            tr = msg.find("translation")
            done = tr is not None and tr.get("type") not in ("unfinished", "vanished", "obsolete") and tr.text
            out[(name, msg.findtext("source"))] = tr.text if done else None
    return out


def test_every_marked_string_is_in_the_catalog_and_translated():
    catalog = _catalog()
    missing = sorted(f"{p}: [{c}] {s!r}" for c, s, p in _marked_strings() if not catalog.get((c, s)))
    assert not missing, "not in resources/i18n/controlroom_zh_CN.ts or untranslated (run .ci/i18n.sh, then " \
                        "translate with pyside6-linguist):\n" + "\n".join(missing)


def test_placeholders_survive_translation():
    import re
    bad = [f"[{c}] {s!r} → {t!r}" for (c, s), t in _catalog().items()
           if t and set(re.findall(r"{\w*}", s)) != set(re.findall(r"{\w*}", t))]
    assert not bad, "\n".join(bad)


def test_the_committed_qm_is_compiled_from_the_ts(tmp_path):
    out = tmp_path / "x.qm"
    lrelease = Path(sys.executable).parent / "pyside6-lrelease"
    subprocess.run([str(lrelease), str(TS), "-qm", str(out)], check=True, capture_output=True)
    assert out.read_bytes() == QM.read_bytes(), "resources/i18n/controlroom_zh_CN.qm is stale: run .ci/i18n.sh"


def test_qt_own_buttons_speak_chinese(qtbot, lang):
    from PySide6.QtWidgets import QDialogButtonBox, QMessageBox
    lang("zh_CN")
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    qtbot.addWidget(box)
    texts = [b.text() for b in box.buttons()]
    assert not any(t.replace("&", "") in ("OK", "Cancel") for t in texts), texts
    mb = QMessageBox(QMessageBox.Icon.Question, "x", "y", QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    qtbot.addWidget(mb)
    assert not any(b.text().replace("&", "") in ("Yes", "No") for b in mb.buttons())


def test_language_switches_at_run_time_in_place(qtbot, main_window, lang):
    win = main_window
    feed_dock = win.docks["feed"]
    assert feed_dock.windowTitle() == "Event feed"
    lang("zh_CN")
    win.set_language("zh_CN")
    assert feed_dock.windowTitle() == "事件流"                     # the same dock, reworded
    assert win.docks["feed"] is feed_dock
    assert win.feed.model.headerData(2, __import__("PySide6.QtCore").QtCore.Qt.Orientation.Horizontal) == "事件"
    win.set_language("en")
    assert feed_dock.windowTitle() == "Event feed"


def _settle(qtbot, ms=300):
    qtbot.wait(ms)


def test_no_english_or_raw_keys_in_zh_cn_main_window_ticket_banner_feed_and_cue(qtbot, main_window, lang, tmp_path):
    from controlroom.alerts import Alert
    from controlroom.commerce import commands as cmds
    from ui.console_ticket import TicketDialog
    lang("zh_CN")
    win, rt = main_window, main_window.rt
    win.start_show()
    qtbot.waitUntil(lambda: rt.console.pinned() is not None, timeout=5000)
    # a breaker trip and a failed failover, as the core raises them: banners in words
    rt.alerts.raise_alert(Alert(rule="breaker_order_rate", severity="critical", source="console", sku="LIP-001",
                                title="Circuit breaker on LIP-001: offer paused (unlist)",
                                values={"orders": 40, "window_s": 60.0, "planned_per_min": 2.0, "allowed": 20.0},
                                to_cue=True))
    rt.alerts.raise_alert(Alert(rule="stream_failover_failed", severity="critical", source="stream",
                                title="Failover FAILED: the backup did not go live", detail="WebSocket error",
                                values={"method": "backup_encoder"}, to_cue=True))
    # a blocked price change (≈10×): the ticket
    t = rt.console.request(cmds.SetPrice("LIP-001", 69000))
    ticket = TicketDialog(t, win, product=rt.console.product("LIP-001"), settings=rt.console.settings)
    ticket.show()
    qtbot.addWidget(ticket)
    win.toggle_cue_screen()
    _settle(qtbot, 800)
    win.cue_screen.grab()
    texts = visible_texts(win) + visible_texts(ticket) + [("cue", t) for t, _ in win.cue_screen.drawn]
    win.grab().save(str(tmp_path / "zh_main.png"))
    ticket.grab().save(str(tmp_path / "zh_ticket.png"))
    win.cue_screen.grab().save(str(tmp_path / "zh_cue.png"))
    assert len(win.banners.banners) == 2
    assert any("熔断" in t for t in win.banners.texts()) and any("切换备用失败" in t for t in win.banners.texts())
    assert "已拦截" in ticket.head.text() and "丝绒" in ticket.head.text()
    bad = problems(texts)
    assert not bad, "\n".join(bad)


def test_every_feed_line_is_words_in_zh_cn(qtbot, main_window, lang):
    """Every event kind the sample show produces, and the console's failures, read as words."""
    from PySide6.QtCore import Qt
    lang("zh_CN")
    win, rt = main_window, main_window.rt
    win.start_show()
    sid = rt.session_id
    for kind, payload in (
            ("console.action_failed", {"sku": "LIP-001", "action": "price", "error": "PlatformError: timeout"}),
            ("console.readback_mismatch", {"sku": "LIP-001", "action": "price", "commanded": {"price": 5900},
                                           "readback": {"price": 6900}}),
            ("interlock.verdict", {"sku": "LIP-001", "action": "price", "verdict": "block",
                                   "rules": ["power_of_ten_change", "price_band"]}),
            ("interlock.breaker_tripped", {"sku": "LIP-001", "rule": "order_rate", "pause_action": "unlist",
                                           "values": {"orders": 40, "window_s": 60.0, "allowed": 20.0}}),
            ("stream.failover_failed", {"method": "backup_encoder", "error": "WebSocketConnectionClosedException"}),
            ("stream.health", {"instance": "main", "level": "FAILED"}),
            ("rundown.time_changed", {"delta_s": 60.0})):
        rt.journal.append(sid, kind, "operator", payload)
    qtbot.waitUntil(lambda: "rundown.time_changed" in win.feed.model.kinds(), timeout=3000)
    m = win.feed.model
    texts = [("feed", m.index(r, c).data(Qt.ItemDataRole.DisplayRole) or "")
             for r in range(m.rowCount()) for c in range(4)]
    bad = problems(texts, allowed_extra={"main"})
    assert not bad, "\n".join(bad)
