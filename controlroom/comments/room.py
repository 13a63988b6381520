"""The comment room: the live room's comments for the operator and the host, and the room's mood.

A worker thread polls `platform.comments(cursor)` every `poll_s` (only when the platform's capabilities
say it has comments). Each comment is read once (controlroom.comments.classify): question, complaint,
praise, spam, lucky-bag entry or chatter; its topic; the product it is about. Then:
- the bus gets "comments.batch" (a tuple of FeedItem, oldest first) for the screens, which keep their own
  list (filtered by questions, complaints, a SKU) — the room keeps the last `keep` items for a screen
  that opens late and for tests;
- the complaint-burst and recurring-question detectors (sentiment.py) raise alerts through rt.alerts
  ("complaint_burst" with examples, "question_recurring" as a prompt for the host);
- a running lucky bag's entries (its passphrase) are collected for the draw;
- once a minute the tally (by kind, topic, SKU) and the cursor are journaled ("comments.minute"): the
  recap charts it, and a resumed show polls on from that cursor — the feed of the last minutes is read
  again (marks restored from the journal), the counts are not counted twice.
The operator's marks — push to the cue screen ("观众问：…"), pin, answered — are journaled events applied
by CommentState.apply, live and on resume.

Threads: the poller owns the cursor and the detectors; the marks come from the GUI thread (journal
write, a few ms) and read the recent items under the room's lock. Nothing here waits on the platform on
the caller's thread.
"""
from __future__ import annotations

import logging
import threading
from collections import Counter, deque
from dataclasses import dataclass, field

from controlroom.alerts import Alert
from controlroom.comments import events as cev
from controlroom.comments.classify import Classifier, Keywords, KeywordsError, defanged, load_keywords, plain_text
from controlroom.comments.sentiment import BurstDetector, RecurringQuestions, SentimentSettings
from controlroom.journal import JournalWriteError
from controlroom.platform import Comment, PlatformError, capabilities_of, deadline
from controlroom.settings import setting

log = logging.getLogger(__name__)

COUNTED = ("question", "complaint", "praise", "chatter")   # comments that say something (the burst baseline)


@dataclass(frozen=True)
class CommentSettings:
    poll_s: float = setting(0.25, min=0.05, max=60.0)        # how often the platform is asked (a burst's alert
    #                                                          comes within a second of it: the poll is part of that)
    page: int = setting(500, min=10, max=10_000)             # comments per request
    keep: int = setting(5000, min=100, max=1_000_000)        # recent comments a screen can still show
    tally_s: float = setting(60.0, min=5.0, max=3600.0)      # how often the tally and the cursor are journaled
    resume_feed_minutes: int = setting(5, min=0, max=120)    # the feed a resumed show reads again
    keywords_dir: str = ""                                   # "" = resources/comments


@dataclass(frozen=True)
class FeedItem:
    """One comment as the screens show it: text made plain, kind, topic and product decided once."""
    comment_id: str
    utc: float
    user: str
    nickname: str
    text: str                 # plain text, at most SHOWN_CHARS (controlroom.comments.classify.plain_text)
    length: int               # the length of what the viewer sent
    kind: str                 # question | complaint | praise | spam | entry | chatter
    topic: str = ""
    sku: str | None = None
    sku_inferred: bool = False
    follower: bool = False
    term: str = ""


@dataclass
class CommentState:
    """The operator's marks on comments, changed only by `apply`."""
    pinned: dict = field(default_factory=dict)       # comment_id -> Pinned (in pin order)
    answered: dict = field(default_factory=dict)     # comment_id -> Answered
    on_cue: cev.Pushed | None = None
    bag_users: dict = field(default_factory=dict)    # bag_id -> {user: follower}

    def apply(self, e: cev.CommentEvent) -> None:
        if isinstance(e, cev.Pushed):
            self.on_cue = e
        elif isinstance(e, cev.CueCleared):
            if self.on_cue is not None and (not e.comment_id or e.comment_id == self.on_cue.comment_id):
                self.on_cue = None
        elif isinstance(e, cev.Pinned):
            self.pinned[e.comment_id] = e
        elif isinstance(e, cev.Unpinned):
            self.pinned.pop(e.comment_id, None)
        elif isinstance(e, cev.Answered):
            self.answered[e.comment_id] = e
            self.pinned.pop(e.comment_id, None)
            if self.on_cue is not None and self.on_cue.comment_id == e.comment_id:
                self.on_cue = None
        elif isinstance(e, cev.BagEntries):
            users = self.bag_users.setdefault(e.bag_id, {})
            followers = set(e.followers)
            for u in e.users:
                users.setdefault(u, u in followers)


