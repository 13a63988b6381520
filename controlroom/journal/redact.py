"""Secrets never reach the journal or an export: keys that name one are masked wherever they nest."""
from __future__ import annotations

import re
from typing import Any

SECRET_KEY = re.compile(r"(pass(word|wd)?|secret|token|api[_-]?key|pin(_hash)?|auth(orization)?|cookie|salt)$",
                        re.IGNORECASE)
MASK = "***"


def is_secret_key(key: str) -> bool:
    return bool(SECRET_KEY.search(str(key)))


def redact(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: (MASK if is_secret_key(k) and v not in (None, "") else redact(v)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact(v) for v in value]
    return value
