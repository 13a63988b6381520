"""The operator's main window: run-of-show | console | metrics & stream, the event feed below,
the status strip on top (ui.md). Panels come from ui/panels/<room>.py; a room that isn't built
shows a calm placeholder instead of breaking the window."""
from __future__ import annotations

import importlib
import logging
import threading

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QApplication, QComboBox, QDialog, QFrame, QScrollArea, QDialogButtonBox, QDockWidget, QFileDialog, QFormLayout,
                               QLabel, QListWidget, QListWidgetItem, QMainWindow, QMessageBox, QProgressDialog,
                               QVBoxLayout, QWidget)

from ui import i18n, theme
from ui.bridge import QtBridge
from ui.feed import EventFeed
from ui.i18n import tr
from ui.status_strip import StatusStrip

log = logging.getLogger(__name__)

# dock name -> (panel module, English title, area)
DOCKS = {
    "rundown": ("ui.panels.rundown", "Run of show", Qt.DockWidgetArea.LeftDockWidgetArea),
    "metrics": ("ui.panels.metrics", "Live metrics", Qt.DockWidgetArea.RightDockWidgetArea),
    "stream": ("ui.panels.stream", "Stream health", Qt.DockWidgetArea.RightDockWidgetArea),
    "feed": (None, "Event feed", Qt.DockWidgetArea.BottomDockWidgetArea),
}
CENTRAL = ("ui.panels.console", "Console")


def load_panel(module: str, rt, bridge, parent=None) -> QWidget:
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as e:
        if e.name and module.startswith(e.name):
            return _placeholder(tr("This panel is not available in this build."))
        raise
    try:
        return mod.create_panel(rt, bridge, parent)
    except Exception as e:  # a broken panel must not take the control room down mid-show
        log.exception("panel %s failed", module)
        return _placeholder(tr("This panel failed to start: {err}", err=e))


