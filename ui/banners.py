"""Safety banners under the status strip: loud, in the current language, and there until someone
acknowledges them. Each says what happened and what to do.

Sources: safety alerts from the router (circuit breakers, read-back mismatches that lock a product,
failed or impossible failovers, a held guard, failed console actions) and any critical alert; the
journal refusing to write ("journal.error" on the bus). Acknowledging an alert's banner acknowledges the
alert (journaled by the router); a journal error's banner can only be hidden — the strip stays red
while the journal is faulted.

While a red banner is up, or a product is locked, nothing on screen is green (theme.set_failed).
"""
from __future__ import annotations

import html
import time
from dataclasses import dataclass, field
from datetime import datetime

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from ui import theme
from ui.i18n import Retranslating, translate
from ui.words import SAFETY_RULES, alert_of, alert_title, alert_todo

MAX_SHOWN = 3


@dataclass
class Banner:
    key: str                       # alert id, or "journal"
    rule: str
    severity: str
    values: dict = field(default_factory=dict)
    sku: str | None = None
    fallback: str = ""
    detail: str = ""
    at: float = field(default_factory=time.time)

    @property
    def red(self) -> bool:
        return self.severity == "critical"


class BannerRow(QFrame):
    def __init__(self, owner: "SafetyBanners", banner: Banner):
        super().__init__()
        self.owner, self.banner = owner, banner
        self.setObjectName("safetyBanner")
        bg, fg = (theme.ON_AIR, "#ffffff") if banner.red else (theme.WARNING, "#0b0c0e")
        self.setStyleSheet(f"QFrame#safetyBanner {{ background:{bg}; border-radius:3px; }}"
                           f" QLabel {{ color:{fg}; background:transparent; font-size:14px; }}"
                           f" QPushButton {{ background:#0b0c0e; color:#ffffff; border:1px solid #ffffff;"
                           f" font-weight:700; padding:4px 10px; }}")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 3, 6, 3)
        self.text = QLabel()
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setWordWrap(True)
        # wraps to the window's width, never widens the window (CJK lines have no spaces to break at)
        self.text.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.text.setMinimumWidth(200)
        self.ack = QPushButton()
        self.ack.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.ack.clicked.connect(lambda: owner.acknowledge(banner.key))
        lay.addWidget(self.text, 1)
        lay.addWidget(self.ack)
        self.retranslate()

    def retranslate(self) -> None:
        b = self.banner
        what = alert_title(b.rule, b.values, b.sku, self.owner.title_of, fallback=b.fallback)
        todo = alert_todo(b.rule, b.values)
        when = datetime.fromtimestamp(b.at).strftime("%H:%M:%S")
        icon = "✖" if b.red else "⚠"
        todo_head = translate("SafetyBanners", "What to do:")
        self.text.setText(f"<b>{icon} {when} {html.escape(what)}</b>"
                          + (f"<br>{html.escape(todo_head)} {html.escape(todo)}" if todo else ""))
        self.text.setToolTip(b.detail)
        self.ack.setText(translate("SafetyBanners", "Acknowledge"))


class SafetyBanners(Retranslating, QWidget):
    def __init__(self, rt, bridge, parent=None):
        super().__init__(parent)
        self.rt = rt
        self.banners: dict[str, Banner] = {}
        self.rows: dict[str, BannerRow] = {}
        self.lay = QVBoxLayout(self)
        self.lay.setContentsMargins(4, 2, 4, 2)
        self.lay.setSpacing(2)
        self.more = QLabel()
        self.more.setWordWrap(True)
        self.more.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.more.setStyleSheet(f"color:{theme.ON_AIR}; font-weight:700;")
        self.lay.addWidget(self.more)
        self.more.hide()
        bridge.event.connect(self._on_event)
        # alerts raised before this window existed (a resume) still need a person
        for a in list(rt.alerts.open_alerts.values()) if rt.alerts else []:
            self._alert(a)
        if rt.journal.fault:
            self._journal_error(rt.journal.fault)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._update_failed)
        self._timer.start(500)
        self._render()

    def title_of(self, sku: str) -> str:
        console = self.rt.console
        p = console.product(sku) if console is not None and sku else None
        return p.title if p is not None else ""

    def retranslate(self) -> None:
        for row in self.rows.values():
            row.retranslate()
        self._render()

    # ---- sources -------------------------------------------------------------------------------
    def _on_event(self, topic: str, payload) -> None:
        if topic == "alert.raised":
            self._alert(payload)
        elif topic == "alert.acked":
            aid = (payload or {}).get("alert_id") if isinstance(payload, dict) else None
            if aid in self.banners:
                self._drop(aid)
        elif topic == "journal.error":
            reason = payload.get("reason") if isinstance(payload, dict) else payload
            self._journal_error(str(reason))

    def _alert(self, payload) -> None:
        a = alert_of(payload)
        rule, severity = str(a.get("rule") or ""), str(a.get("severity") or "warning")
        if rule not in SAFETY_RULES and severity != "critical":
            return
        if rule in ("stream_returned",):
            return
        aid = str(a.get("alert_id") or "")
        if not aid or aid in self.banners:
            return
        self.banners[aid] = Banner(aid, rule, severity, a.get("values") or {}, a.get("sku"), str(a.get("title") or ""),
                                   str(a.get("detail") or ""))
        self._render()

    def _journal_error(self, reason: str) -> None:
        if "journal" in self.banners:
            self.banners["journal"].detail = reason
        else:
            self.banners["journal"] = Banner("journal", "journal_error", "critical", {}, None, "", reason)
        self._render()

    # ---- acknowledging ---------------------------------------------------------------------------
    def acknowledge(self, key: str) -> None:
        if key not in self.banners:
            return
        if key != "journal" and self.rt.alerts is not None:
            try:
                self.rt.alerts.acknowledge(key)     # journaled; "alert.acked" removes the banner
            except Exception:  # noqa: BLE001 - a faulted journal must not keep a banner from going
                pass
        self._drop(key)

    def _drop(self, key: str) -> None:
        self.banners.pop(key, None)
        self._render()

    # ---- showing -------------------------------------------------------------------------------
    def _render(self) -> None:
        shown = sorted(self.banners.values(), key=lambda b: (not b.red, -b.at))[:MAX_SHOWN]
        keys = [b.key for b in shown]
        for key in [k for k in self.rows if k not in keys]:
            row = self.rows.pop(key)
            row.hide()
            row.setParent(None)
            row.deleteLater()
        for i, b in enumerate(shown):
            row = self.rows.get(b.key)
            if row is None:
                row = self.rows[b.key] = BannerRow(self, b)
            self.lay.insertWidget(i, row)
        extra = len(self.banners) - len(shown)
        self.more.setText(self.tr("+{n} more safety events: acknowledge these first, or see Live metrics → Alerts")
                          .format(n=extra) if extra > 0 else "")
        self.more.setVisible(extra > 0)
        self.setVisible(bool(self.banners))
        self._update_failed()

    def _update_failed(self) -> None:
        locked = bool(self.rt.console.locked()) if self.rt.console is not None else False
        theme.set_failed("banners", any(b.red for b in self.banners.values()) or locked)

    def texts(self) -> list[str]:
        """What the banners say (tests)."""
        return [row.text.text() for row in self.rows.values()]
