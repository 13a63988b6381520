"""TikTok Shop Partner API (v202309) adapter: the `controlroom.platforms` entry point "tiktok_shop".
See adapter.py for what maps to what, config.py for `[platform.tiktok_shop]`, signing.py for the
request signature."""
from .adapter import TikTokShopPlatform, ledger_path
from .client import TikTokClient, TikTokError
from .config import TikTokShopConfig


def create(ctx) -> TikTokShopPlatform:
    """Build the adapter from settings; its write ledger lives in the data folder, so an idempotency
    key is honoured across restarts."""
    from plugins.write_ledger import WriteLedger
    cfg = TikTokShopConfig.from_settings(ctx.settings)
    return TikTokShopPlatform(cfg, ledger=WriteLedger(ledger_path(ctx.data_dir, cfg.app_key)))


__all__ = ["create", "TikTokShopPlatform", "TikTokShopConfig", "TikTokClient", "TikTokError"]
