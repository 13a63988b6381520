"""Retries for outbound HTTP (platform adapters, alert webhooks): exponential backoff with jitter,
Retry-After honoured, a bounded total budget, and secrets kept out of logs.

Why a budget and not only an attempt count: the console promises a change is live within 10 s of
the decision, so a platform call must give up (and say so) well before that, whatever the server
asks for in Retry-After. A Retry-After longer than what is left of the budget ends the retries at
once and the caller reports the wait to the person.

This is the one retry layer of a platform call: the console does not retry on top of it. Given a
`deadline` (the action's, on the same monotonic clock), every attempt's timeouts are cut to what is
left of it, and no wait — backoff or Retry-After — runs past it.

Answers are read here, not by `requests` (stream=True), so a misbehaving server cannot hold or flood
the caller: the body must arrive within the read timeout (and the deadline) as a whole, not per byte —
one byte a second would otherwise hold a call for ever —, and at most `MAX_BODY_BYTES` of it are read
(a 50 MB answer is refused, not buffered). A connection lost in the middle of the body is an answer
lost (`AnswerLost`, a ReadTimeout: the request was sent and may have applied). Redirects are never
followed: a 30x is returned to the caller as it is, so nothing — and no credential header — goes to an
address nobody configured.

Secrets: webhook URLs carry their token in the query (WeCom `key=`, DingTalk `access_token=`), and
urllib3 logs every request line at DEBUG. `register_secret()` adds a value to a redaction filter
installed on urllib3's logger and used by `redact()` for any text we put in a log or an exception.
"""
from __future__ import annotations

import email.utils
import logging
import random
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

import requests
import urllib3

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_BODY_BYTES = 8 << 20   # a JSON answer of a shop API: a 2,000-SKU product list is ~1 MB
_CHUNK = 64 << 10


class AnswerLost(requests.exceptions.ReadTimeout):
    """The request was sent and the answer did not arrive whole: the connection dropped mid-body, or
    the body trickled in slower than the read timeout / the deadline allows. Like a read timeout, the
    call may have been applied."""


class AnswerUnreadable(requests.exceptions.RequestException):
    """The answer arrived but cannot be taken: larger than MAX_BODY_BYTES, or its encoding is broken.
    A write answered so may have been applied (the status line came back)."""


# ---- secrets out of logs --------------------------------------------------------------------
_secrets: set[str] = set()
_secrets_lock = threading.Lock()
MASK = "***"


def register_secret(value: str | None) -> None:
    """Mask `value` wherever it would appear in a log line or exception text we produce."""
    if value and len(value) >= 4:  # masking 1–3 characters would shred ordinary words
        with _secrets_lock:
            _secrets.add(value)


def redact(text: object) -> str:
    s = str(text)
    with _secrets_lock:
        known = sorted(_secrets, key=len, reverse=True)
    for sec in known:
        if sec in s:
            s = s.replace(sec, MASK)
        # URL-encoded forms show up in request lines
        q = requests.utils.quote(sec, safe="")
        if q != sec and q in s:
            s = s.replace(q, MASK)
    return s


class _RedactFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if _secrets:
            try:
                record.msg = redact(record.getMessage())
                record.args = None
            except Exception:  # a broken record must not break the caller
                pass
        return True


_FILTER = _RedactFilter()
for _name in ("urllib3.connectionpool", "urllib3.util.retry", "requests"):
    logging.getLogger(_name).addFilter(_FILTER)
log.addFilter(_FILTER)


