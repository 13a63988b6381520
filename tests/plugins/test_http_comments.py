"""The HTTP adapter's comment mapping against a real server on 127.0.0.1 (FakeShop), and the comment room
reading it: the wire format, field aliases, times, missed comments, protocol errors, bad input shown as
plain text, and a restart that goes on from the journaled cursor."""
from __future__ import annotations

import json

import pytest

from controlroom.clock import ManualClock
from controlroom.comments.classify import SHOWN_CHARS
from controlroom.comments.room import CommentRoom
from controlroom.platform import Comment, PlatformError
from plugins.http_platform import HttpPlatform
from plugins.http_platform.adapter import PlatformProtocolError
from tests.fakes import HttpShop as FakeShop
from tests.plugins.test_http_platform import fast_config


@pytest.fixture
def shop():
    s = FakeShop(products=[dict(sku="LIP-001", title="丝绒雾面口红 Velvet Matte Lipstick", list_price=12900,
                                price=6900, stock=100)])
    yield s
    s.close()


def test_comments_are_polled_with_a_cursor_and_mapped(shop):
    p = HttpPlatform(fast_config(shop.url, live_comments=True))
    assert p.capabilities.comments
    shop.add_comment("口红多少钱", "ou_7", nickname="小鱼", sku="LIP-001", hints=["question"])
    shop.add_comment("已拍", "ou_8", time_="2024-11-11T20:00:05+08:00", nickname="奶茶")
    page = p.comments(None, 10)
    assert page.cursor == "2" and page.missed == 0
    a, b = page.comments
    assert a == Comment("m1", 1_700_000_000.0, "ou_7", "口红多少钱", "小鱼", "LIP-001", ("question",))
    assert b.utc == 1731326405.0 and b.sku is None and b.hints == ()
    req = shop.op_requests("comments")[-1]
    assert req.query == {"limit": "10"}                        # no cursor on the first call
    shop.add_comment("包邮吗", "ou_9")
    again = p.comments(page.cursor, 10)
    assert [c.text for c in again.comments] == ["包邮吗"]
    assert shop.op_requests("comments")[-1].query == {"limit": "10", "cursor": "2"}


def test_aliases_milliseconds_and_numeric_ids(shop):
    p = HttpPlatform(fast_config(shop.url, live_comments=True))
    shop.comments_body = {"comments": [{"msg_id": 991, "create_time": 1_700_000_123_456, "open_id": 42,
                                        "content": "黄皮适合哪个色号", "nick_name": "Lily"}], "cursor": 17}
    (c,) = p.comments(None, 5).comments
    assert (c.comment_id, c.user, c.text, c.nickname) == ("991", "42", "黄皮适合哪个色号", "Lily")
    assert c.utc == pytest.approx(1_700_000_123.456)
    assert p.comments(None, 5).cursor == "17"


def test_a_poller_behind_the_gateways_buffer_is_told_what_it_missed(shop):
    p = HttpPlatform(fast_config(shop.url, live_comments=True))
    shop.comments_held = 3
    for i in range(8):
        shop.add_comment(f"第{i}条")
    page = p.comments("0", 10)
    assert page.missed == 5 and [c.text for c in page.comments] == ["第5条", "第6条", "第7条"]


@pytest.mark.parametrize("body,why", [
    ([], "expected a JSON object"),
    ({"comments": {}, "cursor": "1"}, "'comments' must be a list"),
    ({"comments": [], "cursor": None}, "'cursor' must be text"),
    ({"comments": [{"user": "u", "time": 1, "text": "x"}], "cursor": "1"}, "no usable 'id'"),
    ({"comments": [{"id": "1", "time": 1, "text": "x"}], "cursor": "1"}, "no usable 'user'"),
    ({"comments": [{"id": "1", "user": "u", "text": "x"}], "cursor": "1"}, "'time' must be"),
    ({"comments": [{"id": "1", "user": "u", "time": "yesterday", "text": "x"}], "cursor": "1"}, "'time' must be"),
    ({"comments": [{"id": "1", "user": "u", "time": "2024-11-11T20:00:00", "text": "x"}], "cursor": "1"},
     "'time' must be"),                                    # no offset: which zone?
    ({"comments": [{"id": "1", "user": "u", "time": 1, "text": ["x"]}], "cursor": "1"}, "'text' must be text"),
    ({"comments": [{"id": "1", "user": "u", "time": 1, "text": "x", "hints": "q"}], "cursor": "1"}, "'hints'"),
    ({"comments": [], "cursor": "1", "missed": -1}, "'missed'"),
])
def test_a_body_that_is_not_the_wire_format_is_a_protocol_error(shop, body, why):
    p = HttpPlatform(fast_config(shop.url, live_comments=True))
    shop.comments_body = body
    with pytest.raises(PlatformProtocolError, match=why):
        p.comments(None, 10)


