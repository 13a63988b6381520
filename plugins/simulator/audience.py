"""The shape of a live room's audience: when people come, how long they stay, what they do.

Figures are calibrated on domain.md (150,000 viewers in a 3-hour evening show, interaction 18–32 %,
conversion 12–28 %, the 20:00–22:00 peak). They are the simulator's assumptions, kept in one place
so they can be argued with.
"""
from __future__ import annotations

from dataclasses import dataclass

# Relative traffic by local hour (linear in between): the platform feeds live rooms hardest at 20:00–22:00.
HOURLY_TRAFFIC = (0.35, 0.22, 0.12, 0.08, 0.06, 0.06, 0.10, 0.20, 0.30, 0.35, 0.40, 0.40,
                  0.50, 0.45, 0.40, 0.40, 0.45, 0.50, 0.62, 0.80, 1.00, 1.00, 0.95, 0.65)


def time_of_day_factor(local_seconds: float) -> float:
    s = local_seconds % 86400.0
    h = int(s // 3600)
    frac = (s - h * 3600) / 3600.0
    a, b = HOURLY_TRAFFIC[h], HOURLY_TRAFFIC[(h + 1) % 24]
    return a + (b - a) * frac


@dataclass(frozen=True)
class SegmentEffect:
    arrive: float = 1.0     # new viewers the algorithm sends
    leave: float = 1.0      # hazard of leaving
    interact: float = 1.0   # comments, likes, shares, first interactions
    convert: float = 1.0    # click -> order
    follow: float = 1.0


SEGMENTS: dict[str | None, SegmentEffect] = {
    None: SegmentEffect(),
    "opening": SegmentEffect(arrive=1.2, interact=1.2, convert=0.8, follow=1.2),
    "product": SegmentEffect(convert=1.15),
    "interaction": SegmentEffect(arrive=1.3, leave=0.75, interact=2.2, convert=0.9, follow=1.5),
    "benefit": SegmentEffect(arrive=1.4, leave=0.7, interact=1.6, convert=1.3, follow=1.3),
    "qa": SegmentEffect(arrive=0.9, interact=1.5, convert=1.05),
    "closing": SegmentEffect(arrive=0.8, leave=1.1, interact=1.2, convert=1.3, follow=1.6),
    "break": SegmentEffect(arrive=0.3, leave=2.5, interact=0.3, convert=0.3, follow=0.3),
}
# Off air or on the backup feed: the feed stops recommending the room and people drift away.
OFF_AIR = SegmentEffect(arrive=0.3, leave=3.0, interact=0.5, convert=0.5, follow=0.5)


@dataclass(frozen=True)
class AudienceParams:
    mean_stay_s: float = 240.0        # average time a viewer stays per entry
    room_ctr: float = 0.12            # feed impression -> room entry
    new_viewer_share: float = 0.77    # entries that are a first visit (views / UV ≈ 1.3)
    ramp_s: float = 600.0             # the feed takes ~10 minutes to push a new show to full traffic
    noise_sigma: float = 0.02         # per-√s volatility of the traffic wave (log scale)
    noise_tau_s: float = 300.0        # how long a traffic wave lasts
    interact_hazard: float = 0.00105  # per non-interacting viewer-second: first comment/like/share
    comment_rate: float = 0.002       # comments per viewer-second
    like_rate: float = 0.05           # likes per viewer-second (people tap-tap)
    share_rate: float = 0.0002
    follow_hazard: float = 0.000125   # per viewer-second
    # Products (per viewer-second impressions; probabilities per impression/click)
    pinned_impressions: float = 1 / 40
    segment_impressions: float = 1 / 80
    listed_impressions: float = 1 / 200
    pinned_ctr: float = 0.14
    ctr: float = 0.07
    add_to_cart: float = 0.22
    click_to_order: float = 0.14
    pinned_order_boost: float = 1.25
    price_sensitivity: float = 3.5    # demand × exp(k · (discount − planned discount)), discount vs list price
    coupon_boost: float = 1.1         # a coupon sells beyond its money value
    extra_unit_p: float = 0.4        # each unit beyond the first, up to the per-buyer limit
    pay_now: float = 0.82             # orders paid at once; of the rest, some pay after a delay
    pay_later: float = 0.55
    pay_delay_s: float = 150.0
    coupon_claim_rate: float = 0.0004  # claims per viewer-second beyond those used in orders
    countdown_boost: float = 1.4
    countdown_final_boost: float = 2.0  # in the last minute: "back to the original price in 60 s"


def lucky_bag_effect(follow_required: bool) -> SegmentEffect:
    """While a lucky bag 福袋 runs: the feed shows the room's 福袋 badge (more arrivals), viewers wait for the
    draw (they leave far less), comment to join, and follow when following is a condition of it."""
    return SegmentEffect(arrive=1.25, leave=0.55, interact=1.4, convert=0.95, follow=2.5 if follow_required else 1.2)
