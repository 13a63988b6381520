"""Never two encoders (issue 13), on real OBS: a frozen primary that thaws while the backup is on air, and a
primary whose stop did not take and that OBS's auto-reconnect would put back on air, are stopped."""
from __future__ import annotations

from tests.integration.obs.scenarios import run_auto_reconnect, run_thaw


def test_thawed_primary_is_stopped_within_one_second(bed):
    r = run_thaw(bed, frozen_for_s=1.0)
    print("thaw:", r)
    assert r["a_publisher_while_frozen"], "a frozen OBS keeps its RTMP connection (else the test proves nothing)"
    assert r["stopped_after_s"] <= 1.0, f"the thawed primary was stopped after {r['stopped_after_s']:.2f} s"
    assert r["still_off_after_2s"] and r["backup_on_air"] and r["failovers"] == 1
    assert len(r["second_encoder"]) == 1 and r["second_encoder"][0]["instance"] == "primary"
    assert r["second_encoder"][0]["on_air"] == "backup" and r["second_encoder"][0]["stopped"] is True


def test_auto_reconnecting_primary_is_stopped_before_it_publishes_next_to_the_backup(bed):
    r = run_auto_reconnect(bed)
    print("auto-reconnect:", {k: v for k, v in r.items() if not k.startswith("second")})
    assert r["primary_reconnecting_while_blocked"], "OBS kept reconnecting while its stop failed"
    assert r["refused_stops"] >= 2 and r["second_encoder_failed"], "the failed stops were told (critical)"
    assert len(r["second_encoder_failed"]) == 1, "told once per episode, not on every retry"
    assert r["stopped_after_s"] <= 1.0, f"stopped {r['stopped_after_s']:.2f} s after stops were possible again"
    assert r["a_publishing_checks_after"] == 0, "the primary published on ingest A next to the backup"
    assert r["backup_on_air"]
    assert r["second_encoder"] and r["second_encoder"][0]["instance"] == "primary"