def test_a_gateway_without_comments_refuses_without_a_request(shop):
    p = HttpPlatform(fast_config(shop.url))
    assert not p.capabilities.comments
    with pytest.raises(PlatformError, match="live_comments"):
        p.comments(None, 10)
    assert shop.op_requests("comments") == []


def _runtime(make_runtime, tmp_path, shop, clock=None):
    rt = make_runtime(clock=clock or ManualClock(), platform=HttpPlatform(fast_config(shop.url, live_comments=True)),
                      rooms={"console": "controlroom.commerce.room"}, show_dir=tmp_path, alert_sinks=False)
    room = CommentRoom(rt, start_worker=False)
    rt.add_service("comments", room)
    return rt, room


def test_bad_input_reaches_the_feed_as_plain_text_and_never_breaks_it(tmp_path, shop, make_runtime):
    rt, room = _runtime(make_runtime, tmp_path, shop)
    rt.new_show("HTTP show")
    try:
        shop.add_comment("\x00\x08口红\x1b[2J<img src=x onerror=alert(1)>\u202e假\u200b货" + "哈" * 10_000, "ou_1",
                         nickname="<b>Boss</b>\n\n\x07")
        shop.add_comment("=HYPERLINK(\"http://evil\",\"点我\")", "ou_2")
        items = room.poll_once()
        a, b = items
        assert len(a.text) == SHOWN_CHARS and a.length == len(shop.comment_log[0]["text"])
        assert "<img src=x onerror=alert(1)>" in a.text and "\x00" not in a.text and "\u202e" not in a.text
        assert a.kind == "complaint" and a.topic == "fake"       # 假\u200b货 is read as 假货
        assert a.nickname == "<b>Boss</b>"
        assert b.text.startswith("=HYPERLINK")                  # text; exports keep it a text cell
        room.push_to_cue(a.comment_id)
        pushed = rt.journal.events(rt.session_id, kinds=["comments.pushed"])[-1].payload
        assert pushed["text"] == a.text and len(json.dumps(pushed, ensure_ascii=False)) < 2 * SHOWN_CHARS
    finally:
        rt.close()


def test_a_restart_goes_on_from_the_journaled_cursor_and_counts_each_comment_once(tmp_path, shop, make_runtime):
    clock = ManualClock()
    rt, room = _runtime(make_runtime, tmp_path, shop, clock)
    sid = rt.new_show("HTTP show")
    for i in range(30):
        shop.add_comment("多少钱" if i % 3 else "质量太差了", f"ou_{i}")
    room.poll_once()
    q = room.recent(kind="question", limit=1)[0]
    room.pin(q.comment_id)
    clock.advance(61)
    room.poll_once()              # a minute: the tally and the cursor are journaled
    for i in range(10):
        shop.add_comment("包邮吗", f"ou_x{i}")
    room.poll_once()              # read, not tallied yet: the app dies here
    rt.abandon()                  # as killed: the journal and the writer lock go with the process
    rt2, room2 = _runtime(make_runtime, tmp_path, shop, clock)
    try:
        rt2.resume(sid)
        assert room2.marks()["pinned"] == [q.comment_id]
        for i in range(5):
            shop.add_comment("已拍", f"ou_y{i}")
        new = room2.poll_once()
        assert [c.text for c in new] == ["包邮吗"] * 10 + ["已拍"] * 5    # opaque cursor: on from where it stood
        room2.flush_tally()
        minutes = [e.payload for e in rt2.journal.events(sid, kinds=["comments.minute"])]
        assert sum(sum(m["counts"].values()) for m in minutes) == 45
        assert sum(m["counts"].get("complaint", 0) for m in minutes) == 10
    finally:
        rt2.close()
