"""What the simulated room says: viewer comments 评论/弹幕, in Chinese, as the room's state makes them.

How many: the audience model draws the comments of each one-second step from the viewers online and how
much the segment makes them interact (shop.py). On top of those, this model adds, from its own generator:
- questions right after a price change (an offer, a new price): "现在多少钱？券后多少？", decaying over
  about two minutes, more in a bigger room;
- complaints in a wave laid on the room (`ComplaintWave`: a delivery problem spreading, say);
- entries to a lucky bag 福袋: while one runs, viewers comment its passphrase 口令 to join.
What they say: a mix of questions (size, shade, price, shipping, after-sales), praise, chatter, complaints
(质量, 发货慢, 假货, 退款) and spam, about the product being explained 讲解中 more than the others, naming it
the way viewers do (its name, its head noun, "3号链接") or not at all.

Determinism and resume: the extra counts of step k and the texts of step k's comments are drawn from a
counter-based generator (Philox) keyed by (seed, k) — counter (0, k) for counts, (1, k) for texts — and
the room's state at that step. A room re-integrated from its inputs (plugins/simulator/replay.py on the
i11-resume branch) therefore says exactly what it said the first time. Texts are rendered only when a
poller reads them: a step keeps a count and a small shared context, so a 3-hour show at 10^5 viewers
costs no more than a counter per second.
"""
from __future__ import annotations

import bisect
import math
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from controlroom.comments.names import product_names
from controlroom.platform import Comment, CommentPage

COMMENT_KEY = 0x7A1C            # spawn key of the comment generator (apart from the audience's)
PRICE_Q_WINDOW_S = 180.0        # questions after a price change fade over this long
PRICE_Q_TAU_S = 60.0

# ---- what viewers say ------------------------------------------------------------------------------
QUESTIONS: dict[str, tuple[str, ...]] = {
    "size": ("{n}多大码", "{n}有几个尺码", "160斤穿什么码", "身高165体重110穿什么码呀", "{n}容量多少", "{n}多少毫升",
             "{n}一盒几片", "{n}偏大还是偏小", "微胖能穿吗", "{n}规格是多大的"),
    "shade": ("{n}有几个色号", "黄皮适合哪个色号", "{n}是什么颜色", "黄黑皮能用{n}吗", "{n}显白吗", "第二个色号叫什么",
              "有没有豆沙色", "{n}哪个颜色好看"),
    "price": ("{n}多少钱", "{n}券后多少", "{n}现在什么价", "{n}还能便宜吗", "{n}有优惠券吗", "刚才改价了吗？{n}现在多少",
              "{n}怎么领券", "买两件有优惠吗", "{n}到手价多少", "价格怎么变了？"),
    "shipping": ("什么时候发货", "{n}几天能到", "包邮吗", "发什么快递", "新疆能发吗", "今天拍明天能发吗",
                 "{n}从哪里发货"),
    "after_sales": ("能七天无理由吗", "有运费险吗", "{n}过敏了能退吗", "坏了怎么办", "{n}保质期多久", "可以开发票吗",
                    "{n}能退换吗"),
}
PRAISE = ("已拍", "已下单！", "{n}回购第三次了", "主播好美", "{n}真的好用", "上次买的很好用", "爱了爱了", "性价比绝了",
          "支持主播", "{n}好看", "拍了两单", "{n}用完皮肤好好")
CHATTER = ("来了来了", "主播好", "666", "哈哈哈", "刚来", "1", "晚上好", "在吗", "关注了", "主播今天好漂亮", "扣1",
           "🤣🤣")
