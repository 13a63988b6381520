"""Fault -> backup live latency of the stream guard against real OBS Studio instances, and false switches.

    .venv/bin/python tests/bench/bench_failover.py [--runs N] [--blip-seconds S] [--faults a,b]

Re-executes itself inside a private network namespace (`unshare --net`, loopback only: OBS calls
home and obs-websocket listens on all interfaces). For each fault kind (ingest killed, primary OBS
killed, primary OBS frozen, ingest frozen with the viewer probe) it builds a fresh testbed (nginx-rtmp
ingests A and B, a primary OBS on A, a hot-standby backup OBS, the StreamGuard configured only
through a guard.toml with the default thresholds), injects the fault and measures until OUR OWN
websocket client sees the backup encoder live and the ingest's /stat shows its publisher. Then the
soak: a healthy stream for --blip-seconds (300 by default) with Switcher-level blips every 3 s and
0.3-s stalls of the primary OBS and 0.4-s stalls of the primary ingest (SIGSTOP/SIGCONT) every 5 s
each, the viewer probe on, counts false failovers. Prints one JSON object (with the load average).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.integration.obs.harness import Testbed, in_private_netns, missing_tools  # noqa: E402

MARK = "CONTROLROOM_OBS_NETNS"
# issue 13's goals, fault -> backup live, median
GOALS = {"ingest_killed": 1.2, "primary_obs_killed": 1.2, "primary_obs_frozen": 2.5, "ingest_frozen": 2.5}


def _reexec_in_netns() -> int:
    for prefix in (["unshare", "--net"], ["unshare", "--user", "--map-root-user", "--net"]):
        if subprocess.run(prefix + ["true"], capture_output=True).returncode == 0:
            inner = "ip link set lo up && exec \"$0\" \"$@\""
            env = dict(os.environ, **{MARK: "1"})
            return subprocess.call(prefix + ["sh", "-c", inner, sys.executable, *sys.argv], env=env)
    print(json.dumps({"error": "cannot create a private network namespace (needs root or user namespaces)"}))
    return 2


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=5, help="runs per fault kind")
    ap.add_argument("--blip-seconds", type=float, default=300.0, help="the soak: healthy stream with blips, seconds")
    ap.add_argument("--faults", default="", help="comma-separated subset of fault kinds")
    args = ap.parse_args()

    missing = missing_tools()
    if missing:
        print(json.dumps({"error": f"missing: {', '.join(missing)} (bash .ci/obs_setup.sh)"}))
        return 2
    if not (os.environ.get(MARK) == "1" and in_private_netns()):
        return _reexec_in_netns()

    from tests.integration.obs.scenarios import FAULTS, run_blips, run_fault
    root = Path(tempfile.mkdtemp(prefix="bench-failover-"))
    kinds = [k for k in (args.faults.split(",") if args.faults else FAULTS)]
    report: dict = {"runs_per_fault": args.runs, "faults": {}, "unit": "seconds from fault to backup on air"}
    t_start = time.monotonic()
    report["loadavg_start"] = os.getloadavg()
    for kind in kinds:
        lat, onset_ms, detect_ms, errors, reasons = [], [], [], [], set()
        for i in range(args.runs):
            bed = Testbed(root / f"{kind}-{i}")
            try:
                out = run_fault(bed, kind)
                lat.append(out.latency_s)
                onset_ms.append(out.journal.get("onset_to_switch_ms"))
                detect_ms.append(out.journal.get("detect_to_switch_ms"))
                reasons.update(str(r).split(":")[0] for r in (out.journal.get("trigger") or {}).get("reasons", []))
            except Exception as e:  # noqa: BLE001 - a failed run is a result, not a crash
                errors.append(f"{type(e).__name__}: {e}")
            finally:
                bed.close()
        report["faults"][kind] = {
            "budget_s": FAULTS[kind][1], "tier": FAULTS[kind][3], "goal_median_s": GOALS[kind],
            "n": len(lat), "failed_runs": len(errors), "errors": errors[:3],
            "median_s": round(statistics.median(lat), 3) if lat else None,
            "max_s": round(max(lat), 3) if lat else None,
            "min_s": round(min(lat), 3) if lat else None,
            "journal_onset_to_switch_ms_median": statistics.median(onset_ms) if onset_ms else None,
            "journal_detect_to_switch_ms_median": statistics.median(detect_ms) if detect_ms else None,
            "trigger_reasons": sorted(reasons),
        }
    bed = Testbed(root / "blips")
    try:
        b = run_blips(bed, args.blip_seconds)
    finally:
        bed.close()
    report["soak"] = {"seconds": args.blip_seconds, "injected": b["injected"], "false_failovers": b["failovers"],
                      "alarms": b["alarms"], "failed_health_episodes": b["failed_health"],
                      "hard_failed_health_episodes": b["hard_health"]}
    report["false_failover_count"] = b["failovers"]
    report["summary"] = {k: f"median {v['median_s']} s, max {v['max_s']} s (goal median <= {v['goal_median_s']} s)"
                         for k, v in report["faults"].items()}
    report["wall_s"] = round(time.monotonic() - t_start, 1)
    report["loadavg_end"] = os.getloadavg()
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
