"""`python main.py export [--session ID] --format csv|xlsx|parquet --out DIR [--data-dir DIR]`

Exit status: 0 exported; 1 could not export (no such session, empty journal, unwritable output,
journal from a newer version); 2 bad command line."""
from __future__ import annotations

import argparse
import sys
import time

from controlroom.paths import ENV_DATA_DIR, journal_path


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="main.py export",
                                description="Export the show journal: one file (or sheet) per table "
                                            "(sessions, events, samples), UTC and local time columns, "
                                            "secrets masked.")
    p.add_argument("--session", type=int, default=None, metavar="ID",
                   help="session id to export (default: every session)")
    p.add_argument("--format", required=True, choices=["csv", "xlsx", "parquet"], dest="fmt")
    p.add_argument("--out", required=True, metavar="DIR", help="output directory (created if missing)")
    p.add_argument("--data-dir", default=None, metavar="DIR",
                   help=f"where the journal lives (default: ${ENV_DATA_DIR}, then the user data directory)")
    return p


class _Progress:
    """One line per stage and about every 10 %, on stderr (stdout stays clean for scripts)."""

    def __init__(self) -> None:
        self.stage, self.step, self.t0 = "", -1, time.monotonic()

    def __call__(self, done: int, total: int, stage: str) -> None:
        pct = 100 * done // total if total else 100
        step = pct // 10
        if stage != self.stage or step != self.step:
            self.stage, self.step = stage, step
            print(f"export: {stage:<8} {done:>10,}/{total:,} rows ({pct}%)", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as e:  # argparse already printed the reason
        return 0 if e.code == 0 else 2
    from controlroom.journal.export import ExportError, export_session
    journal = journal_path(args.data_dir)
    try:
        files = export_session(journal, args.session, args.fmt, args.out, progress=_Progress())
    except ExportError as e:
        print(f"export: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"export: cannot write the export to {args.out}: {e}", file=sys.stderr)
        return 1
    for f in files:
        print(f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
