"""Alerts as words for a group chat: a heading and labelled lines, in Chinese, English or both.

The alert's own title/detail/suggestion are shown as the raising room wrote them; the labels,
severity words and the number formatting are ours.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from controlroom.alerts import Alert

LANGUAGES = ("zh", "en", "both")

SEVERITY_WORDS = {"info": ("提示", "Info"), "warning": ("警告", "Warning"), "critical": ("严重", "Critical")}
SEVERITY_ICON = {"info": "🔵", "warning": "🟠", "critical": "🔴"}
LABELS = {
    "show": ("直播", "Show"),
    "detail": ("详情", "Detail"),
    "values": ("数据", "Values"),
    "suggestion": ("建议", "Suggestion"),
    "sku": ("商品", "SKU"),
    "source": ("来源", "Source"),
    "rule": ("规则", "Rule"),
    "time": ("时间", "Time"),
    "alert": ("告警", "Alert"),
}
SOURCE_WORDS = {"metrics": ("数据", "metrics"), "console": ("中控台", "console"),
                "stream": ("推流", "stream"), "rundown": ("流程", "run-of-show")}


def _pick(pair: tuple[str, str], lang: str) -> str:
    zh, en = pair
    if lang == "zh":
        return zh
    if lang == "en":
        return en
    return zh if zh == en else f"{zh} {en}"


def format_value(v: Any) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        if v != v or v in (float("inf"), float("-inf")):
            return str(v)
        if abs(v) >= 1e6:
            return f"{v:,.0f}"
        return f"{v:.4f}".rstrip("0").rstrip(".") or "0"
    if isinstance(v, int):
        return f"{v:,}" if abs(v) >= 10000 else str(v)
    return str(v)


@dataclass(frozen=True)
class AlertView:
    severity: str
    heading: str                      # "🔴 严重 Critical · 转化率过低"
    title: str
    severity_word: str
    lines: tuple[tuple[str, str], ...]  # (label, value), in reading order
    footer: str                       # source · rule · id · time

    def text(self) -> str:
        out = [self.heading]
        out += [f"{label}: {value}" for label, value in self.lines]
        out.append(self.footer)
        return "\n".join(out)


def view(alert: Alert, show_title: str, lang: str = "both", now: datetime | None = None) -> AlertView:
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {lang!r}")
    L = lambda key: _pick(LABELS[key], lang)  # noqa: E731
    sev_word = _pick(SEVERITY_WORDS.get(alert.severity, (alert.severity, alert.severity)), lang)
    lines: list[tuple[str, str]] = []
    if show_title:
        lines.append((L("show"), show_title))
    if alert.sku:
        lines.append((L("sku"), alert.sku))
    if alert.detail:
        lines.append((L("detail"), alert.detail))
    if alert.values:
        lines.append((L("values"), ", ".join(f"{k} = {format_value(v)}" for k, v in alert.values.items())))
    if alert.suggestion:
        lines.append((L("suggestion"), alert.suggestion))
    when = (now or datetime.now().astimezone()).strftime("%Y-%m-%d %H:%M:%S")
    src = _pick(SOURCE_WORDS[alert.source], lang) if alert.source in SOURCE_WORDS else alert.source
    bits = [f"{L('source')}: {src}" if src else "", f"{L('rule')}: {alert.rule}",
            alert.alert_id, f"{L('time')}: {when}"]
    return AlertView(alert.severity, f"{SEVERITY_ICON.get(alert.severity, '')} {sev_word} · {alert.title}".strip(),
                     alert.title, sev_word, tuple(lines), " · ".join(b for b in bits if b))


def truncate_utf8(text: str, max_bytes: int, ellipsis: str = "…") -> str:
    """Cut to at most max_bytes of UTF-8 without splitting a character (chat APIs count bytes)."""
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    room = max_bytes - len(ellipsis.encode("utf-8"))
    return data[:max(0, room)].decode("utf-8", errors="ignore") + ellipsis
