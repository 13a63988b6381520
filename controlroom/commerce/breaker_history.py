"""The circuit breakers' memory after a crash, from the journal.

A breaker armed by a price change or an offer watches that SKU's orders at the new price (service.py,
`_arm` / `_poll_metrics`). Its memory — the order history it compares against and which SKUs are armed —
lived only in the app, so a kill -9 disarmed every breaker: the deep price cut it was guarding ran on
unguarded, and a resumed show tripped (or not) differently from the same show uninterrupted.

The metrics room journals every SKU's counters as they change at each poll; replayed at each poll
instant they are the history the breaker's own poller kept (both poll once a second).
"""
from __future__ import annotations

from datetime import datetime

FIELDS = ("orders", "units", "gmv")


def order_history(journal, session_id: int, here) -> dict[str, list[tuple[float, int, int, int]]]:
    """Per SKU, (mono, orders, units, gmv) at every journaled poll instant, oldest first; `here(utc)` places
    a journaled instant on this process's monotonic clock."""
    instants = sorted({r["utc"] for r in journal.samples(session_id, metric="orders")})
    rows = sorted((r["utc"], r["sku"], f, int(r["value"]))
                  for f in FIELDS for r in journal.samples(session_id, metric="sku." + f) if r["sku"])
    out: dict[str, list[tuple[float, int, int, int]]] = {}
    vals: dict[str, dict[str, int]] = {}
    i = 0
    for u in instants:   # ISO texts of one shape: text order is time order
        while i < len(rows) and rows[i][0] <= u:
            _u, sku, f, v = rows[i]
            vals.setdefault(sku, {})[f] = v
            i += 1
        at = here(datetime.fromisoformat(u).timestamp())
        for sku, d in vals.items():
            out.setdefault(sku, []).append((at, d.get("orders", 0), d.get("units", 0), d.get("gmv", 0)))
    return out
