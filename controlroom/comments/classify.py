"""Reading a comment: what kind it is (question, complaint, praise, spam, a lucky-bag entry, chatter), its
topic (size, shade, price, shipping, after-sales; quality, slow shipping, fake, refund, a price rise) and
the product it is about.

The words are plain text lists in resources/comments/ (keywords_zh.txt, keywords_en.txt) that an
operations person edits without a developer; Chinese terms match Traditional and full-width forms too
(the compliance checker's folding). The product comes from what the platform attached, else from what the
comment names (SKU code, the Chinese name, its head noun, "3号链接": controlroom.comments.names), else —
for a question about the product itself (size, shade, price, or no known topic) — the product being
explained 讲解中, as the host would take it. "包邮吗" or "能七天无理由吗" name no product: they are about the
shop, whatever is on screen.

A comment is untrusted text: `plain_text` takes out control and bidi characters and cuts it to what a
screen shows; the screens render it as plain text (never rich text) and exports keep it a text cell.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from controlroom.commerce.compliance import fold
from controlroom.comments.names import product_names
from controlroom.paths import RESOURCES

KEYWORDS_DIR = RESOURCES / "comments"
LISTS = {"zh": "keywords_zh.txt", "en": "keywords_en.txt"}
KINDS = ("question", "complaint", "praise", "spam", "entry", "chatter")
QUESTION_TOPICS = ("size", "shade", "price", "shipping", "after_sales")
SHOP_TOPICS = frozenset({"shipping", "after_sales"})   # asked of the shop, not of the product on screen
COMPLAINT_TOPICS = ("quality", "shipping_slow", "fake", "refund", "price_up")
SHOWN_CHARS = 300           # what a screen or a journal line keeps of one comment

# C0/C1 controls and line/paragraph separators become a space; zero-width characters, bidi embeddings,
# overrides and isolates, and the BOM go (a "假\u200b货" is 假货: spammers and trolls split words with them)
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_INVISIBLE = re.compile("[\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]")
_SPACES = re.compile(r"\s+")
# Traditional -> Simplified for characters of everyday comments that the compliance folding (advertising
# claims) does not cover; one character to one, like it
_T = "貨幣褲碼運費時麼嗎錢還沒過爛問題顏適換買賣給讓為樣來請謝寶紅裝幾價優領單櫃長寬輕雙漂亮鞋襪貴圍蓋實際氣關註"
_S = "货币裤码运费时么吗钱还没过烂问题颜适换买卖给让为样来请谢宝红装几价优领单柜长宽轻双漂亮鞋袜贵围盖实际气关注"
_EXTRA_T2S = str.maketrans(_T, _S)


class KeywordsError(ValueError):
    """A keyword list cannot be read: names the file, the line and what is wrong."""


def plain_text(text: object, limit: int = SHOWN_CHARS) -> str:
    """A comment as a screen may show it: controls and bidi overrides out, runs of spaces as one, at most
    `limit` characters (cut with "…"). Markup is left as the characters it is: screens render plain text."""
    s = text if isinstance(text, str) else ("" if text is None else str(text))
    if len(s) > 4 * limit:
        s = s[:4 * limit]      # the rest cannot make it to the screen: do not pay for it
    s = _SPACES.sub(" ", _CONTROLS.sub(" ", _INVISIBLE.sub("", s))).strip()
    return s if len(s) <= limit else s[:limit - 1] + "…"


_LINKISH = re.compile(r"(?i)\b(https?|ftp)://|\bwww\.")
_MARKUP = str.maketrans({"[": "［", "]": "］", "(": "（", ")": "）", "<": "＜", ">": "＞", "`": "｀", "*": "＊",
                         "_": "＿", "#": "＃", "!": "！", "|": "｜"})


def defanged(text: str, limit: int = 80) -> str:
    """A viewer's words quoted in an alert that also goes to a group chat (markdown): links and markup made
    inert — "[领奖](http://x)" reads as "［领奖］（hxxp://x）", nothing a colleague can click or a chat renders."""
    s = plain_text(text, limit)
    s = _LINKISH.sub(lambda m: ("hxxp://" if m.group(1) and m.group(1).lower() != "ftp" else
                                "fxp://" if m.group(1) else "www[.]"), s)
    return s.translate(_MARKUP)


# ---- the word lists --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Keywords:
    """Compiled sections: name -> (pattern over folded text, the terms as written)."""
    sections: dict[str, re.Pattern]
    terms: dict[str, tuple[str, ...]]

    def match(self, section: str, folded: str) -> str | None:
        p = self.sections.get(section)
        if p is None:
            return None
        m = p.search(folded)
        return m.group(0) if m else None


def _term_regex(term: str, lang: str) -> str:
    if term.startswith("re:"):
        return f"(?:{term[3:]})"
    body = r"\s*".join(re.escape(p) for p in fold(term).split())
    if lang == "en":
        t = fold(term)
        left = r"(?<![a-z0-9])" if t[:1].isalnum() else ""
        right = r"(?![a-z0-9])" if t[-1:].isalnum() else ""
        return left + body + right
    return body


def load_keywords(directory: Path | str = KEYWORDS_DIR) -> Keywords:
    """Read every list in `directory` (missing files are skipped). Raises KeywordsError naming file and line."""
    directory = Path(directory)
    by_section: dict[str, list[str]] = {}
    for lang, name in LISTS.items():
        path = directory / name
        if not path.exists():
            continue
        try:
            lines = path.read_text(encoding="utf-8-sig").splitlines()
        except UnicodeDecodeError as e:
            raise KeywordsError(f"{path}: not UTF-8 text (byte {e.start})") from None
        section = None
        for n, raw in enumerate(lines, 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            line = re.split(r"\s+#\s", line, maxsplit=1)[0].strip()
            m = re.fullmatch(r"\[([a-z_]+(?:\.[a-z_]+)?)\]", line)
            if m:
                section = m.group(1)
                kind, _, topic = section.partition(".")
                if kind not in ("spam", "complaint", "question", "praise") or \
                        (kind == "complaint" and topic not in COMPLAINT_TOPICS) or \
                        (kind == "question" and topic and topic not in QUESTION_TOPICS) or \
                        (kind in ("spam", "praise") and topic):
                    raise KeywordsError(f"{path}, line {n}: unknown section [{section}]; known: [spam], [praise], "
                                        f"[question], [question.<{'|'.join(QUESTION_TOPICS)}>], "
                                        f"[complaint.<{'|'.join(COMPLAINT_TOPICS)}>]")
                continue
            if section is None:
                raise KeywordsError(f"{path}, line {n}: a term before any [section]: {line!r}")
            rx = _term_regex(line, lang)
            try:
                re.compile(rx)
            except re.error as e:
                raise KeywordsError(f"{path}, line {n}: bad regular expression {line!r}: {e}") from None
            by_section.setdefault(section, []).append(rx)
            by_section.setdefault("#terms:" + section, []).append(line)
    sections = {k: re.compile("|".join(sorted(set(v), key=len, reverse=True)))
                for k, v in by_section.items() if not k.startswith("#terms:")}
    terms = {k[len("#terms:"):]: tuple(v) for k, v in by_section.items() if k.startswith("#terms:")}
    return Keywords(sections, terms)


# ---- products named in a comment ----------------------------------------------------------------
class SkuMatcher:
    """Finds the SKU a comment names: its code, its Chinese name or head noun, or its link number "N号链接"
    (the product's place in the plan, as the shopping bag 小黄车 numbers them)."""

    def __init__(self, products: list[tuple[str, str]]):
        self.order = [sku for sku, _ in products]
        names = product_names(dict(products))
        codes: dict[str, str] = {}
        words: dict[str, str] = {}
        for sku, _title in products:
            if fold(sku):
                codes.setdefault(fold(sku), sku)
            for n in names.get(sku, ()):
                words.setdefault(fold(n), sku)
        self._by = {**words, **codes}

        def rx(alts, bounded):
            if not alts:
                return None
            body = "|".join(re.escape(a) for a in sorted(alts, key=len, reverse=True))
            return re.compile(rf"(?<![a-z0-9])(?:{body})(?![a-z0-9])" if bounded else body)
        self._codes = rx(codes, True)       # "lip-001" but not inside "xlip-0012"
        self._words = rx(words, False)      # Chinese names have no word boundaries
        self._link = re.compile(r"(\d{1,3})\s*号\s*链接|^\s*(\d{1,3})\s*号")

    def find(self, folded: str) -> str | None:
        m = self._link.search(folded)
        if m:
            i = int(m.group(1) or m.group(2)) - 1
            if 0 <= i < len(self.order):
                return self.order[i]
        for rx in (self._codes, self._words):
            m = rx.search(folded) if rx is not None else None
            if m:
                return self._by.get(m.group(0))
        return None


# ---- the classifier -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Reading:
    kind: str                 # question | complaint | praise | spam | entry | chatter
    topic: str = ""           # a question's or complaint's topic; "other" when none matched
    sku: str | None = None
    sku_inferred: bool = False   # not named: the product being explained when it was posted
    term: str = ""            # the word that decided it (shown in a tooltip: why this is a complaint)


class Classifier:
    def __init__(self, keywords: Keywords, products: list[tuple[str, str]]):
        self.keywords = keywords
        self.matcher = SkuMatcher(products)
        self.skus = set(self.matcher.order)

    def classify(self, text: str, *, sku: str | None = None, pinned: str | None = None,
                 passphrase: str | None = None, hints: tuple[str, ...] = ()) -> Reading:
        folded = fold(unicodedata.normalize("NFKC", text or "").translate(_EXTRA_T2S))
        if passphrase and folded.strip() == fold(unicodedata.normalize("NFKC", passphrase)).strip():
            return Reading("entry", "", None)
        named = sku if sku in self.skus else self.matcher.find(folded)
        k = self.keywords
        hit = k.match("spam", folded)
        if hit:
            return Reading("spam", "", named, term=hit)
        for topic in COMPLAINT_TOPICS:
            hit = k.match(f"complaint.{topic}", folded)
            if hit:
                return Reading("complaint", topic, named, term=hit)
        q_topic, q_hit = "", None
        for topic in QUESTION_TOPICS:
            q_hit = k.match(f"question.{topic}", folded)
            if q_hit:
                q_topic = topic
                break
        cue = k.match("question", folded)
        if cue or "question" in hints or (q_hit and not k.match("praise", folded)):
            about = named or (None if q_topic in SHOP_TOPICS else pinned)
            return Reading("question", q_topic or "other", about, named is None and about is not None,
                           term=q_hit or cue or "")
        hit = k.match("praise", folded)
        if hit:
            return Reading("praise", "", named, term=hit)
        return Reading("chatter", "", named)
