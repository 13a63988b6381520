"""Recap benchmark: a simulated show (default 20 min; --minutes N), then the time from "show ended" to the
recap files written (build_recap from the journal, charts, HTML, XLSX, PDF). Prints JSON."""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("CONTROLROOM_KEYRING", "memory")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=int, default=20)
    args = ap.parse_args()
    from PySide6.QtGui import QGuiApplication
    app = QGuiApplication([])  # noqa: F841
    from controlroom.journal import Journal
    from controlroom.recap.report import build_recap
    from tests.core.recap.test_recap_sim import standard_show
    from ui.recap_render import write_recap
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        s, sid = standard_show(Path(d), minutes=args.minutes)
        s.close()
        sim_s = time.perf_counter() - t0
        j = Journal(Path(d) / Journal.FILENAME)
        t1 = time.perf_counter()
        r = build_recap(j, sid)
        t2 = time.perf_counter()
        paths = write_recap(r, Path(d) / "out")
        t3 = time.perf_counter()
        n_samples = len(j.samples(sid))
        j.close()
        print(json.dumps({"show_minutes": args.minutes, "samples": n_samples, "incidents": len(r.incidents),
                          "simulate_s": round(sim_s, 2), "build_recap_s": round(t2 - t1, 3),
                          "write_files_s": round(t3 - t2, 3), "show_end_to_files_s": round(t3 - t1, 3),
                          "pdf_bytes": paths["pdf"].stat().st_size, "html_bytes": paths["html"].stat().st_size}))


if __name__ == "__main__":
    main()
