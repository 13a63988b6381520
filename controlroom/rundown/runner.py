"""The run-of-show runner: plays a Rundown against the injected monotonic clock.

Timers are differences of clock readings, never counted ticks, so an 8-hour show drifts by
nothing but float rounding. Every change is journaled first and then applied through one reducer
(`_apply`), and replaying the journal runs the same reducer: after a crash the runner is exactly
where the journal says it was.

Each rundown.* payload carries `t`, the seconds since the show started (the actual time), beside
the planned times. Replay maps the show start from its UTC wall time onto the current monotonic
clock and places every later event by its `t`, so relative timing survives a restart exactly.

Ahead/behind and projected end (the rule):
  raw end      = now + time left in the current segment (0 once in overtime) + planned rest of the plan
  offset       = raw end - planned end (planned end = show start + planned total). > 0 behind, < 0 ahead.
  slack        = the planned length of the flex segments still to come (kind "break", or flex=yes),
                 plus what is left of the current segment if it is flex.
  projected end = raw end - min(max(offset, 0), slack).
So a delay is eaten by the buffers later in the plan, front to back, and only what they cannot absorb
moves the end; being ahead is not absorbed (the show would end early unless the operator adds time).
Projected segment starts follow the same walk: each upcoming flex segment shrinks by what is left of
the delay when it is reached.
"""
from __future__ import annotations

import logging
import math
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from controlroom.clock import Clock
from controlroom.rundown import cadence
from controlroom.rundown.config import RundownSettings
from controlroom.rundown.display import format_countdown, format_offset, phase_for
from controlroom.rundown.model import Offer, Rundown, Segment

log = logging.getLogger(__name__)

MESSAGE_STYLES = ("normal", "blink", "blackout")
MAX_ADD_S = 24 * 3600   # +/- time on one segment: a day either way is already absurd; 1e12 is a typo


@dataclass
class _OfferRun:
    offer: Offer
    index: int
    cue: str
    started: float      # monotonic
    ended: bool = False

    @property
    def ends(self) -> float:
        return self.started + self.offer.duration_s


