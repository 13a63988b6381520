"""The spare machine speaks (issue 13): `python main.py guard --config guard.toml` against two real OBS,
with settings.toml [alert_sinks] pointing at real webhook receivers on 127.0.0.1 (WeCom and Slack shapes).
The primary OBS is killed: the failover alert reaches both webhooks, and the console prints a line per event."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.integration.obs.harness import wait_until
from tests.integration.obs.scenarios import GuardRig
from tests.fakes import Reply, WebhookReceiver

ROOT = Path(__file__).resolve().parents[3]


def test_headless_guard_sends_the_failover_to_the_webhooks_and_prints_each_event(bed):
    rig = GuardRig(bed)
    wecom = WebhookReceiver()
    slack = WebhookReceiver(Reply(200, "ok"))
    proc = None
    lines: list[str] = []
    try:
        rig.start_primary_streaming()
        cfg = rig.write_config()
        data = bed.workdir / "data"
        data.mkdir()
        (data / "settings.toml").write_text('[alert_sinks]\nenabled = ["wecom", "slack"]\nmin_severity = "warning"\n',
                                            encoding="utf-8")
        env = dict(os.environ, CONTROLROOM_KEYRING="memory", PYTHONUNBUFFERED="1",
                   CONTROLROOM_WECOM_WEBHOOK=f"{wecom.url}/cgi-bin/webhook/send?key=wk-secret-77",
                   CONTROLROOM_SLACK_WEBHOOK=f"{slack.url}/services/T0/B0/sl-secret-88")
        proc = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "guard", "--config", str(cfg),
                                 "--data-dir", str(data)], cwd=bed.workdir, env=env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

        def read():
            for line in proc.stdout:
                lines.append(line.rstrip("\n"))
        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        wait_until(lambda: any(" armed primary" in ln for ln in lines), 20, what="the headless guard armed")
        assert any("alerts to wecom, slack" in ln for ln in lines), lines
        t_kill = time.monotonic()
        rig.primary.proc.signal(signal.SIGKILL)

        def failover_posted(rx):
            return [r for r in rx.requests if r.method == "POST" and "ON BACKUP" in r.body.decode("utf-8")]
        _, to_wecom = wait_until(lambda: failover_posted(wecom), 10, what="the failover alert at the WeCom webhook")
        wait_until(lambda: failover_posted(slack), 10, what="the failover alert at the Slack webhook")
        wait_until(lambda: any("sent to slack" in ln for ln in lines) and any("sent to wecom" in ln for ln in lines),
                   10, what="delivery lines")
        print(f"headless: failover alert at the webhook {time.monotonic() - t_kill:.2f} s after the kill")
        assert to_wecom <= 5.0
        body = failover_posted(wecom)[0].json
        assert body["msgtype"] in ("markdown", "text")
        proc.send_signal(signal.SIGINT)
        assert proc.wait(20) == 0
        reader.join(5)
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(5)
        wecom.close()
        slack.close()
        rig.close()
    out = "\n".join(lines)
    print(out)
    for needle in ("armed primary", "switching", "FAILED OVER", "ALERT CRITICAL ON BACKUP", "command backup: start",
                   "guard: stopped"):
        assert needle in out, f"no line with {needle!r}:\n{out}"
    assert "wk-secret-77" not in out and "sl-secret-88" not in out and rig.primary.password not in out
