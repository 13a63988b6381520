"""One signed call to the 抖店 open platform, and its answer mapped onto the Platform port.

    POST {base_url}/sku/editPrice?app_key=..&method=sku.editPrice&timestamp=..&v=2&sign=..
                                 &sign_method=hmac-sha256&access_token=..
    body: param_json (the same canonical string that was signed)

(request layout: the official Go SDK, core/doudian_op_api_client.go). Timestamps are Unix seconds,
as that SDK sends them; the doc allows 10 minutes of clock difference.
"""
from __future__ import annotations

import logging
import time
from typing import Any, Callable

import requests

from controlroom.platform import PlatformError, PlatformUnavailable
from plugins.http_retry import redact
from plugins.shop_common.tokens import Grant, TokenKeeper
from plugins.shop_common.transport import ShopProtocolError, ShopTransport, retry_on_code

from . import errors
from .config import DouyinConfig
from .signing import param_json, path_of, sign

log = logging.getLogger(__name__)


class DouyinError(PlatformError):
    """抖店 refused a call (a code it will repeat). `code`, `sub_code` and `log_id` as it answered."""

    def __init__(self, message: str, code: Any = None, sub_code: str = "", log_id: str = ""):
        super().__init__(message)
        self.code, self.sub_code, self.log_id = code, sub_code, log_id


class DouyinUnavailable(PlatformUnavailable):
    def __init__(self, message: str, code: Any = None, sub_code: str = "", log_id: str = ""):
        super().__init__(message)
        self.code, self.sub_code, self.log_id = code, sub_code, log_id


class DouyinClient:
    def __init__(self, cfg: DouyinConfig, app_secret: str, transport: ShopTransport, tokens_clock,
                 *, refresh_token: str | None = None, wall: Callable[[], float] = time.time,
                 save_refresh_token: Callable[[str], None] | None = None):
        self.cfg = cfg
        self._secret = app_secret
        self.transport = transport
        self._wall = wall
        self._initial_refresh = refresh_token
        self._save_refresh = save_refresh_token
        self.tokens = TokenKeeper("抖店", self._grant, tokens_clock, margin=cfg.token_refresh_margin)

    # ---- tokens (token.create / token.refresh; source: Go SDK core/access_token_builder.go) --------
    def _grant(self, refresh_token: str | None) -> Grant:
        if refresh_token is None and self.cfg.grant == "refresh_token":
            refresh_token = self._initial_refresh
        if refresh_token is not None:
            data = self.call("token.refresh", {"grant_type": "refresh_token", "refresh_token": refresh_token},
                             write=False, token=False)
        else:
            data = self.call("token.create", {"code": "", "grant_type": "authorization_self",
                                              "shop_id": int(self.cfg.shop_id)}, write=False, token=False)
        access, expires, refresh = data.get("access_token"), data.get("expires_in"), data.get("refresh_token")
        if not isinstance(access, str) or not isinstance(expires, int) or isinstance(expires, bool):
            raise ShopProtocolError("抖店 token: the answer has no access_token / expires_in")
        if refresh and self._save_refresh and self.cfg.grant == "refresh_token":
            self._save_refresh(refresh)
        return Grant(access, expires, refresh if isinstance(refresh, str) else None)

    # ---- one call ------------------------------------------------------------------------------
    def call(self, method: str, params: dict[str, Any], *, write: bool, token: bool = True) -> Any:
        """`data` of a successful answer. Raises the port's errors (see errors.py for the mapping)."""
        label = f"抖店 {method}"
        body = param_json(params)
        for attempt in (1, 2):
            access = self.tokens.get() if token else None
            ts = str(int(self._wall()))
            query = {"app_key": self.cfg.app_key, "method": method, "timestamp": ts, "v": "2",
                     "sign": sign(self.cfg.app_key, self._secret, method, body, ts, self.cfg.sign_method),
                     "sign_method": self.cfg.sign_method}
            if access is not None:
                query["access_token"] = access
            resp = self.transport.send("POST", self.cfg.base_url.rstrip("/") + path_of(method), label=label,
                                       write=write, retry_if=self._retry_if(write), params=query,
                                       data=body.encode("utf-8"),
                                       headers={"Content-Type": "application/json;charset=UTF-8",
                                                "Accept": "application/json"})
            answer = self._answer(resp, label)
            code, sub = answer.get("code"), str(answer.get("sub_code") or "")
            if code == errors.SUCCESS:
                return answer.get("data")
            if token and errors.token_expired(code, sub) and attempt == 1:
                log.info("%s: access token expired or unknown (%s); renewing it and sending once more", label, sub)
                self.tokens.invalidate(access)
                continue
            raise self._error(label, answer, write)
        raise AssertionError("unreachable")

    def _answer(self, resp: requests.Response, label: str) -> dict[str, Any]:
        """The JSON answer; an HTTP error status without 抖店's own body becomes the port's error for it."""
        http_err = self.transport.http_error(resp, label)
        try:
            answer = self.transport.json_body(resp, label)
        except ShopProtocolError:
            if http_err is not None:
                raise http_err from None
            raise
        if "code" not in answer:
            if http_err is not None:
                raise http_err
            raise ShopProtocolError(f"{label}: the answer has no 'code' field")
        return answer

    def _retry_if(self, write: bool):
        return retry_on_code("code", throttled=(errors.THROTTLED,), busy=errors.RETRY_LATER,
                             throttle_wait=self.cfg.throttle_wait, write=write)

    def _error(self, label: str, answer: dict[str, Any], write: bool) -> PlatformError:
        code = answer.get("code")
        sub = str(answer.get("sub_code") or "")
        log_id = str(answer.get("log_id") or "")
        said = redact(" ".join(str(x) for x in (answer.get("msg"), answer.get("sub_msg")) if x))[:300]
        what = f"{label}: [{code}{' ' + sub if sub else ''}] {said}" + (f" (log_id {log_id})" if log_id else "")
        transient = self.transport.transient_error(
            what, code, throttled=(errors.THROTTLED,), busy=errors.RETRY_LATER, throttle_wait=self.cfg.throttle_wait,
            write=write, unavailable=lambda message: DouyinUnavailable(message, code, sub, log_id))
        if transient is not None:
            return transient
        if code == errors.PERMISSION:
            return DouyinError(f"{what} — the app lacks the permission or the shop's authorization; "
                               "grant it in 抖店开放平台", code, sub, log_id)
        if code == errors.TOKEN_FAILED:
            return DouyinError(f"{what} — the app key, app secret or shop_id is wrong", code, sub, log_id)
        return DouyinError(what, code, sub, log_id)
