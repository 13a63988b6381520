"""The strip across the top: show clock · show state · segment timer · ahead/behind · stream · F9/F10 ·
alerts · journal. Every glance must answer "are we OK?".

It keeps no state of its own: the show state comes from the journal's session, the stream from the
guard's snapshot (the same reading as the stream panel, ui.words.stream_headline), the timer from the
runner's heartbeat, the alerts from the router. Red means on air or failed; nothing is green while
anything is failed (theme.ok_colour()).
"""
from __future__ import annotations

import html
import time
from datetime import datetime

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QToolButton, QWidget

from ui import theme
from ui.i18n import Retranslating
from ui.words import SEVERITIES, offset_words, stream_headline, word_for

SEVERITY_RANK = {"info": 0, "warning": 1, "critical": 2}


def _elide(label: QLabel, text: str, px: int) -> str:
    """Plain text cut to px pixels of the label's font with an ellipsis (the whole text goes in the tooltip)."""
    return QFontMetrics(label.font()).elidedText(text, Qt.TextElideMode.ElideRight, px)


def _pill(text: str, colour: str, fg: str = "#0b0c0e") -> str:
    return (f"<span style='background:{colour}; color:{fg}; font-weight:700;'>"
            f"&nbsp;{html.escape(text)}&nbsp;</span>")


