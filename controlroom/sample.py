"""The sample show's opening moves, so a new user sees a live room in the first minute.

In a real room the operator fills the shopping bag (小黄车) at the start of the show; for the built-in
sample we do the same on their behalf, through the console's interlocked path (so every listing is
checked and journaled, with actor "sample-show"), and explain the first segment's product.
"""
from __future__ import annotations

import logging

log = logging.getLogger(__name__)
ACTOR = "sample-show"


def open_the_bag(rt) -> int:
    """List every product that passes its interlocks; pin the opening segment's first product. Returns how many
    listings were submitted. Runs the platform calls in the console's workers (does not wait)."""
    console = rt.console
    if console is None:
        return 0
    n = 0
    for p in console.products():
        if p.listed or p.locked:
            continue
        try:
            console.list_product(p.sku, actor=ACTOR)
            n += 1
        except Exception:  # a product the interlocks hold back stays unlisted: that's the point of them
            log.exception("sample show: could not list %s", p.sku)
    rundown = rt.rundown
    first = _first_product(rundown)
    if first and hasattr(console, "pin_product"):
        try:
            console.pin_product(first, actor=ACTOR)
        except Exception:
            log.exception("sample show: could not pin %s", first)
    return n


def _first_product(room) -> str | None:
    runner = getattr(room, "runner", None)
    plan = getattr(runner, "rundown", None)
    for seg in getattr(plan, "segments", ()) or ():
        products = getattr(seg, "products", None) or []
        if products:
            return products[0]
    return None
