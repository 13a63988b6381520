"""微信小店 (WeChat Channels shop) adapter: the `controlroom.platforms` entry point "wechat_channels".
Settings: `[platform.wechat_channels]` (config.py); errcode answers: errors.py."""
from .adapter import WechatChannelsPlatform
from .config import WechatChannelsConfig


def create(ctx) -> WechatChannelsPlatform:
    """Build the adapter from `[platform.wechat_channels]`; its idempotency ledger lives in the data directory."""
    return WechatChannelsPlatform.from_settings(ctx.settings, clock=ctx.clock, data_dir=ctx.data_dir)


__all__ = ["create", "WechatChannelsPlatform", "WechatChannelsConfig"]
