"""Typed journal events: a small dataclass per kind, its fields the journaled payload.

A family of events (the console's, the comment room's) subclasses `TypedEvent` once with its own
`registry`; every subclass that names a `kind` is registered there, so `decode(kind, payload)` turns a
journal entry back into the event that was written (`decode(e.kind, e.to_payload()) == e`). Unknown
payload keys are ignored, so an older reader takes a newer journal.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass
class TypedEvent:
    kind: ClassVar[str] = ""
    registry: ClassVar[dict[str, type["TypedEvent"]]]   # set by each family's root class

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        if cls.kind and "registry" not in cls.__dict__:
            cls.registry[cls.kind] = cls

    def to_payload(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    @classmethod
    def from_payload(cls, d: dict[str, Any] | None):
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in (d or {}).items() if k in names})

    @classmethod
    def decode(cls, kind: str, payload: dict[str, Any] | None):
        """The typed event of this family for a journal entry, or None for a kind the family does not know."""
        typ = cls.registry.get(kind)
        return typ.from_payload(payload) if typ is not None else None
