"""A generic HTTP shop platform (the `Platform` port over requests). See adapter.py for the wire
contract and config.py for the `[platform.http]` settings."""
from .adapter import HttpPlatform, PlatformProtocolError, PlatformReadbackMismatch
from .config import HttpPlatformConfig



def create(ctx) -> HttpPlatform:
    """The `controlroom.platforms` entry point "http": the generic JSON gateway of [platform.http]."""
    return HttpPlatform.from_settings(ctx.settings)


__all__ = ["create", "HttpPlatform", "HttpPlatformConfig", "PlatformReadbackMismatch", "PlatformProtocolError"]
