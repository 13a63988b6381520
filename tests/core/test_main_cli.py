"""The command lines' shared behaviour (main.py)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path):
    """`python main.py preflight PLAN.csv | head -3`: the reader closes the pipe; the command stops quietly (no
    BrokenPipeError traceback on the operator's terminal)."""
    plan = tmp_path / "plan.csv"
    rows = "".join(f"S{i:04d},Product {i},129,69\n" for i in range(3000))
    plan.write_text("sku,title,list_price,live_price\n" + rows, encoding="utf-8")
    p = subprocess.run(f"{sys.executable} {ROOT / 'main.py'} preflight {plan} | head -3", shell=True,
                       capture_output=True, text=True, timeout=120)
    assert len(p.stdout.splitlines()) == 3
    assert "Traceback" not in p.stderr and "BrokenPipe" not in p.stderr, p.stderr
