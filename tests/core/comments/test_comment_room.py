"""The comment room on the simulated shop: the feed, the operator's marks (journaled, rebuilt on resume),
complaint bursts against the show's own baseline, recurring questions, the minute tallies."""
from __future__ import annotations

import pytest

from controlroom.comments.room import CommentError
from tests.core.comments.voice_show import VoiceShow


@pytest.fixture
def show(tmp_path):
    s = VoiceShow(tmp_path / "data")
    s.list_all(["LIP-001", "SER-002", "CRM-003", "MSK-004"])
    s.console.pin_product("LIP-001", wait=True)
    yield s
    s.close()


def test_the_feed_reads_every_comment_once_and_sorts_it(show):
    show.step(300)
    items = [i for b in show.batches for i in b]
    assert len(items) == show.shop.metrics().comments
    assert len({i.comment_id for i in items}) == len(items)
    kinds = {i.kind for i in items}
    assert {"question", "praise", "chatter"} <= kinds
    qs = show.comments.recent(kind="question", limit=10_000)
    assert qs and all(i.kind == "question" for i in qs)
    lip = show.comments.recent(sku="LIP-001", limit=10_000)
    assert lip and all(i.sku == "LIP-001" for i in lip)
    # nicknames stay out of the journal
    nick = items[0].nickname
    assert nick and not any(nick in str(e.payload) for e in show.rt.journal.events(show.sid))


def test_push_pin_and_answer_are_journaled(show):
    show.step(120)
    q = show.comments.recent(kind="question", limit=3)
    show.comments.pin(q[0].comment_id)
    show.comments.push_to_cue(q[1].comment_id)
    assert show.comments.state.on_cue.text == q[1].text
    show.comments.push_to_cue(q[2].comment_id)          # one on the cue screen at a time
    assert show.comments.state.on_cue.comment_id == q[2].comment_id
    show.comments.mark_answered(q[2].comment_id)        # answered: off the cue screen
    assert show.comments.state.on_cue is None
    show.comments.unpin(q[0].comment_id)
    assert show.comments.marks()["pinned"] == []
    events = show.rt.journal.events(show.sid, prefix="comments.")
    kinds = [e.kind for e in events]
    assert kinds.count("comments.pushed") == 2 and kinds.count("comments.pinned") == 1
    assert "comments.answered" in kinds and "comments.unpinned" in kinds
    pushed = next(e for e in events if e.kind == "comments.pushed")
    assert pushed.actor == "operator" and pushed.payload["text"] == q[1].text and "nickname" not in pushed.payload
    with pytest.raises(CommentError):
        show.comments.pin("no-such-comment")


def _drive(show: VoiceShow, seconds: float, dt: float = 0.25) -> None:
    for _ in range(int(seconds / dt)):
        show.clock.advance(dt)
        show.rt.tick()
        show.comments.poll_once()
        if abs((show.clock.monotonic() % 1.0)) < 1e-6:
            show.metrics.poll_once()
        show.idle()


def test_a_complaint_burst_raises_an_alert_with_examples_within_a_second(show):
    show.step(1500)             # 25 calm minutes: the show's own share of complaints
    assert show.rules("complaint_burst") == []
    n = show.shop.metrics().comments
    show.shop.complaint_wave("shipping_slow", 8.0, 120)
    got_at = None
    for _ in range(40):
        _drive(show, 0.25)
        if show.rules("complaint_burst"):
            got_at = show.clock.utcnow().timestamp()
            break
    # from the first complaint of the wave (when the viewer posted it) to the alert
    first = next(c for c in show.shop.comments(str(n), 500).comments if "发货" in c.text or "快递" in c.text
                 or "物流" in c.text)
    assert got_at is not None and got_at - first.utc <= 1.0, got_at and got_at - first.utc
    a = show.rules("complaint_burst")[0]
    assert a.values["topic"] == "shipping_slow" and a.to_cue
    assert a.values["examples"] and all(isinstance(t, str) and t for t in a.values["examples"])
    assert a.values["complaints"] >= show.rt.settings.section("sentiment", type(show.comments.sentiment)).burst_min_complaints
    # journaled like every alert, and not raised again while the wave goes on (cool-down)
    _drive(show, 60)
    assert len(show.rules("complaint_burst")) == 1
    assert any(e.payload.get("rule") == "complaint_burst" for e in show.rt.journal.events(show.sid, kinds=["alert.raised"]))


def test_a_big_calm_room_is_not_a_burst_and_a_small_wave_in_a_small_room_is(tmp_path):
    """The show's own baseline, not a fixed count: many complaints in a big room at its usual share stay
    quiet; a few more than usual in a small room are a burst."""
    big = VoiceShow(tmp_path / "big", settings={("comments", "poll_s"): 0.5})
    big.shop._base_rate *= 8           # a room eight times the sample's
    big.list_all(["LIP-001", "SER-002"])
    big.console.pin_product("LIP-001", wait=True)
    try:
        big.step(1800, comments_every=1)
        minutes = [e.payload for e in big.rt.journal.events(big.sid, kinds=["comments.minute"])]
        per_min = max(m["counts"].get("complaint", 0) for m in minutes)
        assert per_min >= 20                    # far more than any fixed "N complaints" threshold would allow
        assert big.rules("complaint_burst") == []
    finally:
        big.close()
    small = VoiceShow(tmp_path / "small")
    small.shop._base_rate /= 4
    small.list_all(["LIP-001"])
    try:
        small.step(900)
        small.shop.complaint_wave("fake", 0.5, 120)
        small.step(60)
        assert [a.values["topic"] for a in small.rules("complaint_burst")] == ["fake"]
    finally:
        small.close()


def test_a_question_that_keeps_coming_back_prompts_the_host(show):
    show.step(600)
    calm = show.rules("question_recurring")
    show.console.change_price("LIP-001", 5900, confirmed=True, wait=True)    # "现在多少钱？券后多少？"
    show.step(90)
    prompts = [a for a in show.rules("question_recurring") if a not in calm]
    assert any(a.sku == "LIP-001" and a.values["topic"] == "price" for a in prompts), [a.title for a in prompts]
    p = next(a for a in prompts if a.values["topic"] == "price")
    assert p.to_cue and p.severity == "info" and p.values["askers"] >= 6 and p.values["examples"]
    # the steady trickle of every kind of question is not a prompt a minute
    assert len(calm) <= 2, [a.title for a in calm]


def test_a_platform_without_comments_is_never_polled(tmp_path):
    from controlroom.platform import Capabilities
    s = VoiceShow(tmp_path / "data")
    try:
        s.comments.enabled = False
        s.step(30)
        assert s.batches == [] and s.comments.poll_once() == []
        assert Capabilities().comments is False      # the port's default: no comment stream
    finally:
        s.close()
