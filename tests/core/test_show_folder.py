"""Issue 11, findings 4 and 8: one reader for the show folder. show.toml is read and checked in one
place (controlroom.show) and every room uses it — the runtime's title, the metrics targets, the
rundown's slot and the simulated shop — so a bad value is refused the same way everywhere, naming
the file, the [section] and the key."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from controlroom.clock import ManualClock
from controlroom.paths import SAMPLE_SHOW
from controlroom.show import ShowError, load_show

ROOT = Path(__file__).resolve().parents[2]

BAD = [
    ("slot_minutes = nan\n", "slot_minutes"),
    ("slot_minutes = inf\n", "slot_minutes"),
    ("slot_minutes = -5\n", "slot_minutes"),
    ("slot_minutes = true\n", "slot_minutes"),
    ("slot_minutes = 1e12\n", "slot_minutes"),
    ("[targets]\nviewers = nan\n", "[targets] viewers"),
    ("[targets]\nviewers = true\n", "[targets] viewers"),
    ("[targets]\nconversion = nan\n", "[targets] conversion"),
    ("[targets]\nconversion = 1.5\n", "[targets] conversion"),
    ("[targets]\ngmv = nan\n", "[targets] gmv"),
    ("[targets]\ngmv = \"" + "9" * 5000 + "\"\n", "[targets] gmv"),
    ("[targets]\nuv_value = -inf\n", "[targets] uv_value"),
    ("[simulator]\npeak_online = 0\n", "[simulator] peak_online"),
    ("[target]\ngmv = \"600000\"\n", "target"),            # a typo'd section is refused, not ignored
    ("[targets]\ngvm = \"600000\"\n", "gvm"),              # a typo'd key too
    ("start_local = \"25:99\"\n", "start_local"),
]


def _show(tmp_path: Path, toml: str) -> Path:
    show = tmp_path / "show"
    shutil.copytree(SAMPLE_SHOW, show)
    (show / "show.toml").write_text(toml, encoding="utf-8")
    return show


@pytest.mark.parametrize("toml, key", BAD)
def test_bad_show_toml_is_refused_naming_file_and_key(tmp_path, toml, key):
    show = _show(tmp_path, toml)
    with pytest.raises(ShowError) as err:
        load_show(show)
    assert str(show / "show.toml") in str(err.value) and key in str(err.value)


@pytest.mark.parametrize("toml, key", [BAD[0], BAD[5], BAD[13]])
def test_every_room_refuses_the_same_bad_show_toml(tmp_path, toml, key):
    """The runtime (title, metrics targets, rundown slot) and the simulated shop read the one reader."""
    from controlroom.metrics.targets import TargetsError, load_targets
    from controlroom.rundown.room import slot_minutes
    from controlroom.runtime import Runtime
    from plugins.simulator.catalog import CatalogError
    from plugins.simulator.shop import SimulatedShop
    show = _show(tmp_path, toml)
    with pytest.raises(ShowError, match=re.escape(key)):
        Runtime.create(tmp_path / "data", clock=ManualClock(), show_dir=show)
    with pytest.raises(TargetsError, match=re.escape(key)):
        load_targets(show)
    with pytest.raises(ShowError, match=re.escape(key)):
        slot_minutes(show)
    with pytest.raises(CatalogError, match=re.escape(key)):
        SimulatedShop.from_show(show, clock=ManualClock())


def test_a_gbk_show_toml_says_not_utf8(tmp_path):
    show = tmp_path / "show"
    shutil.copytree(SAMPLE_SHOW, show)
    (show / "show.toml").write_bytes('title = "晚间美妆专场"\n'.encode("gbk"))
    with pytest.raises(ShowError, match=r"not UTF-8 \(GBK\?\)"):
        load_show(show)


def test_the_sample_show_reads_the_same_everywhere(tmp_path):
    from controlroom.metrics.targets import load_targets
    from controlroom.rundown.room import slot_minutes
    from plugins.simulator.catalog import load_show_info
    s = load_show(SAMPLE_SHOW)
    assert s.slot_minutes == 180 and s.targets.gmv == 600_000_000 and s.targets.viewers == 150_000
    assert load_targets(SAMPLE_SHOW).slot_s == 180 * 60 == slot_minutes(SAMPLE_SHOW) * 60
    assert load_show_info(SAMPLE_SHOW / "show.toml").slot_minutes == 180
    assert load_show_info(SAMPLE_SHOW / "show.toml").target_viewers == 150_000


def test_show_toml_is_parsed_in_one_place():
    """No module but controlroom/show.py reads show.toml with a TOML parser."""
    offenders = []
    for path in list((ROOT / "controlroom").rglob("*.py")) + list((ROOT / "plugins").rglob("*.py")) \
            + list((ROOT / "ui").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if "show.toml" in text and "tomllib" in text and path.name != "show.py":
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_journal_sql_lives_in_the_journal_package():
    """Knowledge in one place: only controlroom/journal/ holds SQL against the journal's tables."""
    # the journal's tables; other stores (a shop adapter's own idempotency ledger) have their own SQL
    sql = re.compile(r"\b(FROM|INTO|UPDATE|JOIN)\s+(events|samples|sessions)\b")
    offenders = [str(p.relative_to(ROOT)) for p in list((ROOT / "controlroom").rglob("*.py"))
                 + list((ROOT / "ui").rglob("*.py")) + list((ROOT / "plugins").rglob("*.py"))
                 if "journal" not in p.relative_to(ROOT).parts and sql.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
    assert (ROOT / "controlroom" / "journal" / "export.py").exists()
    assert not (ROOT / "controlroom" / "recap" / "export.py").exists()
