"""The simulated shop: the embedded default `Platform`, a seeded model of a live room's audience and shop."""
from .audience import AudienceParams
from .catalog import CatalogError, CatalogItem, ShowInfo, load_catalog, load_show_info
from .faults import Faults
from .shop import SimulatedShop

__all__ = ["SimulatedShop", "Faults", "AudienceParams", "CatalogError", "CatalogItem", "ShowInfo",
           "load_catalog", "load_show_info"]
