"""Issue 12 finding 2 on screens of the sizes studios have — 1366×768 (compact: metrics and stream as tabs) and
1920×1080 — in both languages: nothing that decides a price is out of sight, no button text or KPI tile is cut, the
window is never larger than the screen. Each size runs in its own process (tests/ui/layout_probe.py)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("size", ["1366x768", "1920x1080"])
@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_nothing_cut_at_studio_screen_sizes(size, lang, tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "CONTROLROOM_KEYRING": "memory",
           "XDG_RUNTIME_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-m", "tests.ui.layout_probe", size, lang], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    assert lines, out.stderr[-2000:]
    report = json.loads(lines[-1])
    assert report["compact"] == (size == "1366x768")
    assert report["problems"] == []
