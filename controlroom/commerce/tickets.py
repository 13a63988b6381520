"""Tickets and outcomes: what an action needs from a person, and what became of it.

A `Ticket` is one action judged and waiting (for a confirmation, an override, or its lane); its
`Outcome` is the honest answer: applied (the read-back shows it), refused (nothing was sent, or the
shop said no), failed (sent, known not to have applied) or uncertain (it may have applied; the SKU
is locked until a read-back or the operator settles it). `AutoAction` is what the console did by
itself (bus topic "console.auto").
"""
from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from controlroom.commerce import commands as cmds
from controlroom.commerce.interlocks import ALLOW, BLOCK, CONFIRM, Verdict

APPLIED_, REFUSED, FAILED, UNCERTAIN, IGNORED = "applied", "refused", "failed", "uncertain", "ignored"


class ConsoleError(RuntimeError):
    pass


class ConfirmationRequired(ConsoleError):
    pass


class OverrideRefused(ConsoleError):
    pass


class VerdictChanged(ConsoleError):
    """The state moved since the ticket was shown: its verdict got worse. Show the ticket again."""

    def __init__(self, ticket: "Ticket"):
        super().__init__(f"{ticket.command.describe()}: the verdict changed to {ticket.verdict.verdict} — "
                         f"{ticket.verdict.words}")
        self.ticket = ticket


@dataclass(frozen=True)
class Override:
    supervisor: str
    pin: str = field(repr=False)
    reason: str = ""


@dataclass
class Outcome:
    status: str                        # applied | refused | failed | uncertain
    key: str
    error: str = ""
    readback: dict | None = None
    result: Any = None                 # coupon id, offer id
    latency_ms: float = 0.0
    attempts: int = 1                  # the console sends once; the adapter owns retries
    mismatch: bool = False

    @property
    def ok(self) -> bool:
        return self.status == APPLIED_


@dataclass
class Ticket:
    id: str
    command: cmds.Command
    actor: str
    verdict: Verdict
    overridable: bool
    key: str
    state: str = "pending"   # pending | awaiting_confirm | blocked | submitted | done | failed | cancelled | reverify
    accepted: Verdict | None = None
    auto: bool = False       # the console's own (timed) work: accepts a confirm or an overridable block
    urgent: bool = False
    override: dict | None = None
    future: Future | None = None
    outcome: Outcome | None = None
    on_done: list = field(default_factory=list)
    opened_mono: float = 0.0
    done_mono: float | None = None

    @property
    def action(self) -> cmds.Command:   # the name the UI used before commands were types
        return self.command

    @property
    def needs(self) -> str:
        """What the action still needs: "" (nothing), "confirm", "override", or "resolve" (cannot go)."""
        if self.verdict.verdict == BLOCK:
            return "override" if self.overridable else "resolve"
        return "confirm" if self.verdict.verdict == CONFIRM else ""

    def result(self, timeout: float | None = 30) -> Outcome:
        if self.future is None:
            raise ConsoleError(f"ticket {self.id} was not submitted ({self.state}: {self.verdict.words})")
        out = self.future.result(timeout)
        return out if out is not None else Outcome(REFUSED, self.key, "the console stopped")


@dataclass(frozen=True)
class AutoAction:
    """Something the console did by itself (bus topic "console.auto")."""
    what: str                # revert | offer_end | breaker | reconcile | lock | rundown_offer
    sku: str | None
    outcome: str
    reason: str
    mono: float
    verdict: Verdict | None = None


_STATE_FOR = {ALLOW: "pending", CONFIRM: "awaiting_confirm", BLOCK: "blocked"}


