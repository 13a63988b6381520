"""Slack incoming webhook: POST {"text": fallback, "blocks": [...]} to
https://hooks.slack.com/services/T.../B.../XXX. Success is HTTP 200 with the body "ok"; failures
come as HTTP status codes with a short reason ("invalid_payload", "no_service", 429 + Retry-After)."""
from __future__ import annotations

from typing import Any

from .render import AlertView
from .webhook import WebhookSink

HEADER_MAX = 150        # characters, Slack's limit for a header block
SECTION_MAX = 3000


def _esc(s: str) -> str:
    # Slack mrkdwn control characters
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(s: str, n: int) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


class SlackSink(WebhookSink):
    kind = "slack"

    def payload(self, v: AlertView, alert) -> dict[str, Any]:
        mention = "<!channel> " if self.at_all_on_critical and v.severity == "critical" else ""
        section = "\n".join(f"*{_esc(label)}*: {_esc(value)}" for label, value in v.lines) or _esc(v.title)
        return {
            "text": _cut(mention + _esc(f"{v.heading} — {v.footer}"), SECTION_MAX),
            "blocks": [
                {"type": "header", "text": {"type": "plain_text", "text": _cut(v.heading, HEADER_MAX), "emoji": True}},
                {"type": "section", "text": {"type": "mrkdwn", "text": _cut(mention + section, SECTION_MAX)}},
                {"type": "context", "elements": [{"type": "mrkdwn", "text": _cut(_esc(v.footer), SECTION_MAX)}]},
            ],
        }

    def error_in(self, resp) -> str | None:
        text = (resp.text or "").strip()
        if text == "ok":
            return None
        data = self._json(resp)
        if isinstance(data, dict) and data.get("ok") is True:
            return None
        return f"unexpected answer (expected \"ok\"): {text[:100]!r}"
