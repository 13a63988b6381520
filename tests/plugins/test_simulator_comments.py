"""The simulated room's comments: Chinese, following the viewers, more questions after a price change,
lucky-bag entries, complaint waves; deterministic for a seed and keyed by (seed, step)."""
from __future__ import annotations

import re
from collections import Counter

import pytest

from controlroom.clock import ManualClock
from controlroom.comments.classify import Classifier, load_keywords
from controlroom.commerce.plan import read_plan
from controlroom.paths import SAMPLE_SHOW
from controlroom.platform import Capabilities, CommentPage, PlatformError
from plugins.simulator import SimulatedShop
from plugins.simulator.comments import TalkParams


def shop(seed=7, peak=None, **kw) -> SimulatedShop:
    s = SimulatedShop.from_show(SAMPLE_SHOW, clock=ManualClock(), seed=seed, peak_online=peak, **kw)
    for sku in s.skus:
        s.list_product(sku, idempotency_key=f"list-{sku}")
    s.pin_product("LIP-001", idempotency_key="pin")
    return s


def read_all(s: SimulatedShop, since=None) -> list:
    out = []
    while True:
        page = s.comments(since, 500)
        out.extend(page.comments)
        if since == page.cursor or not page.comments:
            return out
        since = page.cursor


def classifier() -> Classifier:
    plan = read_plan(SAMPLE_SHOW / "products.csv")
    return Classifier(load_keywords(), [(r.sku, r.title) for r in plan.rows])


def test_the_simulator_has_comments_and_the_counter_counts_them():
    s = shop()
    assert s.capabilities.comments
    s.run_for(600)
    said = read_all(s)
    assert said and len(said) == s.metrics().comments
    assert len({c.comment_id for c in said}) == len(said)
    assert all(re.search(r"[\u4e00-\u9fff]|\d|🤣|http", c.text) for c in said)
    assert [c.utc for c in said] == sorted(c.utc for c in said)


def test_comment_rate_follows_the_viewers():
    small, big = shop(seed=5, peak=2_000), shop(seed=5, peak=20_000)
    small.run_for(1800)
    big.run_for(1800)
    a, b = small.metrics(), big.metrics()
    per_viewer_small = a.comments / a.views
    per_viewer_big = b.comments / b.views
    assert b.comments > 6 * a.comments
    assert per_viewer_big == pytest.approx(per_viewer_small, rel=0.3)


def test_what_viewers_say_is_a_realistic_mix():
    s = shop(seed=9, peak=20_000)
    s.run_for(900)
    clf = classifier()
    readings = [clf.classify(c.text, pinned="LIP-001") for c in read_all(s)]
    kinds = Counter(r.kind for r in readings)
    topics = Counter((r.kind, r.topic) for r in readings)
    for k in ("question", "complaint", "praise", "spam", "chatter"):
        assert kinds[k] > 0, kinds
    for t in ("size", "shade", "price", "shipping", "after_sales"):
        assert topics[("question", t)] > 0, topics
    for t in ("quality", "shipping_slow", "fake", "refund"):
        assert topics[("complaint", t)] > 0, topics
    assert 0.2 < kinds["question"] / len(readings) < 0.5
    assert kinds["complaint"] / len(readings) < 0.1
    # questions are mostly about the product being explained
    about = Counter(r.sku for r in readings if r.kind == "question")
    assert about.most_common(1)[0][0] == "LIP-001"


def test_more_questions_right_after_a_price_change():
    s = shop(seed=4, peak=8_000)
    s.run_for(900)
    clf = classifier()
    before = read_all(s)
    cursor = str(len(before))
    n0 = sum(clf.classify(c.text, pinned="LIP-001").kind == "question" for c in before[-600:])
    s.set_price("LIP-001", 5900, idempotency_key="cut")
    s.run_for(60)
    after = read_all(s, cursor)
    rd = [clf.classify(c.text, pinned="LIP-001") for c in after]
    q_after = sum(r.kind == "question" for r in rd)
    price_q = sum(r.kind == "question" and r.topic == "price" for r in rd)
    # the 60 s after the change vs the average 60 s of the 10 minutes before it
    q_before_per_min = sum(clf.classify(c.text, pinned="LIP-001").kind == "question"
                           for c in before if c.utc >= before[-1].utc - 600) / 10
    assert q_after > 1.5 * q_before_per_min, (q_after, q_before_per_min, n0)
    assert price_q > q_after / 3


def test_same_seed_same_comments_and_polling_does_not_change_them():
    a, b = shop(seed=21), shop(seed=21)
    a.run_for(300)
    for _ in range(300):       # b is polled every second, in small pages
        b.run_for(1)
        b.comments(None, 3)
    ca, cb = read_all(a), read_all(b)
    key = lambda c: (c.comment_id, c.user, c.nickname, c.text, c.sku, c.hints)   # noqa: E731
    assert [key(c) for c in ca] == [key(c) for c in cb]
    other = shop(seed=22)
    other.run_for(300)
    assert [key(c) for c in read_all(other)][:50] != [key(c) for c in ca][:50]


