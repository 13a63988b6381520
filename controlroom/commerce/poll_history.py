"""The console's memory of its metrics polls, rebuilt from the journal after a crash.

Two watchers of the console remember what its metrics polls saw, and that memory lived only in the app:
- the circuit breaker (breaker.py): the per-SKU counters it compares against and which SKUs are armed
  since when. A kill -9 disarmed every breaker: the deep price cut it was guarding ran on unguarded, and
  a resumed show tripped (or not) differently from the same show uninterrupted;
- the stock watch (stock.py): the stock last read back and the units counter then (the estimate), and
  the level already alerted. A kill -9 raised "sold out" a second time and "low stock" at another moment.

Both are in the journal already. The metrics room journals every SKU's counters as they change at each
poll; replayed at each poll instant they are what the console's own poller saw (both poll once a second;
with one clock driving both — a simulated show — at the same instants). The console's events say when a
breaker was armed (a price change, an offer start), disarmed (an offer stopped by the console) or
tripped, and what the stock read-backs said, exactly as the live console decided it.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import datetime

from controlroom.commerce import events as ev

FIELDS = ("orders", "units", "gmv")
_KINDS = (ev.PriceChanged.kind, ev.OfferStarted.kind, ev.OfferStopped.kind, ev.BreakerTripped.kind)

Counters = tuple[int, int, int]                 # orders, units, gmv


def polls(journal, session_id: int, here) -> list[tuple[float, dict[str, Counters]]]:
    """Every journaled poll instant, oldest first, with the per-SKU counters then (SKUs that had sold
    nothing yet are absent: their counters are 0). `here(utc)` places a journaled instant on this process's
    monotonic clock."""
    instants = sorted({r["utc"] for r in journal.samples(session_id, metric="orders")})
    rows = sorted((r["utc"], r["sku"], f, int(r["value"]))
                  for f in FIELDS for r in journal.samples(session_id, metric="sku." + f) if r["sku"])
    out = []
    vals: dict[str, dict[str, int]] = {}
    i = 0
    for u in instants:   # ISO texts of one shape: text order is time order
        while i < len(rows) and rows[i][0] <= u:
            _u, sku, f, v = rows[i]
            vals.setdefault(sku, {})[f] = v
            i += 1
        out.append((here(datetime.fromisoformat(u).timestamp()),
                    {sku: (d.get("orders", 0), d.get("units", 0), d.get("gmv", 0)) for sku, d in vals.items()}))
    return out


def per_sku(polls: list[tuple[float, dict[str, Counters]]]) -> dict[str, list[tuple[float, int, int, int]]]:
    """Per SKU, (mono, orders, units, gmv) at every poll since it first sold, oldest first."""
    out: dict[str, list[tuple[float, int, int, int]]] = {}
    for at, skus in polls:
        for sku, c in skus.items():
            out.setdefault(sku, []).append((at, *c))
    return out


def breaker_memory(journal, session_id: int, here, polls: list[tuple[float, dict[str, Counters]]], now: float,
                   keep_s: float):
    """(history, armed, mixed) for `Breaker.restore`: what the breaker held at `now` (this process's
    monotonic clock). `keep_s` is how far back the breaker keeps counters (one sample more, as it does)."""
    series = per_sku(polls)
    hist = {}
    for sku, rows in series.items():
        ts = [r[0] for r in rows]
        end = bisect_right(ts, now + 1e-6)
        start = max(0, bisect_left(ts, now - keep_s) - 1)
        hist[sku] = rows[start:end]
    armed: dict[str, float] = {}
    changed: dict[str, float] = {}
    for e in journal.events(session_id, kinds=_KINDS):
        d = e.payload
        sku = d.get("sku")
        if not sku:
            continue
        at = here(e.utc.timestamp())
        if e.kind == ev.BreakerTripped.kind:
            armed.pop(sku, None)             # a trip disarms (Breaker.observe)
            continue
        changed[sku] = at
        if e.kind == ev.PriceChanged.kind and d.get("reason") == "reconcile" and d.get("prev_price") is None:
            continue                         # a restore after a restart: not a change of plan (RestorePrice)
        if e.kind in (ev.PriceChanged.kind, ev.OfferStarted.kind):
            armed[sku] = at
        elif e.kind == ev.OfferStopped.kind and d.get("key"):
            armed.pop(sku, None)             # stopped by the console (StopOffer); an end at the shop is not
    # a change after the last counters seen: the next poll's delta spans both prices (Breaker.changed)
    mixed = {sku for sku, at in changed.items() if not hist.get(sku) or hist[sku][-1][0] < at}
    return hist, armed, mixed
