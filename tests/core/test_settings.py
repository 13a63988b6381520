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
