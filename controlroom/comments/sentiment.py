"""The room's mood: a burst of complaints, and a question that keeps coming back.

Complaint burst. What counts is not a number of complaints but complaints out of proportion with the
show's own: every room has its background of "发货慢" and "假货?" comments, and a bigger room has more of
them. So the detector keeps the show's complaint share (complaints among the comments that say
something: questions, complaints, praise, chatter; spam and lucky-bag entries left out) over everything
before the window, with a weak prior so the first minutes are not a hair trigger, and looks at the
complaints of a few windows ending now (1 s, 3 s, 15 s, 60 s: a sudden wave is seen within a second, a
slow swell over a minute). A window is a burst when its complaints are at least `ratio` times what the
baseline expects there, at least `min_complaints`, and so unlikely under the baseline (Poisson tail) that
a show would see it by chance less than once in `1 / p_max` windows. Then it stays quiet for
`cooldown_s`.

Recurring question. The same question about the same product (SKU and topic: "口红 · 色号") asked by
`recurring_min` different viewers within `recurring_window_s` — and standing out: at least
`recurring_share` of the window's questions, so that a big room's steady trickle of every question is
not a prompt a minute — becomes a prompt for the host: answer it once, for everyone. A question with no
topic the lists know ("other") never prompts: there is nothing to tell the host.

Both are pure: comments and times in, alerts' values out; the comment room raises them.
"""
from __future__ import annotations

import math
from collections import Counter, deque
from dataclasses import dataclass, field

from controlroom.settings import setting


@dataclass(frozen=True)
class SentimentSettings:
    burst_windows_s: list = setting(default_factory=lambda: [1.0, 3.0, 15.0, 60.0], items=float)
    burst_ratio: float = setting(3.0, min=1.0, max=100.0)        # complaints ≥ ratio × the baseline's
    burst_min_complaints: int = setting(6, min=1, max=100_000)
    burst_p_max: float = setting(1e-6, min=1e-15, max=0.1)       # how unlikely under the show's own share
    burst_prior_share: float = setting(0.04, min=0.0, max=1.0)   # the share assumed before the show has its own
    burst_prior_weight: int = setting(500, min=0, max=1_000_000)  # ... worth this many comments
    burst_cooldown_s: float = setting(300.0, min=0.0, max=86_400.0)
    recurring_min: int = setting(6, min=2, max=10_000)           # different viewers asking the same thing
    recurring_share: float = setting(0.4, min=0.0, max=1.0)      # ... and this share of the window's questions
    recurring_window_s: float = setting(60.0, min=5.0, max=3600.0)
    recurring_cooldown_s: float = setting(300.0, min=0.0, max=86_400.0)
    examples: int = setting(3, min=1, max=10)


def poisson_tail(k: int, lam: float) -> float:
    """P(X ≥ k) for X ~ Poisson(lam)."""
    if k <= 0:
        return 1.0
    if lam <= 0:
        return 0.0
    # sum the upper tail in log space from k on (terms shrink fast once i > lam)
    log_term = -lam + k * math.log(lam) - math.lgamma(k + 1)
    total = 0.0
    i = k
    term = math.exp(log_term)
    while True:
        total += term
        i += 1
        term *= lam / i
        if term < total * 1e-16 or i > k + 10_000:
            break
    return min(1.0, total)


@dataclass(frozen=True)
class Burst:
    window_s: float
    complaints: int
    counted: int            # comments that say something in the window
    expected: float         # complaints the show's own share predicts there
    share: float            # the show's baseline share
    p: float
    topics: dict
    examples: tuple         # (text, sku) of the latest complaints
    skus: dict


@dataclass
class BurstDetector:
    settings: SentimentSettings
    _events: deque = field(default_factory=deque)      # (t, is_complaint, topic, text, sku)
    _total: int = 0          # counted comments since the show started
    _complaints: int = 0
    _quiet_until: float = -math.inf

    def add(self, t: float, complaint: bool, topic: str = "", text: str = "", sku: str | None = None) -> None:
        self._events.append((t, complaint, topic, text, sku))
        self._total += 1
        self._complaints += complaint

    def check(self, now: float) -> Burst | None:
        s = self.settings
        horizon = max(s.burst_windows_s) if s.burst_windows_s else 60.0
        ev = self._events
        while ev and ev[0][0] < now - horizon:
            ev.popleft()
        if now < self._quiet_until or not ev:
            return None
        best: Burst | None = None
        n = len(ev)
        for w in sorted(s.burst_windows_s):
            counted = complaints = 0
            i = n - 1
            while i >= 0 and ev[i][0] >= now - w:
                counted += 1
                complaints += ev[i][1]
                i -= 1
            if complaints < s.burst_min_complaints:
                continue
            # the baseline is everything before this window (the window must not explain itself)
            base_total = self._total - counted
            base_c = self._complaints - complaints
            share = (base_c + s.burst_prior_share * s.burst_prior_weight) / max(1.0, base_total + s.burst_prior_weight)
            expected = counted * share
            if complaints < s.burst_ratio * expected:
                continue
            p = poisson_tail(complaints, expected)
            if p > s.burst_p_max:
                continue
            if best is None or p < best.p:
                recent = [e for e in list(ev)[i + 1:] if e[1]]
                topics = Counter(e[2] for e in recent)
                skus = Counter(e[4] for e in recent if e[4])
                examples = tuple((e[3], e[4]) for e in recent[::-1][:s.examples])
                best = Burst(w, complaints, counted, round(expected, 3), round(share, 5), p, dict(topics), examples,
                             dict(skus))
        if best is not None:
            self._quiet_until = now + s.burst_cooldown_s
        return best

    def restore(self, total: int, complaints: int) -> None:
        """After a restart: the show's counts so far (from the journaled minute tallies)."""
        self._total, self._complaints = total, complaints


@dataclass(frozen=True)
class Recurring:
    sku: str | None
    topic: str
    askers: int
    window_s: float
    examples: tuple


@dataclass
class RecurringQuestions:
    settings: SentimentSettings
    _asked: dict = field(default_factory=dict)         # (sku, topic) -> deque of (t, user, text)
    _quiet: dict = field(default_factory=dict)         # (sku, topic) -> t until which it stays quiet
    _all: deque = field(default_factory=deque)         # times of every question in the window

    def add(self, t: float, sku: str | None, topic: str, user: str, text: str) -> Recurring | None:
        s = self.settings
        al = self._all
        al.append(t)
        while al and al[0] < t - s.recurring_window_s:
            al.popleft()
        if topic == "other" or not topic:
            return None
        key = (sku, topic)
        q = self._asked.setdefault(key, deque())
        q.append((t, user, text))
        while q and q[0][0] < t - s.recurring_window_s:
            q.popleft()
        if t < self._quiet.get(key, -math.inf):
            return None
        users = {u for _, u, _ in q}
        if len(users) < s.recurring_min or len(q) < s.recurring_share * len(al):
            return None
        self._quiet[key] = t + s.recurring_cooldown_s
        seen: list[str] = []
        for _, _, txt in reversed(q):
            if txt not in seen:
                seen.append(txt)
            if len(seen) >= s.examples:
                break
        return Recurring(sku, topic, len(users), s.recurring_window_s, tuple(seen))

    def forget(self, sku: str | None, topic: str, t: float) -> None:
        """The host answered it: start counting afresh (and stay quiet for the cool-down)."""
        self._asked.pop((sku, topic), None)
        self._quiet[(sku, topic)] = t + self.settings.recurring_cooldown_s
