"""The viewer-side probe: ffmpeg pulls the stream the way a viewer would, and we note when media last
advanced. It is the only signal that sees a stalled ingest quickly (a frozen ingest with its socket
still open is invisible to OBS for 20+ s, see docs/obs-testbed.md).

- ffmpeg copies packets into the null muxer (no decoding: a few % of a core) and prints `-progress`
  blocks every 0.2 s; a block whose frame count or media time grew means frames arrived. A reader
  thread stamps that with the guard's injected monotonic clock.
- ffmpeg exits when the publisher leaves or after `-rw_timeout` without data; it is restarted with
  exponential backoff (reset once media flows again).
- ffmpeg missing is not a crash: the probe reports `error()`, the guard shows the probe signal as
  UNKNOWN and raises an alarm (never a switch).
- The URL usually carries the stream key (the last path segment, or a token in the query): logs,
  errors and the journal only ever see `mask_url(url)`.
- stop() kills only the ffmpeg this probe started, by its PID.
"""
from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections import deque
from typing import Any

from controlroom.clock import Clock, SystemClock
from controlroom.stream.urls import MASK, mask_text, mask_url, url_secrets  # noqa: F401 - re-exported

log = logging.getLogger(__name__)



def _scrub(text: str, url: str, masked: str) -> str:
    if url and url in text:
        text = text.replace(url, masked)
    # ffmpeg sometimes prints the URL re-assembled or only the key: drop any secret part on its own
    return mask_text(text, url_secrets(url))


