"""OBS Studio (obs-websocket 5.x) as a `Switcher`: the only module that imports obsws_python.

Why it looks the way it does (see docs/obs-testbed.md, measured against OBS 29 / obs-websocket 5.1):
- obsws_python's ReqClient is not thread-safe and does not match replies to requests; after a timeout
  the late reply would answer the next call. We use it to connect and authenticate, then send
  requests ourselves with unique request ids, bounded by a deadline, and DISCARD the client after
  any timeout or socket error. One thread (the guard's worker for this instance) makes every call.
- Its EventClient delivers events on a daemon thread that dies silently when OBS dies, and dies if a
  callback raises: our callbacks catch everything, and `drain_events()` polls `worker.is_alive()`
  to report EVENTS_LOST.
- Reconnection is rate-limited with exponential backoff plus jitter inside `connect`, and a call
  during the backoff fails at once (the guard's worker is never blocked for long).
- obsws_python logs the password at INFO and prints it in repr(); its logger is silenced and
  nothing here ever formats the password or the stream key.
"""
from __future__ import annotations

import base64
import itertools
import json
import logging
import random
import socket
import struct
import threading
import time
import zlib
from collections import deque
from typing import Any, Callable

import obsws_python
import websocket
from obsws_python.error import OBSSDKError, OBSSDKRequestError, OBSSDKTimeoutError
from obsws_python.subs import Subs

from controlroom.stream.ports import (
    StreamEvent, StreamStatus, SwitcherClosed, SwitcherError, SwitcherRefused, SwitcherRequestFailed, SwitcherTimeout,
    SwitcherUnavailable,
)

log = logging.getLogger(__name__)


def _silence_obsws_logger() -> None:
    lg = logging.getLogger("obsws_python")
    lg.setLevel(logging.CRITICAL + 10)
    lg.propagate = False
    if not any(isinstance(h, logging.NullHandler) for h in lg.handlers):
        lg.addHandler(logging.NullHandler())


_silence_obsws_logger()

_OUTPUT_STATES = {
    "OBS_WEBSOCKET_OUTPUT_STARTING": "STREAM_STARTING",
    "OBS_WEBSOCKET_OUTPUT_STARTED": "STREAM_STARTED",
    "OBS_WEBSOCKET_OUTPUT_STOPPING": "STREAM_STOPPING",
    "OBS_WEBSOCKET_OUTPUT_STOPPED": "STREAM_STOPPED",
    "OBS_WEBSOCKET_OUTPUT_RECONNECTING": "STREAM_RECONNECTING",
    "OBS_WEBSOCKET_OUTPUT_RECONNECTED": "STREAM_RECONNECTED",
}

_TIMEOUT_ERRORS = (websocket.WebSocketTimeoutException, socket.timeout, TimeoutError, OBSSDKTimeoutError)
_LINK_ERRORS = (websocket.WebSocketException, OSError, OBSSDKError, ValueError, KeyError, TypeError)
# the peer closed or reset the connection (EOF, RST, a broken pipe): evidence the process may be gone
_CLOSED_ERRORS = (websocket.WebSocketConnectionClosedException, ConnectionError)


class _Secret:
    """Holds the password so that no repr, traceback-with-locals or vars() dump shows it."""
    __slots__ = ("_v",)

    def __init__(self, value: str):
        self._v = value or ""

    def get(self) -> str:
        return self._v

    def __repr__(self) -> str:
        return "'***'"

    __str__ = __repr__


