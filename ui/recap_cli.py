"""`python main.py recap [--session ID] [--data-dir DIR] [--show DIR] --out DIR` and the window's
"Post-show recap…" (run_in_window).

Writes recap-<ID>.html (self-contained), recap-<ID>.xlsx, recap-<ID>.pdf and the chart PNGs in
recap-<ID>-charts/, and prints their paths, one per line, on stdout (progress goes to stderr).
Default session: the latest ended one, else the latest. Works headless: without a display it uses
Qt's offscreen platform.

Exit status: 0 written; 1 could not make the recap (no such session, no journal, unwritable output,
journal from a newer version); 2 bad command line.
"""
from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

from controlroom.paths import ENV_DATA_DIR, journal_path


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="main.py recap",
                                description="The post-show recap 复盘: headline against targets and earlier shows, "
                                            "run of show plan vs actual, products, price changes and their effect, "
                                            "incidents; as HTML, XLSX and PDF with PNG charts.")
    p.add_argument("--session", type=int, default=None, metavar="ID",
                   help="session id (default: the latest ended session, else the latest)")
    p.add_argument("--out", required=True, metavar="DIR", help="output directory (created if missing)")
    p.add_argument("--data-dir", default=None, metavar="DIR",
                   help=f"where the journal lives (default: ${ENV_DATA_DIR}, then the user data directory)")
    p.add_argument("--show", default=None, metavar="DIR",
                   help="the show folder with show.toml [targets] (default: the one the session was run from)")
    return p


def default_session(journal) -> int | None:
    """The latest ended session, else the latest one; None for an empty journal."""
    sessions = journal.sessions()
    ended = [s for s in sessions if s.ended_utc is not None]
    if ended:
        return ended[-1].id
    return sessions[-1].id if sessions else None


def _ensure_gui_app():
    from PySide6.QtGui import QGuiApplication
    app = QGuiApplication.instance()
    if app is None:
        if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) and sys.platform.startswith("linux"):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication(["control-room-recap"])
    return app


def make_recap(journal, session_id: int | None, out_dir, settings=None, show_dir=None, progress=None) -> dict:
    """Build and write one recap; returns {kind: path}. Needs a QGuiApplication (fonts), any thread."""
    from controlroom.recap.report import RecapError, build_recap
    from ui.recap_render import write_recap
    if session_id is None:
        session_id = default_session(journal)
        if session_id is None:
            raise RecapError(f"the journal {journal.path} has no sessions: nothing to recap")
    say = progress or (lambda done, total, stage: None)
    say(0, 6, "reading the journal")
    recap = build_recap(journal, session_id, settings, show_dir=show_dir)
    return write_recap(recap, out_dir, progress=lambda d, t, s: say(d + 1, t + 1, s))


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as e:  # argparse already printed the reason
        return 0 if e.code == 0 else 2
    from controlroom.journal import Journal, JournalError
    from controlroom.recap.report import RecapError, RecapSettings
    from controlroom.settings import Settings
    path = journal_path(args.data_dir)
    if not path.is_file():
        print(f"recap: no journal at {path}: nothing to recap (give --data-dir or ${ENV_DATA_DIR})", file=sys.stderr)
        return 1
    try:
        settings = Settings(path.parent / Settings.FILENAME).section("recap", RecapSettings)
    except Exception as e:  # a broken settings file names itself; the defaults still make a recap
        print(f"recap: {e}; using the default call-out thresholds", file=sys.stderr)
        settings = RecapSettings()
    _ensure_gui_app()
    t0 = time.monotonic()

    def progress(done: int, total: int, stage: str) -> None:
        print(f"recap: {stage} ({done}/{total})", file=sys.stderr, flush=True)

    try:
        journal = Journal(path)
    except JournalError as e:
        print(f"recap: {e}", file=sys.stderr)
        return 1
    try:
        paths = make_recap(journal, args.session, args.out, settings, args.show, progress)
    except RecapError as e:
        print(f"recap: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"recap: cannot write the recap to {args.out}: {e}", file=sys.stderr)
        return 1
    finally:
        journal.close()
    for kind in ("html", "xlsx", "pdf"):
        print(paths[kind])
    for kind, p in paths.items():
        if kind.startswith("chart_"):
            print(p)
    print(f"recap: done in {time.monotonic() - t0:.1f} s", file=sys.stderr)
    return 0


# ---- the window's side -------------------------------------------------------------------------------
def run_in_window(window, rt, session_id: int | None, out_dir) -> None:
    """Make the recap in a worker thread with a progress dialog; report the files or the error.

    Chart painting uses QImage (safe off the GUI thread), so the whole job runs in the worker."""
    from PySide6.QtCore import QObject, Qt, QUrl, Signal
    from PySide6.QtGui import QDesktopServices
    from PySide6.QtWidgets import QMessageBox, QProgressDialog

    from controlroom.recap.report import RecapSettings
    from ui.i18n import translate

    class _Job(QObject):
        progress = Signal(int, int, str)
        done = Signal(object, str)

    job = _Job(window)
    dlg = QProgressDialog(translate("Recap", "Making the recap…"), translate("Recap", "Hide"), 0, 6, window)
    dlg.setWindowModality(Qt.WindowModality.NonModal)
    dlg.setMinimumDuration(200)
    dlg.setValue(0)
    jobs = window.__dict__.setdefault("_recap_jobs", [])
    jobs.append(job)

    def on_progress(done: int, total: int, stage: str) -> None:
        dlg.setMaximum(max(total, 1))
        dlg.setValue(min(done, total))
        dlg.setLabelText(translate("Recap", "Making the recap…") + f" {stage}")

    def on_done(paths, error: str) -> None:
        dlg.close()
        if job in jobs:
            jobs.remove(job)
        if error:
            QMessageBox.critical(window, translate("Recap", "Recap failed"), error)
            return
        lines = "\n".join(str(paths[k]) for k in ("html", "xlsx", "pdf") if k in paths)
        box = QMessageBox(QMessageBox.Icon.Information, translate("Recap", "Recap written"), lines, parent=window)
        open_btn = box.addButton(translate("Recap", "Open folder"), QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Ok)
        box.setModal(False)
        box.buttonClicked.connect(lambda b: QDesktopServices.openUrl(QUrl.fromLocalFile(str(out_dir)))
                                  if b is open_btn else None)
        box.show()
        window.__dict__["_recap_box"] = box
        bar = getattr(window, "statusBar", None)
        if callable(bar):
            bar().showMessage(translate("Recap", "Recap written") + f": {out_dir}", 10000)

    job.progress.connect(on_progress)
    job.done.connect(on_done)
    try:
        settings = rt.settings.section("recap", RecapSettings)
    except Exception:
        settings = RecapSettings()

    def work() -> None:
        try:
            metrics = rt.metrics
            if metrics is not None and session_id in (None, rt.session_id):
                flush = getattr(metrics, "flush", None)
                if flush:
                    flush()  # the last samples of a show that just ended belong in its recap
            paths = make_recap(rt.journal, session_id, out_dir, settings,
                               progress=lambda d, t, s: job.progress.emit(int(d), int(t), str(s)))
            job.done.emit(paths, "")
        except Exception as e:  # reported to the person who asked, not swallowed
            job.done.emit({}, f"{type(e).__name__}: {e}")

    threading.Thread(target=work, name="recap", daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
