"""Banned-term check for cue texts, through the console's compliance module when it is there.

The console room owns the word list (controlroom.commerce.compliance.check_text). Until it lands, or
if it fails, a short built-in list of absolute terms (广告法) keeps the rundown from putting them on
the host's screen unflagged.
"""
from __future__ import annotations

import logging

log = logging.getLogger(__name__)

_FALLBACK_TERMS = ("全网最低价", "最低价", "最便宜", "最好", "最佳", "最强", "最高级", "第一", "国家级",
                   "世界级", "顶级", "极品", "立即美白", "万能", "100%有效", "绝对", "史无前例")


def banned_terms(text: str) -> list[str]:
    """The banned terms found in `text` (empty list when clean)."""
    if not text:
        return []
    try:
        from controlroom.commerce.compliance import check_text
    except ImportError:
        check_text = None
    if check_text is not None:
        try:
            return _terms_from(check_text(text))
        except Exception:  # a broken word list must not stop an import; fall back
            log.exception("compliance.check_text failed; using the built-in list")
    return [t for t in _FALLBACK_TERMS if t in text]


def _terms_from(result) -> list[str]:
    """check_text's result shape belongs to the console; accept the plausible ones."""
    if not result:
        return []
    if isinstance(result, str):
        return [result]
    if isinstance(result, dict):
        result = result.get("hits") or result.get("terms") or []
    for attr in ("hits", "terms", "violations", "matches"):
        if hasattr(result, attr) and not isinstance(result, (list, tuple)):
            result = getattr(result, attr)
            break
    if isinstance(result, (list, tuple, set)):
        out = []
        for r in result:
            if isinstance(r, str):
                out.append(r)
            else:
                out.append(str(getattr(r, "term", None) or getattr(r, "word", None) or r))
        return out
    if getattr(result, "ok", True) is False:
        return [str(result)]
    return []
