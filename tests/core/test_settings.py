"""The one settings file: defaults, overrides, clear errors, round trip."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from controlroom.settings import Settings, SettingsError


@dataclass(frozen=True)
class Demo:
    band: float = 0.5
    tiers: int = 3
    action: str = "unlist"
    words: tuple = ("a", "b")


def test_missing_file_gives_defaults(tmp_path):
    s = Settings(tmp_path / "settings.toml")
    assert s.section("demo", Demo) == Demo()


def test_overrides_and_int_for_float(tmp_path):
    p = tmp_path / "settings.toml"
    p.write_text("[demo]\nband = 1\naction = \"revert\"\nwords = [\"x\"]\n", encoding="utf-8")
    d = Settings(p).section("demo", Demo)
    assert d.band == 1.0 and isinstance(d.band, float)
    assert d.action == "revert" and d.tiers == 3 and d.words == ("x",)


def test_unknown_key_and_wrong_type_name_file_section_key(tmp_path):
    p = tmp_path / "settings.toml"
    p.write_text("[demo]\nbandd = 1\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"settings.toml.*\[demo\].*bandd"):
        Settings(p).section("demo", Demo)
    p.write_text("[demo]\ntiers = \"three\"\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"\[demo\] tiers must be int"):
        Settings(p).section("demo", Demo)


def test_invalid_toml_names_the_file(tmp_path):
    p = tmp_path / "settings.toml"
    p.write_text("[demo\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="settings.toml"):
        Settings(p)


def test_set_writes_a_file_that_reads_back(tmp_path):
    p = tmp_path / "settings.toml"
    s = Settings(p)
    s.set("demo", "action", 'say "hi" \\ now')
    s.set("demo", "tiers", 4)
    s.set("demo", "words", ["中", "x"])
    d = Settings(p).section("demo", Demo)
    assert d.action == 'say "hi" \\ now' and d.tiers == 4 and d.words == ("中", "x")


# ---- strict sections (issue 10) ------------------------------------------------------------------------------
from controlroom.settings import register_section, setting  # noqa: E402


@dataclass(frozen=True)
class Ranged:
    band: int = setting(50, min=1, max=100)
    rate: float = 5.0
    factors: tuple[int, ...] = (10, 100)
    mode: str = setting("pause", choices=("pause", "unlist"))
    offset: float = setting(0.0, min=-10.0)


@pytest.mark.parametrize("body,message", [
    ("band = 0", r"\[ranged\] band must be at least 1"),
    ("band = 101", r"\[ranged\] band must be at most 100"),
    ("band = true", r"\[ranged\] band must be int"),
    ("band = 2.5", r"\[ranged\] band must be int"),
    ("rate = nan", r"\[ranged\] rate must be a finite number"),
    ("rate = -inf", r"\[ranged\] rate must be a finite number"),
    ("rate = -1", r"\[ranged\] rate must be at least 0"),
    ("rate = false", r"\[ranged\] rate must be float"),
    ('factors = ["a"]', r"\[ranged\] factors\[0\] must be int"),
    ("factors = [10, -100]", r"\[ranged\] factors\[1\] must be at least 0"),
    ("factors = 10", r"\[ranged\] factors must be a list"),
    ('mode = "explode"', r"\[ranged\] mode must be one of 'pause', 'unlist'"),
    ("offset = -11.0", r"\[ranged\] offset must be at least -10"),
])
def test_section_refuses_what_would_switch_a_safety_off(tmp_path, body, message):
    p = tmp_path / "settings.toml"
    p.write_text(f"[ranged]\n{body}\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"settings\.toml: " + message):
        Settings(p).section("ranged", Ranged)


def test_ranges_accept_what_they_declare(tmp_path):
    p = tmp_path / "settings.toml"
    p.write_text("[ranged]\nband = 100\nrate = 0\nfactors = [2, 3]\noffset = -10\n", encoding="utf-8")
    r = Settings(p).section("ranged", Ranged)
    assert (r.band, r.rate, r.factors, r.offset) == (100, 0.0, (2, 3), -10.0) and isinstance(r.rate, float)


def test_unknown_section_is_named_with_a_suggestion(tmp_path):
    p = tmp_path / "settings.toml"
    p.write_text("[ranged]\nband = 5\n\n[rangd]\nband = 5\n", encoding="utf-8")
    register_section("ranged")
    with pytest.raises(SettingsError, match=r"\[rangd\] is not a settings section; did you mean \[ranged\]"):
        Settings(p).section("ranged", Ranged)


def test_the_writer_keeps_every_table_nested_ones_included(tmp_path):
    p = tmp_path / "settings.toml"
    p.write_text('top = 1\n[platform]\nkind = "http"\n\n[platform.http]\nbase_url = "http://127.0.0.1:9"\n'
                 'max_attempts = 4\n\n[[platform.http.extra]]\nname = "a"\n\n[alert_sinks]\n'
                 'enabled = ["wecom"]\nmin_severity = "warning"\n', encoding="utf-8")
    s = Settings(p)
    before = dict(s.data)
    s.set("supervisor", "pin_hash", 'scrypt$x"y\n\tz')
    again = Settings(p).data
    assert again["platform"] == before["platform"] and again["alert_sinks"] == before["alert_sinks"]
    assert again["top"] == 1 and again["supervisor"]["pin_hash"] == 'scrypt$x"y\n\tz'
    s.set("platform.http", "read_timeout", 2.5)
    assert Settings(p).data["platform"]["http"]["read_timeout"] == 2.5