class Runner:
    """Thread-safe: the GUI, the tick loop and the HTTP control API may call it concurrently."""

    def __init__(self, rundown: Rundown, clock: Clock, *, journal=None, bus=None, session_id: int | None = None,
                 settings: RundownSettings | None = None, slot_minutes: float | None = None,
                 console: Callable[[], Any] | None = None, catalog: dict[str, dict] | None = None,
                 alert: Callable[..., Any] | None = None):
        self.clock = clock
        self.journal = journal
        self.bus = bus
        self.session_id = session_id
        self.settings = settings or RundownSettings()
        self.slot_minutes = slot_minutes
        self._console = console or (lambda: None)
        self.catalog = catalog or {}
        self._alert = alert
        self._lock = threading.RLock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rundown-console")
        self._last_publish = float("-inf")
        self.rundown = rundown
        self._reset()

    def _reset(self) -> None:
        self.status = "idle"          # idle | running | paused | ended
        self.index = 0
        self.show_start: float | None = None
        self.seg_start: float | None = None
        self.paused_at: float | None = None
        self.paused_total = 0.0       # paused seconds inside the current segment
        self.added_s = 0.0
        self.ended_at: float | None = None
        self.actual_starts: dict[int, float] = {}  # index -> latest actual start (monotonic)
        self.message: dict[str, Any] | None = None
        self.offers: dict[str, _OfferRun] = {}     # key "<index>:<sku>@<start>"
        self.overtime_logged = False

    # ---- reading the state -----------------------------------------------------------------------
    @property
    def segment(self) -> Segment | None:
        return self.rundown[self.index] if len(self.rundown) else None

    def _elapsed(self, now: float) -> float:
        if self.seg_start is None:
            return 0.0
        paused = self.paused_total + ((now - self.paused_at) if self.paused_at is not None else 0.0)
        end = self.ended_at if self.status == "ended" and self.ended_at is not None else now
        return max(0.0, (end - self.seg_start) - paused)

    def remaining(self, now: float | None = None) -> float:
        """Seconds left in the current segment; negative in overtime."""
        with self._lock:
            now = self.clock.monotonic() if now is None else now
            seg = self.segment
            if seg is None:
                return 0.0
            return seg.planned_s + self.added_s - self._elapsed(now)

    def timeline(self, now: float | None = None) -> dict[str, Any]:
        """Offset, projected end and projected starts (seconds from the show start; None = skipped)."""
        with self._lock:
            now = self.clock.monotonic() if now is None else now
            segs = self.rundown.segments
            start = self.show_start if self.show_start is not None else now
            planned_starts = self.rundown.planned_starts()
            planned_end = start + self.rundown.total_s
            if self.status == "idle":
                starts = [start + p for p in planned_starts]
                return {"offset_s": 0.0, "absorbed_s": 0.0, "projected_end": planned_end, "planned_end": planned_end,
                        "starts": [s - start for s in starts], "show_start": start}
            if self.status == "ended":
                end = self.ended_at if self.ended_at is not None else now
                starts = [(self.actual_starts[i] - start) if i in self.actual_starts else None
                          for i in range(len(segs))]
                return {"offset_s": end - planned_end, "absorbed_s": 0.0, "projected_end": end,
                        "planned_end": planned_end, "starts": starts, "show_start": start}
            rem = max(0.0, self.remaining(now))
            t = now + rem
            rest = segs[self.index + 1:]
            raw_end = t + sum(s.planned_s for s in rest)
            offset = raw_end - planned_end
            slack = sum(s.planned_s for s in rest if s.absorbs_delay)
            cur = segs[self.index]
            if cur.absorbs_delay:
                slack += rem
            absorbed = min(max(offset, 0.0), slack)
            # walk forward: the current flex segment gives up its time first, then each later buffer
            left = max(offset, 0.0)
            if cur.absorbs_delay:
                take = min(left, rem)
                t -= take
                left -= take
            starts: list[float | None] = []
            for i in range(len(segs)):
                if i < self.index:
                    starts.append((self.actual_starts[i] - start) if i in self.actual_starts else None)
                elif i == self.index:
                    starts.append((self.seg_start or now) - start)
            for s in rest:
                starts.append(t - start)
                d = s.planned_s
                if s.absorbs_delay and left > 0:
                    take = min(left, d)
                    d -= take
                    left -= take
                t += d
            return {"offset_s": offset, "absorbed_s": absorbed, "projected_end": raw_end - absorbed,
                    "planned_end": planned_end, "starts": starts, "show_start": start}

    def cadence(self, now: float | None = None) -> list[cadence.CadenceWarning]:
        with self._lock:
            kw = {"max_gap_minutes": self.settings.max_gap_minutes, "slot_minutes": self.slot_minutes}
            if self.status == "idle":
                return cadence.check(self.rundown, **kw)
            tl = self.timeline(now)
            played = [(s, st) for s, st in zip(self.rundown.segments, tl["starts"]) if st is not None]
            sub = Rundown(tuple(s for s, _ in played)) if played else self.rundown
            return cadence.check(sub, starts=[st for _, st in played],
                                 end_s=tl["projected_end"] - tl["show_start"], **kw)

    def snapshot(self, now: float | None = None) -> dict[str, Any]:
        """The whole state as a plain dict: what rundown.state carries to the UI."""
        with self._lock:
            now = self.clock.monotonic() if now is None else now
            utc_now = self.clock.utcnow()

            def utc_at(mono: float) -> str:
                return (utc_now + timedelta(seconds=mono - now)).isoformat()

            seg = self.segment
            nxt = self.rundown[self.index + 1] if self.index + 1 < len(self.rundown) else None
            rem = self.remaining(now)
            tl = self.timeline(now)
            phase = "idle" if self.status == "idle" or seg is None else phase_for(rem, seg.warning_s, seg.danger_s)
            return {
                "mono": now, "utc": utc_now.isoformat(), "status": self.status, "index": self.index,
                "count": len(self.rundown), "phase": phase,
                "segment": _seg_view(seg, self.catalog) if seg else None,
                "next": _seg_view(nxt, self.catalog) if nxt else None,
                "remaining_s": rem, "display": format_countdown(rem),
                "elapsed_s": self._elapsed(now), "duration_s": (seg.planned_s + self.added_s) if seg else 0,
                "added_s": self.added_s,
                "offset_s": tl["offset_s"], "offset_text": format_offset(tl["offset_s"]),
                "absorbed_s": tl["absorbed_s"],
                "projected_end_offset_s": tl["projected_end"] - tl["planned_end"],
                "show_elapsed_s": (now - self.show_start) if self.show_start is not None else 0.0,
                "show_start_utc": utc_at(tl["show_start"]),
                "planned_end_utc": utc_at(tl["planned_end"]), "projected_end_utc": utc_at(tl["projected_end"]),
                "planned_starts": self.rundown.planned_starts(), "starts": tl["starts"],
                "segments": [{"cue": s.cue, "title": s.title, "kind": s.kind, "planned_s": s.planned_s,
                              "colour": s.colour, "price_anchor": s.price_anchor, "interaction": s.interaction,
                              "flex": s.absorbs_delay} for s in self.rundown.segments],
                "offers": [{"sku": o.offer.sku, "price_fen": o.offer.price_fen, "remaining_s": o.ends - now,
                            "cue": o.cue} for o in self.offers.values() if not o.ended],
                "message": dict(self.message) if self.message else None,
                "cadence": [w.to_dict() for w in self.cadence(now)],
                "slot_minutes": self.slot_minutes,
            }

    # ---- operator controls -----------------------------------------------------------------------
    def start(self, actor: str = "operator") -> None:
        with self._lock:
            if self.status == "idle" and len(self.rundown):
                self._record("rundown.started", actor, self._seg_payload(self.index, 0.0, reason="start"))
            elif self.status == "paused":
                self.resume(actor)

    def pause(self, actor: str = "operator") -> None:
        with self._lock:
            if self.status == "running":
                now = self.clock.monotonic()
                self._record("rundown.paused", actor, {**self._here(now), "remaining_s": round(self.remaining(now), 3)})

    def resume(self, actor: str = "operator") -> None:
        with self._lock:
            if self.status == "paused":
                now = self.clock.monotonic()
                self._record("rundown.resumed", actor, {**self._here(now), "paused_s": round(now - self.paused_at, 3)})

    def toggle(self, actor: str = "operator") -> None:
        """Space: start when idle, pause when running, resume when paused."""
        with self._lock:
            {"idle": self.start, "running": self.pause, "paused": self.resume}.get(self.status, lambda a: None)(actor)

    def next(self, actor: str = "operator") -> None:
        with self._lock:
            if self.status == "idle":
                return self.start(actor)
            if self.status == "ended":
                return
            if self.index + 1 >= len(self.rundown):
                return self.end(actor)
            self._goto(self.index + 1, actor, "next")

    def previous(self, actor: str = "operator") -> None:
        with self._lock:
            if self.status == "idle":
                return
            if self.status == "ended":
                return self._goto(self.index, actor, "previous")
            self._goto(max(0, self.index - 1), actor, "previous")

    def goto(self, target: int | str, actor: str = "operator") -> None:
        """Go to a segment by index (int) or cue (str). Before the show it only selects where to start."""
        with self._lock:
            index = target if isinstance(target, int) else self.rundown.index_of(target)
            if not 0 <= index < len(self.rundown):
                raise IndexError(f"no segment {index}; the rundown has {len(self.rundown)}")
            if self.status == "idle":
                self.index = index
                self.publish_state(force=True)
                return
            self._goto(index, actor, "goto")

    def add_time(self, delta_s: float, actor: str = "operator") -> None:
        """+1 min / -1 min on the current segment (the timer may go into overtime). A change that is
        not a finite number of seconds within a day either way is refused (ValueError), never journaled."""
        if isinstance(delta_s, bool) or not isinstance(delta_s, (int, float)) or not math.isfinite(delta_s) \
                or abs(delta_s) > MAX_ADD_S:
            raise ValueError(f"seconds: expected a number of seconds between -{MAX_ADD_S} and {MAX_ADD_S}, "
                             f"got {delta_s!r}")
        with self._lock:
            if self.status not in ("running", "paused") or not delta_s:
                return
            now = self.clock.monotonic()
            self._record("rundown.time_changed", actor, {**self._here(now), "delta_s": float(delta_s),
                                                        "added_s": self.added_s + float(delta_s),
                                                        "remaining_s": round(self.remaining(now) + delta_s, 3)})

    def end(self, actor: str = "operator") -> None:
        with self._lock:
            if self.status in ("running", "paused"):
                now = self.clock.monotonic()
                tl = self.timeline(now)
                self._record("rundown.ended", actor, {**self._here(now), **self._leaving(now),
                                                     "planned_total_s": self.rundown.total_s,
                                                     "actual_total_s": round(now - self.show_start, 3),
                                                     "offset_s": round(now - tl["planned_end"], 3)})

    def send_message(self, text: str, style: str = "normal", actor: str = "operator") -> None:
        """An operator message across the middle of the cue screen: normal, blink or blackout."""
        if style not in MESSAGE_STYLES:
            raise ValueError(f"style must be one of {', '.join(MESSAGE_STYLES)}, got {style!r}")
        text = str(text).strip()
        if not text and style != "blackout":
            return self.clear_message(actor)
        from controlroom.rundown.compliance_check import banned_terms
        with self._lock:
            now = self.clock.monotonic()
            self._record("cue.message", actor, {"text": text, "style": style, "banned_terms": banned_terms(text),
                                                **self._here(now)})

    def clear_message(self, actor: str = "operator") -> None:
        with self._lock:
            if self.message is not None:
                self._record("cue.message_cleared", actor, self._here(self.clock.monotonic()))

    def load(self, rundown: Rundown, actor: str = "operator") -> None:
        """Replace the plan (an edited import). A running show keeps its current cue if the new plan has it."""
        with self._lock:
            self._record("rundown.loaded", actor, {"source": rundown.source, "total_s": rundown.total_s,
                                                   "segments": rundown.to_dicts(),
                                                   **self._here(self.clock.monotonic())})

    # ---- the clock's side --------------------------------------------------------------------------
    def tick(self) -> None:
        """~every 100 ms: offers, zero crossing, heartbeat. Quick: no I/O but the journal."""
        with self._lock:
            now = self.clock.monotonic()
            if self.status in ("running", "paused"):
                seg = self.segment
                if not self.overtime_logged and self.remaining(now) <= 0:
                    self._record("rundown.overtime", "system", {**self._here(now), "planned_s": seg.planned_s,
                                                                "added_s": self.added_s})
                if self.settings.auto_offers and self.status == "running":
                    elapsed = self._elapsed(now)
                    for offer in seg.offers:
                        key = f"{self.index}:{offer.key}"
                        if key not in self.offers and elapsed >= offer.start_s:
                            self._start_offer(key, offer, now)
            for key, run in list(self.offers.items()):
                if not run.ended and now >= run.ends:
                    self._end_offer(key, run, now)
            self.publish_state()

    def next_due(self, now: float | None = None) -> float | None:
        """The monotonic time of the runner's next timed event: a countdown offer of the current segment
        starting or ending, or the segment reaching zero (a driver of a simulated clock ticks right then)."""
        with self._lock:
            now = self.clock.monotonic() if now is None else now
            dues = [run.ends for run in self.offers.values() if not run.ended]
            if self.status == "running" and self.segment is not None:
                elapsed = self._elapsed(now)
                if self.settings.auto_offers:
                    dues += [now + (o.start_s - elapsed) for o in self.segment.offers
                             if f"{self.index}:{o.key}" not in self.offers and o.start_s > elapsed]
                rem = self.remaining(now)
                if rem > 0:
                    dues.append(now + rem)
            dues = [d for d in dues if d > now]
            return min(dues) if dues else None

    def publish_state(self, force: bool = False) -> None:
        if self.bus is None:
            return
        with self._lock:
            now = self.clock.monotonic()
            if not force and now - self._last_publish < self.settings.heartbeat_s:
                return
            self._last_publish = now
            snap = self.snapshot(now)
        self.bus.publish("rundown.state", snap)

    # ---- offers: through the console's interlocked path ------------------------------------------
    def _start_offer(self, key: str, offer: Offer, now: float) -> None:
        console = self._console()
        self._record("rundown.offer_started", "rundown", {**self._here(now), "key": key, "sku": offer.sku,
                                                          "price_fen": offer.price_fen, "duration_s": offer.duration_s,
                                                          "console": "sent" if console else "absent"})
        if console is not None:
            fire = getattr(console, "fire_offer", None)
            if fire is not None:
                # the console judges it again where it goes live and never blocks this tick; a refusal comes back
                def done(ticket, key=key, sku=offer.sku) -> None:
                    out = ticket.outcome
                    if out is None or out.status != "applied":
                        v = ticket.verdict.verdict
                        word = {"block": "blocked", "confirm": "awaiting confirm"}.get(v, "") \
                            if (out is None or out.status == "refused") else ""
                        self._offer_refused(key, sku, "start_offer",
                                            f"console {word or (out.status if out else 'refused')}: "
                                            f"{ticket.verdict.words if word else (out.error if out else '')}")
                fire(offer.sku, offer.price_fen, offer.duration_s, actor="rundown", on_done=done)
            else:
                self._pool.submit(self._call_console, "start_offer", key, offer.sku,
                                  (offer.sku, offer.price_fen, offer.duration_s))

    def _offer_refused(self, key: str, sku: str, method: str, error: str) -> None:
        log.warning("console %s for %s failed: %s", method, sku, error)
        with self._lock:
            self._record("rundown.offer_failed", "rundown", {"key": key, "sku": sku, "action": method, "error": error})
        if self._alert:
            try:
                self._alert(sku=sku, action=method, error=error)
            except Exception:
                log.exception("raising the offer alert failed")

    def _end_offer(self, key: str, run: _OfferRun, now: float) -> None:
        console = self._console()
        status = "absent"
        if console is not None and getattr(console, "fire_offer", None) is not None:
            status = "ended by the console"   # it ends its own offers at zero (or paused them on a failover)
        elif console is not None:
            status = "sent"
            offers = getattr(console, "offers", None)
            if offers is not None:
                try:  # the console reverts its own offers at zero; only one still running needs telling
                    mine = [o for o in offers() if getattr(o, "sku", None) == run.offer.sku]
                    if not mine or all((getattr(o, "remaining_s", 1.0) or 0.0) <= 0.5 for o in mine):
                        status = "already reverted"
                    elif all(getattr(o, "paused", False) for o in mine):
                        status = "held by the console"   # e.g. frozen during a failover: the console owns it now
                except Exception:
                    log.exception("reading the console's offers failed")
        self._record("rundown.offer_ended", "rundown", {**self._here(now), "key": key, "sku": run.offer.sku,
                                                        "console": status})
        if status == "sent":
            self._pool.submit(self._call_console, "stop_offer", key, run.offer.sku, (run.offer.sku,))

    def _call_console(self, method: str, key: str, sku: str, args: tuple) -> None:
        """On the worker: the console's interlocks decide; a refusal is journaled and raised as an alert."""
        console = self._console()
        kwargs: dict[str, Any] = {"actor": "rundown"}
        if method == "stop_offer":
            kwargs["reason"] = "rundown countdown ended"
        try:
            fn = getattr(console, method)
            try:
                res = fn(*args, wait=True, **kwargs)
            except TypeError:  # a console without wait/reason keywords
                res = fn(*args, actor="rundown")
            state = getattr(res, "state", None)
            if state in ("blocked", "awaiting_confirm", "failed", "cancelled"):
                verdict = getattr(getattr(res, "verdict", None), "words", "") or \
                    getattr(getattr(res, "outcome", None), "error", "")
                raise RuntimeError(f"console {state.replace('_', ' ')}: {verdict}".rstrip(": "))
        except Exception as e:  # the console's interlocks may refuse; that is news, not a crash
            log.warning("console %s for %s failed: %s", method, sku, e)
            with self._lock:
                self._record("rundown.offer_failed", "rundown", {"key": key, "sku": sku, "action": method,
                                                                 "error": str(e)})
            if self._alert:
                try:
                    self._alert(sku=sku, action=method, error=str(e))
                except Exception:
                    log.exception("raising the offer alert failed")

    # ---- journal first, then the one reducer -----------------------------------------------------
    def _here(self, now: float) -> dict[str, Any]:
        seg = self.segment
        return {"t": round(now - self.show_start, 6) if self.show_start is not None else None,
                "index": self.index, "cue": seg.cue if seg else None}

    def _leaving(self, now: float) -> dict[str, Any]:
        seg = self.segment
        return {"from_index": self.index, "from_cue": seg.cue, "from_planned_s": seg.planned_s + self.added_s,
                "from_actual_s": round(self._elapsed(now), 3),
                "from_wall_s": round(now - self.seg_start, 3) if self.seg_start is not None else 0.0}

    def _seg_payload(self, index: int, t: float, reason: str) -> dict[str, Any]:
        seg = self.rundown[index]
        return {"t": round(t, 6), "index": index, "cue": seg.cue, "title": seg.title, "kind": seg.kind,
                "products": list(seg.products), "planned_s": seg.planned_s,
                "planned_start_s": self.rundown.planned_starts()[index], "actual_start_s": round(t, 3),
                "reason": reason}

    def _goto(self, index: int, actor: str, reason: str) -> None:
        now = self.clock.monotonic()
        payload = {**self._leaving(now), **self._seg_payload(index, now - self.show_start, reason)}
        payload["offset_s"] = round(self.timeline(now)["offset_s"], 3)
        self._record("rundown.segment", actor, payload)

    def _record(self, kind: str, actor: str, payload: dict[str, Any]) -> None:
        now = self.clock.monotonic()
        if self.journal is not None and self.session_id is not None:
            ev = self.journal.append(self.session_id, kind, actor, payload)
            payload = ev.payload
        if kind == "rundown.started":
            self.show_start = now
        at = self.show_start + payload["t"] if payload.get("t") is not None and self.show_start is not None else now
        self._apply(kind, payload, at)
        if kind in ("rundown.started", "rundown.segment") and self.bus is not None:
            seg = self.segment
            self.bus.publish("rundown.segment", {"kind": seg.kind, "products": list(seg.products),
                                                 "cue": seg.cue, "title": seg.title})
        self.publish_state(force=True)

    def _apply(self, kind: str, p: dict[str, Any], at: float) -> None:
        """The one place state changes; `at` is the event's monotonic time on the current clock."""
        if kind == "rundown.loaded":
            new = Rundown.from_dicts(p["segments"], source=p.get("source", ""))
            cue = self.segment.cue if self.segment and self.status != "idle" else None
            self.rundown = new
            try:
                self.index = new.index_of(cue) if cue is not None else 0
            except KeyError:
                self.index = min(self.index, max(0, len(new) - 1))
        elif kind in ("rundown.started", "rundown.segment"):
            if kind == "rundown.started":
                self.show_start = at
            self.status = "running"
            self.index = p["index"]
            self.seg_start = at
            self.paused_at = None
            self.paused_total = 0.0
            self.added_s = 0.0
            self.ended_at = None
            self.overtime_logged = False
            self.actual_starts[self.index] = at
        elif kind == "rundown.paused":
            self.status, self.paused_at = "paused", at
        elif kind == "rundown.resumed":
            if self.paused_at is not None:
                self.paused_total += at - self.paused_at
            self.status, self.paused_at = "running", None
        elif kind == "rundown.time_changed":
            self.added_s = float(p["added_s"])
            if self.seg_start is not None and self.segment is not None:
                self.overtime_logged = self._remaining_at(at) <= 0 and self.overtime_logged
        elif kind == "rundown.overtime":
            self.overtime_logged = True
        elif kind == "rundown.ended":
            if self.paused_at is not None:
                self.paused_total += at - self.paused_at
                self.paused_at = None
            self.status, self.ended_at = "ended", at
        elif kind == "rundown.offer_started":
            seg = self.rundown[p["index"]]
            offer = next((o for o in seg.offers if f"{p['index']}:{o.key}" == p["key"]),
                         Offer(p["sku"], p["price_fen"], 0, p["duration_s"]))
            self.offers[p["key"]] = _OfferRun(offer, p["index"], p["cue"], at)
        elif kind == "rundown.offer_ended":
            if p["key"] in self.offers:
                self.offers[p["key"]].ended = True
        elif kind == "cue.message":
            self.message = {"text": p["text"], "style": p["style"], "banned_terms": p.get("banned_terms", [])}
        elif kind == "cue.message_cleared":
            self.message = None

    def _remaining_at(self, at: float) -> float:
        return self.segment.planned_s + self.added_s - self._elapsed(at)

    # ---- crash recovery ---------------------------------------------------------------------------
    def replay(self, events: list) -> None:
        """Rebuild from journal events (rundown.* and cue.*) of one session, in order."""
        with self._lock:
            self._reset()
            now_mono, now_utc = self.clock.monotonic(), self.clock.utcnow()
            for ev in events:
                if not (ev.kind.startswith("rundown.") or ev.kind.startswith("cue.")):
                    continue
                p = ev.payload
                if ev.kind == "rundown.started":
                    # the show start is the one wall-time anchor; everything after is placed by its `t`
                    self.show_start = now_mono - (now_utc - _utc(ev.utc)).total_seconds()
                if p.get("t") is not None and self.show_start is not None:
                    at = self.show_start + p["t"]
                else:
                    at = now_mono - (now_utc - _utc(ev.utc)).total_seconds()
                self._apply(ev.kind, p, at)
        self.publish_state(force=True)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=False)


def _utc(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def _seg_view(seg: Segment, catalog: dict[str, dict]) -> dict[str, Any]:
    return {"cue": seg.cue, "title": seg.title, "kind": seg.kind, "planned_s": seg.planned_s,
            "products": [{"sku": sku, **catalog.get(sku, {})} for sku in seg.products],
            "talk_track": seg.talk_track, "notes": seg.notes, "colour": seg.colour,
            "warning_s": seg.warning_s, "danger_s": seg.danger_s, "price_anchor": seg.price_anchor,
            "interaction": seg.interaction, "flex": seg.absorbs_delay}
