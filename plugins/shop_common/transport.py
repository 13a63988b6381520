"""One HTTP exchange with a real shop, over plugins.http_retry (the one retry owner), mapped onto the
Platform port's errors.

What may be resent automatically depends on whether the shop could have applied the request:
  - reads: every transient failure is retried (timeouts, 5xx, connection errors, 429, and the
    shop's own "busy"/"throttled" answers the adapter names in `retry_if`);
  - writes: only what certainly did NOT reach the shop's logic is resent (no connection, 429, a
    throttled or expired-token answer). A timeout, a 5xx or a "system error" answer may come after
    the write landed: it is raised (PlatformTimeout / PlatformUnavailable, retryable) and the
    caller's retry with the same idempotency key reconciles through the ledger (read first, send
    only if it did not land) instead of blindly sending it twice.

Inside the console's action deadline (controlroom.platform.deadline) every attempt, wait and retry is
cut to what is left of it (http_retry's `deadline`); with no time left nothing is sent.

Nothing here puts a URL into a message: request lines carry access tokens in the query
(抖店 access_token, 微信 access_token), so errors name the operation (`label`) only.
"""
from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass
from typing import Any, Callable, Container
from urllib.parse import urlsplit

import requests

from controlroom.platform import PlatformError, PlatformRateLimited, PlatformTimeout, PlatformUnavailable, time_left
from plugins.http_retry import (AnswerLost, AnswerUnreadable, RetryPolicy, RetryTrace, SessionPool, redact,
                                request_with_retry)

RetryIf = Callable[[requests.Response], "float | bool | None"]


def retry_on_code(field: str, *, throttled: Container, busy: Container, throttle_wait: float, write: bool) -> RetryIf:
    """`retry_if` for a shop that answers HTTP 200 with its own code in `field`: a throttled answer is
    waited out and resent (refused at the door, nothing applied: writes too); a busy one is resent only
    for reads (a write may have landed: the adapter reads before sending again)."""
    def retry_if(resp: requests.Response) -> float | bool | None:
        try:
            code = resp.json().get(field)
        except (ValueError, AttributeError, RecursionError):
            return None
        if code in throttled:
            return throttle_wait
        if code in busy and not write:
            return True
        return None
    return retry_if


class _SentThenLost:
    """A session stand-in for writes: a connection that dropped AFTER the request went out (reset,
    "Connection aborted", remote closed without an answer) is no answer, like a read timeout — the
    write may have landed — so it must not be resent blindly. http_retry resends ConnectionErrors
    (right for a connection that never opened); this turns the sent-then-lost kind into a Timeout,
    which the write policy does not resend."""

    def __init__(self, session: requests.Session):
        self._session = session

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        try:
            return self._session.request(*args, **kwargs)
        except requests.exceptions.ConnectionError as e:
            if isinstance(e, requests.exceptions.ConnectTimeout):
                raise
            text = repr(e.args[0]) if e.args else ""
            if any(w in text for w in ("aborted", "RemoteDisconnected", "reset by peer", "BrokenPipe")):
                raise requests.exceptions.ReadTimeout("connection lost after the request was sent") from None
            raise


class ShopProtocolError(PlatformError):
    """The shop answered with something we cannot read (not JSON, a missing or odd field). On a write
    the shop did answer, so it may have applied it: ShopAdapter._write (and `answered`) say so."""


def answered(err: PlatformError, write: bool) -> PlatformError:
    """A write the shop answered with something unreadable, or a redirect, may still have been applied:
    the caller reads it back instead of calling it refused."""
    if write:
        err.may_have_applied = True
    return err


def origin(url: str) -> str:
    """scheme://host:port of a URL — never its path or query (they may carry tokens)."""
    parts = urlsplit(url or "")
    if not parts.netloc:
        return "an address it did not name" if not url else "a relative address"
    return f"{parts.scheme or 'http'}://{parts.hostname or '?'}" + (f":{parts.port}" if parts.port else "")


@dataclass(frozen=True)
class Timing:
    connect_timeout: float = 3.0
    read_timeout: float = 5.0
    max_attempts: int = 4
    backoff_base: float = 0.25
    backoff_max: float = 2.0
    retry_budget: float = 6.0     # s: inside the console's 10 s decision-to-live SOP
    jitter: float = 0.5


