"""One call to the Shopify Admin GraphQL API, paced by the shop's cost bucket.

Wire facts (shopify.dev):
  - POST https://{shop}.myshopify.com/admin/api/{version}/graphql.json with {"query", "variables"} and
    the header `X-Shopify-Access-Token` (Admin API authentication);
  - "GraphQL Admin API rate limits": every query has a calculated cost (scalars and enums 0, objects 1,
    connections 2 + the objects asked for, mutations 10); each app+shop pair has a leaky bucket
    (`maximumAvailable`) refilled at `restoreRate` points per second; a single query may cost at most
    1000. Every answer reports `extensions.cost` {requestedQueryCost, actualQueryCost, throttleStatus
    {maximumAvailable, currentlyAvailable, restoreRate}}; a call the bucket cannot pay is answered
    {"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}]} with that cost block;
  - business refusals come back as `userErrors` inside the mutation's payload, with HTTP 200.

The client remembers the last throttleStatus and each document's requested cost, and waits for the
bucket before a call that would overrun it, instead of spending a round trip on a THROTTLED answer.
If the wait would pass the retry budget it raises PlatformRateLimited with the wait as retry_after.
HTTP goes through plugins.shop_common.transport: a mutation is never re-sent after it may have landed.
"""
from __future__ import annotations

import json
import logging
import math
import threading
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable

import requests

from controlroom.platform import PlatformError, PlatformRateLimited, PlatformUnavailable, time_left
from plugins.http_retry import redact
from plugins.shop_common.transport import ShopTransport

from .config import ShopifyConfig

log = logging.getLogger(__name__)

MAX_QUERY_COST = 1000
MAX_WAIT = 3600.0    # s: the longest wait a throttled answer is reported with (the shop's figures may be absurd)


