"""The live circuit breaker: it knows a promotion from a mistake.

It watches the platform's per-SKU counters (each metrics poll) and trips on:
- a sale below floor: orders whose average net per unit is below the floor (or cost), for a SKU
  whose net below floor was not approved (an approved deep discount, or a supervisor override of
  that very price). The average being below the floor means at least one order was. Trips at once.
- an offer selling beyond its quantity: a flash offer is planned as "quantity units over its
  duration"; selling within that, at any pace, is the plan working, never a trip.
- an order rate far above plan after a price change: more than `breaker_rate_multiple` x the planned
  rate (`planned_orders_per_min` of the plan row, else of [interlocks]) over `breaker_window_s`, and
  at least `breaker_min_orders`. With no planned rate there is no rate trip: a pre-change rate is not
  a plan (a 10 % flash offer normally sells 5-10x faster than the minutes before it).

It also sees a console-run offer (a platform without native offers) sell its quantity: the console
then ends it like the shop would. Its memory (the counters it compares and which SKUs are armed since
when) is not journaled by the breaker itself: after a restart it is rebuilt from the journal — the
metrics room's per-SKU samples and the console's own events (poll_history.py, `restore`) — so a
breaker armed before a kill -9 is armed after it and trips when the uninterrupted show's would.
"""
from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from controlroom.commerce.interlocks import InterlockSettings
from controlroom.commerce.money import format_yuan
from controlroom.platform import MetricsSnapshot


@dataclass(frozen=True)
class Trip:
    sku: str
    rule: str                      # sale_below_floor | offer_over_quantity | order_rate
    values: dict[str, Any] = field(default_factory=dict)
    words: str = ""


class Breaker:
    def __init__(self, settings: InterlockSettings):
        self.settings = settings
        self._hist: dict[str, deque] = {}          # sku -> (mono, orders, units, gmv)
        self._armed: dict[str, float] = {}         # sku -> mono of the change being watched
        self._mixed: set[str] = set()              # SKUs whose next delta spans a price change

    def arm(self, sku: str, now: float) -> None:
        """A price change went live on `sku`: watch its order rate from now."""
        self._armed[sku] = now
        self.changed(sku)

    def changed(self, sku: str) -> None:
        """The price buyers pay on `sku` changed: the next poll's counters mix orders at both prices, so
        that one delta is not judged against the floor (the orders at the old price were judged with it)."""
        self._mixed.add(sku)

    def disarm(self, sku: str) -> None:
        self._armed.pop(sku, None)
        self.changed(sku)

    @property
    def keep_s(self) -> float:
        """How far back the counters are kept (one sample older than this stays, as the window's start)."""
        return max(120.0, 2 * self.settings.breaker_window_s)

    def restore(self, hist: dict[str, list[tuple[float, int, int, int]]], armed: dict[str, float],
                mixed: set[str]) -> None:
        """After a restart: the memory the breaker had when the app died (poll_history.breaker_memory)."""
        self._hist = {sku: deque(rows, maxlen=4096) for sku, rows in hist.items()}
        self._armed = dict(armed)
        self._mixed = set(mixed)

    def units(self, sku: str) -> int:
        h = self._hist.get(sku)
        return h[-1][2] if h else 0

    def observe(self, now: float, m: MetricsSnapshot, state, judge) -> tuple[list[Trip], list[str]]:
        """One metrics poll. Returns (trips, SKUs whose console-run offer sold its quantity)."""
        s = self.settings
        trips: list[Trip] = []
        sold_out: list[str] = []
        keep = self.keep_s
        for sku, sm in m.skus.items():
            hist = self._hist.setdefault(sku, deque(maxlen=4096))
            prev = hist[-1] if hist else None
            hist.append((now, sm.orders, sm.units, sm.gmv))
            while len(hist) > 2 and hist[1][0] < now - keep:
                hist.popleft()
            mixed = sku in self._mixed
            self._mixed.discard(sku)
            if prev is None or sku not in state.skus:
                continue
            du, dg = sm.units - prev[2], sm.gmv - prev[3]
            terms = judge.terms(sku)
            floor = terms.floor
            if (du > 0 and not mixed and floor is not None and dg < floor * du and not terms.approved_exception
                    and sku not in state.floor_override):
                avg = dg // du
                trips.append(Trip(sku, "sale_below_floor", {"units": du, "gmv": dg, "avg_price": avg, "floor": floor},
                                  f"a sale on {sku} at {format_yuan(avg)} a unit, below the floor {format_yuan(floor)}"))
                continue
            o = state.offers.get(sku)
            if o is not None:
                sold = sm.units - o.units_at_start
                if o.qty is not None and sold >= o.qty and not o.native:
                    sold_out.append(sku)
                if o.qty is not None and sold > o.qty and o.native:
                    trips.append(Trip(sku, "offer_over_quantity", {"sold": sold, "quantity": o.qty},
                                      f"the offer on {sku} sold {sold} units, more than its {o.qty}"))
                if o.qty is not None:
                    continue          # a planned offer within its quantity never trips on rate
            since = self._armed.get(sku)
            if since is None and o is None:
                continue
            if since is None:
                since = now - s.breaker_window_s
            row = state.plan.get(sku)
            planned = row.planned_orders_per_min if row and row.planned_orders_per_min else s.planned_orders_per_min
            if not planned or not math.isfinite(planned) or planned <= 0:
                continue              # no plan, no rate trip
            start = max(since, now - s.breaker_window_s)
            ref = next((h for h in hist if h[0] >= start), None)
            if ref is None or ref is hist[-1]:
                continue
            count = sm.orders - ref[1]
            allowance = max(s.breaker_rate_multiple * planned * s.breaker_window_s / 60.0, s.breaker_min_orders)
            if count > allowance:
                trips.append(Trip(sku, "order_rate", {"orders": count, "window_s": s.breaker_window_s,
                                                      "planned_per_min": round(planned, 2),
                                                      "allowed": round(allowance, 1)},
                                  f"orders on {sku}: {count} in {s.breaker_window_s:g} s, more than "
                                  f"{allowance:.0f} allowed ({s.breaker_rate_multiple:g}× the planned "
                                  f"{planned:g}/min)"))
        for t in trips:
            self._armed.pop(t.sku, None)
        return trips, sold_out
