"""A generic HTTP shop platform (the `Platform` port over requests). See adapter.py for the wire
contract and config.py for the `[platform.http]` settings."""
from .adapter import HttpPlatform, PlatformProtocolError, PlatformReadbackMismatch
from .config import HttpPlatformConfig

__all__ = ["HttpPlatform", "HttpPlatformConfig", "PlatformReadbackMismatch", "PlatformProtocolError"]