def _figure(value: Any) -> float | None:
    """A cost-bucket figure from the shop: a finite number ≥ 0, else None (text, NaN, ±Infinity and negatives
    from a misbehaving answer are ignored, not trusted: they would make every wait NaN or endless)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) and f >= 0 else None


class ShopifyError(PlatformError):
    """A refusal from Shopify (userErrors, a GraphQL error, a refused token). Never retried as is."""

    retryable = False

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.code = code


@dataclass
class Bucket:
    available: float
    maximum: float
    rate: float
    at: float            # monotonic time of the reading

    def now(self, t: float) -> float:
        return min(self.maximum, self.available + self.rate * max(0.0, t - self.at))


class ShopifyClient:
    def __init__(self, cfg: ShopifyConfig, access_token: str, transport: ShopTransport, *,
                 sleep: Callable[[float], None] = time.sleep, monotonic: Callable[[], float] = time.monotonic):
        self.cfg = cfg
        self._token = access_token
        self.transport = transport
        self._sleep, self._mono = sleep, monotonic
        self._lock = threading.Lock()
        self.bucket: Bucket | None = None
        self.costs: dict[str, float] = {}        # document name -> last requestedQueryCost
        self.waited = 0.0                        # seconds spent waiting for the bucket (for tests and the UI)
        self.throttled_answers = 0               # THROTTLED answers received

    def __repr__(self) -> str:
        return f"ShopifyClient(shop={self.cfg.shop!r}, api_version={self.cfg.api_version!r})"

    # ---- the bucket -----------------------------------------------------------------------------
    def _wait_for(self, need: float, what: str, deadline: float) -> None:
        with self._lock:
            b = self.bucket
        if b is None or b.rate <= 0:
            return
        now = self._mono()
        have = b.now(now)
        if have >= need:
            return
        wait = (min(need, b.maximum) - have) / b.rate
        if not wait < MAX_WAIT or now + wait > deadline:
            raise PlatformRateLimited(f"{what}: the shop's API cost bucket holds {have:.0f} of the {need:.0f} points "
                                      f"this call costs; it refills at {b.rate:g}/s", min(wait, MAX_WAIT))
        log.info("%s: waiting %.2f s for the cost bucket (%.0f/%.0f points)", what, wait, have, need)
        self.waited += wait
        self._sleep(wait)

    def _note_cost(self, doc: str, ext: Any) -> dict:
        cost = (ext or {}).get("cost") if isinstance(ext, dict) else None
        if not isinstance(cost, dict):
            return {}
        ts = cost.get("throttleStatus")
        figures = [_figure(ts.get(k)) for k in ("currentlyAvailable", "maximumAvailable", "restoreRate")] \
            if isinstance(ts, dict) else [None]
        if None not in figures:     # a bucket from garbage (text, NaN, negative) would be trusted for every wait
            with self._lock:
                self.bucket = Bucket(*figures, self._mono())
        need = _figure(cost.get("requestedQueryCost"))
        if need is not None:
            self.costs[doc] = need
        return cost

    # ---- one call -------------------------------------------------------------------------------
    def graphql(self, doc: str, query: str, variables: dict | None = None, *, write: bool = False,
                cost_hint: float = 10.0) -> dict:
        """Run one document; return its `data`. `doc` names it in messages and the cost memory."""
        what = f"Shopify {doc}"
        deadline = self._mono() + self.cfg.retry_budget
        left = time_left()
        if left is not None:            # the console's action deadline, when shorter than the retry budget
            deadline = min(deadline, self._mono() + left)
        body = json.dumps({"query": query, "variables": variables or {}}, separators=(",", ":"), ensure_ascii=False)
        headers = {"X-Shopify-Access-Token": self._token, "Content-Type": "application/json",
                   "Accept": "application/json"}
        rounds = 0
        while True:
            rounds += 1
            self._wait_for(self.costs.get(doc, cost_hint), what, deadline)
            resp = self.transport.send("POST", self.cfg.endpoint, label=what, write=write,
                                       data=body.encode("utf-8"), headers=headers)
            outcome = self._answer(resp, doc, what, write, deadline, last=rounds >= self.cfg.max_attempts)
            if outcome is not None:
                return outcome
            # THROTTLED and the bucket refills within the budget: go round again (the wait is above)

    def _answer(self, resp: requests.Response, doc: str, what: str, write: bool, deadline: float, *,
                last: bool = False) -> dict | None:
        status = resp.status_code
        trace = self.transport.last_trace
        if status == 429:
            wait = trace.retry_after if trace.retry_after is not None else self.cfg.backoff_max
            raise PlatformRateLimited(f"{what}: rate limited (HTTP 429, {trace.attempts} attempts)", wait)
        if status in (401, 403):
            raise ShopifyError(f"{what}: the Admin API token was refused (HTTP {status}); check the token and its "
                               "access scopes", str(status))
        if status == 402:
            raise ShopifyError(f"{what}: the shop is frozen (HTTP 402 Payment Required)", "402")
        if status == 423:
            raise ShopifyError(f"{what}: the shop is locked (HTTP 423)", "423")
        if status == 404:
            raise ShopifyError(f"{what}: no such shop or API version ({self.cfg.api_version}) (HTTP 404)", "404")
        if status >= 500:
            raise PlatformUnavailable(f"{what}: platform error HTTP {status} ({trace.attempts} attempts): "
                                      f"{redact(resp.text[:160])}")
        try:
            payload = json.loads(resp.content.decode("utf-8"), parse_float=Decimal)
        except (ValueError, UnicodeDecodeError, RecursionError):   # RecursionError: '[[[[…' nested too deep
            raise PlatformUnavailable(f"{what}: HTTP {status} with a body that is not JSON "
                                      f"{redact(resp.text[:120])!r}") from None
        if not isinstance(payload, dict):
            raise PlatformUnavailable(f"{what}: HTTP {status} with an unexpected body")
        cost = self._note_cost(doc, payload.get("extensions"))
        errors = payload.get("errors")
        if isinstance(errors, str):          # REST-style error bodies, e.g. a bad token on some versions
            raise ShopifyError(f"{what}: {redact(errors)[:300]}")
        if errors:
            codes = [((e.get("extensions") or {}).get("code") if isinstance(e, dict) else None) for e in errors]
            msgs = "; ".join(redact(str(e.get("message", e)) if isinstance(e, dict) else str(e))[:200] for e in errors)
            if "THROTTLED" in codes:
                self.throttled_answers += 1
                ts = cost.get("throttleStatus")
                ts = ts if isinstance(ts, dict) else {}
                need = _figure(cost.get("requestedQueryCost")) or self.costs.get(doc, 10.0)
                have = _figure(ts.get("currentlyAvailable")) or 0.0
                rate = _figure(ts.get("restoreRate")) or 0.0
                wait = max((need - have) / rate if rate > 0 else self.cfg.backoff_max, 0.01)
                if last or not wait < MAX_WAIT or self._mono() + wait > deadline:   # last: max_attempts answered
                    raise PlatformRateLimited(f"{what}: throttled by the shop's cost bucket ({have:.0f} of "
                                              f"{need:.0f} points, refilling {rate:g}/s)", min(wait, MAX_WAIT))
                with self._lock:
                    paced = self.bucket is not None and self.bucket.rate > 0
                if not paced:           # no usable bucket figures: _wait_for would not wait, so wait here
                    self._sleep(wait)
                return None
            if "INTERNAL_SERVER_ERROR" in codes:
                raise PlatformUnavailable(f"{what}: Shopify internal error: {msgs}")
            if "MAX_COST_EXCEEDED" in codes:
                raise ShopifyError(f"{what}: the query costs more than {MAX_QUERY_COST} points: {msgs}",
                                   "MAX_COST_EXCEEDED")
            raise ShopifyError(f"{what}: {msgs}", next((c for c in codes if c), None))
        data = payload.get("data")
        if not isinstance(data, dict):
            raise PlatformUnavailable(f"{what}: the answer has no data")
        return data
