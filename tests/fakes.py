"""A test double of the Switcher port that behaves like OBS 29 / obs-websocket 5.1 as measured in
/work/shared/docs/obs-testbed.md: a failed start goes STARTING -> STOPPED with no retry; while
reconnecting outputActive stays true, outputBytes resets to 0 and congestion keeps its old value;
frame counters restart after a reconnect; a frozen OBS answers nothing (each call costs the whole
timeout, taken from the injected clock when it is a ManualClock); a killed OBS refuses connections.
For unit tests of the guard only; the real-OBS tests live in tests/integration/obs/.
"""
from __future__ import annotations

import threading

from controlroom.stream.ports import (StreamEvent, StreamStatus, SwitcherClosed, SwitcherRefused,
                                      SwitcherRequestFailed, SwitcherTimeout, SwitcherUnavailable)


class FakeSwitcher:
    def __init__(self, name: str, clock, kbps: float = 2500.0, fps: float = 30.0):
        self.name = name
        self.clock = clock
        self.kbps = kbps
        self.fps = fps
        self._lock = threading.Lock()
        self.alive = True
        self.frozen = False
        self.ingest_up = True          # the ingest this OBS currently targets accepts the stream
        self.ingest_stalled = False    # socket open, nothing moves (bytes flat, congestion rises)
        self.active = False
        self.reconnecting = False
        self.bytes = 0
        self.congestion = 0.0
        self.skipped = 0
        self.total = 0
        self.render_skipped = 0
        self.render_total = 0
        self.scene = "Program"
        self.target: tuple[str, str] | None = None
        self.picture = "moving"        # moving | black | still
        self.missing_next = 0          # the next N status readings lack their stats (None)
        self.stop_fails = 0            # the next N StopStream requests fail (OBS answered, the stop did not take)
        self.no_screenshot = False
        self.connected = False
        self.calls: list[tuple] = []
        self._events: list[StreamEvent] = []
        self._last = clock.monotonic()
        self._frame = 0
        self.thread_ids: set[int] = set()
        self.down_ingests: set[str] = set()

    # ---- the world -----------------------------------------------------------------------------
    def _tick(self) -> None:
        now = self.clock.monotonic()
        dt, self._last = now - self._last, now
        self.render_total += int(dt * self.fps)
        if self.active and not self.reconnecting and self.ingest_up and not self.ingest_stalled:
            self.bytes += int(self.kbps * 1000 / 8 * dt)
            self.total += int(dt * self.fps)

    def _check(self, timeout: float) -> None:
        self.thread_ids.add(threading.get_ident())
        if not self.alive:
            self.connected = False
            raise SwitcherClosed(f"{self.name}: connection closed by OBS")
        if self.frozen:
            self.connected = False
            if hasattr(self.clock, "advance"):
                self.clock.advance(timeout)
            raise SwitcherTimeout(f"{self.name}: no answer in {timeout} s")
        if not self.connected:
            raise SwitcherUnavailable(f"{self.name}: not connected")

    def _emit(self, *kinds: str) -> None:
        self._events.extend(StreamEvent(k) for k in kinds)

    # fault injection
    def kill(self) -> None:
        with self._lock:
            self.alive, self.active, self.reconnecting, self.connected = False, False, False, False
            self._emit("EVENTS_LOST")

    def operator_start(self) -> None:
        """Someone pressed Start Streaming in OBS itself."""
        with self._lock:
            self._tick()
            self.active, self.reconnecting, self.bytes = True, False, 0
            self._emit("STREAM_STARTING", "STREAM_STARTED")

    def operator_stop(self) -> None:
        with self._lock:
            self.active = self.reconnecting = False
            self._emit("STREAM_STOPPING", "STREAM_STOPPED")

    def revive(self) -> None:
        with self._lock:
            self.alive, self.frozen = True, False

    def break_ingest(self) -> None:
        with self._lock:
            self._tick()
            self.ingest_up = False
            if self.active:
                self.reconnecting, self.bytes = True, 0
                self._emit("STREAM_RECONNECTING")

    def heal_ingest(self) -> None:
        with self._lock:
            self._tick()
            self.ingest_up = True
            if self.active and self.reconnecting:
                self.reconnecting, self.skipped, self.total = False, 0, 0
                self._emit("STREAM_RECONNECTED")

    # ---- the port ------------------------------------------------------------------------------
    def connect(self, timeout: float) -> None:
        with self._lock:
            self.calls.append(("connect",))
            self.thread_ids.add(threading.get_ident())
            if not self.alive:
                raise SwitcherRefused(f"{self.name}: connection refused")   # nothing listens: the process is gone
            if self.frozen:
                if hasattr(self.clock, "advance"):
                    self.clock.advance(timeout)
                raise SwitcherTimeout(f"{self.name}: handshake timed out")
            self.connected = True

    def close(self) -> None:
        self.connected = False

    def status(self, timeout: float) -> StreamStatus:
        with self._lock:
            self._check(timeout)
            self.calls.append(("status",))
            self._tick()
            if self.ingest_stalled and self.active:
                self.congestion = min(1.0, self.congestion + 0.25)
            if self.missing_next > 0:
                self.missing_next -= 1
                return StreamStatus(self.active, self.reconnecting, None, None, None, None, None, None,
                                    program_scene=self.scene)
            return StreamStatus(self.active, self.reconnecting, self.bytes if self.active else 0, self.congestion,
                                self.skipped, self.total, self.render_skipped, self.render_total,
                                active_fps=self.fps, average_frame_render_time=2.0, program_scene=self.scene)

    def drain_events(self) -> list[StreamEvent]:
        with self._lock:
            out, self._events = self._events, []
            return out

    def program_fingerprint(self, timeout: float) -> bytes | None:
        with self._lock:
            self._check(timeout)
            self.calls.append(("fingerprint",))
            if self.no_screenshot:
                return None
            if self.picture == "black":
                return bytes([4] * 144)
            if self.picture == "still":
                return bytes([120] * 144)
            self._frame += 1
            return bytes((60 + (i * 7 + self._frame * 13) % 120) for i in range(144))

    def start_stream(self, timeout: float) -> None:
        with self._lock:
            self._check(timeout)
            self.calls.append(("start",))
            if self.active:
                raise SwitcherRequestFailed("output running", 500)
            self._tick()
            target_down = self.target is not None and self.target[0] in self.down_ingests
            if self.ingest_up and not target_down:
                self.active, self.reconnecting, self.bytes = True, False, 0
                self.skipped = self.total = 0
                self._emit("STREAM_STARTING", "STREAM_STARTED")
            else:
                self._emit("STREAM_STARTING", "STREAM_STOPPED")   # OBS does not retry

    def stop_stream(self, timeout: float) -> None:
        with self._lock:
            self._check(timeout)
            self.calls.append(("stop",))
            if self.stop_fails > 0:
                self.stop_fails -= 1
                raise SwitcherRequestFailed("StopStream failed (injected)", 700)
            if not self.active:
                raise SwitcherRequestFailed("output not running", 501)
            self.active = self.reconnecting = False
            self._emit("STREAM_STOPPING", "STREAM_STOPPED")

    def set_stream_target(self, server: str, key: str, timeout: float) -> None:
        with self._lock:
            self._check(timeout)
            self.calls.append(("set_target", server))
            if self.active:
                raise SwitcherRequestFailed("cannot change the service while streaming", 500)
            self.target = (server, key)
            self.ingest_up = server not in self.down_ingests

    def set_program_scene(self, scene: str, timeout: float) -> None:
        with self._lock:
            self._check(timeout)
            self.calls.append(("scene", scene))
            self.scene = scene
            self._emit("SCENE_CHANGED")
            self.picture = "moving"
