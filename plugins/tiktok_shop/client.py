"""One signed call to the TikTok Shop Partner API, its retries, its pacing and its errors.

Wire facts, from the Partner Center docs (partner.tiktokshop.com/docv2):
  - host open-api.tiktokglobalshop.com; the API version is part of the path (/product/202309/...);
  - common query parameters app_key, timestamp, sign, and shop_cipher for shop APIs
    (Get Authorized Shops gives the cipher); the seller token goes in the `x-tts-access-token` header;
  - every answer is {"code": 0 | <error>, "message", "request_id", "data"}; code 0 is success
    ("Common errors" page);
  - rate limits ("Rate limits" page): 50 QPS per API per app and shop; over it HTTP 429
    (code 36009002 "Too many requests"); HTTP 503 is the platform shedding load;
  - common error codes ("Common errors" page): 36009003 internal error (try again), 36009007 request
    timeout, 106001 invalid sign, 36009004 invalid/missing credentials or timestamp, 105002 expired
    token, 105005 scope missing, 106013 shop_cipher missing, 36009033 IP not allowed.

HTTP goes through plugins.shop_common.transport (over plugins.http_retry): a write is never re-sent
after it may have reached the shop (no answer, a 5xx, an internal-error code); it surfaces as
PlatformTimeout / PlatformUnavailable and the adapter's idempotency ledger reads the shop before a
retry sends it again.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from decimal import Decimal
from typing import Any, Callable

import requests

from controlroom.platform import PlatformError, PlatformRateLimited, PlatformTimeout, PlatformUnavailable
from plugins.http_retry import redact
from plugins.shop_common.transport import ShopTransport

from .config import TikTokShopConfig
from .signing import sign

log = logging.getLogger(__name__)

OK = 0
RATE_LIMITED = 36009002
INTERNAL = frozenset({36009003, 17027107})      # "Internal error. Please try again."
REQUEST_TIMEOUT = frozenset({36009007, 17029055})
CREDENTIALS = {106001: "the request signature was refused (check the app secret)",
               36009004: "the credentials were refused (app key, access token or clock)",
               105002: "the access token has expired: renew it and store the new one",
               105005: "the app or token lacks the API scope for this call",
               101000: "the access token does not belong to this shop",
               106013: "the shop_cipher is missing",
               36009033: "this machine's IP address is not on the app's allow list"}


class TikTokError(PlatformError):
    """A refusal from TikTok Shop, with the platform's own code (never retried as is)."""

    retryable = False

    def __init__(self, message: str, code: int | None = None):
        super().__init__(message)
        self.code = code


