"""The run-of-show 直播脚本: segments, the countdown offers inside them, and the plan's timeline.

Plain frozen data, no I/O: `controlroom.rundown.files` reads and writes it, the runner plays it.
Durations are whole seconds (int); money is integer 分.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# Segment kinds, with the words operators type in a sheet (English or Chinese).
KINDS = ("opening", "product", "interaction", "benefit", "qa", "closing", "break")
KIND_ALIASES = {
    "opening": "opening", "open": "opening", "开场": "opening",
    "product": "product", "讲解": "product", "产品": "product", "商品": "product", "秒杀": "product",
    "interaction": "interaction", "互动": "interaction",
    "benefit": "benefit", "lucky_draw": "benefit", "lucky draw": "benefit", "lucky bag": "benefit",
    "福利": "benefit", "福袋": "benefit", "抽奖": "benefit",
    "qa": "qa", "q&a": "qa", "q and a": "qa", "答疑": "qa", "问答": "qa",
    "closing": "closing", "close": "closing", "收尾": "closing", "结束": "closing",
    "break": "break", "buffer": "break", "休息": "break", "机动": "break",
}
KIND_LABELS_ZH = {"opening": "开场", "product": "讲解", "interaction": "互动", "benefit": "福利",
                  "qa": "答疑", "closing": "收尾", "break": "机动"}

DEFAULT_WARNING_S = 120
DEFAULT_DANGER_S = 30


@dataclass(frozen=True)
class Offer:
    """A countdown offer: at `start_s` into its segment the SKU goes to `price_fen` for `duration_s`;
    at zero the runner asks the console to put the price back ("3 分钟后恢复原价")."""
    sku: str
    price_fen: int
    start_s: int
    duration_s: int

    @property
    def key(self) -> str:
        return f"{self.sku}@{self.start_s}"


@dataclass(frozen=True)
class Segment:
    cue: str
    title: str
    kind: str
    planned_s: int
    products: tuple[str, ...] = ()
    talk_track: str = ""
    notes: str = ""
    colour: str = ""
    warning_s: int = DEFAULT_WARNING_S
    danger_s: int = DEFAULT_DANGER_S
    price_anchor: bool = False
    interaction: bool = False
    flex: bool = False            # may shrink to absorb a delay (break segments always may)
    offers: tuple[Offer, ...] = ()

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {self.kind!r}")
        if self.planned_s <= 0:
            raise ValueError("planned duration must be positive")

    @property
    def absorbs_delay(self) -> bool:
        return self.flex or self.kind == "break"

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["products"] = list(self.products)
        d["offers"] = [asdict(o) for o in self.offers]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Segment":
        d = dict(d)
        d["products"] = tuple(d.get("products") or ())
        d["offers"] = tuple(Offer(**o) for o in d.get("offers") or ())
        return cls(**d)


@dataclass(frozen=True)
class Issue:
    """One finding about a file or plan: where (file, row, column) and why, for people."""
    reason: str
    file: str = ""
    row: int | None = None
    column: str = ""
    severity: str = "error"   # error | warning

    def __str__(self) -> str:
        where = [self.file] if self.file else []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        return (", ".join(where) + ": " if where else "") + self.reason


@dataclass(frozen=True)
class Rundown:
    segments: tuple[Segment, ...]
    source: str = ""
    warnings: tuple[Issue, ...] = field(default=(), compare=False)

    def __post_init__(self):
        cues = [s.cue for s in self.segments]
        if len(set(cues)) != len(cues):
            raise ValueError("cue numbers must be unique")

    def __len__(self) -> int:
        return len(self.segments)

    def __getitem__(self, i: int) -> Segment:
        return self.segments[i]

    @property
    def total_s(self) -> int:
        return sum(s.planned_s for s in self.segments)

    def planned_starts(self) -> list[int]:
        """Seconds from the show's start at which each segment is planned to begin."""
        out, t = [], 0
        for s in self.segments:
            out.append(t)
            t += s.planned_s
        return out

    def index_of(self, cue: str) -> int:
        for i, s in enumerate(self.segments):
            if s.cue == str(cue):
                return i
        raise KeyError(f"no cue {cue!r} in the rundown")

    def to_dicts(self) -> list[dict[str, Any]]:
        return [s.to_dict() for s in self.segments]

    @classmethod
    def from_dicts(cls, rows: list[dict[str, Any]], source: str = "") -> "Rundown":
        return cls(tuple(Segment.from_dict(r) for r in rows), source=source)
