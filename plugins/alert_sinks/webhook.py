"""What every chat webhook sink shares: the POST with timeouts and retries, the service's own error
body, the severity filter, and keeping the URL (which is the credential) out of logs and errors."""
from __future__ import annotations

import logging
import random
import threading
import time
from datetime import datetime
from typing import Any, Callable
from urllib.parse import parse_qsl, urlsplit

import requests

from controlroom.alerts import SEVERITIES, Alert
from plugins.http_retry import RetryPolicy, RetryTrace, redact, register_secret, request_with_retry

from .render import AlertView, view

log = logging.getLogger(__name__)


class SinkError(RuntimeError):
    """Delivery failed after the sink's retries. The text never contains the webhook URL or secret."""


def register_url_secrets(url: str) -> None:
    """A webhook URL is a credential: the whole of it, its query values (WeCom key=, DingTalk
    access_token=) and long path segments (Feishu and Slack put the token in the path)."""
    register_secret(url)
    parts = urlsplit(url)
    for _, v in parse_qsl(parts.query):
        if len(v) >= 8:
            register_secret(v)
    for seg in parts.path.split("/"):
        if len(seg) >= 16:
            register_secret(seg)


class WebhookSink:
    kind = "webhook"
    ok_hint = ""   # what success looks like, for error messages

    def __init__(self, url: str, *, name: str | None = None, min_severity: str = "info",
                 language: str = "both", policy: RetryPolicy | None = None,
                 timeout: tuple[float, float] = (3.0, 5.0), at_all_on_critical: bool = False,
                 session: requests.Session | None = None, sleep: Callable[[float], None] = time.sleep,
                 now: Callable[[], datetime] = lambda: datetime.now().astimezone(),
                 rng: random.Random | None = None):
        if not url or not url.startswith(("http://", "https://")):
            raise ValueError(f"{name or self.kind}: webhook URL must start with http:// or https://")
        if min_severity not in SEVERITIES:
            raise ValueError(f"min_severity must be one of {SEVERITIES}, got {min_severity!r}")
        register_url_secrets(url)
        self._url = url
        self.name = name or self.kind
        self.min_severity = min_severity
        self.language = language
        self.policy = policy or RetryPolicy(max_attempts=3, backoff_base=0.5, backoff_max=4.0, budget=15.0)
        self.timeout = timeout
        self.at_all_on_critical = at_all_on_critical
        self._fixed_session = session
        self._local = threading.local()   # the router delivers on 2 workers; Session is not thread-safe
        self._sleep = sleep
        self._now = now
        self._rng = rng or random.Random()
        self.last_trace = RetryTrace()

    def __repr__(self) -> str:  # never the URL
        return f"<{type(self).__name__} {self.name} min_severity={self.min_severity}>"

    def _session(self) -> requests.Session:
        if self._fixed_session is not None:
            return self._fixed_session
        s = getattr(self._local, "session", None)
        if s is None:
            s = self._local.session = requests.Session()
        return s

    def accepts(self, alert: Alert) -> bool:
        return SEVERITIES.index(alert.severity) >= SEVERITIES.index(self.min_severity)

    # subclasses: the JSON body, extra query parameters (signing), and the service's verdict
    def payload(self, v: AlertView, alert: Alert) -> dict[str, Any]:
        raise NotImplementedError

    def query_params(self) -> dict[str, str] | None:
        return None

    def error_in(self, resp: requests.Response) -> str | None:
        """The service's own error from a 2xx answer, or None when it says the message was sent."""
        return None

    def busy(self, resp: requests.Response) -> bool:
        """A 2xx answer whose body says "too many messages, later": worth a retry."""
        return False

    def send(self, alert: Alert, show_title: str) -> None:
        if not self.accepts(alert):
            return
        v = view(alert, show_title, self.language, self._now())
        body = self.payload(v, alert)
        trace = RetryTrace()
        try:
            resp = request_with_retry(self._session(), "POST", self._url, policy=self.policy,
                                      timeout=self.timeout, label=f"alert sink {self.name}",
                                      retry_if=self.busy, sleep=self._sleep, rng=self._rng, trace=trace,
                                      json=body, params=self.query_params())
        except requests.exceptions.ConnectTimeout:
            raise SinkError(f"{self.name}: could not connect within {self.timeout[0]:g} s "
                            f"({trace.attempts} attempts)") from None
        except requests.exceptions.Timeout:
            raise SinkError(f"{self.name}: no answer within {self.timeout[1]:g} s "
                            f"({trace.attempts} attempts)") from None
        except requests.exceptions.ConnectionError as e:
            kind = "connection refused" if "refused" in str(e).lower() else "connection failed"
            raise SinkError(f"{self.name}: {kind} ({trace.attempts} attempts)") from None
        except requests.exceptions.RequestException as e:
            raise SinkError(f"{self.name}: {type(e).__name__}") from None
        finally:
            self.last_trace = trace
        try:
            if resp.status_code >= 300:
                text = redact((resp.text or resp.reason or "").strip()[:200])
                raise SinkError(f"{self.name}: HTTP {resp.status_code} ({trace.attempts} attempts): {text}")
            err = self.error_in(resp)
            if err is not None:
                raise SinkError(f"{self.name}: refused: {redact(err)[:200]}")
        finally:
            resp.close()
        log.info("alert %s sent to %s", alert.alert_id or alert.rule, self.name)

    @staticmethod
    def _json(resp: requests.Response) -> Any:
        try:
            return resp.json()
        except (ValueError, RecursionError):   # RecursionError: '[[[[…' deeper than the parser goes
            return None


class ErrcodeSink(WebhookSink):
    """Robots that answer HTTP 200 with {"errcode": 0, "errmsg": "ok"} (WeCom 企业微信, DingTalk 钉钉): a non-zero
    errcode is a refusal, and the codes in BUSY mean "too many messages, later"."""

    BUSY: frozenset[int] = frozenset()

    def error_in(self, resp: requests.Response) -> str | None:
        data = self._json(resp)
        if not isinstance(data, dict) or "errcode" not in data:
            return f"unexpected answer (expected errcode): {resp.text[:100]!r}"
        if data["errcode"] != 0:
            return f"errcode {data['errcode']}: {data.get('errmsg', '')}"
        return None

    def busy(self, resp: requests.Response) -> bool:
        data = self._json(resp)
        return isinstance(data, dict) and data.get("errcode") in self.BUSY
