"""Shopify Admin GraphQL adapter: the `controlroom.platforms` entry point "shopify". See adapter.py for
what maps to what, client.py for the cost bucket, config.py for `[platform.shopify]`."""
from .adapter import ShopifyPlatform
from .client import ShopifyClient, ShopifyError
from .config import ShopifyConfig


def create(ctx) -> ShopifyPlatform:
    """Build the adapter from `[platform.shopify]`; its idempotency ledger (keys, running offers and the
    prices they must put back) lives in the data folder and survives a restart."""
    return ShopifyPlatform.from_settings(ctx.settings, clock=ctx.clock, data_dir=ctx.data_dir)


__all__ = ["create", "ShopifyPlatform", "ShopifyConfig", "ShopifyClient", "ShopifyError"]
