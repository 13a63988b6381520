"""Feishu 飞书 custom bot: POST {"msg_type": "text", "content": {"text"}} or
{"msg_type": "interactive", "card": {...}} to https://open.feishu.cn/open-apis/bot/v2/hook/ID.
With signature verification on, the body also carries "timestamp" (seconds, as a string) and
"sign" = base64(HMAC-SHA256(key="timestamp\\nsecret", msg="")). Success is `code == 0` (older
answers: `StatusCode == 0`); e.g. 19021 is a bad signature, 11232 sending too fast."""
from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any, Callable

from plugins.http_retry import register_secret

from .render import AlertView, truncate_utf8
from .webhook import WebhookSink

MAX_BYTES = 18000
BUSY = {11232}
TEMPLATE = {"info": "blue", "warning": "orange", "critical": "red"}


def feishu_sign(secret: str, timestamp_s: int) -> str:
    key = f"{timestamp_s}\n{secret}".encode("utf-8")
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode("ascii")


class FeishuSink(WebhookSink):
    kind = "feishu"

    def __init__(self, url: str, *, secret: str | None = None, msg_type: str = "interactive",
                 wall_time: Callable[[], float] = time.time, **kw):
        if msg_type not in ("interactive", "text"):
            raise ValueError(f"feishu msg_type must be interactive or text, got {msg_type!r}")
        super().__init__(url, **kw)
        register_secret(secret)
        self._secret = secret or None
        self.msg_type = msg_type
        self._wall_time = wall_time

    def payload(self, v: AlertView, alert) -> dict[str, Any]:
        if self.msg_type == "text":
            body: dict[str, Any] = {"msg_type": "text", "content": {"text": truncate_utf8(v.text(), MAX_BYTES)}}
        else:
            md = "\n".join(f"**{label}**: {value}" for label, value in v.lines) or v.title
            body = {"msg_type": "interactive", "card": {
                "config": {"wide_screen_mode": True},
                "header": {"title": {"tag": "plain_text", "content": truncate_utf8(v.heading, 300)},
                           "template": TEMPLATE.get(v.severity, "grey")},
                "elements": [
                    {"tag": "div", "text": {"tag": "lark_md", "content": truncate_utf8(md, MAX_BYTES)}},
                    {"tag": "note", "elements": [{"tag": "plain_text", "content": v.footer}]},
                ]}}
        if self._secret:
            ts = int(self._wall_time())
            body = {"timestamp": str(ts), "sign": feishu_sign(self._secret, ts), **body}
        return body

    def error_in(self, resp) -> str | None:
        data = self._json(resp)
        if not isinstance(data, dict):
            return f"unexpected answer (expected JSON with code): {resp.text[:100]!r}"
        code = data.get("code", data.get("StatusCode"))
        if code is None:
            return f"unexpected answer (expected code): {resp.text[:100]!r}"
        if code != 0:
            return f"code {code}: {data.get('msg', data.get('StatusMessage', ''))}"
        return None

    def busy(self, resp) -> bool:
        data = self._json(resp)
        return isinstance(data, dict) and data.get("code") in BUSY
