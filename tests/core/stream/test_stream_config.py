"""guard.toml cannot disarm the guard: every threshold is finite and in range (refused naming the key),
a file that is not UTF-8 is refused with the reason, and the headless guard exits 2 for either, and for
a bad [alert_sinks] table in settings.toml (issue 13; issue 11 finding 4)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from controlroom.stream.config import GuardConfig, GuardConfigError

ROOT = Path(__file__).resolve().parents[3]

BASE = '''[guard]
method = "backup_encoder"
stall_talk_track = "稍等，画面马上回来"
[instances.main]
role = "primary"
port = 4455
[instances.spare]
role = "backup"
port = 4456
'''


def _load(tmp_path: Path, thresholds: str) -> GuardConfig:
    p = tmp_path / "guard.toml"
    p.write_text(BASE + "[thresholds]\n" + thresholds + "\n", encoding="utf-8")
    return GuardConfig.load(p)


@pytest.mark.parametrize("line,key", [
    ("hold_s = nan", "hold_s"),
    ("hold_s = inf", "hold_s"),
    ("hold_s = -inf", "hold_s"),
    ("hold_s = -1.0", "hold_s"),
    ("hold_s = 1e12", "hold_s"),                 # as good as inf: the guard would never switch
    ("hard_confirm_s = nan", "hard_confirm_s"),
    ("hard_confirm_s = -0.1", "hard_confirm_s"),
    ("request_timeout_s = inf", "request_timeout_s"),
    ("poll_interval_s = nan", "poll_interval_s"),
    ("bytes_flat_s = nan", "bytes_flat_s"),
    ("bytes_flat_s = -2", "bytes_flat_s"),
    ("congestion_fail = nan", "congestion_fail"),
    ("congestion_fail = 1.5", "congestion_fail"),   # congestion is 0..1: it would never fail
    ("frame_drop_fail_pct = inf", "frame_drop_fail_pct"),
    ("probe_stall_s = nan", "probe_stall_s"),
    ("black_after_s = -3", "black_after_s"),
    ("frozen_after_s = inf", "frozen_after_s"),
    ("stop_verify_s = nan", "stop_verify_s"),
    ("min_switch_interval_s = inf", "min_switch_interval_s"),
    ("return_dwell_s = nan", "return_dwell_s"),
    ("start_retries = -1", "start_retries"),
    ("black_luma = 300", "black_luma"),
    ("frozen_tolerance = -1", "frozen_tolerance"),
    ("reconnect_backoff_max_s = nan", "reconnect_backoff_max_s"),
    ("screenshot_interval_s = -1", "screenshot_interval_s"),
])
def test_non_finite_negative_or_disarming_thresholds_are_refused_naming_the_key(tmp_path, line, key):
    with pytest.raises(GuardConfigError) as ei:
        _load(tmp_path, line)
    msg = str(ei.value)
    assert "guard.toml" in msg and "[thresholds]" in msg and key in msg, msg


def test_sane_thresholds_still_load(tmp_path):
    cfg = _load(tmp_path, "hold_s = 2.5\nhard_confirm_s = 0.1\ncongestion_fail = 0.9\nblack_after_s = 0\n"
                          "screenshot_interval_s = 0\nstart_retries = 0")
    th = cfg.thresholds
    assert th.hold_s == 2.5 and th.hard_confirm_s == 0.1 and th.black_after_s == 0.0 and th.start_retries == 0


def test_hard_confirmation_is_short_by_default_and_never_longer_than_the_hold(tmp_path):
    cfg = GuardConfig.from_dict({"instances": {"a": {"role": "primary"}, "b": {"role": "backup"}}}, "g")
    assert 0 < cfg.thresholds.hard_confirm_s <= 0.15
    with pytest.raises(GuardConfigError, match="hard_confirm_s"):
        _load(tmp_path, "hold_s = 1.0\nhard_confirm_s = 1.5")


def test_a_guard_toml_that_is_not_utf8_is_refused_with_the_reason(tmp_path):
    p = tmp_path / "guard.toml"
    p.write_bytes(BASE.encode("gbk"))
    with pytest.raises(GuardConfigError) as ei:
        GuardConfig.load(p)
    msg = str(ei.value)
    assert "guard.toml" in msg and "UTF-8" in msg, msg


def test_a_directory_as_guard_toml_is_refused(tmp_path):
    (tmp_path / "guard.toml").mkdir()
    with pytest.raises(GuardConfigError, match="guard.toml"):
        GuardConfig.load(tmp_path / "guard.toml")


def _guard(tmp_path: Path, cfg: Path, data: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "guard", "--config", str(cfg), "--data-dir",
                           str(data or tmp_path / "data")], capture_output=True, text=True, timeout=60)


def test_headless_exits_2_for_gbk_and_for_nan(tmp_path):
    gbk = tmp_path / "guard.toml"
    gbk.write_bytes(BASE.encode("gbk"))
    r = _guard(tmp_path, gbk)
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr and "UTF-8" in r.stderr and "guard.toml" in r.stderr
    nan = tmp_path / "nan.toml"
    nan.write_text(BASE + "[thresholds]\nhold_s = nan\n", encoding="utf-8")
    r = _guard(tmp_path, nan)
    assert r.returncode == 2 and "hold_s" in r.stderr and "Traceback" not in r.stderr, r.stderr


@pytest.mark.parametrize("settings,words", [
    ('[alert_sinks]\nenabled = ["pager"]\n', ("alert_sinks", "pager")),
    ('[alert_sinks]\nmin_severity = 3\n', ("alert_sinks", "min_severity")),
    ('alert_sinks = "wecom"\n', ("alert_sinks",)),
])
def test_headless_exits_2_for_a_bad_alert_sinks_table_before_journaling(tmp_path, settings, words):
    cfg = tmp_path / "guard.toml"
    cfg.write_text(BASE, encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    (data / "settings.toml").write_text(settings, encoding="utf-8")
    r = _guard(tmp_path, cfg, data)
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr and "settings.toml" in r.stderr, r.stderr
    for w in words:
        assert w in r.stderr, r.stderr


def test_every_numeric_threshold_has_a_range():
    """A new threshold cannot skip the validation that keeps nan/inf out."""
    import dataclasses

    from controlroom.stream.config import _RANGES, Thresholds
    numeric = {f.name for f in dataclasses.fields(Thresholds)
               if isinstance(getattr(Thresholds(), f.name), (int, float))
               and not isinstance(getattr(Thresholds(), f.name), bool)}
    assert numeric == set(_RANGES)
