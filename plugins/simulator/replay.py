"""How the simulated room keeps itself in the journal, so a show resumed after kill -9 finds the same room.

The simulator lives inside the app: when the app dies, the room dies with it. A real shop would have
carried on; so the room is rebuilt from the journal on resume, exactly. The room is a pure function of
its seed and of its inputs — the Platform-port writes, the show-side signals (segment, off air,
countdown, lucky bag, complaint wave) and the world's (a rehearsal's buyers, its audience switched
off) — each applied before a known integration step. So the shop journals:

  simulator.opened   {seed, fingerprint, audience, restored}   step 0 of the room is this event's instant
  simulator.input    {step, t, op, args, kwargs, key}         one per input, committed before it is applied

`t` is the show second the input was applied at (an offer starts then, a buyer buys then: the room
reads the time between steps too); `kwargs` only when the call has keyword arguments (a buyer's name).

A resumed shop starts a fresh room, queues the inputs and re-integrates from step 0 (lazily, on the
first call that needs the room: a worker thread, never the GUI's). A 3-hour show at 10^5 viewers takes
about a CPU second. The randomness of step k is keyed by (seed, k), so the re-integration draws exactly
what the first run drew, whatever happened around it. A shop that still runs the session's room (a
rehearsal's restart: the shop is the world, only the app died) keeps it and journals to the new app.

A write the journal refuses is refused (nothing applied); inputs a request turned down are replayed and
turned down again the same way.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from controlroom import platform as port

OPENED = "simulator.opened"
INPUT = "simulator.input"
ACTOR = "simulator"

# Port dataclasses an input may carry (CouponSpec, OfferSpec, ...), by name.
_TYPES = {name: obj for name, obj in vars(port).items() if dataclasses.is_dataclass(obj) and isinstance(obj, type)}


@dataclass(frozen=True)
class Input:
    step: int
    op: str
    args: tuple
    key: str | None = None
    kwargs: dict = dataclasses.field(default_factory=dict)
    t: float | None = None


def encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"__type__": type(value).__name__,
                **{f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, (bool, str, float)) or value is None:
        return value
    if isinstance(value, int):          # numpy integers too
        return int(value)
    raise TypeError(f"a simulator input cannot carry {type(value).__name__}: {value!r}")


def decode(value: Any) -> Any:
    if isinstance(value, dict) and "__type__" in value:
        cls = _TYPES[value["__type__"]]
        return cls(**{k: decode(v) for k, v in value.items() if k != "__type__"})
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def input_payload(step: int, op: str, args: tuple, key: str | None, *, kwargs: dict | None = None,
                  t: float | None = None) -> dict:
    payload = {"step": int(step), "op": op, "args": encode(list(args))}
    if t is not None:
        payload["t"] = float(t)
    if kwargs:
        payload["kwargs"] = {str(k): encode(v) for k, v in kwargs.items()}
    if key is not None:
        payload["key"] = key
    return payload


def input_from(payload: dict) -> Input:
    t = payload.get("t")
    return Input(int(payload["step"]), str(payload["op"]), tuple(decode(payload.get("args") or [])),
                 payload.get("key"), {str(k): decode(v) for k, v in (payload.get("kwargs") or {}).items()},
                 float(t) if isinstance(t, (int, float)) and not isinstance(t, bool) else None)


def fingerprint(shop) -> str:
    """What must be the same for a replay to rebuild the same room: the catalog, the show, the audience."""
    text = json.dumps([[dataclasses.astuple(i) for i in shop._items], dataclasses.astuple(shop.show),
                       dataclasses.astuple(shop.params), repr(shop._base_rate)], default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def find_room(events: list) -> tuple[Any | None, list[Input]]:
    """The last `simulator.opened` event of a session and the inputs journaled after it."""
    anchor_at = max((i for i, e in enumerate(events) if e.kind == OPENED), default=None)
    if anchor_at is None:
        return None, []
    return events[anchor_at], [input_from(e.payload) for e in events[anchor_at + 1:] if e.kind == INPUT]
