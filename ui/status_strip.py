"""The strip across the top: show clock · session · segment timer · ahead/behind · stream lights ·
alerts · journal. Every glance must answer "are we OK?"."""
from __future__ import annotations

import html
import time
from datetime import datetime

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

from ui import theme
from ui.i18n import tr


def _pill(text: str, colour: str) -> str:
    return (f"<span style='background:{colour}; color:#0b0c0e; font-weight:700; border-radius:3px;'>"
            f"&nbsp;{text}&nbsp;</span>")


class StatusStrip(QFrame):
    def __init__(self, rt, bridge, parent: QWidget | None = None):
        super().__init__(parent)
        self.rt = rt
        self.setObjectName("statusStrip")
        self.setStyleSheet(f"#statusStrip {{ background:{theme.PANEL}; border-bottom:1px solid {theme.BORDER}; }}"
                           f"QLabel {{ background:transparent; font-size:15px; }}")
        self.clock = self._label(mono=True, big=True)
        self.session = self._label()
        self.segment = self._label(mono=True)
        self.offset = self._label(mono=True)
        self.stream = self._label()
        self.alerts = self._label()
        self.journal = self._label()
        lay = QHBoxLayout(self)
        lay.setContentsMargins(10, 4, 10, 4)
        lay.setSpacing(22)
        for w in (self.clock, self.session, self.segment, self.offset):
            lay.addWidget(w)
        lay.addStretch(1)
        for w in (self.stream, self.alerts, self.journal):
            lay.addWidget(w)
        self._last_journal_mono: float | None = None
        self._journal_error: str | None = None
        self._stream_state: dict | None = None
        self._rundown_state = None
        bridge.event.connect(self._on_event)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.refresh)
        self._timer.start(250)
        self.refresh()

    def _label(self, mono: bool = False, big: bool = False) -> QLabel:
        lab = QLabel()
        lab.setTextFormat(Qt.TextFormat.RichText)
        style = []
        if mono:
            style.append(f"font-family:{theme.MONO};")
        if big:
            style.append("font-size:20px; font-weight:700;")
        lab.setStyleSheet("".join(style))
        return lab

    def _on_event(self, topic: str, payload) -> None:
        # journal.error / journal.recovered are the journal's health, not journaled events: match them first
        if topic == "journal.error":
            self._journal_error = str(payload.get("reason") if isinstance(payload, dict) else payload)
        elif topic == "journal.recovered":
            self._journal_error = None
        elif topic.startswith("journal."):
            self._last_journal_mono = time.monotonic()
        elif topic == "stream.state":
            self._stream_state = payload
        elif topic == "rundown.state":
            self._rundown_state = payload

    def refresh(self) -> None:
        self.clock.setText(datetime.now().strftime("%H:%M:%S"))
        self._refresh_session()
        self._refresh_rundown()
        self._refresh_stream()
        n = len(self.rt.alerts.open_alerts) if self.rt.alerts else 0
        self.alerts.setText(_pill(tr("{n} ALERTS", n=n), theme.WARNING if n else theme.IDLE)
                            if n else f"<span style='color:{theme.TEXT_DIM}'>{tr('No alerts')}</span>")
        error = self._journal_error or self.rt.journal.fault  # a fault from before this strip existed too
        if error:
            short = error if len(error) <= 60 else error[:59] + "…"
            self.journal.setText(_pill(tr("JOURNAL ERROR"), theme.ON_AIR) + f" {html.escape(short)}")
            self.journal.setToolTip(f"{self.rt.journal.path}: {error}")
        else:
            self.journal.setText(f"<span style='color:{theme.HEALTHY}'>●</span> {tr('Journal OK')}")
            self.journal.setToolTip(str(self.rt.journal.path))

    def _refresh_session(self) -> None:
        sid = self.rt.session_id
        if sid is None:
            self.session.setText(_pill(tr("NO SHOW"), theme.IDLE))
            return
        s = self.rt.journal.session(sid) if not hasattr(self, "_sess_cache") or self._sess_cache[0] != sid \
            else self._sess_cache[1]
        self._sess_cache = (sid, s)
        if s.ended_utc:
            pill = _pill(tr("ENDED"), theme.IDLE)
        elif s.started_utc:
            pill = _pill(tr("ON AIR"), theme.ON_AIR)
        else:
            pill = _pill(tr("READY"), theme.HEALTHY)
        self.session.setText(f"{pill} &nbsp;{s.title}")

    def invalidate_session(self) -> None:
        if hasattr(self, "_sess_cache"):
            del self._sess_cache
        self.refresh()

    def _refresh_rundown(self) -> None:
        st = self._rundown_state
        if not st:
            self.segment.setText(f"<span style='color:{theme.TEXT_DIM}'>{tr('Segment')} —</span>")
            self.offset.setText("")
            return
        get = st.get if isinstance(st, dict) else (lambda k, d=None: getattr(st, k, d))
        title = get("title") or get("segment_title") or ""
        remaining = get("remaining_text") or get("display") or ""
        self.segment.setText(f"{title} &nbsp;<b>{remaining}</b>")
        off = get("offset_s")
        if off is None:
            self.offset.setText("")
        else:
            behind = off > 0
            colour = theme.WARNING if behind else theme.HEALTHY
            word = tr("behind") if behind else tr("ahead")
            self.offset.setText(f"<span style='color:{colour}'>{abs(int(off)) // 60:d}:{abs(int(off)) % 60:02d} {word}</span>")

    def _refresh_stream(self) -> None:
        """Stream lights: one per OBS instance (role, health word), then the guard's state; ON BACKUP in red."""
        st = self._stream_state
        room = self.rt.stream
        if st is None and room is not None and hasattr(room, "state"):
            try:
                st = room.state()
            except Exception:
                st = None
        if not st or not st.get("configured"):
            self.stream.setText(f"<span style='color:{theme.TEXT_DIM}'>● {tr('Stream guard not configured')}</span>")
            return
        parts = []
        for name, inst in (st.get("instances") or {}).items():
            level = str(inst.get("level", "UNKNOWN"))
            role = tr("primary") if inst.get("role") == "primary" else tr("backup")
            parts.append(f"<span style='color:{theme.colour_for(level)}'>●</span> {name} ({role}) {tr(level)}")
        if st.get("on_backup"):
            parts.append(_pill(tr("ON BACKUP"), theme.ON_AIR))
        elif st.get("state"):
            parts.append(f"<b>{tr(str(st['state']))}</b>")
        if st.get("hold"):
            parts.append(_pill(tr("HOLD"), theme.WARNING))
        self.stream.setText(" &nbsp; ".join(parts))
