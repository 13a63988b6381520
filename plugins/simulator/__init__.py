"""The simulated shop: the embedded default `Platform`, a seeded model of a live room's audience and shop.

    shop = SimulatedShop.from_show(show_dir, clock=clock, seed=7)   # products.csv + show.toml
    shop.bind_bus(bus)        # rundown.segment, journal.stream.failover/returned, journal.console.offer_*
    shop.faults = Faults(latency=0.2, error_rate=0.1, rate_limit=5, timeout_next=1, readback_price_offset=-100)
    shop.run_for(60)          # tests: move a ManualClock on and integrate; advance_to(mono) without the clock

Everything else is the `Platform` port (controlroom/platform.py). Money in 分; GMV is what buyers pay
(coupons deducted), unpaid orders included; paid GMV only once paid (most at once, some minutes later).
The audience's assumptions live in audience.py (AudienceParams), calibrated on domain.md.
"""
from .audience import AudienceParams
from .catalog import CatalogError, CatalogItem, ShowInfo, load_catalog, load_show_info
from .faults import Faults
from .shop import SimulatedShop



def create(ctx) -> SimulatedShop:
    """The `controlroom.platforms` entry point "simulator": a shop selling the show's products.csv."""
    return SimulatedShop.from_show(ctx.show_dir, clock=ctx.clock, seed=ctx.seed)


__all__ = ["create", "SimulatedShop", "Faults", "AudienceParams", "CatalogError", "CatalogItem", "ShowInfo",
           "load_catalog", "load_show_info"]
