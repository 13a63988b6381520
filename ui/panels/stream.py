"""Stream panel: the guard's state made honest by the encoders' health, FAIL OVER NOW / RETURN at the top
(never below the fold), a light per OBS instance and per signal (colour + word), the viewer probe, the
last switch, bitrate and congestion charts.

Holds no state of its own: it renders rt.stream.state() (the same reading as the status strip,
ui.words.stream_headline). The big buttons trigger the window's F9/F10 actions (ui.stream_actions), so
the keys are bound once; shown on its own, the panel asks through its own copy without keys.
"""
from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QCheckBox, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QStackedLayout,
                               QVBoxLayout, QWidget)

from controlroom.stream.urls import mask_text
from ui import theme
from ui.i18n import Retranslating
from ui.words import LEVELS, METHODS, ROLES, SIGNALS, reason_words, signal_words, stream_headline, word_for

HISTORY_S = 60
   # the charts show the last minute; series times are seconds before now (negative)


def _light(level: str, word: str, big: bool = False) -> QLabel:
    lab = QLabel(f"● {word}")
    colour = theme.IDLE if level in ("IDLE", "UNKNOWN") else (
        theme.ok_colour() if level == "HEALTHY" else theme.colour_for(level))
    size = "15px" if big else "12px"
    lab.setStyleSheet(f"color: {colour}; font-size: {size}; font-weight: {'bold' if big else 'normal'};")
    return lab


