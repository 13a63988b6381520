"""抖店 (Douyin e-commerce open platform) adapter: the `controlroom.platforms` entry point "douyin".
Settings: `[platform.douyin]` (config.py); signing: signing.py; answer codes: errors.py."""
from .adapter import DouyinPlatform
from .config import DouyinConfig


def create(ctx) -> DouyinPlatform:
    """Build the adapter from `[platform.douyin]`; its idempotency ledger lives in the data directory."""
    return DouyinPlatform.from_settings(ctx.settings, clock=ctx.clock, data_dir=ctx.data_dir)


__all__ = ["create", "DouyinPlatform", "DouyinConfig"]
