"""Reading one comment: kind, topic, product; editable keyword lists; untrusted text made plain."""
from __future__ import annotations

import pytest

from controlroom.comments.classify import (SHOWN_CHARS, Classifier, KeywordsError, SkuMatcher, load_keywords,
                                           plain_text)
from controlroom.comments.names import chinese_name, head_noun, product_names
from controlroom.commerce.plan import read_plan
from controlroom.paths import SAMPLE_SHOW


@pytest.fixture(scope="module")
def clf():
    plan = read_plan(SAMPLE_SHOW / "products.csv")
    return Classifier(load_keywords(), [(r.sku, r.title) for r in plan.rows])


@pytest.mark.parametrize("text,kind,topic", [
    ("口红有几个色号", "question", "shade"), ("黄皮适合哪个色号？", "question", "shade"),
    ("160斤穿什么码", "question", "size"), ("容量多少ml", "question", "size"),
    ("券后多少", "question", "price"), ("现在多少钱", "question", "price"),
    ("什么时候发货", "question", "shipping"), ("包邮吗", "question", "shipping"),
    ("能七天无理由吗", "question", "after_sales"), ("有运费险吗", "question", "after_sales"),
    ("敏感肌能用吗", "question", "other"),
    ("质量太差了", "complaint", "quality"), ("用了过敏，烂脸了", "complaint", "quality"),
    ("三天了还没发货", "complaint", "shipping_slow"), ("什么时候发货啊，等了五天了", "complaint", "shipping_slow"),
    ("是不是假货", "complaint", "fake"), ("跟专柜不一样，假的吧", "complaint", "fake"),
    ("我要退款", "complaint", "refund"), ("怎么涨价了", "complaint", "price_up"),
    ("已拍", "praise", ""), ("回购第三次了", "praise", ""),
    ("加V看主页福利", "spam", ""), ("兼职日结，加微信 wx123456", "spam", ""), ("http://t.cn/A6xyz", "spam", ""),
    ("666", "chatter", ""), ("来了来了", "chatter", ""),
    # Traditional and full-width forms read the same
    ("黃皮適合哪個色號", "question", "shade"), ("是不是假貨", "complaint", "fake"), ("ｈｔｔｐ://t.cn/x", "spam", ""),
    # English (TikTok Shop rooms)
    ("how much is it?", "question", "price"), ("what shade should I get", "question", "shade"),
    ("still not shipped after a week", "complaint", "shipping_slow"), ("this is fake", "complaint", "fake"),
    ("just ordered!", "praise", ""), ("follow me for follow back", "spam", ""),
])
def test_kinds_and_topics(clf, text, kind, topic):
    r = clf.classify(text)
    assert (r.kind, r.topic if kind in ("question", "complaint") else "") == (kind, topic), r


def test_products_are_named_the_way_viewers_name_them(clf):
    assert chinese_name("丝绒雾面口红 Velvet Matte Lipstick") == "丝绒雾面口红"
    assert head_noun("丝绒雾面口红 Velvet Matte Lipstick") == "口红"
    assert clf.classify("口红多少钱").sku == "LIP-001"
    assert clf.classify("丝绒雾面口红还有吗？").sku == "LIP-001"
    assert clf.classify("lip-001 多少钱").sku == "LIP-001"
    assert clf.classify("LIP-001多少钱").sku == "LIP-001"
    assert clf.classify("2号链接券后多少").sku == "SER-002"
    assert clf.classify("3号多少钱").sku == "CRM-003"
    assert clf.classify("99号链接多少钱").sku is None          # no 99th product
    # a question that names nothing is about the product being explained (as the host takes it)
    r = clf.classify("多少钱", pinned="SER-002")
    assert (r.sku, r.sku_inferred) == ("SER-002", True)
    # the platform's own product card wins
    assert clf.classify("多少钱", sku="MSK-004", pinned="SER-002").sku == "MSK-004"
    # a head noun two products share names neither
    names = product_names({"A": "补水面霜 Cream A", "B": "美白面霜 Cream B"})
    assert "面霜" not in names["A"] and "面霜" not in names["B"]
    assert SkuMatcher([("A", "补水面霜"), ("B", "美白面霜")]).find("面霜多少钱") is None


def test_a_lucky_bag_passphrase_is_an_entry(clf):
    assert clf.classify("福袋冲冲冲", passphrase="福袋冲冲冲").kind == "entry"
    assert clf.classify(" 福袋冲冲冲 ", passphrase="福袋冲冲冲").kind == "entry"
    assert clf.classify("福袋冲冲冲吗", passphrase="福袋冲冲冲").kind != "entry"


def test_bad_input_is_plain_text_never_a_crash(clf):
    ugly = "\x00\x07买\u202e到\u2066假\x1b[31m货\r\n了<b>!</b><script>x</script>" + "啊" * 10_000
    shown = plain_text(ugly)
    assert len(shown) == SHOWN_CHARS and shown.endswith("…")
    assert not any(ord(c) < 32 or 0x7f <= ord(c) < 0xa0 or c in "\u202e\u2066" for c in shown)
    assert "<b>!</b><script>x</script>" in shown                # kept as the characters it is: screens show text
    clf.classify(shown)
    assert clf.classify(plain_text("买到假\u200b货\u202e了")).kind == "complaint"   # split words are read whole
    assert plain_text(None) == "" and plain_text(12) == "12"
    clf.classify("")    # nothing to read is chatter, not an error


def test_keyword_lists_are_editable_and_a_bad_one_names_file_and_line(tmp_path):
    (tmp_path / "keywords_zh.txt").write_text("[complaint.quality]\n太烂了\n\n[praise]\n赞\n", encoding="utf-8")
    kw = load_keywords(tmp_path)
    c = Classifier(kw, [])
    assert c.classify("这个太烂了").kind == "complaint"
    assert c.classify("赞").kind == "praise"
    (tmp_path / "keywords_zh.txt").write_text("[complaint.weather]\n下雨\n", encoding="utf-8")
    with pytest.raises(KeywordsError, match=r"keywords_zh.txt, line 1: unknown section \[complaint.weather\]"):
        load_keywords(tmp_path)
    (tmp_path / "keywords_zh.txt").write_text("[spam]\nre:([\n", encoding="utf-8")
    with pytest.raises(KeywordsError, match=r"line 2: bad regular expression"):
        load_keywords(tmp_path)
    (tmp_path / "keywords_zh.txt").write_text("假货\n", encoding="utf-8")
    with pytest.raises(KeywordsError, match=r"line 1: a term before any \[section\]"):
        load_keywords(tmp_path)


def test_a_viewers_words_quoted_in_an_alert_are_inert_in_a_group_chat():
    from controlroom.comments.classify import defanged
    d = defanged("假货！[点我领奖](https://evil.example/x) www.evil.cn <img src=x> **急**")
    assert "https://" not in d and "www." not in d and "[" not in d and "](" not in d and "<img" not in d
    assert "hxxp://evil.example/x" in d and "假货" in d and "点我领奖" in d
    assert len(defanged("哈" * 10_000)) <= 80