class ObsSwitcher:
    """One OBS instance reached over obs-websocket 5. Single-threaded use (see ports.Switcher)."""

    def __init__(self, name: str, host: str, port: int, password: str | None,
                 connect_timeout: float = 2.0, *, backoff_initial: float = 0.25,
                 backoff_max: float = 2.0, fingerprint_size: tuple[int, int] = (16, 9),
                 monotonic: Callable[[], float] = time.monotonic, rng: random.Random | None = None):
        self.name = name
        self.host = host
        self.port = int(port)
        self._password = _Secret(password or "")
        self.connect_timeout = float(connect_timeout)
        self.backoff_initial = float(backoff_initial)
        self.backoff_max = float(backoff_max)
        self.fingerprint_size = fingerprint_size
        self._mono = monotonic
        self._rng = rng or random.Random()
        self._req = None            # obsws_python.ReqClient, or None once discarded
        self._evc = None            # obsws_python.EventClient
        self._events: deque[StreamEvent] = deque()
        self._failures = 0
        self._next_attempt = 0.0
        self._last_failure: SwitcherError | None = None
        self._ids = itertools.count(1)
        self._image_format: str | None = None
        self._listener: Callable[[StreamEvent], None] | None = None

    def __repr__(self) -> str:
        return f"ObsSwitcher(name={self.name!r}, host={self.host!r}, port={self.port})"

    # ---- connection ---------------------------------------------------------------------------

    def set_event_listener(self, fn: Callable[[StreamEvent], None] | None) -> None:
        """Optional: called on the adapter's event thread after an event is queued (e.g. to wake
        the instance worker). It must be quick and thread-safe; its exceptions are swallowed."""
        self._listener = fn

    @property
    def connected(self) -> bool:
        return self._req is not None and self._events_alive()

    def connect(self, timeout: float | None = None) -> None:
        """Open the request and event connections if they are not open. Rate-limited: during the
        backoff after a failure it raises the last failure's kind at once, without touching OBS."""
        self._check_events()
        if self._req is not None and self._evc is not None:
            return
        now = self._mono()
        if now < self._next_attempt and self._last_failure is not None:
            err = type(self._last_failure)(
                f"{self.name}: reconnect backing off ({self._next_attempt - now:.2f} s left) "
                f"after: {self._last_failure}")
            raise err
        budget = self.connect_timeout if timeout is None else max(0.05, float(timeout))
        deadline = now + budget
        try:
            if self._req is None:
                self._req = self._open(obsws_python.ReqClient, deadline, subs=0)
            if self._evc is None:
                evc = self._open(obsws_python.EventClient, deadline,
                                 subs=int(Subs.GENERAL | Subs.SCENES | Subs.OUTPUTS))
                evc.callback.register([self.on_stream_state_changed,
                                       self.on_current_program_scene_changed,
                                       self.on_exit_started])
                self._evc = evc
        except SwitcherError as e:
            # Keep a healthy half: a live event connection still reports what OBS does.
            self._discard_req()
            self._failures += 1
            delay = min(self.backoff_max, self.backoff_initial * 2 ** (self._failures - 1))
            self._next_attempt = self._mono() + delay * self._rng.uniform(0.5, 1.0)
            self._last_failure = e
            raise
        self._failures = 0
        self._last_failure = None

    def _open(self, cls, deadline: float, subs: int):
        remaining = deadline - self._mono()
        if remaining <= 0:
            raise SwitcherTimeout(f"{self.name}: connect timed out")
        try:
            # host/port/password always explicit: otherwise obsws_python reads a config.toml.
            client = cls(host=self.host, port=self.port, password=self._password.get(),
                         timeout=remaining, subs=subs)
            # Only the handshake needs it; obsws_python would otherwise show it in repr().
            client.base_client.password = "***"
            return client
        except _TIMEOUT_ERRORS as e:
            raise SwitcherTimeout(self._msg("connect timed out", e)) from None
        except ConnectionRefusedError as e:
            raise SwitcherRefused(self._msg("connection refused", e)) from None
        except OBSSDKError as e:
            raise SwitcherUnavailable(self._msg("handshake failed (wrong password?)", e)) from None
        except _LINK_ERRORS as e:
            raise SwitcherUnavailable(self._msg("cannot connect", e)) from None

    def close(self) -> None:
        self._discard_req()
        self._discard_events()

    def _discard_req(self) -> None:
        req, self._req = self._req, None
        if req is not None:
            _hard_close(req.base_client.ws)

    def _discard_events(self) -> None:
        evc, self._evc = self._evc, None
        if evc is not None:
            _hard_close(evc.base_client.ws)
            worker = getattr(evc, "worker", None)
            if worker is not None and worker is not threading.current_thread():
                worker.join(0.2)

    def _events_alive(self) -> bool:
        evc = self._evc
        return evc is not None and evc.worker.is_alive()

    def _check_events(self) -> None:
        evc = self._evc
        if evc is not None and not evc.worker.is_alive():
            # The thread ended without ExitStarted: OBS crashed/was killed or the socket broke.
            self._evc = None
            _hard_close(evc.base_client.ws)
            self._push(StreamEvent("EVENTS_LOST", "event connection closed"))

    # ---- events (run on obsws_python's event thread: never raise) -----------------------------

    def _push(self, ev: StreamEvent) -> None:
        self._events.append(ev)
        fn = self._listener
        if fn is not None:
            try:
                fn(ev)
            except Exception:  # noqa: BLE001 - a listener must not kill the event thread
                pass

    def on_stream_state_changed(self, data: Any) -> None:
        try:
            state = getattr(data, "output_state", "") or ""
            kind = _OUTPUT_STATES.get(state)
            if kind:
                self._push(StreamEvent(kind, state))
        except Exception:  # noqa: BLE001
            pass

    def on_current_program_scene_changed(self, data: Any) -> None:
        try:
            self._push(StreamEvent("SCENE_CHANGED", str(getattr(data, "scene_name", "") or "")))
        except Exception:  # noqa: BLE001
            pass

    def on_exit_started(self, data: Any = None) -> None:
        try:
            self._push(StreamEvent("EXIT_STARTED", "OBS is shutting down"))
        except Exception:  # noqa: BLE001
            pass

    def drain_events(self) -> list[StreamEvent]:
        self._check_events()
        out = []
        while True:
            try:
                out.append(self._events.popleft())
            except IndexError:
                return out

    # ---- requests -----------------------------------------------------------------------------

    def _call(self, request_type: str, data: dict | None, timeout: float) -> dict:
        """One request, bounded by `timeout` seconds including a reconnect if one is needed."""
        start = self._mono()
        timeout = max(0.05, float(timeout))
        self.connect(timeout)
        req = self._req
        deadline = start + timeout
        request_id = f"cr-{next(self._ids)}"
        payload = {"op": 6, "d": {"requestType": request_type, "requestId": request_id}}
        if data:
            payload["d"]["requestData"] = data
        ws = req.base_client.ws
        try:
            ws.settimeout(max(0.01, deadline - self._mono()))
            ws.send(json.dumps(payload))
            while True:
                remaining = deadline - self._mono()
                if remaining <= 0:
                    raise TimeoutError
                ws.settimeout(remaining)
                raw = ws.recv()
                if not raw:
                    raise ConnectionError("connection closed by OBS")
                msg = json.loads(raw)
                d = msg.get("d") or {}
                if msg.get("op") == 7 and d.get("requestId") == request_id:
                    break
        except _TIMEOUT_ERRORS as e:
            self._discard_req()
            raise SwitcherTimeout(self._msg(f"{request_type} timed out after {timeout:.2f} s", e)) from None
        except _CLOSED_ERRORS as e:
            self._discard_req()
            raise SwitcherClosed(self._msg(f"{request_type}: connection closed by OBS", e)) from None
        except _LINK_ERRORS as e:
            self._discard_req()
            raise SwitcherUnavailable(self._msg(f"{request_type}: connection lost", e)) from None
        status = d.get("requestStatus") or {}
        if not status.get("result"):
            code = status.get("code")
            raise SwitcherRequestFailed(
                self._msg(f"{request_type} failed (code {code}): {status.get('comment') or ''}"), code)
        return d.get("responseData") or {}

    def request(self, request_type: str, data: dict | None = None, timeout: float = 2.0) -> dict:
        """Any obs-websocket request (raw dicts): for tools and tests; the guard uses the port."""
        return self._call(request_type, data, timeout)

    def _budget(self, start: float, timeout: float) -> float:
        return max(0.05, timeout - (self._mono() - start))

    def status(self, timeout: float) -> StreamStatus:
        start = self._mono()
        s = self._call("GetStreamStatus", None, timeout)
        st = self._call("GetStats", None, self._budget(start, timeout))
        scene = self._call("GetCurrentProgramScene", None, self._budget(start, timeout))
        return StreamStatus(
            output_active=bool(s.get("outputActive")),
            output_reconnecting=bool(s.get("outputReconnecting")),
            output_bytes=_int(s.get("outputBytes")),
            output_congestion=_float(s.get("outputCongestion")),
            output_skipped_frames=_int(s.get("outputSkippedFrames")),
            output_total_frames=_int(s.get("outputTotalFrames")),
            render_skipped_frames=_int(st.get("renderSkippedFrames")),
            render_total_frames=_int(st.get("renderTotalFrames")),
            output_timecode=s.get("outputTimecode"),
            active_fps=_float(st.get("activeFps")),
            average_frame_render_time=_float(st.get("averageFrameRenderTime")),
            program_scene=scene.get("currentProgramSceneName") or scene.get("sceneName"),
        )

    def program_fingerprint(self, timeout: float) -> bytes | None:
        """Grayscale pixels (row-major, top row first) of a tiny screenshot of the program scene."""
        start = self._mono()
        if self._image_format is None:
            v = self._call("GetVersion", None, timeout)
            fmts = [f.lower() for f in v.get("supportedImageFormats") or []]
            self._image_format = "bmp" if "bmp" in fmts else "png"
        scene = self._call("GetCurrentProgramScene", None, self._budget(start, timeout))
        name = scene.get("currentProgramSceneName") or scene.get("sceneName")
        if not name:
            return None
        w, h = self.fingerprint_size
        shot = self._call("GetSourceScreenshot",
                          {"sourceName": name, "imageFormat": self._image_format,
                           "imageWidth": w, "imageHeight": h, "imageCompressionQuality": -1},
                          self._budget(start, timeout))
        data = shot.get("imageData") or ""
        if "," in data:
            data = data.split(",", 1)[1]
        try:
            blob = base64.b64decode(data)
            return decode_gray(blob)
        except (ValueError, struct.error, zlib.error) as e:
            log.warning("%s: undecodable screenshot (%s)", self.name, type(e).__name__)
            return None

    def start_stream(self, timeout: float) -> None:
        self._call("StartStream", None, timeout)

    def stop_stream(self, timeout: float) -> None:
        self._call("StopStream", None, timeout)

    def set_stream_target(self, server: str, key: str, timeout: float) -> None:
        self._call("SetStreamServiceSettings",
                   {"streamServiceType": "rtmp_custom",
                    "streamServiceSettings": {"server": server, "key": key}}, timeout)

    def set_program_scene(self, scene: str, timeout: float) -> None:
        self._call("SetCurrentProgramScene", {"sceneName": scene}, timeout)

    # ---- helpers ------------------------------------------------------------------------------

    def _msg(self, what: str, exc: BaseException | None = None) -> str:
        text = f"{self.name} ({self.host}:{self.port}): {what}"
        if exc is not None:
            detail = str(exc)
            text += f" [{type(exc).__name__}{': ' + detail if detail else ''}]"
        pw = self._password.get()
        if pw:
            text = text.replace(pw, "***")
        return text