COMPLAINTS: dict[str, tuple[str, ...]] = {
    "quality": ("{n}质量太差了", "用了过敏，烂脸了", "{n}味道好大", "{n}起球了", "上次买的{n}是坏的", "做工好差",
                "{n}质量不行"),
    "shipping_slow": ("三天了还没发货", "发货太慢了", "我的快递一周了还没到", "催了好几次都不发货", "物流一直不动",
                      "什么时候发货啊，等了五天了"),
    "fake": ("是不是假货", "{n}是正品吗？跟专柜不一样", "买到假货了", "{n}假的吧", "有没有防伪码？怕是假货"),
    "refund": ("我要退款", "退款一直没处理", "申请退货了没人理", "怎么还不退钱", "客服不回复，退款！"),
}
PRICE_UP = ("怎么涨价了", "刚才还便宜，怎么涨价了", "涨价了？坑人")
SPAM = ("加V看主页福利", "兼职日结，加微信 wx{k}", "互粉互粉，关注我必回", "低价代购 看我主页", "http://t.cn/A6{k}",
        "加群领红包 q群{k}")
NICK_A = ("小鱼", "奶茶", "Lily", "阿紫", "晴天", "橘子", "momo", "小熊", "安安", "木子", "糖糖", "Ccc", "西瓜", "一只猫")
NICK_B = ("不加糖", "爱吃鱼", "123", "呀", "酱", "_88", "的日常", "今天也要开心", "", "宝宝", "2024", "z")

# the mix of an ordinary comment by kind (questions split by topic below)
MIX = (("question", 0.30), ("praise", 0.20), ("chatter", 0.40), ("complaint", 0.04), ("spam", 0.06))
TOPIC_MIX = (("size", 0.22), ("shade", 0.18), ("price", 0.25), ("shipping", 0.20), ("after_sales", 0.15))
COMPLAINT_MIX = (("quality", 0.35), ("shipping_slow", 0.35), ("fake", 0.15), ("refund", 0.15))


def _cum(mix) -> tuple[tuple[str, ...], np.ndarray]:
    names = tuple(n for n, _ in mix)
    p = np.cumsum([w for _, w in mix])
    return names, p / p[-1]


_KINDS, _KIND_P = _cum(MIX)
_TOPICS, _TOPIC_P = _cum(TOPIC_MIX)
_CTOPICS, _CTOPIC_P = _cum(COMPLAINT_MIX)


@dataclass(frozen=True)
class TalkParams:
    price_question_rate: float = 0.0008   # extra questions per viewer-second right after a price change
    price_question_floor: float = 0.3     # ... and at least this many per second in a small room
    bag_join_rate: float = 0.004          # passphrase comments per viewer-second while a lucky bag runs
    follower_share: float = 0.25          # viewers who already follow the room
    retain_steps: int = 1800              # steps of comments a poller can still read (30 min)


@dataclass(frozen=True)
class ComplaintWave:
    """Complaints of one topic spreading in the room for a while ("三天了还没发货" from many at once)."""
    topic: str
    per_s: float
    start_step: int
    end_step: int


@dataclass(frozen=True)
class TalkContext:
    """The room's state that shapes what is said (shared by every step until something changes)."""
    pinned: int | None = None
    listed: tuple[int, ...] = ()
    price_change: tuple[int, int, bool] | None = None   # (SKU index, step, went up)
    bag: tuple[str, bool] | None = None                  # (passphrase, follow required) while a lucky bag runs
    wave: ComplaintWave | None = None


@dataclass
class _Step:
    step: int
    seq: int            # the show-wide number of its first comment
    n: int              # ordinary comments (the audience model's draw)
    extra_q: int        # questions after a price change
    wave: int           # complaints of a wave
    entries: int        # lucky-bag passphrase comments
    uv: int             # distinct viewers so far: the pool the speakers come from
    ctx: TalkContext

    @property
    def total(self) -> int:
        return self.n + self.extra_q + self.wave + self.entries


