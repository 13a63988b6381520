"""The supervisor override: a PIN checked against a salted scrypt hash in settings [supervisor].

The PIN itself is never stored, journaled or logged; the journal records who overrode, why, and
which rules they overrode. The hash is read from the settings at every check, so a PIN set or
changed in the running app works at once and the old one stops at once.

Offline guessing: a 4-digit PIN under the old cost (scrypt N=2^14) fell in 334 s. New PINs need at
least 6 characters and are hashed at N=2^15 (about 32 MiB and 0.1 s per guess here), so the 10^6
six-digit PINs cost a day of a core; hashes made with the old cost still verify. Online guessing is
capped: 5 wrong PINs lock overrides for 5 minutes ([console] override_max_attempts,
override_lockout_s), journaled, so the lockout survives a restart.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from controlroom.settings import setting

_N, _R, _P = 2 ** 15, 8, 1
_MAXMEM = 256 * 1024 * 1024
MIN_PIN_LENGTH = 6


@dataclass(frozen=True)
class SupervisorSettings:
    pin_hash: str = ""          # "scrypt$N$r$p$salt_hex$hash_hex"; empty = no override possible
    min_reason_chars: int = setting(4, min=1, max=500)   # a reason has to say something


def _kdf(pin: str, salt: bytes, n: int, r: int, p: int, dklen: int = 32) -> bytes:
    return hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=dklen, maxmem=_MAXMEM)


def check_new_pin(pin: str) -> str | None:
    """Why a new PIN is not acceptable, or None."""
    if not isinstance(pin, str) or len(pin.strip()) < MIN_PIN_LENGTH:
        return f"a supervisor PIN needs at least {MIN_PIN_LENGTH} characters"
    if len(set(pin)) == 1:
        return "a supervisor PIN cannot be one character repeated"
    return None


def hash_pin(pin: str, *, n: int = _N) -> str:
    why = check_new_pin(pin)
    if why:
        raise ValueError(why)
    return _hash(pin, n)


def _hash(pin: str, n: int) -> str:
    salt = secrets.token_bytes(16)
    digest = _kdf(pin, salt, n, _R, _P)
    return f"scrypt${n}${_R}${_P}${salt.hex()}${digest.hex()}"


def verify_pin(stored: str, pin: str) -> bool:
    try:
        algo, n, r, p, salt, digest = stored.split("$")
        if algo != "scrypt":
            return False
        got = _kdf(str(pin), bytes.fromhex(salt), int(n), int(r), int(p), dklen=len(digest) // 2)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got.hex(), digest)


def set_supervisor_pin(settings, pin: str) -> None:
    """Store a new PIN's salted hash in settings.toml [supervisor] pin_hash (in effect at once: the
    console reads it at every check)."""
    settings.set("supervisor", "pin_hash", hash_pin(pin))