def _hard_close(ws) -> None:
    """Close without the closing handshake: a frozen OBS would make a polite close wait seconds.
    shutdown() first so that a thread blocked in recv() on this socket wakes up."""
    try:
        sock = ws.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        ws.shutdown()
    except Exception:  # noqa: BLE001 - best effort on an already broken link
        pass


def _int(v) -> int | None:
    try:
        return None if v is None else int(v)
    except (TypeError, ValueError):
        return None


def _float(v) -> float | None:
    try:
        return None if v is None else float(v)
    except (TypeError, ValueError):
        return None


# ---- tiny image decoders (the screenshots are a few pixels; no imaging library needed) ---------

def decode_gray(blob: bytes) -> bytes:
    if blob[:2] == b"BM":
        return _bmp_gray(blob)
    if blob[:8] == b"\x89PNG\r\n\x1a\n":
        return _png_gray(blob)
    raise ValueError("unsupported image format")


def _luma(r: int, g: int, b: int) -> int:
    return (299 * r + 587 * g + 114 * b + 500) // 1000


def _bmp_gray(blob: bytes) -> bytes:
    offset = struct.unpack_from("<I", blob, 10)[0]
    width, height = struct.unpack_from("<ii", blob, 18)
    bpp = struct.unpack_from("<H", blob, 28)[0]
    if bpp not in (24, 32):
        raise ValueError(f"BMP with {bpp} bits per pixel")
    step = bpp // 8
    stride = (width * step + 3) & ~3
    rows = range(abs(height) - 1, -1, -1) if height > 0 else range(abs(height))
    out = bytearray()
    for y in rows:
        base = offset + y * stride
        for x in range(width):
            b, g, r = blob[base + x * step: base + x * step + 3]
            out.append(_luma(r, g, b))
    return bytes(out)


