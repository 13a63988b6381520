"""The `Switcher` port: one OBS Studio instance as the stream guard sees it.

The adapter (controlroom/stream/obs_adapter.py, the only module importing obsws_python) implements
it. Contract with the guard:
- Every method is called from ONE thread: the instance's own worker thread, created by the guard.
  (obsws_python's ReqClient is not thread-safe.) Only `drain_events()` may be called from that
  same thread to collect events that the adapter's event thread queued.
- Every call is bounded by a timeout. A call that times out raises `SwitcherTimeout` and the adapter
  discards its client (a late reply would otherwise answer the next request). A lost connection
  raises `SwitcherUnavailable` — `SwitcherClosed` when OBS closed or reset it, `SwitcherRefused` when a
  connect was refused. The next call reconnects (with backoff inside `connect`).
- Money is not involved; time is the guard's injected monotonic clock, stamped by the guard.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable


class SwitcherError(RuntimeError):
    pass


class SwitcherTimeout(SwitcherError):
    """OBS did not answer in time: frozen (SIGSTOP), overloaded, or the link is stalled."""


class SwitcherUnavailable(SwitcherError):
    """No connection: OBS is not running, refused us, or the socket closed."""


class SwitcherClosed(SwitcherUnavailable):
    """OBS closed (or reset) an open connection. Half of the HARD evidence: if the reconnect is refused or
    not answered either, the process is gone. A parse error or a failed handshake is not a closure."""


class SwitcherRefused(SwitcherUnavailable):
    """A connect was refused (ECONNREFUSED): nothing listens on OBS's port, the process is gone. The guard
    treats it as HARD evidence (no blip produces it), unlike a timeout or a handshake that went wrong."""


class SwitcherRequestFailed(SwitcherError):
    """OBS answered with an error status (e.g. StartStream while already active)."""

    def __init__(self, message: str, code: int | None = None):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class StreamStatus:
    """GetStreamStatus + GetStats in one reading. None = OBS did not report it."""
    output_active: bool
    output_reconnecting: bool
    output_bytes: int | None
    output_congestion: float | None
    output_skipped_frames: int | None
    output_total_frames: int | None
    render_skipped_frames: int | None
    render_total_frames: int | None
    output_timecode: str | None = None
    active_fps: float | None = None
    average_frame_render_time: float | None = None   # ms
    program_scene: str | None = None


@dataclass(frozen=True)
class StreamEvent:
    """An OBS event, as the adapter saw it.

    kind: one of "STREAM_STARTING", "STREAM_STARTED", "STREAM_STOPPING", "STREAM_STOPPED",
    "STREAM_RECONNECTING", "STREAM_RECONNECTED", "SCENE_CHANGED", "EXIT_STARTED", "EVENTS_LOST"
    (the event connection died without a callback: OBS crashed or was killed).
    """
    kind: str
    detail: str = ""


@runtime_checkable
class Switcher(Protocol):
    name: str

    def connect(self, timeout: float) -> None: ...
    def close(self) -> None: ...
    def status(self, timeout: float) -> StreamStatus: ...
    def drain_events(self) -> list[StreamEvent]: ...
    def program_fingerprint(self, timeout: float) -> bytes | None:
        """A tiny grayscale screenshot of the program output (e.g. 16x9 pixels, 8-bit), for black/frozen checks."""
    def start_stream(self, timeout: float) -> None: ...
    def stop_stream(self, timeout: float) -> None: ...
    def set_stream_target(self, server: str, key: str, timeout: float) -> None:
        """Point the stream output at another ingest (SetStreamServiceSettings, rtmp_custom). Not while active."""
    def set_program_scene(self, scene: str, timeout: float) -> None: ...