# ---- policy ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4          # including the first
    backoff_base: float = 0.25     # s; delay before retry n is base * 2**(n-1), capped, jittered
    backoff_max: float = 4.0       # s; cap on one computed backoff delay
    budget: float = 8.0            # s; no retry starts later than this after the first attempt
    jitter: float = 0.5            # 0..1: share of each delay that is randomised
    retry_on_timeout: bool = True  # safe for idempotent calls (reads, writes with an idempotency key)
    retry_statuses: frozenset[int] = RETRY_STATUSES

    def backoff(self, retry_no: int, rng: random.Random) -> float:
        d = min(self.backoff_max, self.backoff_base * (2 ** (retry_no - 1)))
        j = max(0.0, min(1.0, self.jitter))
        return d * (1 - j) + d * j * rng.random()


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: delta-seconds ("3") or an HTTP date. None if absent or unreadable."""
    if value is None:
        return None
    v = value.strip()
    if not v:
        return None
    try:
        secs = float(v)
        if secs != secs or secs in (float("inf"), float("-inf")):
            return None
        return max(0.0, secs)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(v)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    return max(0.0, (when - now).total_seconds())


@dataclass
class RetryTrace:
    """What happened across attempts, for callers and tests (no URLs, no secrets)."""
    attempts: int = 0
    waits: list[float] | None = None
    gave_up_reason: str = ""
    retry_after: float | None = None   # the server's last Retry-After, if any

    def __post_init__(self):
        if self.waits is None:
            self.waits = []

class SessionPool:
    """One requests.Session per worker thread (Session is not documented thread-safe; the console, the
    metrics sampler and the shop lane call an adapter from their own workers), all closed together."""

    def __init__(self, factory: Callable[[], requests.Session] = requests.Session):
        self._factory = factory
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()

    def get(self) -> requests.Session:
        s = getattr(self._local, "session", None)
        if s is None:
            s = self._factory()
            self._local.session = s
            with self._lock:
                self._sessions.append(s)
        return s

    def close(self) -> None:
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for s in sessions:
            s.close()


def request_with_retry(session: requests.Session, method: str, url: str, *,
                       policy: RetryPolicy, timeout: tuple[float, float],
                       label: str = "request",
                       retry_if: Callable[[requests.Response], float | bool | None] | None = None,
                       sleep: Callable[[float], None] = time.sleep,
                       monotonic: Callable[[], float] = time.monotonic,
                       rng: random.Random | None = None,
                       trace: RetryTrace | None = None,
                       deadline: float | None = None,
                       **kwargs) -> requests.Response:
    """Send with retries. Returns the last response (possibly still 429/5xx once retries are spent)
    or raises the last `requests` exception (Timeout, ConnectionError). `label` names the call in
    logs instead of the URL. `retry_if(resp)` may ask to retry a 2xx/4xx response whose body says
    "busy" (e.g. DingTalk's errcode 130101): return True, or a delay in seconds.
    """
    rng = rng or random.Random()
    trace = trace if trace is not None else RetryTrace()
    start = monotonic()
    attempt = 0
    while True:
        attempt += 1
        trace.attempts = attempt
        resp: requests.Response | None = None
        exc: Exception | None = None
        server_wait: float | None = None
        attempt_timeout = timeout
        if deadline is not None:
            left = deadline - monotonic()
            if left <= 0:   # nothing sent this time; a read-back tells whether an earlier attempt landed
                trace.gave_up_reason = "the action's deadline has passed"
                raise requests.exceptions.ConnectTimeout("no time left before the action's deadline")
            attempt_timeout = (max(0.001, min(timeout[0], left)), max(0.001, min(timeout[1], left)))
        try:
            answer = session.request(method, url, timeout=attempt_timeout, stream=True,
                                     allow_redirects=False, **kwargs)
            _read_body(answer, until=monotonic() + attempt_timeout[1], monotonic=monotonic)
            resp = answer          # only a whole answer counts as one
        except requests.exceptions.ConnectTimeout as e:  # not sent: always safe to retry
            exc = e
        except requests.exceptions.Timeout as e:
            exc = e
            if not policy.retry_on_timeout:
                trace.gave_up_reason = "timeout (not retried: the call may have been applied)"
                raise
        except requests.exceptions.ConnectionError as e:
            exc = e
        if resp is not None:
            retry = False
            if resp.status_code in policy.retry_statuses:
                retry = True
                server_wait = parse_retry_after(resp.headers.get("Retry-After"))
                trace.retry_after = server_wait
            elif retry_if is not None:
                verdict = retry_if(resp)
                if verdict is True:
                    retry = True
                elif isinstance(verdict, (int, float)) and not isinstance(verdict, bool):
                    retry, server_wait = True, float(verdict)
            if not retry:
                return resp
            what = f"HTTP {resp.status_code}"
        else:
            what = type(exc).__name__

        if attempt >= policy.max_attempts:
            trace.gave_up_reason = f"{what}; {attempt} attempts"
            return _final(resp, exc)
        delay = policy.backoff(attempt, rng)
        if server_wait is not None:
            delay = max(delay, server_wait)
        elapsed = monotonic() - start
        if elapsed + delay > policy.budget:
            trace.gave_up_reason = (f"{what}; next wait {delay:.2f} s would pass the "
                                    f"{policy.budget:g} s retry budget")
            return _final(resp, exc)
        if deadline is not None and monotonic() + delay >= deadline:
            trace.gave_up_reason = (f"{what}; next wait {delay:.2f} s would pass the action's deadline "
                                    f"({max(0.0, deadline - monotonic()):.2f} s left)")
            return _final(resp, exc)
        log.warning("%s: %s, retry %d/%d in %.2f s", label, what, attempt, policy.max_attempts - 1, delay)
        trace.waits.append(delay)
        if resp is not None:
            resp.close()
        sleep(delay)


def _read_body(resp: requests.Response, *, until: float, monotonic: Callable[[], float],
               limit: int = MAX_BODY_BYTES) -> None:
    """Read the whole body into `resp` (so .content / .json() work as usual), by `until` and at most
    `limit` bytes; else close the connection and raise AnswerLost / AnswerUnreadable."""
    chunks: list[bytes] = []
    size = 0
    try:
        declared = resp.headers.get("Content-Length", "")
        if declared.strip().isdigit() and int(declared) > limit:
            raise AnswerUnreadable(f"the answer is too large ({int(declared):,} bytes announced; "
                                   f"at most {limit:,} are read)")
        raw = resp.raw
        while True:
            if monotonic() >= until:
                raise AnswerLost("the answer's body did not arrive in time")
            try:
                # read1: one socket read (bounded by the read timeout), so a trickle is checked every chunk;
                # decoded output is capped per call too (no decompression bomb)
                data = raw.read1(_CHUNK, decode_content=True)
            except urllib3.exceptions.ReadTimeoutError:
                raise AnswerLost("no more of the answer's body within the read timeout") from None
            except urllib3.exceptions.DecodeError:
                raise AnswerUnreadable("the answer's body cannot be decoded") from None
            except (urllib3.exceptions.HTTPError, OSError):
                raise AnswerLost("the connection was lost in the middle of the answer") from None
            if not data:
                break
            size += len(data)
            if size > limit:
                raise AnswerUnreadable(f"the answer is too large (more than {limit:,} bytes)")
            chunks.append(data)
    except BaseException:
        resp.close()       # a half-read connection is never reused
        raise
    resp._content = b"".join(chunks)
    resp._content_consumed = True
    resp.raw.release_conn()


def _final(resp: requests.Response | None, exc: Exception | None) -> requests.Response:
    if resp is not None:
        return resp
    assert exc is not None
    raise exc
