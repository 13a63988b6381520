"""The StreamGuard's judgement against real OBS: no false switches on blips, return after the dwell,
no flapping, manual hold and manual switches, the other failover methods."""
from __future__ import annotations

import os
import signal
import time

from tests.integration.obs.harness import BACKUP_SCENE, MAIN_SCENE, STREAM_KEY, wait_until
from tests.integration.obs.scenarios import GuardRig, _status, run_blips, run_return_and_no_flap

# issue 13: zero false failovers over a 300-s soak (shorter only for local runs: CONTROLROOM_OBS_BLIP_S)
BLIP_S = float(os.environ.get("CONTROLROOM_OBS_BLIP_S", "300"))


def test_blips_cause_no_failover(bed):
    """Switcher-level blips every 3 s, 0.3-s stalls of the primary OBS and 0.4-s stalls of the primary
    ingest (SIGSTOP/SIGCONT) every 5 s each, the viewer probe on: no switch, ever."""
    r = run_blips(bed, BLIP_S)
    print("blips:", r)
    assert all(n >= 1 for n in r["injected"].values()), r["injected"]
    assert r["injected"]["obs_stall"] >= BLIP_S / 5 - 2 and r["injected"]["ingest_stall"] >= BLIP_S / 5 - 2
    assert r["failovers"] == 0 and r["switching"] == 0, r
    assert r["hard_health"] == 0, "a blip produced hard evidence"
    assert r["state"] == "ON_PRIMARY"
    assert r["alarms"] >= 1, "missing stats raise an alarm (UNKNOWN), never a switch"
    assert r["primary_off_air_checks"] == 0


def test_returns_after_dwell_and_never_flaps(bed):
    r = run_return_and_no_flap(bed, dwell_s=6.0, flap_s=12.0)
    print("return/flap:", {k: v for k, v in r.items() if k != "return_payload"})
    assert r["failovers_while_flapping_on_air"] == 0
    assert r["failover_s"] <= 3.0
    assert r["returns_while_flapping"] == 0
    assert r["return_after_steady_s"] >= 6.0 - 0.5, "returned before the primary was steady for the dwell"
    assert r["failovers"] == 1 and r["returns"] == 1 and r["state"] == "ON_PRIMARY"
    assert r["backup_stopped"] and not r["b_publishing_after_return"], "two encoders after the return"
    assert r["return_payload"]["trigger"].get("auto_return") is True


def test_manual_hold_blocks_then_manual_switches_win(bed):
    rig = GuardRig(bed)
    try:
        rig.start_primary_streaming()
        guard = rig.start_guard()
        guard.set_hold(True, actor="tester")
        rig.primary.proc.signal(signal.SIGKILL)
        wait_until(lambda: rig.count("stream.held") >= 1, 8, what="stream.held while on hold")
        time.sleep(1.0)
        assert rig.count("stream.failover") == 0 and not rig.backup_on_air()
        guard.set_hold(False, actor="tester")
        _, dt = wait_until(rig.backup_on_air, 8, what="failover once the hold is released")
        wait_until(lambda: rig.count("stream.failover") == 1, 5, what="stream.failover journaled")
        # primary comes back; manual return (auto_return is off by default) puts it on air on A
        rig.bed.restart_obs(rig.primary)
        wait_until(lambda: guard.state()["instances"]["primary"]["reachable"], 15, what="primary reachable again")
        assert guard.return_to_primary(actor="tester", reason="primary restarted")
        wait_until(lambda: rig.count("stream.returned") == 1, 15, what="stream.returned")
        wait_until(rig.primary_on_air, 10, what="primary on air on A")
        bst = _status(rig.observer("backup"))
        assert bst is not None and not bst.output_active
        # and FAIL OVER NOW from a healthy primary
        time.sleep(3.5)            # min_switch_interval_s does not block the operator, but let OBS settle
        assert guard.fail_over_now(actor="tester", reason="drill")
        try:
            wait_until(lambda: rig.count("stream.failover") == 2, 10, what="manual failover journaled")
            wait_until(rig.backup_on_air, 5, what="backup on air after the manual failover")
        except AssertionError:
            for e in rig.journal.events(rig.session_id):
                if e.kind not in ("stream.health",):
                    print(e.kind, e.payload)
            raise
        assert not rig.primary_on_air(), "the primary was stopped: never two encoders on one key"
        drill = rig.events("stream.failover")[1].payload
        # same ingest and key: the backup started only after the primary was seen stopped, so the
        # ingest never refused it as a second publisher (before: the first start failed, retries hid it)
        assert drill["attempts"].get("backup:start") == 1, drill["attempts"]
        cmds = [(e.payload["instance"], e.payload["op"]) for e in rig.events("stream.command")]
        last = len(cmds) - 1 - cmds[::-1].index(("primary", "stop"))
        assert ("backup", "start") in cmds[last:], cmds
        kinds = [e.kind for e in rig.journal.events(rig.session_id, prefix="stream.manual")]
        assert kinds.count("stream.manual.hold") == 2 and "stream.manual.return" in kinds \
            and "stream.manual.fail_over" in kinds
        pw = rig.primary.password
        assert not any(pw in str(e.payload) for e in rig.journal.events(rig.session_id)), "password journaled"
        assert not any("key" in str(e.payload.get("action", "")) for e in rig.events("stream.failover"))
    finally:
        rig.close()


def test_backup_ingest_method_moves_the_same_obs(bed):
    rig = GuardRig(bed, method="backup_ingest")
    try:
        rig.start_primary_streaming()
        rig.start_guard()
        time.sleep(1.5)
        rig.a.proc.kill()
        _, dt = wait_until(rig.backup_on_air, 15, what="primary streaming to ingest B")
        print(f"backup_ingest: on B {dt:.2f} s after the ingest died")
        assert dt <= 3.5
        ev = wait_until(lambda: rig.events("stream.failover"), 5, what="journal")[0][0]
        assert ev.payload["method"] == "backup_ingest" and ev.payload["target"] == rig.b.server
        settings = rig.observer("primary").request("GetStreamServiceSettings", None, 1.0)
        assert settings["streamServiceSettings"]["server"] == rig.b.server
    finally:
        rig.close()


def test_backup_scene_method_switches_the_program(bed):
    rig = GuardRig(bed, method="backup_scene", thresholds={"auto_return": False})
    try:
        rig.start_primary_streaming()
        guard = rig.start_guard()
        assert guard.fail_over_now(actor="tester", reason="product card drill")
        _, dt = wait_until(rig.backup_on_air, 5, what="program scene = Backup")
        assert _status(rig.observer("primary")).program_scene == BACKUP_SCENE
        wait_until(lambda: rig.count("stream.failover") == 1, 5, what="journal")
        time.sleep(0.5)
        assert guard.return_to_primary(actor="tester")
        wait_until(lambda: _status(rig.observer("primary")).program_scene == MAIN_SCENE, 5, what="back to Main")
        assert rig.a.publishing(STREAM_KEY), "the stream itself never stopped"
    finally:
        rig.close()
