"""The comment room's journal events: one small dataclass each, applied by `CommentState.apply` live and
when a resumed show rebuilds the feed's marks from the journal.

Personal data: a comment's nickname is never journaled; its pseudonymous user id only where the show
needs it (a lucky bag's entries, to draw and hand over the prize). The text of a comment the operator
acted on (pushed, pinned, answered) is journaled: it is what the host was shown.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from controlroom.journal.typed import TypedEvent


@dataclass
class CommentEvent(TypedEvent):
    registry: ClassVar[dict[str, type[TypedEvent]]] = {}


def decode(kind: str, payload: dict[str, Any]) -> CommentEvent | None:
    return CommentEvent.decode(kind, payload)


@dataclass
class Marked(CommentEvent):
    """Fields every mark on one comment carries (what the operator saw)."""
    comment_id: str = ""
    text: str = ""
    comment_kind: str = ""
    topic: str = ""
    sku: str | None = None


@dataclass
class Pushed(Marked):
    """Put on the host's cue screen as "观众问：…" (one at a time)."""
    kind: ClassVar[str] = "comments.pushed"


@dataclass
class CueCleared(CommentEvent):
    kind: ClassVar[str] = "comments.cue_cleared"
    comment_id: str = ""


@dataclass
class Pinned(Marked):
    kind: ClassVar[str] = "comments.pinned"


@dataclass
class Unpinned(CommentEvent):
    kind: ClassVar[str] = "comments.unpinned"
    comment_id: str = ""


@dataclass
class Answered(Marked):
    kind: ClassVar[str] = "comments.answered"


@dataclass
class Minute(CommentEvent):
    """The tally of one minute of comments (for the recap) and where the poller stood (for a resume)."""
    kind: ClassVar[str] = "comments.minute"
    start_utc: float = 0.0
    end_utc: float = 0.0
    counts: dict = field(default_factory=dict)     # kind -> n
    topics: dict = field(default_factory=dict)     # "complaint.fake" / "question.price" -> n
    skus: dict = field(default_factory=dict)       # sku -> {"question": n, "complaint": n, "mentions": n}
    cursor: str | None = None                      # the platform cursor after the last comment counted
    missed: int = 0                                # comments the platform no longer held when polled


@dataclass
class BagEntries(CommentEvent):
    """Viewers who commented a running lucky bag's passphrase since the last such event."""
    kind: ClassVar[str] = "comments.bag_entries"
    bag_id: str = ""
    users: list = field(default_factory=list)        # pseudonymous ids, first entry each
    followers: list = field(default_factory=list)    # of those, the ones the platform marked as followers
