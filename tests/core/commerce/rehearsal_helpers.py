"""Running `python main.py rehearse` in a subprocess, the way an operator (or a hidden test) does."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def rehearse(tmp_path: Path, lines: list[dict | str], *, show: Path | None = None, pin: str | None = None,
             seed: int | None = None, json_out: bool = True, name: str = "script.jsonl",
             data_dir: Path | None = None, timeout: float = 240) -> tuple[int, list[dict], dict | None, str]:
    """(exit status, per-line and auto records, the final record, stderr)."""
    script = tmp_path / name
    script.write_text("\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines)
                      + "\n", encoding="utf-8")
    data = data_dir or (tmp_path / "data")
    cmd = [sys.executable, str(ROOT / "main.py"), "rehearse", str(script)]
    if json_out:
        cmd.append("--json")
    if show is not None:
        cmd += ["--show", str(show)]
    if pin is not None:
        cmd += ["--pin", pin]
    if seed is not None:
        cmd += ["--seed", str(seed)]
    env = dict(os.environ, CONTROLROOM_DATA_DIR=str(data), PYTHONUNBUFFERED="1")
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=str(ROOT))
    if not json_out:
        return proc.returncode, [], None, proc.stderr + proc.stdout
    records, final = [], None
    for line in proc.stdout.splitlines():
        if not line.strip():
            continue
        obj = json.loads(line)
        if obj.get("final"):
            final = obj
        else:
            records.append(obj)
    return proc.returncode, records, final, proc.stderr


def line(records: list[dict], n: int) -> dict:
    found = [r for r in records if r.get("line") == n]
    assert len(found) == 1, (n, records)
    return found[0]


def autos(records: list[dict], what: str | None = None, sku: str | None = None) -> list[dict]:
    return [r for r in records if r.get("do") == "auto" and (what is None or r["what"] == what)
            and (sku is None or r["sku"] == sku)]


def final_sku(final: dict, sku: str) -> dict:
    return next(s for s in final["skus"] if s["sku"] == sku)


def rundown_fired(data_dir: Path, sku: str) -> list[dict]:
    """The run-of-show's offers on `sku` as the journal has them: {"t", "outcome", "reason"} each. (The JSON stream
    keeps to the contract's auto kinds, so a rundown offer's own judgment is read where it is recorded.)"""
    from controlroom.journal import Journal
    j = Journal(data_dir / Journal.FILENAME)
    try:
        sid = max(s.id for s in j.sessions())
        out: list[dict] = []
        for ev in j.events(sid):
            p = ev.payload
            if p.get("sku") != sku:
                continue
            if ev.kind == "rundown.offer_started":
                out.append({"t": p.get("t"), "outcome": None, "reason": ""})
            elif out and out[-1]["outcome"] is None and ev.actor == "rundown":
                if ev.kind == "console.offer_started":
                    out[-1]["outcome"] = "applied"
                elif ev.kind == "rundown.offer_failed":
                    out[-1].update(outcome="refused", reason=p.get("error", ""))
        return out
    finally:
        j.close()
