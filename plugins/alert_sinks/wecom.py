"""WeCom 企业微信 group robot: POST {"msgtype": "markdown"|"text", ...} to
https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY. The answer is HTTP 200 even on failure;
only `errcode == 0` means sent (45009: sending too fast)."""
from __future__ import annotations

from typing import Any

from .render import AlertView, truncate_utf8
from .webhook import ErrcodeSink

MARKDOWN_MAX_BYTES = 4096
TEXT_MAX_BYTES = 2048
BUSY = {45009}
COLOR = {"info": "info", "warning": "warning", "critical": "warning"}


class WeComSink(ErrcodeSink):
    BUSY = frozenset(BUSY)
    kind = "wecom"

    def __init__(self, url: str, *, msgtype: str = "markdown", **kw):
        if msgtype not in ("markdown", "text"):
            raise ValueError(f"wecom msgtype must be markdown or text, got {msgtype!r}")
        super().__init__(url, **kw)
        self.msgtype = msgtype

    def payload(self, v: AlertView, alert) -> dict[str, Any]:
        if self.msgtype == "text":
            body: dict[str, Any] = {"msgtype": "text",
                                    "text": {"content": truncate_utf8(v.text(), TEXT_MAX_BYTES)}}
            if self.at_all_on_critical and v.severity == "critical":
                body["text"]["mentioned_list"] = ["@all"]
            return body
        lines = [f"### {v.heading}"]
        lines += [f"> **{label}**: {value}" for label, value in v.lines]
        lines.append(f'<font color="comment">{v.footer}</font>')
        content = "\n".join(lines).replace(v.severity_word,
                                          f'<font color="{COLOR.get(v.severity, "comment")}">{v.severity_word}</font>', 1)
        return {"msgtype": "markdown", "markdown": {"content": truncate_utf8(content, MARKDOWN_MAX_BYTES)}}