@dataclass
class RoomTalk:
    skus: list[str]
    titles: list[str]
    seed: int
    params: TalkParams = field(default_factory=TalkParams)

    def __post_init__(self):
        names = product_names(dict(zip(self.skus, self.titles)))
        self._names = [names.get(s, ()) for s in self.skus]
        seq = np.random.SeedSequence([abs(int(self.seed)), 1 if self.seed < 0 else 0, COMMENT_KEY])
        self._bits = np.random.Philox(key=seq.generate_state(2, np.uint64))
        self._state = self._bits.state
        self._rng = np.random.Generator(self._bits)
        self.reset()

    def reset(self) -> None:
        """A new room: nothing said yet."""
        self._steps: list[_Step] = []
        self._step_no: list[int] = []
        self._seq_of: list[int] = []
        self.total = 0
        self._rendered: OrderedDict[int, tuple[Comment, ...]] = OrderedDict()

    def _key(self, word: int, step: int) -> np.random.Generator:
        self._state["state"]["counter"][:] = (word, step, 0, 0)
        self._bits.state = self._state    # resets the buffered output too: nothing leaks between steps
        return self._rng

    # ---- at each step (the shop's hot path: cheap) ---------------------------------------------------
    def step(self, step: int, n: int, online: int, uv: int, ctx: TalkContext) -> int:
        """Record step `step`: `n` ordinary comments; draws the extra ones. Returns how many were said."""
        p = self.params
        lam_q = 0.0
        if ctx.price_change is not None:
            age = step - ctx.price_change[1]
            if 0 <= age < PRICE_Q_WINDOW_S:
                lam_q = max(p.price_question_floor, online * p.price_question_rate) * math.exp(-age / PRICE_Q_TAU_S)
        w = ctx.wave
        lam_w = w.per_s if w is not None and w.start_step <= step < w.end_step else 0.0
        lam_b = online * p.bag_join_rate if ctx.bag is not None else 0.0
        extra_q = wave = entries = 0
        if lam_q or lam_w or lam_b:
            extra_q, wave, entries = (int(x) for x in self._key(0, step).poisson((lam_q, lam_w, lam_b)))
        total = n + extra_q + wave + entries
        if total:
            self._steps.append(_Step(step, self.total, n, extra_q, wave, entries, uv, ctx))
            self._step_no.append(step)
            self._seq_of.append(self.total)
            self.total += total
            if len(self._steps) > 2 * p.retain_steps:
                cut = len(self._steps) - p.retain_steps
                del self._steps[:cut], self._step_no[:cut], self._seq_of[:cut]
        return total

    # ---- reading (a poller's pace) ---------------------------------------------------------------------
    def page(self, since: str | None, limit: int, utc_of: Callable[[float], float]) -> CommentPage:
        """The comments from cursor `since` (the show-wide number of the next comment), at most `limit`."""
        start = _cursor(since)
        oldest = self._seq_of[0] if self._seq_of else self.total
        missed = 0
        if start is None:
            start = oldest
        elif start < oldest:
            missed, start = oldest - start, oldest
        start = min(start, self.total)
        out: list[Comment] = []
        i = max(0, bisect.bisect_right(self._seq_of, start) - 1)
        while i < len(self._steps) and len(out) < limit:
            st = self._steps[i]
            if st.seq + st.total > start:
                said = self._render(st, utc_of)
                out.extend(said[max(0, start - st.seq):][:limit - len(out)])
            i += 1
        nxt = start + len(out)
        return CommentPage(tuple(out), str(nxt), missed)

    def _render(self, st: _Step, utc_of: Callable[[float], float]) -> tuple[Comment, ...]:
        got = self._rendered.get(st.step)
        if got is not None:
            return got
        rng = self._key(1, st.step)
        total = st.total
        u = rng.random((total, 6))
        users = rng.integers(0, max(1, st.uv), size=total)
        ctx = st.ctx
        out = []
        kinds = (["ordinary"] * st.n + ["price_question"] * st.extra_q + ["wave"] * st.wave
                 + ["entry"] * st.entries)
        for j in range(total):
            text, sku = self._say(kinds[j], u[j], ctx)
            uid = int(users[j])
            follower = u[j][5] < self.params.follower_share or kinds[j] == "entry" and ctx.bag and ctx.bag[1]
            out.append(Comment(comment_id=f"c{st.seq + j}", utc=utc_of(st.step + (j + 1) / (total + 1)),
                               user=_user_id(self.seed, uid), text=text, nickname=_nick(uid), sku=sku,
                               hints=("follower",) if follower else ()))
        said = tuple(out)
        self._rendered[st.step] = said
        if len(self._rendered) > 64:
            self._rendered.popitem(last=False)
        return said

    def _say(self, kind: str, u: np.ndarray, ctx: TalkContext) -> tuple[str, str | None]:
        """One comment's text (and the product card it was posted on, if any)."""
        if kind == "entry":
            return ctx.bag[0], None
        if kind == "wave":
            topic = ctx.wave.topic
            return self._fill(_pick(COMPLAINTS[topic], u[1]), self._about(ctx, u[2]), u[3]), None
        if kind == "price_question":
            i = ctx.price_change[0]
            if ctx.price_change[2] and u[1] < 0.3:
                return _pick(PRICE_UP, u[2]), None
            return self._fill(_pick(QUESTIONS["price"], u[2]), i, u[3]), None
        k = _KINDS[int(np.searchsorted(_KIND_P, u[0], side="right").clip(0, len(_KINDS) - 1))]
        about = self._about(ctx, u[2])
        if k == "question":
            topic = _TOPICS[int(np.searchsorted(_TOPIC_P, u[1], side="right").clip(0, len(_TOPICS) - 1))]
            return self._fill(_pick(QUESTIONS[topic], u[3]), about, u[4]), None
        if k == "praise":
            return self._fill(_pick(PRAISE, u[1]), about, u[4]), None
        if k == "complaint":
            topic = _CTOPICS[int(np.searchsorted(_CTOPIC_P, u[1], side="right").clip(0, len(_CTOPICS) - 1))]
            return self._fill(_pick(COMPLAINTS[topic], u[3]), about, u[4]), None
        if k == "spam":
            return _pick(SPAM, u[1]).format(k=int(u[3] * 1e6)), None
        return _pick(CHATTER, u[1]), None

    def _about(self, ctx: TalkContext, u: float) -> int | None:
        """The product a comment is about: the one being explained, mostly; else one that is on sale."""
        if ctx.pinned is not None and (u < 0.65 or not ctx.listed):
            return ctx.pinned
        if ctx.listed:
            return ctx.listed[int(u * 7919) % len(ctx.listed)]
        return None

    def _fill(self, template: str, i: int | None, u: float) -> str:
        """Name the product the way viewers do — or not at all while it is being explained."""
        if "{n}" not in template:
            return template
        if i is None:
            return template.replace("{n}", "")
        names = self._names[i]
        if u < 0.35 or not names:
            name = ""                                      # "多少钱" while it is on screen
        elif u < 0.55:
            name = f"{i + 1}号链接"
        elif u < 0.8:
            name = names[-1]                               # the head noun, else the name
        else:
            name = names[0]
        return template.replace("{n}", name)


def _pick(options: tuple[str, ...], u: float) -> str:
    return options[min(len(options) - 1, int(u * len(options)))]


def _cursor(since: str | None) -> int | None:
    if since is None or since == "":
        return None
    try:
        v = int(str(since))
    except ValueError:
        raise ValueError(f"not a comment cursor of this shop: {since!r}") from None
    if v < 0:
        raise ValueError(f"not a comment cursor of this shop: {since!r}")
    return v


def _user_id(seed: int, idx: int) -> str:
    h = (idx * 0x9E3779B1 + (seed & 0xFFFF) * 0x85EBCA6B) & 0xFFFFFFFF
    return f"u{h:08x}"


def _nick(idx: int) -> str:
    return NICK_A[idx % len(NICK_A)] + NICK_B[(idx // len(NICK_A)) % len(NICK_B)]
