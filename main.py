#!/usr/bin/env python3
"""Control Room entry point.

  python main.py [--data-dir DIR] [--lang zh_CN|en] [--show DIR]   open the control room (GUI)
  python main.py export  [--session ID] --format csv|xlsx|parquet --out DIR
  python main.py preflight PLAN.csv [--json]
  python main.py rehearse SCRIPT.jsonl [--show DIR] [--seed N] [--pin PIN] [--json]
  python main.py guard --config guard.toml
  python main.py recap [--session ID] --out DIR
  python main.py shop check [--show DIR] [--json]                  read-only: the plan's SKUs vs the shop

Every subcommand also takes --data-dir (or $CONTROLROOM_DATA_DIR).
"""
from __future__ import annotations

import importlib
import os
import sys

# subcommand -> module with main(argv) -> exit status. Imported lazily: `guard` and `preflight`
# must start fast and without Qt on a spare machine.
COMMANDS = {
    "gui": "ui.app",
    "export": "controlroom.journal.export_cli",
    "preflight": "controlroom.commerce.preflight_cli",
    "rehearse": "controlroom.commerce.rehearsal.cli",
    "guard": "controlroom.stream.headless",
    "recap": "ui.recap_cli",
    "shop": "controlroom.shop_check",
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0
    name = argv[0] if argv and argv[0] in COMMANDS else "gui"
    rest = argv[1:] if argv and argv[0] in COMMANDS else argv
    module = importlib.import_module(COMMANDS[name])
    try:
        code = int(module.main(rest) or 0)
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        # `… | head`: the reader went away. Stop quietly; point stdout at /dev/null so the interpreter's own
        # flush at exit does not raise again (what the Python docs advise for SIGPIPE).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