class TikTokClient:
    def __init__(self, cfg: TikTokShopConfig, app_secret: str, access_token: str, transport: ShopTransport, *,
                 sleep: Callable[[float], None] = time.sleep, wall: Callable[[], float] = time.time,
                 monotonic: Callable[[], float] = time.monotonic):
        self.cfg = cfg
        self._secret = app_secret
        self._token = access_token
        self.transport = transport
        self._sleep, self._wall, self._mono = sleep, wall, monotonic
        self._lock = threading.Lock()
        self._next_slot: dict[str, float] = {}
        self.shop_cipher = cfg.shop_cipher

    def __repr__(self) -> str:  # never the secret or the token
        return f"TikTokClient(app_key={self.cfg.app_key!r}, base_url={self.cfg.base_url!r})"

    def _pace(self, api: str) -> None:
        """Keep each API under `qps` calls per second (the platform counts per API, app and shop)."""
        gap = 1.0 / self.cfg.qps
        with self._lock:
            now = self._mono()
            slot = max(now, self._next_slot.get(api, now))
            self._next_slot[api] = slot + gap
        if slot > now:
            self._sleep(slot - now)

    # ---- one call -------------------------------------------------------------------------------
    def call(self, method: str, path: str, *, api: str | None = None, query: dict[str, Any] | None = None,
             body: Any = None, write: bool = False, shop: bool = True, label: str = "") -> Any:
        """Send one signed request and return its `data`. `api` names the path template for pacing
        and messages (e.g. "/product/202309/products/{product_id}")."""
        api = api or path
        what = f"TikTok Shop {label or api}"
        q: dict[str, Any] = {k: v for k, v in (query or {}).items() if v is not None}
        q["app_key"] = self.cfg.app_key
        q["timestamp"] = int(self._wall())
        if shop:
            q["shop_cipher"] = self.shop_cipher
        raw = b"" if body is None else json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        q["sign"] = sign(self._secret, path, q, raw)
        headers = {"content-type": "application/json", "x-tts-access-token": self._token,
                   "accept": "application/json"}
        self._pace(api)

        def busy(resp: requests.Response):
            # a throttling or internal-error code in the body: reads retry both, writes only throttling
            try:
                code = resp.json().get("code")
            except (ValueError, AttributeError, RecursionError):
                return None
            if code == RATE_LIMITED:
                return True
            return (not write) and code in INTERNAL

        resp = self.transport.send(method, self.cfg.base_url.rstrip("/") + path, label=what, write=write,
                                   retry_if=busy, params=q, data=raw or None, headers=headers)
        return self._answer(resp, what, write)

    def _answer(self, resp: requests.Response, what: str, write: bool) -> Any:
        status = resp.status_code
        try:
            payload = json.loads(resp.content.decode("utf-8"), parse_float=Decimal)
        except (ValueError, UnicodeDecodeError, RecursionError):   # RecursionError: '[[[[…' nested too deep
            payload = None
        code = payload.get("code") if isinstance(payload, dict) else None
        message = redact(str(payload.get("message", "")))[:300] if isinstance(payload, dict) else ""
        rid = payload.get("request_id", "") if isinstance(payload, dict) else ""
        tail = f" [code {code}] {message}" + (f" (request_id {rid})" if rid else "") if code is not None else ""
        trace = self.transport.last_trace
        if status == 429 or code == RATE_LIMITED:
            wait = trace.retry_after if trace.retry_after else max(self.cfg.backoff_max, 1.0 / self.cfg.qps)
            raise PlatformRateLimited(f"{what}: rate limited (HTTP {status}, {trace.attempts} attempts){tail}", wait)
        if code in REQUEST_TIMEOUT:
            raise PlatformTimeout(f"{what}: the platform timed out{tail}")
        if status >= 500 or code in INTERNAL:
            detail = tail or " " + redact(resp.text[:200])
            raise PlatformUnavailable(f"{what}: platform error HTTP {status} ({trace.attempts} attempts){detail}")
        if code in CREDENTIALS:
            raise TikTokError(f"{what}: {CREDENTIALS[code]}{tail}", code)
        if not isinstance(payload, dict) or code is None:
            raise PlatformUnavailable(f"{what}: HTTP {status} with an unreadable body {redact(resp.text[:120])!r}")
        if code != OK:
            raise TikTokError(f"{what}: refused{tail}", code)
        if status >= 400:
            raise TikTokError(f"{what}: HTTP {status}{tail}", code)
        return payload.get("data")

    # ---- the shop -------------------------------------------------------------------------------
    def authorized_shops(self) -> list[dict]:
        """Get Authorized Shops (/authorization/202309/shops): the shops this app may act for."""
        data = self.call("GET", "/authorization/202309/shops", shop=False, label="Get Authorized Shops")
        shops = (data or {}).get("shops") if isinstance(data, dict) else None
        if not isinstance(shops, list):
            raise TikTokError("TikTok Shop Get Authorized Shops: the answer has no shop list")
        return shops

    def ensure_shop(self) -> None:
        if self.shop_cipher:
            return
        shops = self.authorized_shops()
        if len(shops) != 1:
            names = ", ".join(f"{s.get('name')} ({s.get('region')}): {s.get('cipher')}" for s in shops) or "none"
            raise TikTokError(f"TikTok Shop: the app is authorised for {len(shops)} shops; set shop_cipher in "
                              f"[platform.tiktok_shop] to one of: {names}")
        self.shop_cipher = str(shops[0].get("cipher") or "")
        if not self.shop_cipher:
            raise TikTokError("TikTok Shop Get Authorized Shops: the shop has no cipher")
