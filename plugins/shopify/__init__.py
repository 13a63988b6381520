"""Shopify Admin GraphQL adapter: the `controlroom.platforms` entry point "shopify". See adapter.py for
what maps to what, client.py for the cost bucket, config.py for `[platform.shopify]`."""
from .adapter import ShopifyPlatform, ledger_path
from .client import ShopifyClient, ShopifyError
from .config import ShopifyConfig


def create(ctx) -> ShopifyPlatform:
    """Build the adapter from settings; its write ledger (idempotency keys, running offers and the
    prices they must restore) lives in the data folder and survives a restart."""
    from plugins.write_ledger import WriteLedger
    cfg = ShopifyConfig.from_settings(ctx.settings)
    return ShopifyPlatform(cfg, ledger=WriteLedger(ledger_path(ctx.data_dir, cfg.shop)))


__all__ = ["create", "ShopifyPlatform", "ShopifyConfig", "ShopifyClient", "ShopifyError"]
