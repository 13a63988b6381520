"""The one bridge from the core's EventBus to Qt.

Core code publishes on whatever thread it runs on (platform workers, OBS pollers, the journal);
`QtBridge.event` is emitted through a queued connection so slots always run on the GUI thread.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

from controlroom.bus import EventBus


class QtBridge(QObject):
    # topic, payload. Payload is whatever the core published (a journal Event, a dict, a dataclass).
    event = Signal(str, object)
    _relay = Signal(str, object)

    def __init__(self, bus: EventBus, parent: QObject | None = None):
        super().__init__(parent)
        self._relay.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._unsubscribe = bus.subscribe(self._from_any_thread)

    def _from_any_thread(self, topic: str, payload: Any) -> None:
        self._relay.emit(topic, payload)

    @Slot(str, object)
    def _deliver(self, topic: str, payload: Any) -> None:
        self.event.emit(topic, payload)

    def close(self) -> None:
        self._unsubscribe()
