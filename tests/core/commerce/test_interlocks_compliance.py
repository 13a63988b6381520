"""Banned absolute terms: word lists in resources/compliance, Simplified and Traditional alike."""
from __future__ import annotations

import pytest

from controlroom.commerce.compliance import Checker, Hit, check_text


@pytest.mark.parametrize("text,term,lang", [
    ("全网最低价 快来抢", "全网最低价", "zh"),
    ("全網最低價！", "全网最低价", "zh"),
    ("國家級認證", "国家级", "zh"),
    ("国家级品质", "国家级", "zh"),
    ("立即美白不是梦", "立即美白", "zh"),
    ("１００%有效", "100%有效", "zh"),
    ("万能修护", "万能", "zh"),
    ("萬能修護", "万能", "zh"),
    ("销量第一", "第一", "zh"),
    ("最好用的面霜", "最好", "zh"),
    ("The best serum", "the best", "en"),
    ("No.1 in China", "No. 1", "en"),
    ("LOWEST PRICE ONLINE today", "lowest price online", "en"),
    ("a guaranteed cure for acne", "guaranteed cure", "en"),
])
def test_hits(text, term, lang):
    hits = check_text(text)
    assert hits, text
    assert hits[0].term == term and hits[0].lang == lang
    assert text[hits[0].start:hits[0].end]  # the offsets point into the original text


@pytest.mark.parametrize("text", ["丝绒雾面口红 Velvet Matte Lipstick", "最近上新", "这是第一次直播", "bestow",
                                  "No. 10 shade", "", None, "best before 2027"])
def test_clean(text):
    assert check_text(text) == []


def test_positions_in_mixed_text():
    text = "新品 國家級 and the best"
    hits = check_text(text)
    assert [(h.term, h.start) for h in hits] == [("国家级", 3), ("the best", 11)]
    assert isinstance(hits[0], Hit)


def test_lists_are_editable(tmp_path):
    (tmp_path / "banned_zh.txt").write_text("# comment\n神器\n!神器级别\n", encoding="utf-8")
    (tmp_path / "banned_en.txt").write_text("magic  # inline note\n", encoding="utf-8")
    c = Checker(tmp_path)
    assert [h.term for h in c.check("去油神器")] == ["神器"]
    assert c.check("神器级别") == []
    assert [h.term for h in c.check("pure MAGIC")] == ["magic"]
    assert c.check("国家级") == []  # only what the lists say
