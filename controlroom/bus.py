"""A small in-process publish/subscribe bus.

The core publishes what happens (journal events, alerts, platform state); the UI's bridge turns
them into Qt signals. Subscribers are called on the publishing thread, so they must be quick and
must not assume they run on the GUI thread.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

Handler = Callable[[str, Any], None]


class EventBus:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._handlers: list[tuple[str, Handler]] = []

    def subscribe(self, handler: Handler, prefix: str = "") -> Callable[[], None]:
        """Call handler(topic, payload) for every topic starting with prefix. Returns an unsubscribe function."""
        entry = (prefix, handler)
        with self._lock:
            self._handlers.append(entry)

        def unsubscribe() -> None:
            with self._lock:
                if entry in self._handlers:
                    self._handlers.remove(entry)

        return unsubscribe

    def publish(self, topic: str, payload: Any = None) -> None:
        with self._lock:
            handlers = list(self._handlers)
        for prefix, handler in handlers:
            if topic.startswith(prefix):
                try:
                    handler(topic, payload)
                except Exception:  # one broken subscriber must not stop the show
                    log.exception("bus subscriber failed on %s", topic)