def _pdeathsig():
    """A pre-exec hook (Linux) that has ffmpeg SIGKILLed when the thread that started it goes away, so
    a crashed app does not leave a probe pulling the stream forever. Resolved here, in the parent:
    the child between fork and exec must not import anything."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None

    def hook() -> None:
        prctl(1, signal.SIGKILL)               # PR_SET_PDEATHSIG
    return hook


class StreamProbe:
    """`last_frame_at()` for StreamGuard(probe=...): the monotonic time (guard's clock) media last
    advanced at `url`, None until the first frame. `error()` is a message when the probe cannot run
    at all (ffmpeg missing), else None."""

    def __init__(self, url: str, clock: Clock | None = None, *, ffmpeg: str = "ffmpeg",
                 rw_timeout_s: float = 3.0, stats_period_s: float = 0.2,
                 backoff_initial_s: float = 0.3, backoff_max_s: float = 5.0, name: str = "probe"):
        self.url = url
        self.masked_url = mask_url(url)
        self.clock = clock or SystemClock()
        self.ffmpeg = ffmpeg
        self.rw_timeout_s = rw_timeout_s
        self.stats_period_s = stats_period_s
        self.backoff_initial_s = backoff_initial_s
        self.backoff_max_s = backoff_max_s
        self.name = name
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._popen: subprocess.Popen | None = None
        self._last_frame_at: float | None = None
        self._error: str | None = None
        self._last_exit: str = ""
        self._starts = 0
        self._frames = 0
        self._media_s = 0.0
        self._stderr: deque[str] = deque(maxlen=5)
        self._hook = _pdeathsig()

    def __repr__(self) -> str:
        return f"StreamProbe({self.masked_url!r})"

    # ---- the guard's interface ------------------------------------------------------------------
    def last_frame_at(self) -> float | None:
        return self._last_frame_at

    def error(self) -> str | None:
        return self._error

    def describe(self) -> str:
        return self.masked_url

    def status(self) -> dict[str, Any]:
        now = self.clock.monotonic()
        last = self._last_frame_at
        with self._lock:
            running = self._popen is not None and self._popen.poll() is None
            return {"url": self.masked_url, "running": running, "error": self._error,
                    "starts": self._starts, "frames": self._frames, "media_s": round(self._media_s, 2),
                    "last_frame_age_s": None if last is None else round(now - last, 2),
                    "last_exit": self._last_exit}

    # ---- life cycle -----------------------------------------------------------------------------
    def start(self) -> "StreamProbe":
        if self._thread is not None:
            return self
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"stream-{self.name}", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 3.0) -> None:
        self._stop.set()
        self._kill()
        t, self._thread = self._thread, None
        if t is not None and t is not threading.current_thread():
            t.join(timeout)
        self._kill()     # a start that raced with stop

    def _kill(self) -> None:
        with self._lock:
            p = self._popen
        if p is None or p.poll() is not None:
            return
        try:
            os.kill(p.pid, signal.SIGKILL)     # our own child, by PID
        except ProcessLookupError:
            pass
        try:
            p.wait(2)
        except subprocess.TimeoutExpired:
            log.warning("%s: ffmpeg (pid %s) did not exit after SIGKILL", self.name, p.pid)

    def argv(self, exe: str) -> list[str]:
        us = str(int(self.rw_timeout_s * 1_000_000))
        return [exe, "-nostdin", "-hide_banner", "-loglevel", "error", "-rw_timeout", us,
                "-probesize", "32768", "-analyzeduration", "500000", "-fflags", "nobuffer",
                "-i", self.url, "-map", "0", "-c", "copy", "-f", "null", "-",
                "-progress", "pipe:1", "-stats_period", str(self.stats_period_s)]

    def _run(self) -> None:
        delay = self.backoff_initial_s
        while not self._stop.is_set():
            exe = shutil.which(self.ffmpeg)
            if exe is None:
                self._set_error(f"ffmpeg not found ({self.ffmpeg!r}): the viewer-side probe of "
                                f"{self.masked_url} cannot run; install ffmpeg")
                self._stop.wait(min(30.0, max(delay, 5.0)))   # it may get installed: look again later
                continue
            got_media = self._run_once(exe)
            if self._stop.is_set():
                break
            delay = self.backoff_initial_s if got_media else min(self.backoff_max_s, delay * 2)
            self._stop.wait(delay)

    def _set_error(self, msg: str | None) -> None:
        if msg != self._error:
            if msg:
                log.warning("%s: %s", self.name, msg)
            self._error = msg

    def _run_once(self, exe: str) -> bool:
        try:
            with self._lock:
                if self._stop.is_set():
                    return False
                self._popen = p = subprocess.Popen(
                    self.argv(exe), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                    start_new_session=True,      # Ctrl-C in a terminal is for us, not the probe
                    preexec_fn=self._hook)
                self._starts += 1
        except OSError as e:
            self._set_error(f"cannot start ffmpeg for the viewer-side probe: {e.strerror or e}")
            return False
        self._set_error(None)
        self._stderr.clear()
        err_t = threading.Thread(target=self._read_stderr, args=(p,), daemon=True, name=f"{self.name}-stderr")
        err_t.start()
        got = False
        frame, out_us = -1, -1
        blk_frame, blk_us = None, None
        try:
            for raw in p.stdout:
                line = raw.decode("ascii", "replace").strip()
                key, _, val = line.partition("=")
                if key == "frame":
                    blk_frame = _int(val)
                elif key == "out_time_us":
                    blk_us = _int(val)
                elif key == "progress":
                    if val == "end":
                        # the closing report flushes buffered packets as ffmpeg gives up: not live media
                        break
                    advanced = False
                    if blk_frame is not None and blk_frame > max(frame, 0):
                        advanced = True
                        self._frames += blk_frame - max(frame, 0)
                        frame = blk_frame
                    if blk_us is not None and blk_us > out_us:
                        if out_us >= 0:
                            self._media_s += (blk_us - out_us) / 1e6
                            advanced = True
                        out_us = blk_us
                    if advanced:
                        got = True
                        self._last_frame_at = self.clock.monotonic()
                    blk_frame = blk_us = None
                if self._stop.is_set():
                    break
        finally:
            self._kill()
            err_t.join(1.0)
            rc = p.returncode
            tail = " | ".join(self._stderr)
            self._last_exit = f"ffmpeg exited {rc}" + (f": {tail}" if tail else "")
            if not self._stop.is_set():
                log.info("%s: %s; restarting", self.name, self._last_exit)
            with self._lock:
                if self._popen is p:
                    self._popen = None
        return got

    def _read_stderr(self, p: subprocess.Popen) -> None:
        try:
            for raw in p.stderr:
                line = raw.decode("utf-8", "replace").strip()
                if line:
                    self._stderr.append(_scrub(line, self.url, self.masked_url)[:300])
        except (OSError, ValueError):
            pass


def _int(v: str) -> int | None:
    try:
        return int(v)
    except ValueError:
        return None


def build_probe(config, clock: Clock | None = None) -> StreamProbe | None:
    """The probe the config asks for ([thresholds] probe_url), not started; None without one."""
    url = config.thresholds.probe_url
    if not url:
        return None
    return StreamProbe(url, clock=clock, rw_timeout_s=max(1.0, config.thresholds.probe_stall_s * 1.5))
