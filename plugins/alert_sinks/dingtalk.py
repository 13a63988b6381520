"""DingTalk 钉钉 custom robot: POST {"msgtype": "markdown", "markdown": {"title", "text"}, "at"} to
https://oapi.dingtalk.com/robot/send?access_token=TOKEN. With 加签 (signing) on, add the query
parameters `timestamp` (ms) and `sign` = urlencode(base64(HMAC-SHA256(key=secret,
msg="timestamp\\nsecret"))). HTTP 200 even on failure: only `errcode == 0` means sent
(130101: sending too fast; 310000: signature, keyword or IP check failed)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any, Callable

from plugins.http_retry import register_secret

from .render import AlertView, truncate_utf8
from .webhook import ErrcodeSink

TEXT_MAX_BYTES = 18000
BUSY = {130101}


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """base64 of the HMAC (not yet URL-encoded: requests encodes query values, + / = included)."""
    string_to_sign = f"{timestamp_ms}\n{secret}".encode("utf-8")
    digest = hmac.new(secret.encode("utf-8"), string_to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


class DingTalkSink(ErrcodeSink):
    BUSY = frozenset(BUSY)
    kind = "dingtalk"

    def __init__(self, url: str, *, secret: str | None = None, msgtype: str = "markdown",
                 wall_time: Callable[[], float] = time.time, **kw):
        if msgtype not in ("markdown", "text"):
            raise ValueError(f"dingtalk msgtype must be markdown or text, got {msgtype!r}")
        super().__init__(url, **kw)
        register_secret(secret)
        self._secret = secret or None
        self.msgtype = msgtype
        self._wall_time = wall_time

    def query_params(self) -> dict[str, str] | None:
        if not self._secret:
            return None
        ts = int(round(self._wall_time() * 1000))
        return {"timestamp": str(ts), "sign": dingtalk_sign(self._secret, ts)}

    def payload(self, v: AlertView, alert) -> dict[str, Any]:
        at = {"isAtAll": bool(self.at_all_on_critical and v.severity == "critical")}
        if self.msgtype == "text":
            return {"msgtype": "text", "text": {"content": truncate_utf8(v.text(), TEXT_MAX_BYTES)}, "at": at}
        # DingTalk markdown needs a blank line to break lines
        parts = [f"#### {v.heading}"] + [f"**{label}**: {value}" for label, value in v.lines] + [f"> {v.footer}"]
        return {"msgtype": "markdown",
                "markdown": {"title": truncate_utf8(v.heading, 200),
                             "text": truncate_utf8("\n\n".join(parts), TEXT_MAX_BYTES)},
                "at": at}
