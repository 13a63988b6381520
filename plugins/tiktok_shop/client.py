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

A write is never re-sent by this layer after it may have reached the shop (no answer, an internal
error after the request was read): those surface as PlatformTimeout / PlatformUnavailable with
`maybe_applied = True`, and the adapter's write ledger decides what a retry does.
"""
from __future__ import annotations

import json
import logging
import random
import threading
import time
from decimal import Decimal
from typing import Any, Callable

import requests

from controlroom.platform import PlatformError, PlatformRateLimited, PlatformTimeout, PlatformUnavailable
from plugins.http_retry import RetryPolicy, RetryTrace, redact, register_secret, request_with_retry

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


def _flag(exc: PlatformError, maybe_applied: bool, code: int | None = None) -> PlatformError:
    exc.maybe_applied = maybe_applied  # type: ignore[attr-defined]
    exc.code = code                    # type: ignore[attr-defined]
    return exc


class TikTokClient:
    def __init__(self, cfg: TikTokShopConfig, app_secret: str, access_token: str, *,
                 sleep: Callable[[float], None] = time.sleep, wall: Callable[[], float] = time.time,
                 monotonic: Callable[[], float] = time.monotonic, rng: random.Random | None = None,
                 session_factory: Callable[[], requests.Session] = requests.Session):
        self.cfg = cfg
        self._secret = app_secret
        self._token = access_token
        register_secret(app_secret)
        register_secret(access_token)
        self._sleep, self._wall, self._mono = sleep, wall, monotonic
        self._rng = rng or random.Random()
        self._session_factory = session_factory
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()
        self._next_slot: dict[str, float] = {}
        self.shop_cipher = cfg.shop_cipher
        self.last_trace = RetryTrace()
        base = dict(max_attempts=cfg.max_attempts, backoff_base=cfg.backoff_base, backoff_max=cfg.backoff_max,
                    budget=cfg.retry_budget, jitter=cfg.jitter)
        self._read_policy = RetryPolicy(**base, retry_on_timeout=True)
        # A write is re-sent only when the shop surely did not take it: throttled (429) or shedding
        # load before reading the request (503). A 500 or a lost answer may follow an applied write.
        self._write_policy = RetryPolicy(**base, retry_on_timeout=False, retry_statuses=frozenset({429, 503}))

    def __repr__(self) -> str:  # never the secret or the token
        return f"TikTokClient(app_key={self.cfg.app_key!r}, base_url={self.cfg.base_url!r})"

    # ---- plumbing -------------------------------------------------------------------------------
    def _session(self) -> requests.Session:
        s = getattr(self._local, "session", None)
        if s is None:
            s = self._session_factory()
            self._local.session = s
            with self._lock:
                self._sessions.append(s)
        return s

    def close(self) -> None:
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for s in sessions:
            s.close()

    def _pace(self, api: str) -> None:
        """Keep each API under `qps` calls per second (the platform counts per API)."""
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
        trace = RetryTrace()
        policy = self._write_policy if write else self._read_policy

        def busy(resp: requests.Response):
            # a throttling or internal-error code in a 2xx body: reads retry both, writes only throttling
            try:
                code = resp.json().get("code")
            except (ValueError, AttributeError):
                return None
            if code == RATE_LIMITED:
                return True
            return (not write) and code in INTERNAL

        try:
            resp = request_with_retry(self._session(), method, self.cfg.base_url.rstrip("/") + path,
                                      policy=policy, timeout=(self.cfg.connect_timeout, self.cfg.read_timeout),
                                      label=what, retry_if=busy, sleep=self._sleep, monotonic=self._mono,
                                      rng=self._rng, trace=trace, params=q, data=raw or None, headers=headers)
        except requests.exceptions.ConnectTimeout:
            self.last_trace = trace
            raise _flag(PlatformUnavailable(f"{what}: could not connect within {self.cfg.connect_timeout:g} s "
                                            f"({trace.attempts} attempts)"), False) from None
        except requests.exceptions.Timeout:
            self.last_trace = trace
            hint = " — it may have been applied; retry with the same idempotency key" if write else ""
            raise _flag(PlatformTimeout(f"{what}: no answer within {self.cfg.read_timeout:g} s "
                                        f"({trace.attempts} attempts){hint}"), write) from None
        except requests.exceptions.ConnectionError as e:
            self.last_trace = trace
            refused = "refused" in str(e).lower()
            # a connection lost after the request went out may follow an applied write
            raise _flag(PlatformUnavailable(f"{what}: {'connection refused' if refused else 'connection lost'} "
                                            f"({trace.attempts} attempts)"), write and not refused) from None
        except requests.exceptions.RequestException as e:
            self.last_trace = trace
            raise _flag(PlatformUnavailable(f"{what}: {redact(type(e).__name__)}"), write) from None
        self.last_trace = trace
        try:
            return self._answer(resp, what, trace, write)
        finally:
            resp.close()

    def _answer(self, resp: requests.Response, what: str, trace: RetryTrace, write: bool) -> Any:
        status = resp.status_code
        try:
            payload = resp.json(parse_float=Decimal)
        except ValueError:
            payload = None
        code = payload.get("code") if isinstance(payload, dict) else None
        message = redact(str(payload.get("message", "")))[:300] if isinstance(payload, dict) else ""
        rid = payload.get("request_id", "") if isinstance(payload, dict) else ""
        tail = f" [code {code}] {message}" + (f" (request_id {rid})" if rid else "") if code is not None else ""
        if status == 429 or code == RATE_LIMITED:
            wait = trace.retry_after if trace.retry_after else max(self.cfg.backoff_max, 1.0 / self.cfg.qps)
            raise _flag(PlatformRateLimited(f"{what}: rate limited (HTTP {status}, {trace.attempts} attempts)"
                                            f"{tail}", wait), False, code)
        if code in REQUEST_TIMEOUT:
            raise _flag(PlatformTimeout(f"{what}: the platform timed out{tail}"), write, code)
        if status >= 500 or code in INTERNAL:
            # 503 is load shedding before the request is handled (Rate limits page); anything else on a
            # write may have been applied
            raise _flag(PlatformUnavailable(f"{what}: platform error HTTP {status} ({trace.attempts} attempts)"
                                            f"{tail or ' ' + redact(resp.text[:200])}"),
                        write and status != 503, code)
        if code in CREDENTIALS:
            raise TikTokError(f"{what}: {CREDENTIALS[code]}{tail}", code)
        if not isinstance(payload, dict) or code is None:
            raise _flag(PlatformUnavailable(f"{what}: HTTP {status} with an unreadable body "
                                            f"{redact(resp.text[:120])!r}"), write and status < 400)
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
