"""The operator's main window: run-of-show | console | metrics & stream, the event feed below, the status
strip and the safety banners on top (ui.md). Panels come from ui/panels/<room>.py; a room that isn't built
shows a calm placeholder instead of breaking the window.

1366×768 is a first-class layout: the console (every price-deciding column and every action) is the
central widget and never scrolls; metrics and stream health share one dock as tabs; F9/F10 live in the
status strip so they are in sight whatever is tabbed away. Every key is bound once (Help → Keys lists them
from the bindings themselves). The language switches in place (Qt's LanguageChange).
"""
from __future__ import annotations

import html
import importlib
import logging
import threading

from PySide6.QtCore import QT_TRANSLATE_NOOP, QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractButton, QApplication, QComboBox, QDialog, QDialogButtonBox, QDockWidget,
                               QFileDialog, QFormLayout, QFrame, QLabel, QListWidget, QListWidgetItem, QMainWindow,
                               QMenuBar, QMessageBox, QProgressDialog, QScrollArea, QTextBrowser, QVBoxLayout,
                               QWidget)

from ui import i18n, theme
from ui.banners import SafetyBanners
from ui.bridge import QtBridge
from ui.feed import EventFeed
from ui.i18n import Retranslating, translate
from ui.status_strip import StatusStrip
from ui.stream_actions import StreamActions

log = logging.getLogger(__name__)

# dock name -> (panel module, English title, area)
DOCKS = {
    "rundown": ("ui.panels.rundown", QT_TRANSLATE_NOOP("MainWindow", "Run of show"),
                Qt.DockWidgetArea.LeftDockWidgetArea),
    "metrics": ("ui.panels.metrics", QT_TRANSLATE_NOOP("MainWindow", "Live metrics"),
                Qt.DockWidgetArea.RightDockWidgetArea),
    "stream": ("ui.panels.stream", QT_TRANSLATE_NOOP("MainWindow", "Stream health"),
               Qt.DockWidgetArea.RightDockWidgetArea),
    "feed": (None, QT_TRANSLATE_NOOP("MainWindow", "Event feed"), Qt.DockWidgetArea.BottomDockWidgetArea),
    # the room's pulse: beside the metrics at 1366×768 (a tab), beside the event feed on a big screen
    "comments": ("ui.panels.comments", QT_TRANSLATE_NOOP("MainWindow", "Comments"),
                 Qt.DockWidgetArea.RightDockWidgetArea),
}
CENTRAL = ("ui.panels.console", "Console")
COMPACT_BELOW = (1700, 950)     # a screen smaller than this (1366×768, 1600×900) gets the compact layout


def load_panel(module: str, rt, bridge, parent=None) -> QWidget:
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as e:
        if e.name and module.startswith(e.name):
            return _placeholder(translate("MainWindow", "This panel is not available in this build."))
        raise
    try:
        return mod.create_panel(rt, bridge, parent)
    except Exception as e:  # a broken panel must not take the control room down mid-show
        log.exception("panel %s failed", module)
        return _placeholder(translate("MainWindow", "This panel failed to start: {err}").format(err=e))


