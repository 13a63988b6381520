"""Access tokens that expire: fetched when first needed, renewed `margin` seconds before they run out
(on the injected monotonic clock), and renewed at once when the shop says the one we sent is expired
or unknown (`invalidate`). Tokens live in memory only — never in settings, the journal or a log (each
one is registered with the redaction filter the moment it arrives)."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Callable

from controlroom.clock import Clock
from controlroom.platform import PlatformError
from plugins.http_retry import register_secret

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Grant:
    access_token: str
    expires_in: float               # seconds from now
    refresh_token: str | None = None


# fetch(refresh_token) -> Grant; refresh_token None asks for a new grant from the app's credentials
Fetch = Callable[[str | None], Grant]


class TokenKeeper:
    def __init__(self, name: str, fetch: Fetch, clock: Clock, *, margin: float = 300.0):
        self.name = name
        self._fetch = fetch
        self._clock = clock
        self.margin = margin
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = 0.0
        self._refresh: str | None = None
        self.fetches = 0               # how many grants were asked for (tests, diagnostics)

    def get(self) -> str:
        with self._lock:
            if self._token is None or self._clock.monotonic() >= self._expires_at - self.margin:
                self._renew()
            assert self._token is not None
            return self._token

    def invalidate(self, token: str) -> None:
        """The shop refused `token` as expired/invalid: the next get() renews (unless another thread
        already did)."""
        with self._lock:
            if token == self._token:
                self._token = None

    def _renew(self) -> None:
        grant: Grant | None = None
        if self._refresh:
            try:
                grant = self._fetch(self._refresh)
            except PlatformError as e:
                if e.retryable:
                    raise
                # a refresh token that is itself expired or revoked: ask anew from the app credentials
                log.warning("%s: refreshing the access token failed (%s); requesting a new one", self.name, e)
                self._refresh = None
        if grant is None:
            grant = self._fetch(None)
        self.fetches += 1
        if not grant.access_token:
            raise PlatformError(f"{self.name}: the shop granted an empty access token")
        register_secret(grant.access_token)
        if grant.refresh_token:
            register_secret(grant.refresh_token)
            self._refresh = grant.refresh_token
        self._token = grant.access_token
        self._expires_at = self._clock.monotonic() + max(0.0, float(grant.expires_in))
