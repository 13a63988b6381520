"""The StreamGuard against real OBS instances: hard and soft faults, measured from the fault to the
backup being on air as seen by our own websocket client and the ingest's /stat, and in the journal.
Hard faults (a process killed) switch after the short confirmation; soft ones (a frozen OBS, a frozen
ingest seen by the viewer probe) after hold_s."""
from __future__ import annotations

import pytest

from tests.integration.obs.scenarios import FAULTS, run_fault


@pytest.mark.parametrize("fault", list(FAULTS))
def test_fault_fails_over_within_budget(bed, fault):
    out = run_fault(bed, fault)
    _inject, budget, opts, tier = FAULTS[fault]
    print(f"{fault}: backup on air {out.latency_s:.2f} s after the fault; journal"
          f" {out.journal.get('onset_to_switch_ms')} ms onset->switch, {out.journal.get('detect_to_switch_ms')} ms"
          f" detect->switch")
    assert out.latency_s <= budget, f"{fault}: backup on air after {out.latency_s:.2f} s (budget {budget} s)"
    assert out.failovers == 1 and out.returns == 0
    j = out.journal
    assert j["on_backup"] is True and j["method"] == "backup_encoder"
    assert j["detect_to_switch_ms"] >= 0 and j["onset_to_switch_ms"] >= j["detect_to_switch_ms"]
    assert j["onset_to_switch_ms"] <= budget * 1000
    assert j["trigger"].get("reasons"), "the journal says why it switched"
    assert j["trigger"].get("tier") == tier, j["trigger"]
    if opts.get("probe"):
        # the production probe (built from probe_url) pulled ingest A and saw the stall
        a = out.probe["probes"][0]
        assert a["media_s"] > 0 and a["url"].endswith("/live/***"), out.probe
        assert "test" not in str(out.probe), "stream key in the probe status"
        print(f"{fault}: trigger {j['trigger'].get('reasons')}")