def scrollable(panel: QWidget) -> QScrollArea:
    """A side panel keeps its preferred size when there is room and scrolls when there isn't."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(panel)
    area.setMinimumSize(240, 140)
    return area


def _placeholder(text: str) -> QWidget:
    w = QLabel(text)
    w.setAlignment(Qt.AlignmentFlag.AlignCenter)
    w.setStyleSheet(f"color:{theme.TEXT_DIM}; font-size:14px;")
    w.setWordWrap(True)
    return w


def key_bindings(root: QWidget) -> list[tuple[str, str, QWidget | QAction | QShortcut]]:
    """Every key bound in a window: (portable key text, what it does, the binding). Actions, shortcuts and
    buttons with a shortcut of their own all count — a key bound twice does neither (Qt calls it ambiguous)."""
    out = []
    for act in root.findChildren(QAction):
        for seq in act.shortcuts():
            if not seq.isEmpty():
                out.append((seq.toString(QKeySequence.SequenceFormat.PortableText), act.text().replace("&", ""), act))
    for sc in root.findChildren(QShortcut):
        if not sc.key().isEmpty():
            out.append((sc.key().toString(QKeySequence.SequenceFormat.PortableText), sc.whatsThis(), sc))
    for b in root.findChildren(QAbstractButton):
        if not b.shortcut().isEmpty():
            out.append((b.shortcut().toString(QKeySequence.SequenceFormat.PortableText), b.text(), b))
    return out


class MainWindow(Retranslating, QMainWindow):
    export_progress = Signal(int, int, str)
    export_done = Signal(str, str)

    def __init__(self, rt, bridge: QtBridge | None = None):
        super().__init__()
        self.rt = rt
        self.bridge = bridge or QtBridge(rt.bus, self)
        self.setObjectName("ControlRoomMain")
        app = QApplication.instance()
        if app is not None and not app.styleSheet():  # the dark studio look, also when embedded in tests
            from ui.style import apply
            apply(app)
        self.resize(1600, 960)
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowNestedDocks
                            | QMainWindow.DockOption.AllowTabbedDocks)
        self.settings = QSettings(str(rt.data_dir / "ui.ini"), QSettings.Format.IniFormat)
        self.docks: dict[str, QDockWidget] = {}
        self._texts: list[tuple] = []   # (setter, English source) re-applied when the language changes
        self.cue_screen = None
        self._quit_confirmed = False
        self._quit_box = None
        self.stream_actions = StreamActions(rt, self)
        self._build()
        self._restore_layout()
        self.export_progress.connect(self._on_export_progress)
        self.export_done.connect(self._on_export_done)
        self._ticker = QTimer(self)
        self._ticker.timeout.connect(rt.tick)  # rooms' tick() must be quick; slow work lives in workers
        self._ticker.start(100)
        self.bridge.event.connect(self._on_event)
        self.retranslate()

    # ---- building -------------------------------------------------------------------------
    @property
    def compact(self) -> bool:
        screen = self.screen() or QApplication.primaryScreen()
        if screen is None:
            return True
        geo = screen.availableGeometry()
        return geo.width() < COMPACT_BELOW[0] or geo.height() < COMPACT_BELOW[1]

    def _build(self) -> None:
        self.menubar = QMenuBar()
        self._build_menus()
        self.strip = StatusStrip(self.rt, self.bridge, self, stream_actions=self.stream_actions,
                                 start_action=self.act_start)
        self.banners = SafetyBanners(self.rt, self.bridge, self)
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.menubar)
        lay.addWidget(self.strip)
        lay.addWidget(self.banners)
        self.setMenuWidget(box)
        # the console is never in a scroll area: what decides a price must be in sight without scrolling
        self.console = load_panel(CENTRAL[0], self.rt, self.bridge, self)
        self.setCentralWidget(self.console)
        for name, (module, title, area) in DOCKS.items():
            dock = QDockWidget(self.tr(title), self)
            self._texts.append((dock.setWindowTitle, title))
            dock.setObjectName(f"dock_{name}")
            dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                             | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                             | QDockWidget.DockWidgetFeature.DockWidgetClosable)
            if module is None:
                self.feed = EventFeed(self.rt, self.bridge, dock)
                self.feed.setMinimumHeight(110)
                dock.setWidget(self.feed)
            elif name == "rundown":
                panel = load_panel(module, self.rt, self.bridge, dock)
                panel.setMinimumWidth(260)
                dock.setWidget(panel)
            elif name == "comments":   # a list of its own: it scrolls itself, never inside a scroll area
                self.comments = load_panel(module, self.rt, self.bridge, dock)
                dock.setWidget(self.comments)
            else:
                dock.setWidget(scrollable(load_panel(module, self.rt, self.bridge, dock)))
            self.addDockWidget(area, dock)
            self.docks[name] = dock
        if self.compact:
            # 1366×768: metrics and stream health share one column as tabs rather than clip each other; both keep
            # the column's width (raising a tab must not shrink the column to that panel's own wish)
            self.tabifyDockWidget(self.docks["metrics"], self.docks["stream"])
            self.tabifyDockWidget(self.docks["metrics"], self.docks["comments"])
            self.docks["metrics"].raise_()
            for name in ("metrics", "stream", "comments"):
                self.docks[name].widget().setMinimumWidth(380)
        else:
            self.splitDockWidget(self.docks["metrics"], self.docks["stream"], Qt.Orientation.Vertical)
            self.removeDockWidget(self.docks["comments"])
            self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.docks["comments"])
            self.docks["comments"].show()
            self.splitDockWidget(self.docks["feed"], self.docks["comments"], Qt.Orientation.Horizontal)
        self._size_docks()
        # transient messages only: the bar takes no room while it has nothing to say
        bar = self.statusBar()
        bar.messageChanged.connect(lambda text: bar.setVisible(bool(text)))
        bar.hide()
        self.view_menu.addSeparator()
        for dock in self.docks.values():
            self.view_menu.addAction(dock.toggleViewAction())
        self._action(self.view_menu, QT_TRANSLATE_NOOP("MainWindow", "Reset layout"), self.reset_layout)

    def _size_docks(self) -> None:
        """The default proportions (also after the first show: sizes given before the window has its size are lost)."""
        if self.compact:
            self.resizeDocks([self.docks["rundown"], self.docks["metrics"]], [300, 400], Qt.Orientation.Horizontal)
            self.resizeDocks([self.docks["feed"]], [225], Qt.Orientation.Vertical)
        else:
            self.resizeDocks([self.docks["rundown"], self.docks["metrics"]], [420, 620], Qt.Orientation.Horizontal)
            self.resizeDocks([self.docks["feed"]], [280], Qt.Orientation.Vertical)
            self.resizeDocks([self.docks["feed"], self.docks["comments"]], [1000, 900], Qt.Orientation.Horizontal)
            self.resizeDocks([self.docks["metrics"], self.docks["stream"]], [560, 240], Qt.Orientation.Vertical)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not getattr(self, "_sized", False):
            self._sized = True
            if not isinstance(self.settings.value("state"), QByteArray):   # the operator's own layout wins
                QTimer.singleShot(0, self, self._size_docks)

    def _menu(self, text: str):
        menu = self.menubar.addMenu(self.tr(text))
        self._texts.append((menu.setTitle, text))
        return menu

    def _action(self, menu, text: str, slot, shortcut: str | None = None, context=None) -> QAction:
        act = QAction(self.tr(text), self)
        self._texts.append((act.setText, text))
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
            if context is not None:
                act.setShortcutContext(context)
        act.triggered.connect(slot)
        menu.addAction(act)
        return act

    def _build_menus(self) -> None:
        show = self._menu(QT_TRANSLATE_NOOP("MainWindow", "&Show"))
        self._action(show, QT_TRANSLATE_NOOP("MainWindow", "New show from the sample"), self.new_show, "Ctrl+N")
        self.act_start = self._action(show, QT_TRANSLATE_NOOP("MainWindow", "Start show (go live)"), self.start_show,
                                      "Ctrl+Shift+S")
        self.act_end = self._action(show, QT_TRANSLATE_NOOP("MainWindow", "End show"), self.end_show, "Ctrl+Shift+E")
        self._action(show, QT_TRANSLATE_NOOP("MainWindow", "Reopen a session…"), self.reopen_dialog, "Ctrl+O")
        show.addSeparator()
        self._action(show, QT_TRANSLATE_NOOP("MainWindow", "Export journal…"), self.export_dialog, "Ctrl+Shift+X")
        self._action(show, QT_TRANSLATE_NOOP("MainWindow", "Post-show recap…"), self.recap_dialog, "Ctrl+Shift+R")
        show.addSeparator()
        self._action(show, QT_TRANSLATE_NOOP("MainWindow", "Quit"), self.close, "Ctrl+Q")
        self.view_menu = self._menu(QT_TRANSLATE_NOOP("MainWindow", "&View"))
        # F11 works from the cue screen too (it has the focus when it fills the only monitor)
        self.act_cue = self._action(self.view_menu, QT_TRANSLATE_NOOP("MainWindow", "Host's cue screen on/off"),
                                    self.toggle_cue_screen, "F11", Qt.ShortcutContext.ApplicationShortcut)
        room = self._menu(QT_TRANSLATE_NOOP("MainWindow", "&Room"))
        self.act_lucky_bag = self._action(room, QT_TRANSLATE_NOOP("MainWindow", "Start a lucky bag…"),
                                          self.lucky_bag_dialog, "F")
        self._action(room, QT_TRANSLATE_NOOP("MainWindow", "End the lucky bag now (draw)"),
                     lambda: self.end_lucky_bag(True))
        self._action(room, QT_TRANSLATE_NOOP("MainWindow", "Cancel the lucky bag (no draw)"),
                     lambda: self.end_lucky_bag(False))
        room.addSeparator()
        self.act_substitute = self._action(room, QT_TRANSLATE_NOOP("MainWindow", "Switch to the substitute"),
                                           self.swap_substitute, "R")
        self._action(room, QT_TRANSLATE_NOOP("MainWindow", "Sold-out line off the cue screen"), self.clear_substitute)
        stream = self._menu(QT_TRANSLATE_NOOP("MainWindow", "S&tream"))
        stream.addAction(self.stream_actions.fail_over)
        stream.addAction(self.stream_actions.return_)
        settings = self._menu(QT_TRANSLATE_NOOP("MainWindow", "S&ettings"))
        self._action(settings, QT_TRANSLATE_NOOP("MainWindow", "Set supervisor PIN…"), self.pin_dialog)
        self._action(settings, QT_TRANSLATE_NOOP("MainWindow", "Open the data folder"), self.open_data_folder)
        lang = self._menu(QT_TRANSLATE_NOOP("MainWindow", "&Language"))
        self._lang_actions = {}
        for code, label in i18n.LANGS.items():
            act = QAction(label, self)
            self._lang_actions[code] = act
            act.setCheckable(True)
            act.setChecked(code == i18n.current())
            act.triggered.connect(lambda _=False, c=code: self.set_language(c))
            lang.addAction(act)
        helpm = self._menu(QT_TRANSLATE_NOOP("MainWindow", "&Help"))
        self._action(helpm, QT_TRANSLATE_NOOP("MainWindow", "Keys"), self.keys_dialog, "F1")
        self._action(helpm, QT_TRANSLATE_NOOP("MainWindow", "How to run a show"), self.howto_dialog)
        self._action(helpm, QT_TRANSLATE_NOOP("MainWindow", "Where the data lives"), self.data_dialog)
        self._action(helpm, QT_TRANSLATE_NOOP("MainWindow", "About Control Room"), self._about)

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

    # ---- quitting ------------------------------------------------------------------------------
    def closeEvent(self, event) -> None:
        """Quitting while on air asks first (without blocking: the show goes on while the question is up); the
        answer is journaled."""
        if self._session_running() and not self._quit_confirmed:
            event.ignore()
            self.ask_quit()
            return
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("state", self.saveState())
        self.settings.sync()
        self._ticker.stop()
        if self.cue_screen is not None:
            # a top-level window of its own: stop and delete it through Qt's event loop now, rather than leave it
            # to Python's garbage collector at some arbitrary moment later (a crash in the middle of an event)
            self.cue_screen.stop()
            self.cue_screen.close()
            self.cue_screen.deleteLater()
            self.cue_screen = None
        theme.clear_failed()
        super().closeEvent(event)

    def ask_quit(self) -> None:
        if self._quit_box is not None:
            return
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("The show is on air"),
                          self.tr("The show is on air. Quit Control Room anyway?\n\nThe stream and the shop carry on "
                                  "without the console, its interlocks and its alerts until you start it again "
                                  "(it offers to resume the show)."), parent=self)
        quit_button = box.addButton(self.tr("Quit while on air"), QMessageBox.ButtonRole.DestructiveRole)
        stay = box.addButton(self.tr("Stay"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(stay)
        box.setEscapeButton(stay)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        self._quit_box = box

        def answered(_result: int) -> None:
            quit_now = box.clickedButton() is quit_button
            self._quit_box = None
            self._journal("session.quit_asked", {"answer": "quit" if quit_now else "stay"})
            if quit_now:
                self._quit_confirmed = True
                self.close()

        box.finished.connect(answered)
        box.open()

    def _journal(self, kind: str, payload: dict) -> None:
        if self.rt.session_id is None:
            return
        try:
            self.rt.journal.append(self.rt.session_id, kind, "operator", payload)
        except Exception:  # noqa: BLE001 - a faulted journal must not keep the operator from quitting
            log.exception("journal %s failed", kind)

    # ---- language -------------------------------------------------------------------------
    def set_language(self, code: str) -> None:
        """Switch at run time: Qt sends every widget a LanguageChange and each rewords itself in place."""
        i18n.load(code)
        self.settings.setValue("language", code)
        for c, act in self._lang_actions.items():
            act.setChecked(c == code)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Control Room") + " — " + self.rt.show_title())
        for setter, source in self._texts:
            setter(self.tr(source))
        self.stream_actions.retranslate()

    # ---- session life cycle ---------------------------------------------------------------
    def _on_event(self, topic: str, payload) -> None:
        if topic.startswith("journal.session.") or topic == "session.current":
            self.strip.invalidate_session()
            self.setWindowTitle(self.tr("Control Room") + " — " + self.rt.show_title())

    def new_show(self) -> None:
        if self._session_running() and not self._confirm(
                self.tr("The current show is still on air. Start a new show anyway? The current one stays open in "
                        "the journal and can be reopened.")):
            return
        self.rt.new_show()
        self.feed.reload()

    def start_show(self) -> None:
        """Go on air: the run of show starts, and for the built-in sample the shopping bag is filled."""
        if self.rt.session_id is None:
            self.rt.new_show()
        s = self.rt.journal.session(self.rt.session_id)
        if s.started_utc or s.ended_utc:
            return
        self.rt.start()
        from controlroom.paths import SAMPLE_SHOW
        if self.rt.show_dir == SAMPLE_SHOW:
            from controlroom.sample import open_the_bag
            open_the_bag(self.rt)
        self.strip.invalidate_session()

    def end_show(self) -> None:
        if not self._session_running():
            return
        if self._confirm(self.tr("End the show now? Timers stop and the session is closed in the journal.")):
            self.rt.end()
            self.strip.invalidate_session()
            self.recap_offer()

    def _session_running(self) -> bool:
        if self.rt.session_id is None:
            return False
        s = self.rt.journal.session(self.rt.session_id)
        return s.started_utc is not None and s.ended_utc is None

    def reopen_dialog(self) -> None:
        dlg = QDialog(self)
        dlg.setWindowTitle(self.tr("Reopen a session"))
        lst = QListWidget(dlg)
        for s in reversed(self.rt.journal.sessions()):
            state = self.tr("open") if s.is_open else (self.tr("ended") if s.ended_utc else self.tr("not started"))
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
        return QMessageBox.question(self, self.tr("Control Room"), text) == QMessageBox.StandardButton.Yes

    # ---- the room: lucky bags, sold-out substitutes ------------------------------------------------
    def _say(self, text: str) -> None:
        self.statusBar().showMessage(text, 6000)

    def _open_alert(self, rules: tuple[str, ...]):
        alerts = [a for a in self.rt.alerts.open_alerts.values() if a.rule in rules] if self.rt.alerts else []
        return alerts[-1] if alerts else None

    def lucky_bag_dialog(self):
        """F: start a lucky bag (also what the viewers-drop alert offers)."""
        from ui.lucky_bag_dialog import LuckyBagDialog
        from ui.words import alert_title
        svc = self.rt.console
        if svc is None:
            return None
        drop = self._open_alert(("viewers_drop",))
        reason = alert_title(drop.rule, drop.values, drop.sku, fallback=drop.title) if drop is not None else ""
        dlg = LuckyBagDialog(self, reason=reason)
        self.last_dialog = dlg
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return dlg
        v = dlg.values()
        cmd = svc.lucky_bag_command(v["prize"], v["countdown_s"], v["passphrase"], follow_required=v["follow_required"],
                                    winners=v["winners"])
        run = getattr(self.console, "_run", None)
        if run is None:
            return dlg
        run(svc.request(cmd))
        if drop is not None and self.console.last_ticket is not None and self.console.last_ticket.future is not None:
            self.rt.alerts.acknowledge(drop.alert_id)     # the alert's suggestion was taken
        return dlg

    def end_lucky_bag(self, draw: bool) -> None:
        from controlroom.commerce.tickets import ConsoleError
        try:
            self.rt.console.end_lucky_bag(draw_now=draw)
        except ConsoleError:
            self._say(self.tr("No lucky bag is running"))

    def swap_substitute(self) -> None:
        """R: switch from a sold-out (or running-low) product to the plan's substitute — the latest such alert's,
        else the product being explained."""
        from controlroom.commerce.tickets import ConsoleError
        svc = self.rt.console
        if svc is None:
            return
        alert = self._open_alert(("sku_sold_out", "sku_low_stock"))
        sku = alert.sku if alert is not None else svc.state.pinned
        if not sku or svc.substitute_for(sku) is None:
            self._say(self.tr("No substitute to switch to: the price plan names none for this product"))
            return
        try:
            tickets = svc.swap_to_substitute(sku)
        except ConsoleError as e:
            self._say(str(e))
            return
        run = getattr(self.console, "_run", None)
        for t in tickets:
            if t.future is None and run is not None:   # a confirm (a banned term in the talk track): the ticket asks
                run(t)
        if alert is not None:
            self.rt.alerts.acknowledge(alert.alert_id)

    def clear_substitute(self) -> None:
        if self.rt.console is not None:
            t = self.rt.console.clear_substitute()
            run = getattr(self.console, "_run", None)
            if t is not None and t.future is None and run is not None:
                run(t)

    # ---- export & recap -------------------------------------------------------------------
    def export_dialog(self) -> None:
        dlg = QDialog(self)
        dlg.setWindowTitle(self.tr("Export journal"))
        fmt = QComboBox(dlg)
        for f in ("csv", "xlsx", "parquet"):
            fmt.addItem(f.upper(), f)
        scope = QComboBox(dlg)
        if self.rt.session_id is not None:
            scope.addItem(self.tr("This show"), self.rt.session_id)
        scope.addItem(self.tr("All sessions"), None)
        form = QFormLayout(dlg)
        form.addRow(self.tr("Format"), fmt)
        form.addRow(self.tr("Sessions"), scope)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(dlg.accept)
        buttons.rejected.connect(dlg.reject)
        form.addRow(buttons)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return
        out = QFileDialog.getExistingDirectory(self, self.tr("Export to folder"), str(self.rt.data_dir))
        if out:
            self.start_export(fmt.currentData(), scope.currentData(), out)

    def start_export(self, fmt: str, session_id, out_dir: str) -> None:
        """Export in a worker; a progress dialog follows it; the window stays live."""
        from controlroom.journal.export import export_session
        self._progress = QProgressDialog(self.tr("Exporting the journal…"), self.tr("Hide"), 0, 100, self)
        self._progress.setWindowModality(Qt.WindowModality.NonModal)
        self._progress.setMinimumDuration(300)
        done_text = self.tr("Exported to {out}").format(out=out_dir)

        def work():
            try:
                export_session(self.rt.journal, session_id, fmt, out_dir,
                               progress=lambda done, total, stage="": self.export_progress.emit(
                                   int(done), int(total or 1), str(stage)))
                self.export_done.emit(done_text, "")
            except Exception as e:
                self.export_done.emit("", str(e))

        threading.Thread(target=work, name="export", daemon=True).start()

    def _on_export_progress(self, done: int, total: int, stage: str) -> None:
        if getattr(self, "_progress", None):
            self._progress.setMaximum(max(total, 1))
            self._progress.setValue(min(done, total))
            self._progress.setLabelText(self.tr("Exporting the journal…") + f" {stage}")

    def _on_export_done(self, ok: str, err: str) -> None:
        if getattr(self, "_progress", None):
            self._progress.close()
            self._progress = None
        if err:
            QMessageBox.critical(self, self.tr("Export failed"), err)
        else:
            self.statusBar().showMessage(ok, 10000)

    def recap_offer(self) -> None:
        if self._confirm(self.tr("The show has ended. Make the recap now?")):
            self.recap_dialog()

    def recap_dialog(self) -> None:
        try:
            mod = importlib.import_module("ui.recap_cli")
        except ModuleNotFoundError:
            QMessageBox.information(self, self.tr("Recap"), self.tr("The recap is not available in this build."))
            return
        out = QFileDialog.getExistingDirectory(self, self.tr("Write the recap to folder"), str(self.rt.data_dir))
        if out:
            mod.run_in_window(self, self.rt, self.rt.session_id, out)

    # ---- cue screen -----------------------------------------------------------------------
    def toggle_cue_screen(self) -> None:
        """F11: show the host's cue screen (full screen on another monitor when there is one); F11 again hides it.
        On a single monitor it covers the console, so F11 is the way back (and Esc leaves full screen)."""
        if self.cue_screen is not None and self.cue_screen.isVisible():
            self.cue_screen.hide()
            self.activateWindow()
            self.raise_()
            return
        self.open_cue_screen()

    def open_cue_screen(self) -> None:
        try:
            from ui.cue_screen import CueScreen
        except ModuleNotFoundError:
            QMessageBox.information(self, self.tr("Cue screen"), self.tr("The cue screen is not available in this "
                                                                         "build."))
            return
        if self.cue_screen is None:
            self.cue_screen = CueScreen(self.rt, self.bridge)
        screens = QApplication.screens()
        mine = self.screen()
        others = [i for i, s in enumerate(screens) if s is not mine]
        if others:
            self.cue_screen.show_on_screen(others[0])
        else:
            self.cue_screen.show_on_screen(0)
            self.statusBar().showMessage(self.tr("One monitor: the cue screen covers the console — F11 brings the "
                                                 "console back."), 8000)

    # ---- settings & help ------------------------------------------------------------------
    def pin_dialog(self) -> None:
        from ui.pin_dialog import PinDialog
        if PinDialog(self.rt, self).exec() == QDialog.DialogCode.Accepted:
            self.statusBar().showMessage(self.tr("Supervisor PIN saved (only its salted hash is stored)."), 8000)

    def open_data_folder(self) -> None:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.rt.data_dir)))

    def _text_dialog(self, title: str, body_html: str) -> QDialog:
        dlg = QDialog(self)
        dlg.setWindowTitle(title)
        view = QTextBrowser(dlg)
        view.setOpenExternalLinks(False)
        view.setHtml(body_html)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(dlg.reject)
        lay = QVBoxLayout(dlg)
        lay.addWidget(view)
        lay.addWidget(buttons)
        dlg.resize(640, 560)
        self.last_help = dlg
        return dlg

    def keys_html(self) -> str:
        rows = []
        for key, what, _obj in sorted(key_bindings(self), key=lambda r: r[0]):
            shown = QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)
            rows.append(f"<tr><td style='padding-right:16px'><b>{html.escape(shown)}</b></td>"
                        f"<td>{html.escape(what)}</td></tr>")
        note = html.escape(self.tr("Single keys act on the product selected in the console. Esc cancels a ticket; "
                                   "Enter confirms only where a confirmation is allowed; a blocked ticket needs the "
                                   "supervisor's PIN."))
        return f"<table>{''.join(rows)}</table><p>{note}</p>"

    def keys_dialog(self) -> None:
        self._text_dialog(self.tr("Keys"), self.keys_html()).open()

    def howto_dialog(self) -> None:
        steps = [self.tr("Check the run of show (left) and the products (middle): list, live and net price, stock."),
                 self.tr("Press Start show (Ctrl+Shift+S) when you go live: the run of show starts its first segment."),
                 self.tr("Open the host's cue screen with F11 (on the second monitor when there is one)."),
                 self.tr("Select a product and press E to explain it (讲解中): the cue screen shows that product."),
                 self.tr("P changes a price, O starts a flash offer, C issues a coupon: each dialog shows the net "
                         "price, the change and the margin before anything is sent."),
                 self.tr("Red banners are safety events: read what to do, then Acknowledge."),
                 self.tr("F9 fails the stream over to the backup, F10 returns to the primary."),
                 self.tr("End show (Ctrl+Shift+E) stops the run of show and closes the session; the recap follows.")]
        body = "<ol>" + "".join(f"<li>{html.escape(s)}</li>" for s in steps) + "</ol>"
        self._text_dialog(self.tr("How to run a show"), body).open()

    def data_html(self) -> str:
        d = self.rt.data_dir
        rows = [(self.tr("Data folder"), d), (self.tr("Journal (every action, SQLite)"), self.rt.journal.path),
                (self.tr("Settings"), d / "settings.toml"), (self.tr("Stream guard"), d / "guard.toml"),
                (self.tr("Window layout and language"), d / "ui.ini"), (self.tr("Show folder"), self.rt.show_dir)]
        body = "".join(f"<tr><td style='padding-right:16px'>{html.escape(k)}</td><td><code>{html.escape(str(v))}"
                       f"</code></td></tr>" for k, v in rows)
        note = html.escape(self.tr("Export the journal or make the recap from the Show menu. Nothing leaves this "
                                   "computer except calls to the shop and the alert webhooks you set up."))
        return f"<table>{body}</table><p>{note}</p>"

    def data_dialog(self) -> None:
        self._text_dialog(self.tr("Where the data lives"), self.data_html()).open()

    def _about(self) -> None:
        from controlroom import __version__
        QMessageBox.about(self, self.tr("Control Room"),
                          self.tr("Control Room {version}<br>Journal: {path}").format(
                              version=__version__, path=html.escape(str(self.rt.journal.path))))
