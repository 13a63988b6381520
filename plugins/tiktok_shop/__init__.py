"""TikTok Shop Partner API (v202309) adapter: the `controlroom.platforms` entry point "tiktok_shop".
See adapter.py for what maps to what, config.py for `[platform.tiktok_shop]`, signing.py for the
request signature."""
from .adapter import TikTokShopPlatform
from .client import TikTokClient, TikTokError
from .config import TikTokShopConfig


def create(ctx) -> TikTokShopPlatform:
    """Build the adapter from `[platform.tiktok_shop]`; its idempotency ledger lives in the data folder,
    so a key is honoured across restarts."""
    return TikTokShopPlatform.from_settings(ctx.settings, clock=ctx.clock, data_dir=ctx.data_dir)


__all__ = ["create", "TikTokShopPlatform", "TikTokShopConfig", "TikTokClient", "TikTokError"]
