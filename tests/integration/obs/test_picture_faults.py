"""Black and frozen program detection against a real OBS (issue 13): a black colour source and a paused
media source switched into the primary's program; the guard switches the program to [scenes] backup."""
from __future__ import annotations

import pytest

from tests.integration.obs.scenarios import PICTURE_TH, run_picture_fault


@pytest.mark.parametrize("kind,after_s", [("black", PICTURE_TH["black_after_s"]),
                                          ("frozen", PICTURE_TH["frozen_after_s"])])
def test_picture_fault_switches_to_the_backup_scene(bed, kind, after_s):
    r = run_picture_fault(bed, kind)
    fo = r["failover"]
    print(f"{kind}: program on Backup {r['switched_after_s']:.2f} s after the fault; trigger {fo['trigger']}")
    assert r["failovers_before"] == 0, "the moving Main scene was taken for a picture fault"
    assert fo["method"] == "backup_scene" and fo["trigger"]["cause"] == "picture"
    assert any(reason.startswith(f"picture: {kind}") for reason in fo["trigger"]["reasons"]), fo["trigger"]
    assert fo["trigger"]["tier"] == "soft"
    # detected after `after_s` of the picture (+ a screenshot interval and the switch); hold_s from the onset
    assert after_s - 0.2 <= r["switched_after_s"] <= max(after_s, 2.0) + 2.5, r["switched_after_s"]
    assert r["stream_active"], "a scene switch never stops the stream"
