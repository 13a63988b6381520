"""What the `shop check` tests of every shop share: a show folder with products.csv, a data dir with
settings.toml, and the command run in-process with its exit code, output lines and stderr."""
from __future__ import annotations

from pathlib import Path

import main as entry


def write_show(tmp_path: Path, plan: str) -> Path:
    show = tmp_path / "show"
    show.mkdir(exist_ok=True)
    (show / "products.csv").write_text(plan, encoding="utf-8")
    return show


def write_settings(tmp_path: Path, text: str) -> Path:
    d = tmp_path / "data"
    d.mkdir(exist_ok=True)
    (d / "settings.toml").write_text(text, encoding="utf-8")
    return d


def run_check(capsys, *argv: str) -> tuple[int, list[str], str]:
    """`main.py shop check ARGV`: (exit code, the non-empty stdout lines, stderr)."""
    rc = entry.main(["shop", "check", *argv])
    out, err = capsys.readouterr()
    return rc, [line for line in out.splitlines() if line.strip()], err
