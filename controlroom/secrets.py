"""Secrets (OBS passwords, webhook tokens) come from the system keyring or an environment variable,
never from the journal, logs or exports.

Headless machines have no keyring backend: CONTROLROOM_KEYRING=memory selects an in-process store
(tests), and a missing backend falls back to environment variables only.
"""
from __future__ import annotations

import os
import threading

SERVICE = "ControlRoom"
_memory: dict[str, str] = {}
_lock = threading.Lock()


def _use_memory() -> bool:
    return os.environ.get("CONTROLROOM_KEYRING", "").lower() == "memory"


def get_secret(name: str, env: str | None = None) -> str | None:
    """Look up `name`: first the environment variable `env` (if given), then the keyring."""
    if env and os.environ.get(env):
        return os.environ[env]
    if _use_memory():
        with _lock:
            return _memory.get(name)
    try:
        import keyring
        return keyring.get_password(SERVICE, name)
    except Exception:  # no backend on a headless box: env vars only
        return None


def set_secret(name: str, value: str) -> None:
    if _use_memory():
        with _lock:
            _memory[name] = value
        return
    import keyring
    keyring.set_password(SERVICE, name, value)