class CommentError(ValueError):
    """A mark on a comment the room does not know (or no show is open)."""


class CommentRoom:
    def __init__(self, rt, *, start_worker: bool = True):
        self.rt = rt
        self.settings: CommentSettings = rt.settings.section("comments", CommentSettings)
        self.sentiment: SentimentSettings = rt.settings.section("sentiment", SentimentSettings)
        self.enabled = capabilities_of(rt.platform).comments
        self.keywords: Keywords = self._load_keywords()
        self.state = CommentState()
        self.session_id: int | None = None
        self.cursor: str | None = None
        self.missed = 0
        self.failures = 0
        self.follower_marks_seen = False         # the platform marks followers: a lucky bag's 关注 can be checked
        self._lock = threading.RLock()          # items, marks, tallies
        self._poll_lock = threading.RLock()     # one poll at a time (the worker, or a lucky bag's draw)
        self._items: deque[FeedItem] = deque(maxlen=self.settings.keep)
        self._by_id: dict[str, FeedItem] = {}
        self._classifier: Classifier | None = None
        self._plan_key: object = None
        self._burst = BurstDetector(self.sentiment)
        self._recurring = RecurringQuestions(self.sentiment)
        self._tally = _Tally()
        self._last_tally_mono: float | None = None
        self._bag_pending: dict[str, tuple[list, list]] = {}
        self._replay_until: int | None = None    # comments up to this cursor were counted before a restart
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._want_worker = start_worker

    def _load_keywords(self) -> Keywords:
        d = self.settings.keywords_dir
        try:
            return load_keywords(d) if d else load_keywords()
        except KeywordsError as e:   # a broken list must not take the feed down: say so, read without it
            log.error("%s — comments are read without keyword lists until it is fixed", e)
            self.rt.bus.publish("comments.keywords_error", {"error": str(e)})
            return Keywords({}, {})

    # ---- life cycle ------------------------------------------------------------------------------
    def on_session(self, session_id: int, resumed: bool) -> None:
        with self._lock:
            self.session_id = session_id
            self.state = CommentState()
            self._items.clear()
            self._by_id.clear()
            self.cursor, self.missed = None, 0
            self._burst = BurstDetector(self.sentiment)
            self._recurring = RecurringQuestions(self.sentiment)
            self._tally = _Tally()
            self._last_tally_mono = None
            self._bag_pending.clear()
            self._replay_until = None
            if resumed:
                self._rebuild(session_id)
        if self._want_worker and self.enabled:
            self.start()

    def _rebuild(self, session_id: int) -> None:
        minutes = []
        for e in self.rt.journal.events(session_id, prefix="comments."):
            ce = cev.decode(e.kind, e.payload)
            if isinstance(ce, cev.Minute):
                minutes.append(ce)
            elif ce is not None:
                self.state.apply(ce)
        if not minutes:
            return
        total = sum(sum(m.counts.get(k, 0) for k in COUNTED) for m in minutes)
        complaints = sum(m.counts.get("complaint", 0) for m in minutes)
        self._burst.restore(total, complaints)
        # poll on from where the last tally stood. With a numeric cursor (a position, as the simulator's) the
        # feed of the last minutes is read again for the screens, counted only past that point.
        last = minutes[-1].cursor
        self.cursor = last
        n = self.settings.resume_feed_minutes
        if n and _as_int(last) is not None:
            back = minutes[-1 - min(len(minutes) - 1, n)].cursor
            if _as_int(back) is not None and _as_int(back) < _as_int(last):
                self.cursor, self._replay_until = back, _as_int(last)

    def start(self) -> None:
        if self._thread and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="comments-poller", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        clock, every = self.rt.clock, self.settings.poll_s
        due = clock.monotonic()
        while not self._stop.is_set():
            now = clock.monotonic()
            if now >= due:
                if self.session_id is not None:
                    try:
                        self.poll_once()
                    except Exception:
                        log.exception("comment poll failed")
                due = due + every if now - due < every else now + every
            self._stop.wait(min(max(due - clock.monotonic(), 0.0), 0.05) or 0.005)

    def tick(self) -> None:
        pass   # polling runs on its own thread

    def close(self) -> None:
        if self._stop.is_set() and self._thread is None and self.session_id is None:
            return
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=2.0)
        try:
            self.flush_tally()
        except Exception:
            log.exception("comment tally not journaled at close")
        self._thread, self.session_id = None, None

    # ---- polling ---------------------------------------------------------------------------------
    def poll_once(self) -> list[FeedItem]:
        """Read what the platform has after the cursor (all pages there are now) and take it in."""
        if not self.enabled or self.session_id is None:
            return []
        new: list[FeedItem] = []
        with self._poll_lock:
            for _ in range(20):     # at most 20 pages a poll: a far-behind poller catches up over a few polls
                try:
                    with deadline(max(1.0, 2 * self.settings.poll_s), self.rt.clock):
                        page = self.rt.platform.comments(self.cursor, self.settings.page)
                except PlatformError as e:
                    self.failures += 1
                    if self.failures in (1, 10) or self.failures % 100 == 0:
                        log.warning("comments: poll failed (%d): %s", self.failures, e)
                    self.rt.bus.publish("comments.poll_failed", {"error": str(e), "failures": self.failures})
                    break
                self.failures = 0
                asked, answered = _as_int(self.cursor), _as_int(page.cursor)
                if asked is not None and answered is not None and answered < asked:
                    # the platform's comment stream started again (a live room reset): nothing it sends now was
                    # counted before
                    log.warning("comments: the platform's cursor went back (%s -> %s): its stream restarted",
                                asked, answered)
                    self._replay_until, asked = None, None
                got = self._take(page.comments, page.missed, asked)
                new.extend(got)
                self.cursor = page.cursor
                if len(page.comments) < self.settings.page:
                    break
            self._after_batch(new)
        return new

    def _classifier_now(self) -> Classifier:
        console = self.rt.console
        plan = console.state.plan if console is not None else {}
        skus = console.state.skus if console is not None else {}
        key = (id(plan), len(plan), len(skus))
        if self._classifier is None or key != self._plan_key:
            products = [(sku, row.title) for sku, row in plan.items()] or \
                       [(sku, s.title) for sku, s in skus.items()]
            self._classifier = Classifier(self.keywords, products)
            self._plan_key = key
        return self._classifier

    def _take(self, comments: tuple[Comment, ...], missed: int, first: int | None) -> list[FeedItem]:
        """Classify a page; `first` is the position of its first comment when the cursor is a number."""
        clf = self._classifier_now()
        console = self.rt.console
        pinned = console.state.pinned if console is not None else None
        bag = console.state.lucky_bag if console is not None else None
        mono = self.rt.clock.monotonic()
        out: list[FeedItem] = []
        replay_until = self._replay_until
        for i, c in enumerate(comments):
            text = plain_text(c.text)
            r = clf.classify(text, sku=c.sku, pinned=pinned, passphrase=bag.passphrase if bag else None,
                             hints=tuple(c.hints or ()))
            follower = "follower" in (c.hints or ()) or "fan_club" in (c.hints or ())
            if follower:
                self.follower_marks_seen = True
            item = FeedItem(str(c.comment_id), float(c.utc), str(c.user), plain_text(c.nickname, 40), text,
                            len(c.text) if isinstance(c.text, str) else 0, r.kind, r.topic, r.sku, r.sku_inferred,
                            follower, r.term)
            out.append(item)
            if replay_until is not None and first is not None and first + missed + i < replay_until:
                continue
            self._tally.add(item)
            if item.kind in COUNTED:
                self._burst.add(mono, item.kind == "complaint", item.topic, item.text, item.sku)
            if item.kind == "question":
                rec = self._recurring.add(mono, item.sku, item.topic, item.user, item.text)
                if rec is not None:
                    self._raise_recurring(rec)
            if item.kind == "entry" and bag is not None:
                self._bag_entry(bag.bag_id, item)
        if missed:
            self.missed += missed
            self._tally.missed += missed
        if replay_until is not None and (first is None or first + missed + len(comments) >= replay_until):
            self._replay_until = None
        with self._lock:
            for item in out:
                if len(self._items) == self._items.maxlen:
                    self._by_id.pop(self._items[0].comment_id, None)
                self._items.append(item)
                self._by_id[item.comment_id] = item
        return out

    def _after_batch(self, new: list[FeedItem]) -> None:
        now = self.rt.clock.monotonic()
        b = self._burst.check(now)
        if b is not None:
            self._raise_burst(b)
        if self._last_tally_mono is None:
            self._last_tally_mono = now
        elif now - self._last_tally_mono >= self.settings.tally_s:
            self.flush_tally()
        if new:
            self.rt.bus.publish("comments.batch", tuple(new))

    def flush_tally(self) -> None:
        """Journal the tally since the last one, the cursor and a lucky bag's new entries."""
        if self.session_id is None:
            return
        now = self.rt.clock.monotonic()
        t, self._tally = self._tally, _Tally()
        self._last_tally_mono = now
        end_utc = self.rt.clock.utcnow().timestamp()
        for bag_id, (users, followers) in list(self._bag_pending.items()):
            if users:
                self._journal(cev.BagEntries(bag_id, users, followers))
        self._bag_pending.clear()
        if not t.n and not t.missed and self.cursor is None:
            return
        self._journal(cev.Minute(t.start_utc or end_utc, end_utc, dict(t.counts), dict(t.topics),
                                 {k: dict(v) for k, v in t.skus.items()}, self.cursor, t.missed))

    def _journal(self, e: cev.CommentEvent, actor: str = "comments") -> bool:
        try:
            self.rt.journal.append(self.session_id, e.kind, actor, e.to_payload())
            return True
        except (JournalWriteError, RuntimeError) as err:
            log.error("comments: %s not journaled: %s", e.kind, err)
            return False

    # ---- lucky bags ---------------------------------------------------------------------------------
    def _bag_entry(self, bag_id: str, item: FeedItem) -> None:
        users = self.state.bag_users.setdefault(bag_id, {})
        if item.user in users:
            return
        users[item.user] = item.follower
        pend = self._bag_pending.setdefault(bag_id, ([], []))
        pend[0].append(item.user)
        if item.follower:
            pend[1].append(item.user)

    def bag_entries(self, bag_id: str) -> dict[str, bool]:
        """Everyone who commented the bag's passphrase while it ran: user -> follower (as the platform marked).
        Reads what the platform has first (call it off the GUI thread: the lucky bag's draw does)."""
        with self._poll_lock:     # entries change only inside a poll: none runs while they are read (the GUI's
            self.poll_once()      # marks take the other lock and never wait for the platform)
            pend = self._bag_pending.pop(bag_id, None)
            if pend and pend[0] and self.session_id is not None:
                self._journal(cev.BagEntries(bag_id, pend[0], pend[1]))
            return dict(self.state.bag_users.get(bag_id, {}))

    # ---- the operator's marks -------------------------------------------------------------------------
    def item(self, comment_id: str) -> FeedItem | None:
        with self._lock:
            return self._by_id.get(comment_id)

    def recent(self, kind: str | None = None, sku: str | None = None, limit: int = 200) -> list[FeedItem]:
        """The newest comments, oldest first: of one kind and/or about one SKU."""
        with self._lock:
            out = []
            for it in reversed(self._items):
                if (kind is None or it.kind == kind) and (sku is None or it.sku == sku):
                    out.append(it)
                    if len(out) >= limit:
                        break
            return out[::-1]

    def _mark(self, cls, comment_id: str, actor: str) -> cev.Marked:
        if self.session_id is None:
            raise CommentError("no show is open")
        it = self.item(comment_id)
        if it is None:
            known = self.state.pinned.get(comment_id) or self.state.answered.get(comment_id) or \
                (self.state.on_cue if self.state.on_cue and self.state.on_cue.comment_id == comment_id else None)
            if known is None:
                raise CommentError(f"comment {comment_id!r} is not in the feed any more")
            e = cls(comment_id, known.text, known.comment_kind, known.topic, known.sku)
        else:
            e = cls(it.comment_id, it.text, it.kind, it.topic, it.sku)
        self._commit(e, actor)
        return e

    def _commit(self, e: cev.CommentEvent, actor: str) -> None:
        with self._lock:
            self.rt.journal.append(self.session_id, e.kind, actor, e.to_payload())   # JournalWriteError: not applied
            self.state.apply(e)
        self.rt.bus.publish("comments.marks", self.marks())

    def push_to_cue(self, comment_id: str, actor: str = "operator") -> cev.Pushed:
        """Show the comment on the host's cue screen ("观众问：…"), replacing the one there."""
        return self._mark(cev.Pushed, comment_id, actor)

    def clear_cue(self, actor: str = "operator") -> None:
        if self.state.on_cue is not None:
            self._commit(cev.CueCleared(self.state.on_cue.comment_id), actor)

    def pin(self, comment_id: str, actor: str = "operator") -> cev.Pinned:
        return self._mark(cev.Pinned, comment_id, actor)

    def unpin(self, comment_id: str, actor: str = "operator") -> None:
        if comment_id in self.state.pinned:
            self._commit(cev.Unpinned(comment_id), actor)

    def mark_answered(self, comment_id: str, actor: str = "operator") -> cev.Answered:
        """Answered on air: off the cue screen and the pins; the same question stops prompting for a while."""
        e = self._mark(cev.Answered, comment_id, actor)
        if e.comment_kind == "question":
            self._recurring.forget(e.sku, e.topic, self.rt.clock.monotonic())
        return e

    def marks(self) -> dict:
        with self._lock:
            s = self.state
            return {"pinned": list(s.pinned), "answered": set(s.answered),
                    "on_cue": s.on_cue}

    # ---- alerts -------------------------------------------------------------------------------------
    def _raise_burst(self, b) -> None:
        top = max(b.topics, key=b.topics.get) if b.topics else ""
        ratio = b.complaints / b.expected if b.expected > 0 else float("inf")
        sku = max(b.skus, key=b.skus.get) if b.skus else None
        examples = [defanged(t) for t, _ in b.examples]   # also sent to the group chats: nothing clickable
        self.rt.alerts.raise_alert(Alert(
            rule="complaint_burst", severity="critical" if ratio >= 10 else "warning", source="comments",
            sku=sku, to_cue=True,
            title=f"Complaints burst: {b.complaints} in {b.window_s:g} s "
                  f"({'far above' if ratio == float('inf') else f'{ratio:.1f}×'} the show's usual)",
            detail=" · ".join(f"“{t}”" for t in examples),
            values={"window_s": b.window_s, "complaints": b.complaints, "comments": b.counted,
                    "expected": b.expected, "share": b.share, "ratio": round(ratio, 2) if ratio != float("inf") else None,
                    "topic": top, "topics": b.topics, "skus": b.skus, "examples": examples},
            suggestion="give the standard reply on air, then cut to the assistant's demo"))

    def _raise_recurring(self, r) -> None:
        self.rt.alerts.raise_alert(Alert(
            rule="question_recurring", severity="info", source="comments", sku=r.sku, to_cue=True,
            title=f"Viewers keep asking{' about ' + r.sku if r.sku else ''}: {r.topic} "
                  f"({r.askers} viewers in {r.window_s:g} s)",
            detail=" · ".join(f"“{defanged(t)}”" for t in r.examples),
            values={"sku": r.sku, "topic": r.topic, "askers": r.askers, "window_s": r.window_s,
                    "examples": [defanged(t) for t in r.examples]},
            suggestion="answer it once, for everyone"))


class _Tally:
    def __init__(self) -> None:
        self.counts: Counter = Counter()
        self.topics: Counter = Counter()
        self.skus: dict[str, Counter] = {}
        self.n = 0
        self.missed = 0
        self.start_utc: float | None = None

    def add(self, it: FeedItem) -> None:
        if self.start_utc is None:
            self.start_utc = it.utc
        self.n += 1
        self.counts[it.kind] += 1
        if it.topic and it.kind in ("question", "complaint"):
            self.topics[f"{it.kind}.{it.topic}"] += 1
        if it.sku:
            c = self.skus.setdefault(it.sku, Counter())
            c["mentions"] += 1
            if it.kind in ("question", "complaint"):
                c[it.kind] += 1


def _as_int(cursor: str | None) -> int | None:
    try:
        return int(cursor) if cursor is not None else None
    except (TypeError, ValueError):
        return None


def attach(rt) -> CommentRoom:
    return CommentRoom(rt)
