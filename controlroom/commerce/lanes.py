"""Lanes: actions on one SKU run in order; different SKUs never wait on each other.

Each lane (a SKU, "shop" for shop-wide actions, "metrics" for the breaker's poll) is a queue that
at most one worker serves at a time. Workers are threads started on demand up to `max_workers`, so
a shop call hanging on one SKU holds one worker while the others go on. Urgent work — timed
reverts, offer ends, breaker pauses, settling read-backs — goes to the front of its lane, and lanes
with urgent work are served first.

The thread model: callers (the GUI thread, the tick loop, the rundown) only enqueue and never wait
here; the platform is called on lane workers only.
"""
from __future__ import annotations

import itertools
import logging
import threading
from collections import deque
from concurrent.futures import Future
from typing import Any, Callable

log = logging.getLogger(__name__)


class LaneClosed(RuntimeError):
    pass


class Lanes:
    def __init__(self, max_workers: int = 16, name: str = "console-lane"):
        self.max_workers = max(1, int(max_workers))
        self.name = name
        self._cond = threading.Condition()
        self._queues: dict[str, deque] = {}
        self._ready: deque[str] = deque()          # lanes with work, not being served
        self._ready_urgent: deque[str] = deque()
        self._serving: set[str] = set()
        self._workers: list[threading.Thread] = []
        self._idle_workers = 0
        self._running = 0
        self._running_threads: set[int] = set()    # idents of the workers running a task now
        self._closed = False
        self._ids = itertools.count(1)

    # ---- submitting -------------------------------------------------------------------------------
    def submit(self, lane: str, fn: Callable[[], Any], *, urgent: bool = False) -> Future:
        fut: Future = Future()
        with self._cond:
            if self._closed:
                raise LaneClosed("the console's lanes are closed")
            q = self._queues.setdefault(lane, deque())
            if urgent:
                # behind other urgent work of the lane, ahead of everything else
                i = 0
                while i < len(q) and q[i][2]:
                    i += 1
                q.insert(i, (fn, fut, True))
            else:
                q.append((fn, fut, False))
            if lane not in self._serving:
                self._mark_ready(lane)
            self._cond.notify()
        return fut

    def _mark_ready(self, lane: str) -> None:
        q = self._queues.get(lane)
        if not q:
            return
        urgent = q[0][2]
        if urgent:
            if lane in self._ready:
                self._ready.remove(lane)
            if lane not in self._ready_urgent:
                self._ready_urgent.append(lane)
        elif lane not in self._ready and lane not in self._ready_urgent:
            self._ready.append(lane)
        # a ready lane never waits for a busy worker (one may be stuck on a hanging shop): start another
        waiting = len(self._ready) + len(self._ready_urgent)
        if self._idle_workers < waiting and len(self._workers) < self.max_workers:
            self._spawn()

    def _spawn(self) -> None:
        t = threading.Thread(target=self._work, name=f"{self.name}-{next(self._ids)}", daemon=True)
        self._workers.append(t)
        t.start()

    # ---- the workers ---------------------------------------------------------------------------
    def _work(self) -> None:
        while True:
            with self._cond:
                self._idle_workers += 1
                while not (self._ready_urgent or self._ready) and not self._closed:
                    self._cond.wait()
                self._idle_workers -= 1
                if not (self._ready_urgent or self._ready):
                    return  # closed and drained
                lane = (self._ready_urgent or self._ready).popleft()
                q = self._queues[lane]
                fn, fut, _urgent = q.popleft()
                self._serving.add(lane)
                self._running += 1
                self._running_threads.add(threading.get_ident())
            try:
                if fut.set_running_or_notify_cancel():
                    try:
                        fut.set_result(fn())
                    except BaseException as e:  # the future carries it to whoever waits
                        fut.set_exception(e)
                        if not isinstance(e, Exception):
                            raise
            finally:
                with self._cond:
                    self._running -= 1
                    self._running_threads.discard(threading.get_ident())
                    self._serving.discard(lane)
                    if q:
                        self._mark_ready(lane)
                    elif not q:
                        self._queues.pop(lane, None)
                    self._cond.notify_all()

    # ---- state ------------------------------------------------------------------------------
    @property
    def running(self) -> int:
        with self._cond:
            return self._running

    def pending(self) -> int:
        """Tasks queued, not started."""
        with self._cond:
            return sum(len(q) for q in self._queues.values())

    def quiet(self, parked: set[int] | frozenset[int] = frozenset()) -> bool:
        """Nothing queued, and every running task's thread is one of `parked` (waiting on a simulated clock)."""
        with self._cond:
            return not (self._ready or self._ready_urgent) and self._running_threads <= parked and \
                not any(self._queues.get(lane) for lane in list(self._queues) if lane not in self._serving)

    def describe(self) -> str:
        with self._cond:
            return (f"{self._running} running in {sorted(self._serving)}, ready {list(self._ready_urgent)} + "
                    f"{list(self._ready)}, queued {[(k, len(q)) for k, q in self._queues.items() if q]}, "
                    f"{len(self._workers)} workers ({self._idle_workers} idle)")

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until nothing is queued or running (tests and shutdown; never on the GUI thread)."""
        with self._cond:
            return self._cond.wait_for(lambda: self._running == 0 and not any(self._queues.values()), timeout)

    def close(self, wait: bool = True, timeout: float | None = 30.0) -> None:
        with self._cond:
            self._closed = True
            if not wait:
                for q in self._queues.values():
                    for _fn, fut, _u in q:
                        fut.cancel()
                self._queues.clear()
                self._ready.clear()
                self._ready_urgent.clear()
            self._cond.notify_all()
        if wait:
            for t in list(self._workers):
                if t is not threading.current_thread():
                    t.join(timeout)
