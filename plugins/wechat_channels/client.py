"""One call to the 微信小店 API, and its errcode answer mapped onto the Platform port.

    GET  {base_url}/cgi-bin/token?grant_type=client_credential&appid=..&secret=..
         -> {"access_token", "expires_in": 7200}        (doc: channels/API/basics/getaccesstoken.html)
    POST {base_url}/channels/ec/...?access_token=..     JSON body -> {"errcode", "errmsg", ...}

The AppSecret and the token travel in query strings, as documented; both are registered with the
redaction filter, so urllib3's request lines (DEBUG) are masked and no message we compose names them.
"""
from __future__ import annotations

import json
import logging
from typing import Any

import requests

from controlroom.platform import PlatformError, PlatformUnavailable
from plugins.http_retry import redact
from plugins.shop_common.tokens import Grant, TokenKeeper
from plugins.shop_common.transport import ShopProtocolError, ShopTransport, retry_on_code

from . import errors
from .config import WechatChannelsConfig

log = logging.getLogger(__name__)


class WechatError(PlatformError):
    """微信 refused a call (an errcode it will repeat)."""

    def __init__(self, message: str, errcode: Any = None):
        super().__init__(message)
        self.errcode = errcode


class WechatUnavailable(PlatformUnavailable):
    def __init__(self, message: str, errcode: Any = None):
        super().__init__(message)
        self.errcode = errcode


class WechatClient:
    def __init__(self, cfg: WechatChannelsConfig, app_secret: str, transport: ShopTransport, clock):
        self.cfg = cfg
        self._secret = app_secret
        self.transport = transport
        self.tokens = TokenKeeper("微信小店", self._grant, clock, margin=cfg.token_refresh_margin)

    def _grant(self, refresh_token: str | None) -> Grant:
        label = "微信小店 token"
        resp = self.transport.send("GET", self.cfg.base_url.rstrip("/") + "/cgi-bin/token", label=label,
                                   write=False, retry_if=self._retry_if(False),
                                   params={"grant_type": "client_credential", "appid": self.cfg.appid,
                                           "secret": self._secret})
        answer = self._answer(resp, label)
        code = answer.get("errcode", 0)
        if code not in (0, None):
            if code in errors.CREDENTIALS:
                raise WechatError(f"{label}: [{code}] {self._said(answer)} — the AppID or AppSecret is wrong, "
                                  "or this machine's IP is not on the 小店's API whitelist", code)
            raise self._error(label, answer, write=False)
        access, expires = answer.get("access_token"), answer.get("expires_in")
        if not isinstance(access, str) or isinstance(expires, bool) or not isinstance(expires, int):
            raise ShopProtocolError(f"{label}: the answer has no access_token / expires_in")
        return Grant(access, expires)

    def call(self, path: str, body: dict[str, Any], *, write: bool) -> dict[str, Any]:
        """The answer of a successful call (errcode 0). Raises the port's errors (see errors.py)."""
        label = f"微信小店 {path.removeprefix('/channels/ec/')}"
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        for attempt in (1, 2):
            token = self.tokens.get()
            resp = self.transport.send("POST", self.cfg.base_url.rstrip("/") + path, label=label, write=write,
                                       retry_if=self._retry_if(write), params={"access_token": token}, data=data,
                                       headers={"Content-Type": "application/json", "Accept": "application/json"})
            answer = self._answer(resp, label)
            code = answer.get("errcode", 0)
            if code in (0, None):
                return answer
            if code in errors.TOKEN_INVALID and attempt == 1:
                log.info("%s: access token expired or invalid (%s); renewing it and sending once more", label, code)
                self.tokens.invalidate(token)
                continue
            raise self._error(label, answer, write)
        raise AssertionError("unreachable")

    def _answer(self, resp: requests.Response, label: str) -> dict[str, Any]:
        http_err = self.transport.http_error(resp, label)
        if http_err is not None:
            raise http_err
        return self.transport.json_body(resp, label)

    def _retry_if(self, write: bool):
        return retry_on_code("errcode", throttled=errors.THROTTLED, busy=(errors.BUSY,),
                             throttle_wait=self.cfg.throttle_wait, write=write)

    @staticmethod
    def _said(answer: dict[str, Any]) -> str:
        return redact(str(answer.get("errmsg") or ""))[:300]

    def _error(self, label: str, answer: dict[str, Any], write: bool) -> PlatformError:
        code = answer.get("errcode")
        what = f"{label}: [{code}] {self._said(answer)}"
        transient = self.transport.transient_error(
            what, code, throttled=errors.THROTTLED, busy=(errors.BUSY,), throttle_wait=self.cfg.throttle_wait,
            write=write, unavailable=lambda message: WechatUnavailable(message, code))
        if transient is not None:
            return transient
        if code == errors.DAILY_QUOTA:
            return WechatError(f"{what} — the 小店's daily API quota is spent; it resets at midnight", code)
        return WechatError(what, code)