class StatusStrip(Retranslating, QFrame):
    def __init__(self, rt, bridge, parent: QWidget | None = None, stream_actions=None, start_action=None):
        super().__init__(parent)
        self.rt = rt
        self.setObjectName("statusStrip")
        self.setStyleSheet(f"#statusStrip {{ background:{theme.PANEL}; border-bottom:1px solid {theme.BORDER}; }}"
                           f"QLabel {{ background:transparent; font-size:15px; }}"
                           f"QToolButton {{ background:{theme.PANEL_ALT}; border:1px solid {theme.BORDER};"
                           f" border-radius:3px; padding:3px 8px; font-weight:700; }}"
                           f"QToolButton#failOverButton:enabled {{ border-color:{theme.ON_AIR}; color:#ffd7d8; }}"
                           # a key that cannot act now (no guard configured, already on backup) looks it: dim
                           f"QToolButton:disabled {{ color:{theme.IDLE}; border-style:dashed; font-weight:400; }}"
                           f"QToolButton#startButton {{ background:#16324f; border-color:{theme.ACCENT}; }}")
        self.clock = self._label(mono=True, big=True)
        self.session = self._label()
        self.segment = self._label(mono=True)
        self.offset = self._label(mono=True)
        self.stream = self._label()
        self.alerts = self._label()
        self.journal = self._label()
        lay = QHBoxLayout(self)
        lay.setContentsMargins(10, 3, 10, 3)
        lay.setSpacing(16)
        for w in (self.clock, self.session):
            lay.addWidget(w)
        self.start_button = None
        if start_action is not None:  # the one obvious way on air, shown only while the show is ready
            self.start_button = QToolButton()
            self.start_button.setObjectName("startButton")
            self.start_button.setDefaultAction(start_action)
            lay.addWidget(self.start_button)
        for w in (self.segment, self.offset):
            lay.addWidget(w)
        lay.addStretch(1)
        lay.addWidget(self.stream)
        self.stream_buttons = []
        if stream_actions is not None:   # F9/F10 always in sight, whatever panel is tabbed away
            for act, name in ((stream_actions.fail_over, "failOverButton"), (stream_actions.return_, "returnButton")):
                b = QToolButton()
                b.setObjectName(name)
                b.setDefaultAction(act)
                b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
                lay.addWidget(b)
                self.stream_buttons.append(b)
        self.stream_actions = stream_actions
        for w in (self.alerts, self.journal):
            lay.addWidget(w)
        self._last_journal_mono: float | None = None
        self._journal_error: str | None = None
        self._stream_state: dict | None = None
        self._rundown_state = rt.rundown.runner.snapshot() if rt.rundown is not None else None
        self._sess_cache = None
        bridge.event.connect(self._on_event)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.refresh)
        self._timer.start(250)
        self.refresh()

    def _label(self, mono: bool = False, big: bool = False) -> QLabel:
        lab = QLabel()
        lab.setTextFormat(Qt.TextFormat.RichText)
        lab.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        style = []
        if mono:
            style.append(f"font-family:{theme.MONO};")
        if big:
            style.append("font-size:20px; font-weight:700;")
        lab.setStyleSheet("".join(style))
        return lab

    def retranslate(self) -> None:
        self.refresh()

    def _on_event(self, topic: str, payload) -> None:
        # journal.error / journal.recovered are the journal's health, not journaled events: match them first
        if topic == "journal.error":
            self._journal_error = str(payload.get("reason") if isinstance(payload, dict) else payload)
        elif topic == "journal.recovered":
            self._journal_error = None
        elif topic.startswith("journal."):
            self._last_journal_mono = time.monotonic()
            if topic.startswith("journal.session."):
                self._sess_cache = None
        elif topic == "stream.state":
            self._stream_state = payload
        elif topic == "rundown.state":
            self._rundown_state = payload
        elif topic == "session.current":
            self._sess_cache = None

    # ---- what is shown ---------------------------------------------------------------------------
    def stream_snapshot(self) -> dict:
        room = self.rt.stream
        if room is not None:
            try:
                return room.state()
            except Exception:  # noqa: BLE001 - the strip never dies of the guard
                pass
        return self._stream_state or {"configured": False, "state": "NOT_CONFIGURED"}

    def refresh(self) -> None:
        self.clock.setText(datetime.now().strftime("%H:%M:%S"))
        snap = self.stream_snapshot()
        if self.stream_actions is not None:
            self.stream_actions.update_from(snap)
        self._refresh_session(snap)
        self._refresh_rundown()
        self._refresh_stream(snap)
        self._refresh_alerts()
        error = self._journal_error or self.rt.journal.fault  # a fault from before this strip existed too
        theme.set_failed("journal", bool(error))
        if error:
            short = error if len(error) <= 60 else error[:59] + "…"
            self.journal.setText(_pill(self.tr("JOURNAL ERROR"), theme.ON_AIR) + f" {html.escape(short)}")
            self.journal.setToolTip(f"{self.rt.journal.path}: {error}")
        else:
            ok = self.tr("Journal OK")
            self.journal.setText(f"<span style='color:{theme.ok_colour()}'>●</span> {html.escape(ok)}")
            self.journal.setToolTip(str(self.rt.journal.path))

    def _session(self):
        sid = self.rt.session_id
        if sid is None:
            return None
        if self._sess_cache is None or self._sess_cache[0] != sid:
            self._sess_cache = (sid, self.rt.journal.session(sid))
        return self._sess_cache[1]

    def show_state(self, snap: dict | None = None) -> str:
        """none | ready | on_air | not_streaming | ended — the show pill's meaning."""
        s = self._session()
        if s is None:
            return "none"
        if s.ended_utc:
            return "ended"
        if not s.started_utc:
            return "ready"
        snap = snap if snap is not None else self.stream_snapshot()
        if snap.get("configured") and snap.get("state") in ("STANDBY", "WAITING"):
            return "not_streaming"     # the guard watches OBS and OBS is not sending: do not claim ON AIR
        return "on_air"

    def _refresh_session(self, snap: dict) -> None:
        state = self.show_state(snap)
        s = self._session()
        if self.start_button is not None:
            self.start_button.setVisible(state == "ready")
        if state == "none":
            self.session.setText(_pill(self.tr("NO SHOW"), theme.IDLE))
            return
        pill = {"ended": lambda: _pill(self.tr("ENDED"), theme.IDLE),
                "ready": lambda: _pill(self.tr("READY"), theme.IDLE, "#ffffff"),
                "on_air": lambda: _pill(self.tr("ON AIR"), theme.ON_AIR, "#ffffff"),
                "not_streaming": lambda: _pill(self.tr("STARTED · NOT STREAMING"), theme.WARNING)}[state]()
        title = _elide(self.session, s.title, 150 if self.width() < 1700 else 320)
        self.session.setText(f"{pill} &nbsp;{html.escape(title)}")
        self.session.setToolTip(s.title)

    def invalidate_session(self) -> None:
        self._sess_cache = None
        self.refresh()

    def _refresh_rundown(self) -> None:
        st = self._rundown_state
        seg = (st or {}).get("segment") if isinstance(st, dict) else None
        if not seg or st.get("status") == "idle":
            none = self.tr("Segment —")
            self.segment.setText(f"<span style='color:{theme.TEXT_DIM}'>{html.escape(none)}</span>")
            self.offset.setText("")
            return
        full = f"{seg.get('cue', '')} {seg.get('title', '')}".strip()
        title = _elide(self.segment, full, 150 if self.width() < 1700 else 320)
        self.segment.setToolTip(full)
        if st.get("status") == "ended":
            ended = self.tr("Run of show ended")
            self.segment.setText(f"<span style='color:{theme.TEXT_DIM}'>{html.escape(ended)}</span>")
            self.offset.setText("")
            return
        colour = {"warning": theme.WARNING, "danger": theme.ON_AIR, "overtime": theme.ON_AIR}.get(
            st.get("phase"), theme.TEXT)
        self.segment.setText(f"{html.escape(title)} &nbsp;<b style='color:{colour}'>{st.get('display', '')}</b>")
        words, kind = offset_words(st.get("offset_s"))
        colour = {"behind": theme.WARNING, "ahead": theme.ok_colour(), "on_time": theme.ok_colour()}[kind]
        self.offset.setText(f"<span style='color:{colour}'>{html.escape(words)}</span>")

    def _refresh_stream(self, snap: dict) -> None:
        level, words = stream_headline(snap)
        theme.set_failed("stream", level == "FAILED")
        colour = theme.IDLE if level in ("IDLE", "UNKNOWN") else (
            theme.ok_colour() if level == "HEALTHY" else theme.colour_for(level))
        short = _elide(self.stream, words, 200 if self.width() < 1700 else 420)
        if snap.get("on_backup"):
            text = _pill(short, theme.ON_AIR, "#ffffff")
        else:
            text = f"<span style='color:{colour}'>● {html.escape(short)}</span>"
        if snap.get("hold"):
            text += " " + _pill(self.tr("HOLD"), theme.WARNING)
        self.stream.setText(text)
        self.stream.setToolTip(self.tr("Stream: {state}").format(state=words))

    def _refresh_alerts(self) -> None:
        open_alerts = list(self.rt.alerts.open_alerts.values()) if self.rt.alerts else []
        n = len(open_alerts)
        if not n:
            none = self.tr("No alerts")
            self.alerts.setText(f"<span style='color:{theme.TEXT_DIM}'>{html.escape(none)}</span>")
            return
        worst = max((a.severity for a in open_alerts), key=lambda s: SEVERITY_RANK.get(s, 0))
        colour = {"critical": theme.ON_AIR, "warning": theme.WARNING}.get(worst, theme.IDLE)
        fg = "#ffffff" if worst == "critical" else "#0b0c0e"
        words = self.tr("1 alert") if n == 1 else self.tr("{n} alerts").format(n=n)
        self.alerts.setText(_pill(words, colour, fg))
        self.alerts.setToolTip(self.tr("Worst: {severity}").format(severity=word_for(SEVERITIES, worst)))