def scrollable(panel: QWidget) -> QScrollArea:
    """Panels keep their preferred size when there is room and scroll when there isn't, so the window still
    fits a 1366×768 screen instead of demanding the sum of every panel's minimum."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(panel)
    area.setMinimumSize(260, 140)
    return area


def _placeholder(text: str) -> QWidget:
    w = QLabel(text)
    w.setAlignment(Qt.AlignmentFlag.AlignCenter)
    w.setStyleSheet(f"color:{theme.TEXT_DIM}; font-size:14px;")
    w.setWordWrap(True)
    return w


class MainWindow(QMainWindow):
    export_progress = Signal(int, int, str)
    export_done = Signal(str, str)

    def __init__(self, rt, bridge: QtBridge | None = None):
        super().__init__()
        self.rt = rt
        self.bridge = bridge or QtBridge(rt.bus, self)
        self.setObjectName("ControlRoomMain")
        app = QApplication.instance()
        if app is not None and not app.styleSheet():  # the dark studio theme, also when embedded in tests
            from ui.style import stylesheet
            app.setStyleSheet(stylesheet())
        self.resize(1600, 960)
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowNestedDocks
                            | QMainWindow.DockOption.AllowTabbedDocks)
        self.settings = QSettings(str(rt.data_dir / "ui.ini"), QSettings.Format.IniFormat)
        self.docks: dict[str, QDockWidget] = {}
        self.cue_screen = None
        self._build()
        self._restore_layout()
        self.export_progress.connect(self._on_export_progress)
        self.export_done.connect(self._on_export_done)
        self._ticker = QTimer(self)
        self._ticker.timeout.connect(rt.tick)  # rooms' tick() must be quick; slow work lives in workers
        self._ticker.start(100)
        self.bridge.event.connect(self._on_event)

    # ---- building -------------------------------------------------------------------------
    def _build(self) -> None:
        self.setWindowTitle(tr("Control Room") + " — " + self.rt.show_title())
        self.strip = StatusStrip(self.rt, self.bridge, self)
        self.setMenuWidget(self._menu_container())
        self.setCentralWidget(scrollable(load_panel(CENTRAL[0], self.rt, self.bridge, self)))
        for name, (module, title, area) in DOCKS.items():
            dock = QDockWidget(tr(title), self)
            dock.setObjectName(f"dock_{name}")
            dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                             | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                             | QDockWidget.DockWidgetFeature.DockWidgetClosable)
            if module is None:
                self.feed = EventFeed(self.rt, self.bridge, dock)
                self.feed.setMinimumHeight(120)
                dock.setWidget(self.feed)
            else:
                dock.setWidget(scrollable(load_panel(module, self.rt, self.bridge, dock)))
            self.addDockWidget(area, dock)
            self.docks[name] = dock
        screen = QApplication.primaryScreen()
        small = screen is not None and screen.availableGeometry().height() < 900
        if small:  # 1366×768: metrics and stream health share one column as tabs
            self.tabifyDockWidget(self.docks["metrics"], self.docks["stream"])
            self.docks["metrics"].raise_()
        else:
            self.splitDockWidget(self.docks["metrics"], self.docks["stream"], Qt.Orientation.Vertical)
        self.resizeDocks([self.docks["rundown"], self.docks["metrics"]], [440, 640], Qt.Orientation.Horizontal)
        self.resizeDocks([self.docks["feed"]], [200], Qt.Orientation.Vertical)
        self.resizeDocks([self.docks["metrics"], self.docks["stream"]], [520, 260], Qt.Orientation.Vertical)
        self._view_menu_docks()

    def _menu_container(self) -> QWidget:
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        from PySide6.QtWidgets import QMenuBar
        self.menubar = QMenuBar(box)
        self._build_menus()
        lay.addWidget(self.menubar)
        lay.addWidget(self.strip)
        return box

    def _action(self, menu, text: str, slot, shortcut: str | None = None) -> QAction:
        act = QAction(tr(text), self)
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
        act.triggered.connect(slot)
        menu.addAction(act)
        return act

    def _build_menus(self) -> None:
        mb = self.menubar
        show = mb.addMenu(tr("&Show"))
        self._action(show, "New show from the sample", self.new_show, "Ctrl+N")
        self.act_start = self._action(show, "Start show (go live)", self.start_show, "Ctrl+Shift+S")
        self.act_end = self._action(show, "End show", self.end_show, "Ctrl+Shift+E")
        self._action(show, "Reopen a session…", self.reopen_dialog, "Ctrl+O")
        show.addSeparator()
        self._action(show, "Export journal…", self.export_dialog, "Ctrl+Shift+X")
        self._action(show, "Post-show recap…", self.recap_dialog, "Ctrl+Shift+R")
        show.addSeparator()
        self._action(show, "Quit", self.close, "Ctrl+Q")
        self.view_menu = mb.addMenu(tr("&View"))
        self._action(self.view_menu, "Open the host's cue screen", self.open_cue_screen, "F11")
        settings = mb.addMenu(tr("S&ettings"))
        self._action(settings, "Set supervisor PIN…", self.pin_dialog)
        self._action(settings, "Open the data folder", self.open_data_folder)
        lang = mb.addMenu(tr("&Language"))
        for code, label in i18n.LANGS.items():
            act = QAction(label, self)
            act.setCheckable(True)
            act.setChecked(code == i18n.current())
            act.triggered.connect(lambda _=False, c=code: self.set_language(c))
            lang.addAction(act)
        helpm = mb.addMenu(tr("&Help"))
        self._action(helpm, "About Control Room", self._about)

    def _view_menu_docks(self) -> None:
        self.view_menu.addSeparator()
        for dock in self.docks.values():
            self.view_menu.addAction(dock.toggleViewAction())
        self._action(self.view_menu, "Reset layout", self.reset_layout)

    # ---- layout persistence ---------------------------------------------------------------
    def _restore_layout(self) -> None:
        self._default_state = self.saveState()
        geo, state = self.settings.value("geometry"), self.settings.value("state")
        self.has_saved_geometry = isinstance(geo, QByteArray)
        if self.has_saved_geometry:
            self.restoreGeometry(geo)
        if isinstance(state, QByteArray):
            self.restoreState(state)

    def reset_layout(self) -> None:
        self.restoreState(self._default_state)

    def closeEvent(self, event) -> None:
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("state", self.saveState())
        self.settings.sync()
        if self.cue_screen is not None:
            self.cue_screen.close()
        super().closeEvent(event)

    # ---- language -------------------------------------------------------------------------
    def set_language(self, code: str) -> None:
        """Switch at run time: panels are rebuilt from the core's state, the layout is kept."""
        state = self.saveState()
        i18n.load(code)
        self.settings.setValue("language", code)
        for dock in self.docks.values():
            self.removeDockWidget(dock)
            dock.deleteLater()
        self.docks.clear()
        old_central = self.centralWidget()
        self._build()
        if old_central is not None:
            old_central.deleteLater()
        self.restoreState(state)

    # ---- session life cycle ---------------------------------------------------------------
    def _on_event(self, topic: str, payload) -> None:
        if topic.startswith("journal.session.") or topic == "session.current":
            self.strip.invalidate_session()
            self.setWindowTitle(tr("Control Room") + " — " + self.rt.show_title())

    def new_show(self) -> None:
        if self._session_running() and not self._confirm(
                tr("The current show is still on air. Start a new show anyway? The current one stays open in "
                   "the journal and can be reopened.")):
            return
        self.rt.new_show()
        self.feed.reload()

    def start_show(self) -> None:
        if self.rt.session_id is None:
            self.rt.new_show()
        s = self.rt.journal.session(self.rt.session_id)
        if s.started_utc:
            return
        self.rt.start()

    def end_show(self) -> None:
        if not self._session_running():
            return
        if self._confirm(tr("End the show now? Timers stop and the session is closed in the journal.")):
            self.rt.end()
            self.recap_offer()

    def _session_running(self) -> bool:
        if self.rt.session_id is None:
            return False
        s = self.rt.journal.session(self.rt.session_id)
        return s.started_utc is not None and s.ended_utc is None

    def reopen_dialog(self) -> None:
        dlg = QDialog(self)
        dlg.setWindowTitle(tr("Reopen a session"))
        lst = QListWidget(dlg)
        for s in reversed(self.rt.journal.sessions()):
            state = tr("open") if s.is_open else (tr("ended") if s.ended_utc else tr("not started"))
            item = QListWidgetItem(f"#{s.id}  {s.created_utc.astimezone():%Y-%m-%d %H:%M}  {s.title}  [{state}]")
            item.setData(Qt.ItemDataRole.UserRole, s.id)
            lst.addItem(item)
        if lst.count():
            lst.setCurrentRow(0)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(dlg.accept)
        buttons.rejected.connect(dlg.reject)
        lay = QVBoxLayout(dlg)
        lay.addWidget(lst)
        lay.addWidget(buttons)
        dlg.resize(640, 360)
        if dlg.exec() == QDialog.DialogCode.Accepted and lst.currentItem():
            self.rt.resume(lst.currentItem().data(Qt.ItemDataRole.UserRole))
            self.feed.reload()

    def _confirm(self, text: str) -> bool:
        return QMessageBox.question(self, tr("Control Room"), text) == QMessageBox.StandardButton.Yes

    # ---- export & recap -------------------------------------------------------------------
    def export_dialog(self) -> None:
        dlg = QDialog(self)
        dlg.setWindowTitle(tr("Export journal"))
        fmt = QComboBox(dlg)
        for f in ("csv", "xlsx", "parquet"):
            fmt.addItem(f.upper(), f)
        scope = QComboBox(dlg)
        if self.rt.session_id is not None:
            scope.addItem(tr("This show"), self.rt.session_id)
        scope.addItem(tr("All sessions"), None)
        form = QFormLayout(dlg)
        form.addRow(tr("Format"), fmt)
        form.addRow(tr("Sessions"), scope)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(dlg.accept)
        buttons.rejected.connect(dlg.reject)
        form.addRow(buttons)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return
        out = QFileDialog.getExistingDirectory(self, tr("Export to folder"), str(self.rt.data_dir))
        if out:
            self.start_export(fmt.currentData(), scope.currentData(), out)

    def start_export(self, fmt: str, session_id, out_dir: str) -> None:
        """Export in a worker; a progress dialog follows it; the window stays live."""
        from controlroom.journal.export import export_session
        self._progress = QProgressDialog(tr("Exporting the journal…"), tr("Hide"), 0, 100, self)
        self._progress.setWindowModality(Qt.WindowModality.NonModal)
        self._progress.setMinimumDuration(300)

        def work():
            try:
                paths = export_session(self.rt.journal, session_id, fmt, out_dir,
                                       progress=lambda done, total, stage="": self.export_progress.emit(
                                           int(done), int(total or 1), str(stage)))
                self.export_done.emit(tr("Exported to {out}", out=out_dir), "")
            except Exception as e:
                self.export_done.emit("", str(e))

        threading.Thread(target=work, name="export", daemon=True).start()

    def _on_export_progress(self, done: int, total: int, stage: str) -> None:
        if getattr(self, "_progress", None):
            self._progress.setMaximum(max(total, 1))
            self._progress.setValue(min(done, total))
            self._progress.setLabelText(tr("Exporting the journal…") + f" {stage}")

    def _on_export_done(self, ok: str, err: str) -> None:
        if getattr(self, "_progress", None):
            self._progress.close()
            self._progress = None
        if err:
            QMessageBox.critical(self, tr("Export failed"), err)
        else:
            self.statusBar().showMessage(ok, 10000)

    def recap_offer(self) -> None:
        if self._confirm(tr("The show has ended. Make the recap now?")):
            self.recap_dialog()

    def recap_dialog(self) -> None:
        try:
            mod = importlib.import_module("ui.recap_cli")
        except ModuleNotFoundError:
            QMessageBox.information(self, tr("Recap"), tr("The recap is not available in this build."))
            return
        out = QFileDialog.getExistingDirectory(self, tr("Write the recap to folder"), str(self.rt.data_dir))
        if out:
            mod.run_in_window(self, self.rt, self.rt.session_id, out)

    # ---- cue screen -----------------------------------------------------------------------
    def open_cue_screen(self) -> None:
        try:
            from ui.cue_screen import CueScreen
        except ModuleNotFoundError:
            QMessageBox.information(self, tr("Cue screen"), tr("The cue screen is not available in this build."))
            return
        if self.cue_screen is None:
            self.cue_screen = CueScreen(self.rt, self.bridge)
        screens = self.screen().virtualSiblings() if self.screen() else []
        other = [i for i, s in enumerate(screens) if s is not self.screen()]
        if hasattr(self.cue_screen, "show_on_screen"):
            self.cue_screen.show_on_screen(other[0] if other else 0)
        else:
            self.cue_screen.show()

    def pin_dialog(self) -> None:
        from ui.pin_dialog import PinDialog
        if PinDialog(self.rt, self).exec() == QDialog.DialogCode.Accepted:
            self.statusBar().showMessage(tr("Supervisor PIN saved (only its salted hash is stored)."), 8000)

    def open_data_folder(self) -> None:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.rt.data_dir)))

    def _about(self) -> None:
        from controlroom import __version__
        QMessageBox.about(self, tr("Control Room"),
                          f"Control Room {__version__}<br>{tr('Journal')}: {self.rt.journal.path}")
