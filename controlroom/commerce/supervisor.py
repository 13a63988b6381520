"""The supervisor override: a PIN checked against a salted scrypt hash in settings [supervisor].

The PIN itself is never stored, journaled or logged; the journal records who overrode, why, and
which rules they overrode.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

_N, _R, _P = 2 ** 14, 8, 1


@dataclass(frozen=True)
class SupervisorSettings:
    pin_hash: str = ""          # "scrypt$N$r$p$salt_hex$hash_hex"; empty = no override possible
    min_reason_chars: int = 4   # a reason has to say something


def hash_pin(pin: str) -> str:
    if not isinstance(pin, str) or len(pin.strip()) < 4:
        raise ValueError("a supervisor PIN needs at least 4 characters")
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def verify_pin(stored: str, pin: str) -> bool:
    try:
        algo, n, r, p, salt, digest = stored.split("$")
        if algo != "scrypt":
            return False
        got = hashlib.scrypt(str(pin).encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(digest) // 2)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got.hex(), digest)


def set_supervisor_pin(settings, pin: str) -> None:
    """Store a new PIN's salted hash in settings.toml [supervisor] pin_hash."""
    settings.set("supervisor", "pin_hash", hash_pin(pin))
