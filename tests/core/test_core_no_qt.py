"""The core runs without a display and without its adapters: importing every module under
controlroom/ loads no PySide6/Qt, nothing from ui/ and nothing from plugins/ (adapters are found by
entry point at run time, controlroom/adapters.py); no core source file names plugins/ either."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Modules that may be skipped, each with the reason (an optional thing they need).
OPTIONAL: dict[str, str] = {
    "controlroom.journal.migrations.env": "Alembic's env script: it runs only inside an Alembic command "
                                          "(journal.migrate runs it at start, covered by test_migrations)",
}

PROBE = r"""
import importlib, json, pkgutil, sys
sys.path.insert(0, sys.argv[1])
optional = json.loads(sys.argv[2])
import controlroom
failed, skipped, names = {}, {}, []
def onerror(name):
    failed[name] = repr(sys.exc_info()[1])
for info in pkgutil.walk_packages(controlroom.__path__, "controlroom.", onerror=onerror):
    names.append(info.name)
    if info.name in optional:
        skipped[info.name] = optional[info.name]
        continue
    try:
        importlib.import_module(info.name)
    except Exception as e:
        failed[info.name] = repr(e)
qt = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6", "PyQt5", "PyQt6", "pyqtgraph"))
ui = sorted(m for m in sys.modules if m == "ui" or m.startswith("ui."))
plugins = sorted(m for m in sys.modules if m == "plugins" or m.startswith("plugins."))
print(json.dumps({"names": names, "failed": failed, "skipped": skipped, "qt": qt, "ui": ui,
                  "plugins": plugins}))
"""


def test_importing_the_whole_core_loads_no_qt_no_ui_and_no_plugins():
    proc = subprocess.run([sys.executable, "-c", PROBE, str(ROOT), json.dumps(OPTIONAL)],
                          capture_output=True, text=True, timeout=300, cwd=ROOT,
                          env={"PATH": "/usr/bin:/bin", "CONTROLROOM_KEYRING": "memory", "HOME": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "controlroom.journal.store" in result["names"]
    assert "controlroom.journal.export" in result["names"]
    assert len(result["names"]) >= 10
    assert result["failed"] == {}, "every core module must import headless"
    assert result["qt"] == [], f"Qt loaded by the core: {result['qt']}"
    assert result["ui"] == [], f"ui loaded by the core: {result['ui']}"
    assert result["plugins"] == [], f"plugins loaded by the core: {result['plugins']}"


def test_no_core_source_imports_plugins_or_ui():
    import re
    bad = re.compile(r"^\s*(from|import)\s+(plugins|ui|PySide6)\b", re.M)
    hits = [str(p.relative_to(ROOT)) for p in (ROOT / "controlroom").rglob("*.py") if bad.search(p.read_text("utf-8"))]
    assert hits == [], f"the core names an adapter or the UI: {hits}"
