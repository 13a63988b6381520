"""Native flash offers 秒杀 / 限时限量购 in the simulated shop.

An offer sells its SKU at `spec.price` until its time is up or its quantity is sold, whichever comes
first; each buyer gets at most `spec.per_buyer_limit` units at that price (more units are charged the
product's own price, as 抖店 and TikTok Shop do "超出限购按原价"). The product's own price is not
touched. Times are show seconds (the shop's clock since it opened).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from controlroom.platform import OfferSpec, OfferState


@dataclass
class SimOffer:
    offer_id: str
    index: int                      # the SKU's index in the shop
    spec: OfferSpec
    starts_t: float
    ends_t: float
    sold: int = 0
    stopped: bool = False
    by_buyer: dict[str, int] = field(default_factory=dict)

    def active(self, t: float) -> bool:
        return not self.stopped and t < self.ends_t and (self.spec.quantity is None or self.sold < self.spec.quantity)

    def left(self) -> int | None:
        return None if self.spec.quantity is None else max(0, self.spec.quantity - self.sold)

    def units_for(self, buyer: str, want: int) -> int:
        """How many of `want` units `buyer` gets at the offer price now."""
        n = want
        if self.spec.per_buyer_limit is not None:
            n = min(n, max(0, self.spec.per_buyer_limit - self.by_buyer.get(buyer, 0)))
        left = self.left()
        return n if left is None else min(n, left)

    def take(self, buyer: str | None, units: int) -> None:
        self.sold += units
        if buyer is not None and units:
            self.by_buyer[buyer] = self.by_buyer.get(buyer, 0) + units

    def state(self, t: float) -> OfferState:
        return OfferState(self.offer_id, self.spec, self.sold, self.active(t))