class StreamPanel(Retranslating, QWidget):
    def __init__(self, rt, bridge, parent=None):
        super().__init__(parent)
        self.rt = rt
        self.room = rt.stream
        self._own_actions = None
        self.setObjectName("streamPanel")
        self.setStyleSheet(f"#streamPanel {{ background: {theme.PANEL}; color: {theme.TEXT}; }}"
                           f" QLabel {{ color: {theme.TEXT}; }}")
        root = QVBoxLayout(self)
        root.setContentsMargins(6, 6, 6, 6)
        root.setSpacing(6)
        self.state_label = QLabel()
        self.state_label.setWordWrap(True)
        self.method_label = QLabel()
        self.method_label.setStyleSheet(f"color: {theme.TEXT_DIM};")
        root.addWidget(self.state_label)
        root.addWidget(self.method_label)
        # the switches first: a failover must never be a scroll away
        buttons = QHBoxLayout()
        self.fail_btn = QPushButton()
        self.fail_btn.setObjectName("failOverBig")
        self.fail_btn.setMinimumHeight(52)
        self.fail_btn.setStyleSheet(f"QPushButton {{ background: {theme.ON_AIR}; color: white; font-size: 14px;"
                                    f" font-weight: bold; }} QPushButton:disabled {{ background: {theme.PANEL_ALT};"
                                    f" color: {theme.IDLE}; border: 1px dashed {theme.BORDER}; font-weight: normal; }}")
        self.fail_btn.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.fail_btn.clicked.connect(self._fail_over)
        self.return_btn = QPushButton()
        self.return_btn.setMinimumHeight(52)
        self.return_btn.setStyleSheet(f"QPushButton {{ background: #16324f; border-color: {theme.ACCENT}; color: white;"
                                      f" font-size: 14px; font-weight: bold; }} QPushButton:disabled {{ background:"
                                      f" {theme.PANEL_ALT}; color: {theme.IDLE}; border: 1px dashed {theme.BORDER};"
                                      f" font-weight: normal; }}")
        self.return_btn.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.return_btn.clicked.connect(self._return)
        buttons.addWidget(self.fail_btn, 1)
        buttons.addWidget(self.return_btn, 1)
        root.addLayout(buttons)
        self.hold_box = QCheckBox()
        self.hold_box.clicked.connect(self._hold)
        root.addWidget(self.hold_box)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet(f"color: {theme.TEXT_DIM};")
        root.addWidget(self.hint)
        self.instances_box = QWidget()
        self.instances_layout = QHBoxLayout(self.instances_box)
        self.instances_layout.setContentsMargins(0, 0, 0, 0)
        root.addWidget(self.instances_box)
        self.probe_label = QLabel()  # the viewer-side pull check: what viewers actually receive
        self.probe_label.setWordWrap(True)
        root.addWidget(self.probe_label)
        self.last_label = QLabel()
        self.last_label.setWordWrap(True)
        root.addWidget(self.last_label)
        self.charts = self._make_charts()
        if self.charts is not None:
            root.addWidget(self.charts)
        root.addStretch(1)
        self._last_snap = None
        bridge.event.connect(self._on_event)
        self._timer = QTimer(self)          # also refresh without bus traffic (durations keep counting)
        self._timer.timeout.connect(self.refresh)
        self._timer.start(1000)
        self.retranslate()

    def retranslate(self) -> None:
        # two lines (words, then the key): the panel is one narrow column at 1366×768
        self.fail_btn.setText(self.tr("FAIL OVER NOW") + "\nF9")
        self.return_btn.setText(self.tr("RETURN TO PRIMARY") + "\nF10")
        self.hold_box.setText(self.tr("Manual hold (no automatic switch)"))
        if self.charts is not None:
            for key, (pw, _curves, empty) in self.plots.items():
                pw.setTitle(self._chart_title(key), color=theme.TEXT_DIM, size="9pt")
                empty.setText(self.tr("{chart}: no data yet").format(chart=self._chart_title(key)))
        self.refresh(self._last_snap)

    def _chart_title(self, key: str) -> str:
        return self.tr("Bitrate (kbps)") if key == "kbps" else self.tr("Congestion")

    def _make_charts(self):
        try:
            import pyqtgraph as pg
        except Exception:
            return None
        box = QWidget()
        lay = QHBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        self.plots = {}
        for key in ("kbps", "congestion"):
            holder = QWidget()
            stack = QStackedLayout(holder)
            empty = QLabel()
            empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
            empty.setWordWrap(True)
            empty.setStyleSheet(f"color: {theme.TEXT_DIM}; background: {theme.PANEL_ALT};")
            pw = pg.PlotWidget(background=theme.PANEL_ALT)
            pw.showGrid(x=True, y=True, alpha=0.2)
            # a chart is read, not handled: no wheel zoom or drag (a stray wheel turned the axes to ±2e7)
            pw.setMouseEnabled(x=False, y=False)
            pw.getPlotItem().setMenuEnabled(False)
            pw.getPlotItem().hideButtons()
            pw.setXRange(-HISTORY_S, 0, padding=0)
            if key == "congestion":
                pw.setYRange(0, 1, padding=0.02)
            else:
                pw.getPlotItem().getViewBox().enableAutoRange(x=False, y=True)
            holder.setMinimumHeight(110)
            holder.setMaximumHeight(150)
            stack.addWidget(empty)
            stack.addWidget(pw)
            self.plots[key] = (pw, {}, empty)
            self._stacks = getattr(self, "_stacks", {})
            self._stacks[key] = stack
            lay.addWidget(holder)
        return box

    # ---- rendering -----------------------------------------------------------------------------
    def _on_event(self, topic: str, payload) -> None:
        if topic == "stream.state" or topic.startswith("journal.stream."):
            self.refresh(payload if topic == "stream.state" else None)

    def snapshot(self) -> dict:
        return self.room.state() if self.room is not None else {"configured": False, "state": "NOT_CONFIGURED"}

    def refresh(self, snap=None) -> None:
        if snap is None:
            snap = self.snapshot()
        self._last_snap = snap
        level, words = stream_headline(snap)
        colour = theme.IDLE if level in ("IDLE", "UNKNOWN") else (
            theme.ok_colour() if level == "HEALTHY" else theme.colour_for(level))
        hold = self.tr("HOLD")
        self.state_label.setText(words + (f"  ·  {hold}" if snap.get("hold") else ""))
        self.state_label.setStyleSheet(f"color: {colour}; font-size: 18px; font-weight: bold;")
        method = snap.get("method")
        self.method_label.setText(self.tr("Method: {method}").format(method=word_for(METHODS, method) or "—"))
        configured = bool(snap.get("configured"))
        if not configured:
            err = snap.get("error")
            self.hint.setText(self.tr("Stream guard is not configured. Put a guard.toml in the data folder"
                                      " (example: resources/guard.example.toml), or set [guard] config in"
                                      " settings.toml.") + (f"\n{mask_text(err)}" if err else ""))
        else:
            self.hint.setText(self.tr("Talk track while on backup: {text}").format(text=snap.get("talk_track") or "—")
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
            level, word = "UNKNOWN", self.tr("no data: {error}").format(error=mask_text(str(probe["error"])))
        elif age is None:
            level, word = "UNKNOWN", self.tr("no frame yet")
        elif age > 2.0:
            level, word = "FAILED", self.tr("no frames for {s} s").format(s=f"{age:.1f}")
        else:
            level, word = "HEALTHY", self.tr("frames arriving")
        colour = theme.IDLE if level == "UNKNOWN" else (theme.ok_colour() if level == "HEALTHY"
                                                         else theme.colour_for(level))
        restarts = self.tr("restarts {n}").format(n=max(0, int(probe.get("starts") or 0) - 1))
        probe_name = self.tr("Viewer probe")
        self.probe_label.setText(f"<span style='color:{colour}'>●</span> {probe_name}: {word} "
                                 f"<span style='color:{theme.TEXT_DIM}'>· {mask_text(probe.get('url') or '')} · "
                                 f"{restarts}</span>")
        self.probe_label.setVisible(True)

    def _render_instances(self, snap) -> None:
        while self.instances_layout.count():
            w = self.instances_layout.takeAt(0).widget()
            if w is not None:
                w.hide()
                w.setParent(None)       # gone now, not at the next event loop pass
                w.deleteLater()
        on_air_word = self.tr("ON AIR")
        for name, inst in (snap.get("instances") or {}).items():
            on_air = name == snap.get("active") and inst.get("live")
            box = QGroupBox(f"{name} · {word_for(ROLES, inst.get('role'))}" + (f" · {on_air_word}" if on_air else ""))
            border = theme.ON_AIR if on_air else theme.BORDER
            box.setStyleSheet(f"QGroupBox {{ border: 2px solid {border}; margin-top: 14px; color: {theme.TEXT}; }}"
                              " QGroupBox::title { subcontrol-origin: margin; left: 6px; }")
            grid = QGridLayout(box)
            grid.setContentsMargins(6, 4, 6, 4)
            grid.setVerticalSpacing(1)
            lv = inst.get("level", "UNKNOWN")
            grid.addWidget(_light(lv, word_for(LEVELS, lv), big=True), 0, 0, 1, 2)
            row = 1
            for sname, sig in (inst.get("signals") or {}).items():
                grid.addWidget(QLabel(word_for(SIGNALS, sname)), row, 0)
                light = _light(sig["level"], signal_words(mask_text(str(sig.get("word", "")))))
                light.setToolTip(mask_text(str(sig.get("word", ""))))
                grid.addWidget(light, row, 1)
                row += 1
            self.instances_layout.addWidget(box)

    def _render_last(self, snap) -> None:
        last = snap.get("last_switch")
        sw = snap.get("switching")
        if sw:
            self.last_label.setText(self.tr("Switching: {target} · {s} s").format(
                target=mask_text(sw.get("target") or ""), s=sw.get("elapsed_s")))
            return
        if not last:
            self.last_label.setText(self.tr("No switch yet in this session."))
            return
        when = last.get("switched_at") or ""
        try:
            when = datetime.fromisoformat(when).astimezone().strftime("%H:%M:%S")
        except (ValueError, TypeError):
            pass
        direction = self.tr("to backup") if last.get("direction") == "to_backup" else self.tr("to primary")
        trig = last.get("trigger") or {}
        why = mask_text("; ".join(reason_words(r) for r in trig.get("reasons", [])) or "")
        if not why and trig.get("reason"):
            self.last_label.setToolTip(mask_text(str(trig.get("reason"))))    # free text: the tooltip, not the line
        if trig.get("manual") and not why:
            why = self.tr("by hand")
        self.last_label.setText(self.tr("Last switch: {when} {direction} · {method} · detection to switch {ms} ms")
                                .format(when=when, direction=direction, method=word_for(METHODS, last.get("method")),
                                        ms=last.get("detect_to_switch_ms"))
                                + (f"\n{why}" if why else ""))
        if why:
            self.last_label.setToolTip(why)

    def _render_charts(self, snap) -> None:
        if self.charts is None:
            return
        import pyqtgraph as pg
        colours = [theme.ACCENT, theme.WARNING, "#56d4bc"]
        for key, idx in (("kbps", 1), ("congestion", 2)):
            pw, curves, _empty = self.plots[key]
            any_points = False
            for i, (name, inst) in enumerate((snap.get("instances") or {}).items()):
                pts = [(p[0], p[idx]) for p in inst.get("series") or [] if p[idx] is not None]
                any_points = any_points or bool(pts)
                if name not in curves:
                    curves[name] = pw.plot([], [], pen=pg.mkPen(colours[i % 3], width=2), name=name)
                curves[name].setData([p[0] for p in pts], [p[1] for p in pts])
            # no samples: say so, instead of an empty plot with made-up 0.2–0.8 axes
            self._stacks[key].setCurrentIndex(1 if any_points else 0)

    # ---- actions (the window's F9/F10 actions ask first) -------------------------------------------
    def _actions(self):
        win = self.window()
        acts = getattr(win, "stream_actions", None)
        if acts is None:
            if self._own_actions is None:
                from ui.stream_actions import StreamActions
                self._own_actions = StreamActions(self.rt, self, keys=False)
            acts = self._own_actions
        return acts

    def _fail_over(self) -> None:
        self._actions().ask_fail_over()

    def _return(self) -> None:
        self._actions().ask_return()

    def _hold(self, on: bool) -> None:
        if self.room:
            self.room.set_hold(on, "operator")


def create_panel(rt, bridge, parent=None) -> QWidget:
    return StreamPanel(rt, bridge, parent)
