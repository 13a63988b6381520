"""Banned absolute terms (极限词) in titles and cue texts.

China's Advertising Law (第九条) forbids 国家级, 最高级, 最佳 and the like; platforms punish rooms
that say them. The word lists are plain text in resources/compliance/ so a compliance person can
edit them without a developer. Chinese terms match Simplified and Traditional alike: both the text
and the terms are folded to Simplified one character at a time, so positions stay those of the
original text.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path

from controlroom.paths import RESOURCES

COMPLIANCE_DIR = RESOURCES / "compliance"
LISTS = {"zh": "banned_zh.txt", "en": "banned_en.txt"}

# Traditional -> Simplified for the characters that occur in advertising claims. One char to one
# char, so offsets in the folded text are offsets in the original.
_T = "國級價網無證專體際業優極頂萬獨號銷軍領導薦選個見絕對藥風險後內測術療癒質純淨邊減肥臉膚髮潤嫩遲紋斑點號發書稱譽認獎臺台們這說話點"
_S = "国级价网无证专体际业优极顶万独号销军领导荐选个见绝对药风险后内测术疗愈质纯净边减肥脸肤发润嫩迟纹斑点号发书称誉认奖台台们这说话点"
_T2S = str.maketrans(_T, _S)
# full-width ASCII (Ｎｏ．１, １００％) -> ASCII, one char each
_FW = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FW[0x3000] = 0x20


@dataclass(frozen=True)
class Hit:
    term: str     # the term as written in the list
    lang: str     # "zh" | "en"
    start: int    # offset in the checked text
    end: int = 0  # offset just past the match

    @property
    def text_span(self) -> tuple[int, int]:
        return self.start, self.end


def fold(text: str) -> str:
    """Same length as text: full-width to ASCII, Traditional to Simplified, lower case."""
    s = text.translate(_FW).translate(_T2S)
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in s)


@dataclass
class _Compiled:
    lang: str
    pattern: re.Pattern
    terms: dict[str, str]   # folded -> as written
    allowed: re.Pattern | None


def _read_list(path: Path) -> tuple[list[str], list[str]]:
    terms, allowed = [], []
    for raw in path.read_text(encoding="utf-8-sig").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = re.split(r"\s+#\s", line, maxsplit=1)[0].strip()
        (allowed if line.startswith("!") else terms).append(line.lstrip("!").strip())
    return [t for t in terms if t], [a for a in allowed if a]


def _term_regex(term: str, lang: str) -> str:
    parts = [re.escape(p) for p in fold(term).split()]
    body = r"\s*".join(parts)
    if lang == "en":
        # whole words only ("best" is not in "bestow"), but a term ending in a symbol needs no boundary
        left = r"(?<![a-z0-9])" if fold(term)[0].isalnum() else ""
        right = r"(?![a-z0-9])" if fold(term)[-1].isalnum() else ""
        return left + body + right
    return body


class Checker:
    def __init__(self, directory: Path | str = COMPLIANCE_DIR):
        self.directory = Path(directory)
        self._compiled: list[_Compiled] = []
        self.reload()

    def reload(self) -> None:
        compiled = []
        for lang, name in LISTS.items():
            path = self.directory / name
            if not path.exists():
                continue
            terms, allowed = _read_list(path)
            by_fold: dict[str, str] = {}
            for t in terms:
                by_fold.setdefault(fold(t), t)
            if not by_fold:
                continue
            # longest first, so 全网最低价 is reported rather than the 最 inside it
            ordered = sorted(by_fold, key=len, reverse=True)
            pat = re.compile("|".join(f"(?P<t{i}>{_term_regex(by_fold[f], lang)})" for i, f in enumerate(ordered)))
            allow = re.compile("|".join(_term_regex(a, lang) for a in allowed)) if allowed else None
            compiled.append(_Compiled(lang, pat, {f"t{i}": by_fold[f] for i, f in enumerate(ordered)}, allow))
        self._compiled = compiled

    def check(self, text: str | None) -> list[Hit]:
        if not text:
            return []
        folded = fold(text)
        hits: list[Hit] = []
        for c in self._compiled:
            spans = [m.span() for m in c.allowed.finditer(folded)] if c.allowed else []
            for m in c.pattern.finditer(folded):
                if any(a <= m.start() and m.end() <= b for a, b in spans):
                    continue
                hits.append(Hit(c.terms[m.lastgroup], c.lang, m.start(), m.end()))
        hits.sort(key=lambda h: (h.start, h.lang))
        return hits


_default: Checker | None = None
_lock = threading.Lock()


def default_checker() -> Checker:
    global _default
    with _lock:
        if _default is None:
            _default = Checker()
        return _default


def check_text(text: str | None) -> list[Hit]:
    """Banned absolute terms in text, in order of position. Empty list when the text is clean."""
    return default_checker().check(text)


def reload() -> None:
    """Re-read the word lists (after someone edited them)."""
    default_checker().reload()


def describe(hits: list[Hit]) -> str:
    return ", ".join(f"“{h.term}”" for h in hits)
