"""Start the GUI: `python main.py [--data-dir DIR] [--lang zh_CN|en] [--show DIR] [--resume ask|yes|no]`.

A new show opens ready, not on air: nothing is listed and no timer runs until the operator presses Start show
(or passes --start)."""
from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="main.py", description="Control Room for live-commerce broadcasts")
    p.add_argument("--data-dir", help="where the journal and settings live (default: the user data dir, or "
                                      "$CONTROLROOM_DATA_DIR)")
    p.add_argument("--lang", choices=["zh_CN", "en"], help="UI language (default: the system locale)")
    p.add_argument("--show", help="a show folder (products.csv, rundown.csv, show.toml); default: the sample show")
    p.add_argument("--seed", type=int, default=7, help="the simulated shop's random seed")
    p.add_argument("--resume", choices=["ask", "yes", "no"], default="ask",
                   help="what to do when the journal has a show that was never ended (a crash)")
    p.add_argument("--start", action="store_true",
                   help="go on air at once, as if Start show were pressed (demos, screenshots)")
    p.add_argument("--no-autostart", action="store_true",
                   help="accepted for old scripts; a new show never starts by itself any more")
    p.add_argument("--screenshot", metavar="PNG", help="render the window, save a screenshot after a few seconds "
                                                       "and quit (for checks)")
    p.add_argument("--screenshot-cue", metavar="PNG", help="with --screenshot: also open the host's cue screen and "
                                                           "save it")
    p.add_argument("--screenshot-after", type=float, default=6.0, metavar="S")
    p.add_argument("--size", metavar="WxH", help="window size, e.g. 1366x768 (default: remembered or 1600x960)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(list(sys.argv[1:] if argv is None else argv))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("obsws_python").setLevel(logging.CRITICAL)  # it logs the OBS password at INFO
    logging.getLogger("alembic").setLevel(logging.WARNING)

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from controlroom.datadir import DataDirBusy, DataDirError
    from controlroom.journal import JournalError, JournalTooNew, JournalWriteError
    from controlroom.runtime import Runtime
    from controlroom.settings import SettingsError
    from controlroom.show import ShowError
    from ui import i18n
    from ui.i18n import translate
    from ui.style import apply as apply_look

    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("Control Room")
    app.setOrganizationName("ControlRoom")
    apply_look(app)

    i18n.load(args.lang or i18n.system_default())  # the data dir's saved language is read once it opens

    def refuse(title: str, error: BaseException) -> int:
        """A start that cannot go on: a dialog that says why (and the same on stderr), exit 2."""
        QMessageBox.critical(None, title, str(error))
        print(f"Control Room: {error}", file=sys.stderr)
        return 2

    try:
        rt = Runtime.create(args.data_dir, show_dir=Path(args.show) if args.show else None, seed=args.seed)
    except DataDirBusy as e:  # another app, the headless guard or a rehearsal writes this data dir
        return refuse(translate("App", "This data folder is in use"), e)
    except JournalTooNew as e:
        return refuse("Control Room", e)
    except (DataDirError, JournalError) as e:  # a read-only or full data dir
        return refuse(translate("App", "The journal cannot be written"), e)
    except (ShowError, SettingsError) as e:
        return refuse(translate("App", "The show cannot be opened"), e)

    from PySide6.QtCore import QSettings
    saved_lang = QSettings(str(rt.data_dir / "ui.ini"), QSettings.Format.IniFormat).value("language")
    i18n.load(args.lang or (saved_lang if saved_lang in i18n.LANGS else None) or i18n.system_default())

    try:
        choose_session(rt, args)
    except JournalWriteError as e:  # the first write of the day found the disk full or read-only
        rt.close()
        return refuse(translate("App", "The journal cannot be written"), e)

    from ui.main_window import MainWindow
    win = MainWindow(rt)
    if args.size:
        w, _, h = args.size.partition("x")
        win.resize(int(w), int(h))
        win.show()
    elif win.has_saved_geometry:
        win.show()
    else:  # first start: the whole screen (also without a window manager); afterwards the operator's own layout
        screen = app.primaryScreen()
        if screen is not None:
            win.setGeometry(screen.availableGeometry())
        win.showMaximized()
    if args.start:
        win.start_show()
    code = 0
    if args.screenshot:
        if args.screenshot_cue:
            QTimer.singleShot(int(max(args.screenshot_after - 1.5, 0.5) * 1000), win.open_cue_screen)

        def shoot():
            win.grab().save(args.screenshot)
            if args.screenshot_cue and win.cue_screen is not None:
                win.cue_screen.grab().save(args.screenshot_cue)
            win._quit_confirmed = True    # a screenshot run quits without asking
            app.quit()
        QTimer.singleShot(int(args.screenshot_after * 1000), shoot)
    try:
        code = app.exec()
    finally:
        rt.close()
    return code


def choose_session(rt, args) -> None:
    """After a crash, offer to resume the show the journal says is still open; otherwise open a new show, ready
    but not on air (the operator starts it). Only a show is offered (rt.open_sessions): never a headless guard's
    or a rehearsal's session."""
    from PySide6.QtWidgets import QMessageBox

    from ui.i18n import translate

    open_sessions = rt.open_sessions()
    if open_sessions:
        last = open_sessions[-1]
        resume = args.resume == "yes"
        if args.resume == "ask":
            started = last.started_utc.astimezone().strftime("%Y-%m-%d %H:%M") if last.started_utc else "?"
            box = QMessageBox(QMessageBox.Icon.Warning, translate("App", "Resume the show?"),
                              translate("App", "The show «{title}» (started {started}) was not ended — Control Room "
                                               "was closed or killed while it was on air.\n\nResume it where the "
                                               "journal says it was: segment and timers, listings, prices and running "
                                               "offers?").format(title=last.title, started=started))
            yes = box.addButton(translate("App", "Resume the show"), QMessageBox.ButtonRole.AcceptRole)
            box.addButton(translate("App", "Start a new show"), QMessageBox.ButtonRole.RejectRole)
            box.setDefaultButton(yes)
            box.exec()
            resume = box.clickedButton() is yes
        if resume:
            # a long show takes seconds to rebuild from the journal: on a worker, with a word on screen
            from ui.busy import run_busy
            run_busy(translate("App", "Resuming the show"),
                     translate("App", "Rebuilding «{title}» from the journal…").format(title=last.title),
                     lambda: rt.resume(last.id))
            return
    rt.new_show()


if __name__ == "__main__":
    sys.exit(main())