def _png_gray(blob: bytes) -> bytes:
    pos, idat, ihdr = 8, bytearray(), None
    while pos < len(blob):
        length, ctype = struct.unpack_from(">I4s", blob, pos)
        chunk = blob[pos + 8: pos + 8 + length]
        if ctype == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", chunk)
        elif ctype == b"IDAT":
            idat += chunk
        elif ctype == b"IEND":
            break
        pos += 12 + length
    if ihdr is None:
        raise ValueError("PNG without IHDR")
    width, height, depth, ctype, _, _, interlace = ihdr
    channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(ctype)
    if depth != 8 or channels is None or interlace:
        raise ValueError("unsupported PNG layout")
    raw = zlib.decompress(bytes(idat))
    stride = width * channels
    prev = bytearray(stride)
    out = bytearray()
    i = 0
    for _ in range(height):
        ftype = raw[i]
        line = bytearray(raw[i + 1: i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            b = prev[x]
            c = prev[x - channels] if x >= channels else 0
            if ftype == 1:
                line[x] = (line[x] + a) & 0xFF
            elif ftype == 2:
                line[x] = (line[x] + b) & 0xFF
            elif ftype == 3:
                line[x] = (line[x] + (a + b) // 2) & 0xFF
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[x] = (line[x] + pred) & 0xFF
        for x in range(width):
            px = line[x * channels: x * channels + channels]
            out.append(px[0] if channels <= 2 else _luma(px[0], px[1], px[2]))
        prev = line
    return bytes(out)