class ShopTransport:
    def __init__(self, name: str, timing: Timing, *, sleep: Callable[[float], None] = time.sleep,
                 rng: random.Random | None = None,
                 session_factory: Callable[[], requests.Session] = requests.Session):
        self.name = name
        self.timing = timing
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._sessions = SessionPool(session_factory)
        base = dict(max_attempts=timing.max_attempts, backoff_base=timing.backoff_base,
                    backoff_max=timing.backoff_max, budget=timing.retry_budget, jitter=timing.jitter)
        self.read_policy = RetryPolicy(**base, retry_on_timeout=True)
        self.write_policy = RetryPolicy(**base, retry_on_timeout=False, retry_statuses=frozenset({429}))
        self.last_trace = RetryTrace()

    def close(self) -> None:
        self._sessions.close()

    def send(self, method: str, url: str, *, label: str, write: bool, retry_if: RetryIf | None = None,
             **kwargs: Any) -> requests.Response:
        """The shop's answer (any status) after the retries the policy allows, or a port error for
        no answer at all. The caller closes nothing: the body is read here."""
        trace = RetryTrace()
        policy = self.write_policy if write else self.read_policy
        t = self.timing
        left = time_left()
        if left is not None and left <= 0:
            raise PlatformTimeout(f"{label}: not sent: no time left before the action's deadline")
        deadline_at = None if left is None else time.monotonic() + left
        try:
            session = _SentThenLost(self._sessions.get()) if write else self._sessions.get()
            resp = request_with_retry(session, method, url, policy=policy,
                                      timeout=(t.connect_timeout, t.read_timeout), label=label,
                                      retry_if=retry_if, sleep=self._sleep, rng=self._rng, trace=trace,
                                      deadline=deadline_at, **kwargs)
        except requests.exceptions.ConnectTimeout:
            self.last_trace = trace
            if "deadline" in trace.gave_up_reason:
                raise PlatformTimeout(f"{label}: the action's deadline passed before an answer "
                                      f"({trace.attempts} attempts)") from None
            raise PlatformUnavailable(f"{label}: could not connect within {t.connect_timeout:g} s "
                                      f"({trace.attempts} attempts)") from None
        except requests.exceptions.Timeout as e:
            self.last_trace = trace
            maybe = (" — it may have been applied; retry with the same idempotency key (the adapter "
                     "reads the shop before sending it again)") if write else ""
            if isinstance(e, AnswerLost):
                raise PlatformTimeout(f"{label}: {e} ({trace.attempts} attempts){maybe}") from None
            raise PlatformTimeout(f"{label}: no answer within {t.read_timeout:g} s "
                                  f"({trace.attempts} attempts){maybe}") from None
        except AnswerUnreadable as e:
            self.last_trace = trace
            raise answered(ShopProtocolError(f"{label}: {e}"), write) from None
        except requests.exceptions.ConnectionError as e:
            self.last_trace = trace
            kind = "connection refused" if "refused" in str(e).lower() else "connection failed"
            raise PlatformUnavailable(f"{label}: {kind} ({trace.attempts} attempts)") from None
        except requests.exceptions.RequestException as e:
            self.last_trace = trace
            raise PlatformError(f"{label}: {redact(type(e).__name__)}") from None
        self.last_trace = trace
        resp.close()   # http_retry has read the body already
        if 300 <= resp.status_code < 400:
            # never followed (http_retry): only base_url is a target, and the credentials must go nowhere else
            raise answered(ShopProtocolError(
                f"{label}: the shop answered with a redirect (HTTP {resp.status_code}) to "
                f"{origin(resp.headers.get('Location', ''))}; not followed — only the configured base_url is "
                f"called"), write)
        return resp

    def http_error(self, resp: requests.Response, label: str, detail: str = "") -> PlatformError | None:
        """The port error for an HTTP status that is not the shop's own JSON answer, or None."""
        status = resp.status_code
        trace = self.last_trace
        said = f": {detail}" if detail else ""
        if status == 429:
            wait = trace.retry_after if trace.retry_after is not None else self.timing.backoff_max
            return PlatformRateLimited(f"{label}: throttled (HTTP 429, retry after {wait:g} s; "
                                       f"{trace.attempts} attempts){said}", wait)
        if status >= 500:
            return PlatformUnavailable(f"{label}: shop error HTTP {status} ({trace.attempts} attempts){said}")
        if status >= 400:
            return PlatformError(f"{label}: refused, HTTP {status}{said}")
        return None

    def transient_error(self, what: str, code: Any, *, throttled: Container, busy: Container, throttle_wait: float,
                        write: bool, unavailable: Callable[[str], PlatformUnavailable]) -> PlatformError | None:
        """The port error for a shop's own code answering HTTP 200 that says "throttled" (nothing applied:
        rate-limited with the configured wait) or "busy" (unavailable: a write may have landed), or None."""
        attempts = self.last_trace.attempts
        if code in throttled:
            return PlatformRateLimited(f"{what} — throttled after {attempts} attempts", throttle_wait)
        if code in busy:
            maybe = "; it may have been applied: retry with the same idempotency key" if write else ""
            return unavailable(f"{what} ({attempts} attempts){maybe}")
        return None

    @staticmethod
    def json_body(resp: requests.Response, label: str) -> dict[str, Any]:
        try:
            data = json.loads(resp.content.decode("utf-8"))
        except (ValueError, UnicodeDecodeError, RecursionError):   # RecursionError: '[[[[…' nested too deep
            raise ShopProtocolError(f"{label}: HTTP {resp.status_code} but the body is not JSON: "
                                    f"{redact(resp.text[:120])!r}") from None
        if not isinstance(data, dict):
            raise ShopProtocolError(f"{label}: expected a JSON object, got {type(data).__name__}")
        return data
