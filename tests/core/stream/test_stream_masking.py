"""Ingest URLs that carry auth are masked wherever the guard journals, logs or shows them — one masking
function (controlroom.stream.urls.mask_url), the same as for probe_url (issue 11 finding 7, issue 13)."""
from __future__ import annotations

import json
import logging

from controlroom.bus import EventBus
from controlroom.clock import ManualClock
from controlroom.journal import Journal
from controlroom.stream.config import GuardConfig
from controlroom.stream.guard import StreamGuard
from controlroom.stream.headless import _line
from tests.fakes import FakeSwitcher

SECRETS = ("pushpw-991", "tx-abc123", "65F0A1B2", "sk-in-path-777", "bk-solo-4242")
PRIMARY_INGEST = "rtmp://pushuser:pushpw-991@127.0.0.1/live?txSecret=tx-abc123&txTime=65F0A1B2"
BACKUP_INGEST = "rtmp://127.0.0.1:1936/live/sk-in-path-777"


def _config(backup_ingest_url: str = BACKUP_INGEST, key: str = "") -> GuardConfig:
    inst = {"main": {"role": "primary", "ingest_url": PRIMARY_INGEST, "ingest_key": "k1",
                     "backup_ingest_url": backup_ingest_url, "backup_ingest_key": key},
            "spare": {"role": "backup", "port": 4456, "ingest_url": PRIMARY_INGEST, "ingest_key": "k1",
                      "backup_ingest_url": backup_ingest_url, "backup_ingest_key": key}}
    return GuardConfig.from_dict({"instances": inst, "thresholds": {"frozen_after_s": 0.0}}, source="test.toml")


def _run(guard, obs, clock, seconds):
    end = clock.monotonic() + seconds
    while clock.monotonic() < end:
        for n in obs:
            guard.run_once(n)
        clock.advance(0.05)


def _leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


def test_ingest_urls_with_credentials_never_reach_journal_logs_state_or_console(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    clock = ManualClock()
    bus = EventBus()
    journal = Journal(tmp_path / "j.sqlite", clock=clock, bus=bus)
    sid = journal.new_session("masking")
    cfg = _config()
    obs = {i.name: FakeSwitcher(i.name, clock) for i in cfg.instances}
    snaps = []
    bus.subscribe(lambda t, p: snaps.append(p), "stream.state")
    guard = StreamGuard(cfg, obs, clock=clock, journal=journal, session_id=sid, bus=bus)
    obs["main"].operator_start()
    _run(guard, obs, clock, 1.0)
    obs["main"].break_ingest()
    _run(guard, obs, clock, 4.0)
    assert guard.state()["state"] == "ON_BACKUP"
    assert obs["spare"].target == (BACKUP_INGEST, "")      # OBS itself gets the real URL
    _run(guard, obs, clock, 6.0)
    obs["main"].heal_ingest()
    assert guard.return_to_primary("operator", "back")
    _run(guard, obs, clock, 4.0)
    assert guard.state()["state"] == "ON_PRIMARY"
    assert obs["main"].target == (PRIMARY_INGEST, "k1")

    events = journal.events(sid)
    switching = [e.payload for e in events if e.kind == "stream.switching"]
    assert len(switching) == 2
    assert switching[0]["target"] == "rtmp://127.0.0.1:1936/live/***"
    assert switching[1]["target"] == "rtmp://pushuser:***@127.0.0.1/live?txSecret=***&txTime=***"
    journal_text = json.dumps([e.payload for e in events], ensure_ascii=False)
    assert not _leaks(journal_text), _leaks(journal_text)
    assert "127.0.0.1:1936/live/***" in journal_text
    assert not _leaks(caplog.text), _leaks(caplog.text)
    state_text = json.dumps([guard.state()] + snaps, ensure_ascii=False, default=str)
    assert not _leaks(state_text), _leaks(state_text)
    printed = "\n".join(filter(None, (_line(e.kind, e.payload) for e in events)))
    assert not _leaks(printed) and "1936/live/***" in printed, printed
    journal.close()


def test_a_key_alone_in_the_path_is_masked_when_it_is_the_configured_key():
    """`rtmp://host/KEY`: one path segment is usually the app name, but not when it is the configured key."""
    from controlroom.stream.config import Ingest
    ing = Ingest("rtmp://127.0.0.1:1937/bk-solo-4242", key="bk-solo-4242")
    assert "bk-solo-4242" not in ing.describe() and ing.describe().startswith("rtmp://127.0.0.1:1937/")
    assert Ingest("rtmp://push.example.com/live").describe() == "rtmp://push.example.com/live"


def test_mask_url_is_one_function_and_idempotent():
    from controlroom.stream import probe, urls
    assert probe.mask_url is urls.mask_url
    for url in (PRIMARY_INGEST, BACKUP_INGEST, "srt://h:9000?streamid=#!::r=live/sk-in-path-777,m=publish"
                "&passphrase=tx-abc123", "rtmp://tok-65F0A1B2@h/live"):
        once = urls.mask_url(url)
        assert not _leaks(once), once
        assert urls.mask_url(once) == once
    text = f"cannot publish to {PRIMARY_INGEST} (and {BACKUP_INGEST}): refused"
    masked = urls.mask_text(text)
    assert not _leaks(masked) and masked.startswith("cannot publish to rtmp://") and masked.endswith(": refused")