def test_a_step_says_the_same_whatever_else_happened_before_it():
    """Keyed by (seed, step): rendering a step again, after the cache forgot it, gives the same comments."""
    s = shop(seed=3)
    s.run_for(200)
    first = read_all(s)
    s._talk._rendered.clear()
    again = read_all(s)
    assert [(c.comment_id, c.text, c.user) for c in first] == [(c.comment_id, c.text, c.user) for c in again]


def test_a_poller_far_behind_is_told_what_it_missed():
    s = shop(seed=2, peak=20_000, talk=TalkParams(retain_steps=30))
    s.run_for(300)
    page = s.comments("0", 100)
    assert page.missed > 0 and page.comments
    assert int(page.comments[0].comment_id[1:]) == page.missed
    with pytest.raises(PlatformError):
        s.comments("not-a-cursor", 10)
    with pytest.raises(PlatformError):
        s.comments(None, 0)


def test_a_lucky_bag_holds_viewers_and_brings_passphrase_comments():
    calm, bag = shop(seed=12, peak=10_000), shop(seed=12, peak=10_000)
    calm.run_for(900)
    bag.run_for(900)
    before = calm.metrics()
    bag.start_lucky_bag("福袋冲冲冲", 300, follow_required=True)
    calm.run_for(300)
    bag.run_for(300)
    entries = [c for c in read_all(bag) if c.text == "福袋冲冲冲"]
    assert len(entries) > 100
    assert all("follower" in c.hints for c in entries)
    assert bag.metrics().online > calm.metrics().online * 1.2
    assert bag.metrics().new_followers - before.new_followers > 1.5 * (calm.metrics().new_followers
                                                                       - before.new_followers)
    bag.run_for(30)     # its countdown ended: no more entries
    tail = read_all(bag, str(bag.metrics().comments - 200))
    assert not any(c.text == "福袋冲冲冲" for c in tail[-100:])


def test_a_complaint_wave_brings_complaints_of_its_topic():
    s = shop(seed=8, peak=5_000)
    s.run_for(600)
    n = s.metrics().comments
    s.complaint_wave("shipping_slow", 5.0, 60)
    s.run_for(60)
    clf = classifier()
    rd = [clf.classify(c.text) for c in read_all(s, str(n))]
    slow = sum(r.kind == "complaint" and r.topic == "shipping_slow" for r in rd)
    assert slow > 200
    with pytest.raises(PlatformError):
        s.complaint_wave("weather", 1.0, 10)


def test_a_rehearsal_room_without_an_audience_says_nothing():
    s = shop()
    s.audience = False
    s.run_for(60)
    assert s.comments(None, 10) == CommentPage((), "0", 0)
    assert isinstance(s.capabilities, Capabilities)


@pytest.mark.parametrize("kill_at", [150, 333])
def test_a_resumed_room_says_exactly_what_it_said(tmp_path, kill_at):
    """The resumable simulator (plugins/simulator/replay.py: the room journals its inputs and is
    re-integrated from them): the comments after a crash are the uninterrupted room's, id for id, text for
    text — lucky bag and complaint wave included."""
    from controlroom.journal import Journal

    def act(s, t):
        script = {0: lambda: [s.list_product(k, idempotency_key=f"l-{k}") for k in s.skus[:6]],
                  10: lambda: s.pin_product("LIP-001", idempotency_key="pin"),
                  100: lambda: s.set_price("LIP-001", 5900, idempotency_key="p1"),
                  200: lambda: s.start_lucky_bag("福袋冲冲冲", 90),
                  320: lambda: s.complaint_wave("refund", 3.0, 40)}
        if t in script:
            script[t]()

    def run(s, clock, a, b):
        for t in range(a, b):
            act(s, t)
            clock.advance(1.0)
            s.metrics()

    def said(s):
        return [(c.comment_id, c.user, c.text, c.hints) for c in read_all(s)]

    clock = ManualClock()
    j = Journal(tmp_path / "a.sqlite", clock=clock)
    sid = j.new_session("one")
    whole = SimulatedShop.from_show(SAMPLE_SHOW, clock=clock, seed=5, peak_online=10_000)
    whole.open_session(j, sid, resumed=False)
    run(whole, clock, 0, 420)

    clock1 = ManualClock()
    j1 = Journal(tmp_path / "b.sqlite", clock=clock1)
    sid1 = j1.new_session("two")
    first = SimulatedShop.from_show(SAMPLE_SHOW, clock=clock1, seed=5, peak_online=10_000)
    first.open_session(j1, sid1, resumed=False)
    run(first, clock1, 0, kill_at)
    clock2 = ManualClock(clock1.utcnow(), start_mono=50.0)     # a new process
    j2 = Journal(tmp_path / "b.sqlite", clock=clock2)
    second = SimulatedShop.from_show(SAMPLE_SHOW, clock=clock2, seed=5, peak_online=10_000)
    second.open_session(j2, sid1, resumed=True)
    run(second, clock2, kill_at, 420)
    assert said(second) == said(whole)
