"""Stream panel: a light per OBS instance and per signal (colour + word), bitrate and congestion
charts, the method and guard state, FAIL OVER NOW / RETURN with confirmation, the last switch.

Holds no state of its own: it renders rt.stream.state() on "stream.state" bus snapshots.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QCheckBox, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QMessageBox, QPushButton,
                               QVBoxLayout, QWidget)

from controlroom.stream.urls import mask_text
from ui import theme
from ui.i18n import tr

SIGNAL_NAMES = {"link": "Link", "output": "Output", "bitrate": "Bitrate", "congestion": "Congestion",
                "frames": "Dropped frames", "render": "Render", "picture": "Picture", "probe": "Viewer probe"}
LEVEL_WORDS = {"HEALTHY": "HEALTHY", "DEGRADED": "DEGRADED", "FAILED": "FAILED", "UNKNOWN": "UNKNOWN", "IDLE": "IDLE"}
STATE_WORDS = {"STANDBY": "Standby (not on air)", "ON_PRIMARY": "On primary", "FAILING_OVER": "Failing over…",
               "ON_BACKUP": "ON BACKUP", "RETURNING": "Returning…", "NOT_CONFIGURED": "Not configured",
               "WAITING": "Waiting for a show session"}


def _light(level: str, word: str, big: bool = False) -> QLabel:
    lab = QLabel(f"● {word}")
    colour = theme.IDLE if level == "IDLE" else theme.colour_for(level)
    size = "15px" if big else "12px"
    lab.setStyleSheet(f"color: {colour}; font-size: {size}; font-weight: {'bold' if big else 'normal'};")
    return lab


class StreamPanel(QWidget):
    def __init__(self, rt, bridge, parent=None):
        super().__init__(parent)
        self.rt = rt
        self.room = rt.stream
        self.setObjectName("streamPanel")
        self.setStyleSheet(f"#streamPanel {{ background: {theme.PANEL}; color: {theme.TEXT}; }}"
                           f" QLabel {{ color: {theme.TEXT}; }}")
        root = QVBoxLayout(self)
        head = QHBoxLayout()
        self.state_label = QLabel()
        self.method_label = QLabel()
        self.method_label.setStyleSheet(f"color: {theme.TEXT_DIM};")
        head.addWidget(self.state_label, 1)
        head.addWidget(self.method_label)
        root.addLayout(head)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet(f"color: {theme.TEXT_DIM};")
        root.addWidget(self.hint)
        self.instances_box = QWidget()
        self.instances_layout = QHBoxLayout(self.instances_box)
        self.instances_layout.setContentsMargins(0, 0, 0, 0)
        root.addWidget(self.instances_box)
        self.charts = self._make_charts()
        if self.charts is not None:
            root.addWidget(self.charts)
        self.probe_label = QLabel()  # the viewer-side pull check: what viewers actually receive
        self.probe_label.setWordWrap(True)
        root.addWidget(self.probe_label)
        self.last_label = QLabel()
        self.last_label.setWordWrap(True)
        root.addWidget(self.last_label)
        buttons = QHBoxLayout()
        self.fail_btn = QPushButton(tr("FAIL OVER NOW") + "  (F9)")
        self.fail_btn.setShortcut("F9")
        self.fail_btn.setMinimumHeight(48)
        self.fail_btn.setStyleSheet(f"QPushButton {{ background: {theme.ON_AIR}; color: white; font-size: 16px;"
                                    f" font-weight: bold; }} QPushButton:disabled {{ background: {theme.PANEL_ALT};"
                                    f" color: {theme.TEXT_DIM}; }}")
        self.fail_btn.clicked.connect(self._fail_over)
        self.return_btn = QPushButton(tr("RETURN TO PRIMARY") + "  (F10)")
        self.return_btn.setShortcut("F10")
        self.return_btn.setMinimumHeight(48)
        self.return_btn.setStyleSheet(f"QPushButton {{ background: {theme.HEALTHY}; color: white; font-size: 16px;"
                                      f" font-weight: bold; }} QPushButton:disabled {{ background: {theme.PANEL_ALT};"
                                      f" color: {theme.TEXT_DIM}; }}")
        self.return_btn.clicked.connect(self._return)
        self.hold_box = QCheckBox(tr("Manual hold (no automatic switch)"))
        self.hold_box.clicked.connect(self._hold)
        buttons.addWidget(self.fail_btn, 1)
        buttons.addWidget(self.return_btn, 1)
        root.addLayout(buttons)
        root.addWidget(self.hold_box)
        root.addStretch(1)
        bridge.event.connect(self._on_event)
        self._timer = QTimer(self)          # also refresh without bus traffic (durations keep counting)
        self._timer.timeout.connect(self.refresh)
        self._timer.start(1000)
        self.refresh()

    def _make_charts(self):
        try:
            import pyqtgraph as pg
        except Exception:
            return None
        box = QWidget()
        lay = QHBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        self.plots = {}
        for key, title in (("kbps", tr("Bitrate (kbps)")), ("congestion", tr("Congestion"))):
            pw = pg.PlotWidget(background=theme.PANEL_ALT)
            pw.setTitle(title, color=theme.TEXT_DIM, size="9pt")
            pw.setMinimumHeight(110)
            pw.setMaximumHeight(150)
            pw.showGrid(x=True, y=True, alpha=0.2)
            pw.setLabel("bottom", tr("seconds"))
            if key == "congestion":
                pw.setYRange(0, 1)
            self.plots[key] = (pw, {})
            lay.addWidget(pw)
        return box

    # ---- rendering -----------------------------------------------------------------------------
    def _on_event(self, topic: str, payload) -> None:
        if topic == "stream.state" or topic.startswith("journal.stream."):
            self.refresh(payload if topic == "stream.state" else None)

    def refresh(self, snap=None) -> None:
        if snap is None:
            snap = self.room.state() if self.room is not None else {"configured": False, "state": "NOT_CONFIGURED"}
        state = snap.get("state", "NOT_CONFIGURED")
        level = {"ON_BACKUP": "FAILED", "FAILING_OVER": "DEGRADED", "RETURNING": "DEGRADED",
                 "ON_PRIMARY": "HEALTHY"}.get(state, "IDLE")
        colour = theme.IDLE if level == "IDLE" else theme.colour_for(level)
        self.state_label.setText(tr(STATE_WORDS.get(state, state)) + (f"  ·  {tr('HOLD')}" if snap.get("hold") else ""))
        self.state_label.setStyleSheet(f"color: {colour}; font-size: 20px; font-weight: bold;")
        method = snap.get("method")
        self.method_label.setText(tr("Method") + f": {tr(method) if method else '—'}")
        configured = bool(snap.get("configured"))
        if not configured:
            err = snap.get("error")
            self.hint.setText(tr("Stream guard is not configured. Put a guard.toml in the data folder"
                                 " (example: resources/guard.example.toml), or set [guard] config in"
                                 " settings.toml.") + (f"\n{mask_text(err)}" if err else ""))
        else:
            self.hint.setText(tr("Talk track while on backup") + f": {snap.get('talk_track') or '—'}"
                              if snap.get("on_backup") else "")
        self.hint.setVisible(bool(self.hint.text()))
        self.fail_btn.setEnabled(configured and not snap.get("on_backup") and not snap.get("switching"))
        self.return_btn.setEnabled(configured and bool(snap.get("on_backup")) and not snap.get("switching"))
        self.hold_box.setEnabled(configured)
        self.hold_box.setChecked(bool(snap.get("hold")))
        self._render_instances(snap)
        self._render_probe(snap.get("probe"))
        self._render_last(snap)
        self._render_charts(snap)

    def _render_probe(self, probe) -> None:
        if not probe:
            self.probe_label.setVisible(False)
            return
        age = probe.get("last_frame_age_s")
        if probe.get("error"):
            level, word = "UNKNOWN", f"{tr('no data')}: {probe['error']}"
        elif age is None:
            level, word = "UNKNOWN", tr("no frame yet")
        elif age > 2.0:
            level, word = "FAILED", tr("no frames for {s} s", s=f"{age:.1f}")
        else:
            level, word = "HEALTHY", tr("frames arriving")
        colour = theme.IDLE if level == "UNKNOWN" else theme.colour_for(level)
        self.probe_label.setText(f"<span style='color:{colour}'>●</span> {tr('Viewer probe')}: {word} "
                                 f"<span style='color:{theme.TEXT_DIM}'>· {mask_text(probe.get('url') or '')} · "
                                 f"{tr('restarts')} {max(0, int(probe.get('starts') or 0) - 1)}</span>")
        self.probe_label.setVisible(True)

    def _render_instances(self, snap) -> None:
        while self.instances_layout.count():
            w = self.instances_layout.takeAt(0).widget()
            if w is not None:
                w.hide()
                w.setParent(None)       # gone now, not at the next event loop pass
                w.deleteLater()
        for name, inst in (snap.get("instances") or {}).items():
            on_air = name == snap.get("active") and inst.get("live")
            box = QGroupBox(f"{name} · {tr(inst.get('role', ''))}" + (f" · {tr('ON AIR')}" if on_air else ""))
            border = theme.ON_AIR if on_air else theme.BORDER
            box.setStyleSheet(f"QGroupBox {{ border: 2px solid {border}; margin-top: 14px; color: {theme.TEXT}; }}"
                              " QGroupBox::title { subcontrol-origin: margin; left: 6px; }")
            grid = QGridLayout(box)
            lv = inst.get("level", "UNKNOWN")
            grid.addWidget(_light(lv, tr(LEVEL_WORDS.get(lv, lv)), big=True), 0, 0, 1, 2)
            row = 1
            for sname, sig in (inst.get("signals") or {}).items():
                grid.addWidget(QLabel(tr(SIGNAL_NAMES.get(sname, sname))), row, 0)
                grid.addWidget(_light(sig["level"], sig["word"]), row, 1)
                row += 1
            self.instances_layout.addWidget(box)

    def _render_last(self, snap) -> None:
        last = snap.get("last_switch")
        sw = snap.get("switching")
        if sw:
            target = mask_text(sw.get("target") or "")
            self.last_label.setText(tr("Switching") + f": {target} · {sw.get('elapsed_s')} s")
            return
        if not last:
            self.last_label.setText(tr("No switch yet in this session."))
            return
        when = last.get("switched_at") or ""
        try:
            from datetime import datetime
            when = datetime.fromisoformat(when).astimezone().strftime("%H:%M:%S")
        except (ValueError, TypeError):
            pass
        direction = tr("to backup") if last.get("direction") == "to_backup" else tr("to primary")
        ms = last.get("detect_to_switch_ms")
        trig = last.get("trigger") or {}
        why = mask_text("; ".join(trig.get("reasons", [])) or trig.get("reason")
                        or ("manual" if trig.get("manual") else ""))
        self.last_label.setText(f"{tr('Last switch')}: {when} {direction} · {tr(last.get('method') or '')} · "
                                f"{tr('detection to switch')} {ms} ms" + (f"\n{why}" if why else ""))

    def _render_charts(self, snap) -> None:
        if self.charts is None:
            return
        import pyqtgraph as pg
        colours = [theme.ACCENT, theme.WARNING, theme.HEALTHY]
        for key, idx in (("kbps", 1), ("congestion", 2)):
            pw, curves = self.plots[key]
            for i, (name, inst) in enumerate((snap.get("instances") or {}).items()):
                pts = [(p[0], p[idx]) for p in inst.get("series") or [] if p[idx] is not None]
                if name not in curves:
                    curves[name] = pw.plot([], [], pen=pg.mkPen(colours[i % 3], width=2), name=name)
                curves[name].setData([p[0] for p in pts], [p[1] for p in pts])

    # ---- actions (confirmation shows what will happen) ---------------------------------------------
    def _confirm(self, title: str, text: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Warning, title, text,
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        return box.exec() == QMessageBox.StandardButton.Yes

    def _fail_over(self) -> None:
        snap = self.room.state() if self.room else {}
        if self._confirm(tr("FAIL OVER NOW"), tr("Switch the live stream to the backup now ({method})?"
                                                 " Offers pause and the host sees ON BACKUP.")
                         .format(method=tr(snap.get("method") or ""))):
            self.room.fail_over_now("operator", "FAIL OVER NOW pressed")

    def _return(self) -> None:
        if self._confirm(tr("RETURN TO PRIMARY"), tr("Put the primary back on air now? Check that its picture"
                                                     " and ingest are healthy first.")):
            self.room.return_to_primary("operator", "RETURN pressed")

    def _hold(self, on: bool) -> None:
        if self.room:
            self.room.set_hold(on, "operator")


def create_panel(rt, bridge, parent=None) -> QWidget:
    return StreamPanel(rt, bridge, parent)
