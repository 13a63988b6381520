"""Read and write a rundown as CSV (UTF-8) or XLSX: one row per segment, header in row 1.

Column layout (header names are case-insensitive; the Chinese header in brackets works too):

  cue           [序号]   required  unique cue number or label ("1", "2a")
  title         [标题]   required  segment title shown on the cue screen
  kind          [类型]   required  opening | product | interaction | benefit | qa | closing | break
                                    (also 开场 讲解 互动 福利 福袋 抽奖 答疑 收尾 机动)
  duration      [时长]   required  planned duration, m:ss or h:mm:ss ("20:00", "1:05:00")
  products      [商品]   optional  SKUs from the show's products.csv, separated by ; or ,
  price_anchor  [价格锚点] optional  yes/no (是/否, 1/0, true/false): the segment shows an anchor price
  interaction   [互动触发] optional  yes/no: the segment fires an interaction (抽奖, 答题免单, 点赞解锁)
  flex          [机动]   optional  yes/no: may shrink to absorb a delay (break segments always may)
  warning       [提醒]   optional  m:ss left when the timer turns amber (default [rundown] warning_s)
  danger        [警告]   optional  m:ss left when it turns red (default [rundown] danger_s)
  colour        [颜色]   optional  #RRGGBB for the run-of-show list
  offers        [限时优惠] optional  countdown offers, ;-separated, each SKU=price@start+duration:
                                    "SER-002=179@10:00+3:00" = at 10:00 into the segment SER-002 goes to
                                    179 元 for 3 minutes, then back to its price ("3 分钟后恢复原价")
  talk_track    [话术]   optional  the host's talk-track prompt
  notes         [备注]   optional  operator notes (not on the cue screen)

Rows are numbered as a spreadsheet shows them (the header is row 1). A bad file raises
RundownImportError listing every problem with file, row, column and reason; nothing is half
imported. Banned terms (广告法) in titles and talk tracks do not stop an import; they come back as
warnings on Rundown.warnings.
"""
from __future__ import annotations

import csv
import datetime as _dt
import re
from pathlib import Path
from typing import Any, Iterable

from controlroom.commerce.money import parse_money  # one strict parser for all money people type
from controlroom.csvfile import CsvFileError, read_csv
from controlroom.rundown.compliance_check import banned_terms
from controlroom.rundown.model import (DEFAULT_DANGER_S, DEFAULT_WARNING_S, KIND_ALIASES, KINDS, Issue,
                                       Offer, Rundown, Segment)

COLUMNS = ("cue", "title", "kind", "duration", "products", "price_anchor", "interaction", "flex",
           "warning", "danger", "colour", "offers", "talk_track", "notes")
REQUIRED = ("cue", "title", "kind", "duration")
HEADER_ALIASES = {
    "序号": "cue", "cue number": "cue", "标题": "title", "类型": "kind", "时长": "duration",
    "商品": "products", "价格锚点": "price_anchor", "anchor": "price_anchor", "互动触发": "interaction",
    "机动": "flex", "提醒": "warning", "警告": "danger", "颜色": "colour", "color": "colour",
    "限时优惠": "offers", "话术": "talk_track", "talk track": "talk_track", "备注": "notes",
}
_TRUE = {"yes", "y", "true", "1", "是", "x", "✓"}
_FALSE = {"no", "n", "false", "0", "否", ""}
_OFFER_RE = re.compile(r"^\s*([^=\s]+)\s*=\s*([^@\s]+)\s*@\s*([0-9:]+)\s*\+\s*([0-9:]+)\s*$")


class RundownImportError(ValueError):
    def __init__(self, issues: list[Issue]):
        self.issues = issues
        head = f"rundown rejected: {len(issues)} problem{'s' if len(issues) != 1 else ''}; nothing imported"
        super().__init__(head + "\n" + "\n".join(f"  - {i}" for i in issues))


# ---- cell parsers: each returns a value or raises ValueError with the reason ----------------------
MAX_DURATION_S = 24 * 3600   # a segment, a warning or an offer longer than a day is a typo, not a plan


def parse_duration(text: Any) -> int:
    """m:ss or h:mm:ss to whole seconds, 0 .. 24:00:00."""
    if isinstance(text, _dt.timedelta):
        secs = text.total_seconds()
        if not 0 <= secs <= MAX_DURATION_S:
            raise ValueError(f"expected a duration from 0:00 to 24:00:00, got {text}")
        return int(round(secs))
    if isinstance(text, _dt.time):
        raise ValueError("the spreadsheet read this as a time of day; type it as text, e.g. '20:00")
    s = str(text).strip()
    m = re.fullmatch(r"(?:(\d{1,2}):)?(\d{1,4}):(\d{2})", s)
    if not m:
        raise ValueError(f"expected a duration as m:ss or h:mm:ss (e.g. 20:00), got {s[:40]!r}")
    h, mnt, sec = int(m.group(1) or 0), int(m.group(2)), int(m.group(3))
    if sec >= 60 or (m.group(1) and mnt >= 60):
        raise ValueError(f"expected a duration as m:ss or h:mm:ss (e.g. 20:00), got {s!r}")
    total = h * 3600 + mnt * 60 + sec
    if total > MAX_DURATION_S:
        raise ValueError(f"{s!r} is longer than a day; expected a duration up to 24:00:00")
    return total


def format_duration(seconds: int) -> str:
    seconds = int(seconds)
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"



def parse_bool(text: Any) -> bool:
    s = str(text).strip().lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise ValueError(f"expected yes or no (是/否), got {text!r}")


def parse_yuan(text: str) -> int:
    """An offer price in 元 to 分 through the console's one strict parser (a comma decimal like 29,9 is refused,
    never read as 299)."""
    fen = parse_money(str(text), field="offer price")
    if fen <= 0:
        raise ValueError(f"an offer price must be above zero, got {text!r}")
    return fen


def format_yuan(fen: int) -> str:
    """Compact 元 for the offers column ("179" or "179.90"), which parse_yuan reads back."""
    y, f = divmod(int(fen), 100)
    return f"{y}" if f == 0 else f"{y}.{f:02d}"


def parse_offers(text: str) -> tuple[Offer, ...]:
    out = []
    for part in re.split(r"[;；]", str(text)):
        if not part.strip():
            continue
        m = _OFFER_RE.match(part)
        if not m:
            raise ValueError(f"expected SKU=price@start+duration like SER-002=179@10:00+3:00, got {part.strip()!r}")
        sku, price, start, dur = m.groups()
        duration = parse_duration(dur)
        if duration <= 0:
            raise ValueError(f"offer {part.strip()!r}: the duration must be above zero")
        out.append(Offer(sku=sku, price_fen=parse_yuan(price), start_s=parse_duration(start), duration_s=duration))
    return tuple(out)


def format_offers(offers: Iterable[Offer]) -> str:
    return "; ".join(f"{o.sku}={format_yuan(o.price_fen)}@{format_duration(o.start_s)}+{format_duration(o.duration_s)}"
                     for o in offers)


def _cell(v: Any) -> Any:
    """Normalise a cell: None/NaN to "", integral floats to int text, strings stripped."""
    if v is None:
        return ""
    if isinstance(v, float):
        if v != v:
            return ""
        return str(int(v)) if v.is_integer() else str(v)
    if isinstance(v, (_dt.time, _dt.timedelta)):
        return v
    return str(v).strip()


# ---- reading --------------------------------------------------------------------------------------
def known_skus(show_dir: str | Path | None) -> set[str] | None:
    """The SKUs of the show's products.csv, read by the console's plan reader (the one contract for
    that file); None (no SKU check) when there is none or it cannot be read — the console says why."""
    if show_dir is None:
        return None
    path = Path(show_dir) / "products.csv"
    if not path.exists():
        return None
    from controlroom.commerce.plan import PlanError, read_plan
    try:
        return {r.sku for r in read_plan(path).rows if r.sku}
    except PlanError:
        return None


def load(path: str | Path, *, skus: set[str] | None = None, warning_s: int = DEFAULT_WARNING_S,
         danger_s: int = DEFAULT_DANGER_S) -> Rundown:
    """Read a .csv or .xlsx rundown. `skus`: the catalog's SKUs (None skips that check)."""
    path = Path(path)
    name = path.name
    if not path.exists():
        raise RundownImportError([Issue(f"file not found: {path}", file=name)])
    if path.is_dir():
        raise RundownImportError([Issue(f"{path} is a directory, not a rundown file (.csv or .xlsx)", file=name)])
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows = _read_csv(path)
    elif suffix in (".xlsx", ".xlsm"):
        rows = _read_xlsx(path)
    else:
        raise RundownImportError([Issue(f"unsupported file type {suffix!r}; use .csv or .xlsx", file=name)])
    return parse_rows(rows, file=name, skus=skus, warning_s=warning_s, danger_s=danger_s, source=str(path))


def _read_csv(path: Path) -> list[list[Any]]:
    try:
        return read_csv(path).rows  # the one strict CSV reader: an open quote never swallows a segment
    except CsvFileError as e:
        raise RundownImportError([Issue(e.reason + (f" (line {e.line})" if e.line and e.line != e.row else ""),
                                        file=path.name, row=e.row if e.row is not None else e.line,
                                        column=e.column or "")]) from None


def _read_xlsx(path: Path) -> list[list[Any]]:
    try:
        import openpyxl
    except ImportError as e:  # pragma: no cover - openpyxl is a declared dependency
        raise RundownImportError([Issue("reading .xlsx needs the openpyxl package; save as CSV instead",
                                        file=path.name)]) from e
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:
        raise RundownImportError([Issue(f"not a readable .xlsx workbook: {e}", file=path.name)]) from e
    try:
        ws = wb.worksheets[0]
        return [list(r) for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()


def _header_key(h: Any) -> str:
    s = str(h or "").strip().lstrip("\ufeff")
    low = s.lower()
    if low in COLUMNS:
        return low
    return HEADER_ALIASES.get(low, HEADER_ALIASES.get(s, low.replace(" ", "_")))


def parse_rows(rows: list[list[Any]], *, file: str = "", skus: set[str] | None = None,
               warning_s: int = DEFAULT_WARNING_S, danger_s: int = DEFAULT_DANGER_S,
               source: str = "") -> Rundown:
    errors: list[Issue] = []
    warnings: list[Issue] = []
    if not rows or not any(_cell(c) for c in rows[0]):
        raise RundownImportError([Issue("no header row; expected columns " + ", ".join(COLUMNS), file=file, row=1)])
    header = [_header_key(h) for h in rows[0]]
    for col in REQUIRED:
        if col not in header:
            errors.append(Issue(f"required column {col!r} is missing (the header has: "
                                f"{', '.join(str(h) for h in rows[0] if h not in (None, ''))})",
                                file=file, row=1, column=col))
    for i, h in enumerate(header):
        if h and h not in COLUMNS:
            errors.append(Issue(f"unknown column {rows[0][i]!r}; known columns: {', '.join(COLUMNS)}",
                                file=file, row=1, column=str(rows[0][i])))
    seen = [h for h in header if h]
    for h in set(seen):
        if seen.count(h) > 1:
            errors.append(Issue(f"column {h!r} appears more than once", file=file, row=1, column=h))
    if errors:
        raise RundownImportError(errors)

    segments: list[Segment] = []
    cue_rows: dict[str, int] = {}
    for r_idx, raw in enumerate(rows[1:], start=2):
        cells = {header[i]: _cell(v) for i, v in enumerate(raw) if i < len(header) and header[i]}
        if not any(v not in ("", None) for v in cells.values()):
            continue  # blank line
        row_errors: list[Issue] = []

        def bad(column: str, reason: str) -> None:
            row_errors.append(Issue(reason, file=file, row=r_idx, column=column))

        def get(column: str, parser, default):
            v = cells.get(column, "")
            if v == "" or v is None:
                return default
            try:
                return parser(v)
            except ValueError as e:
                bad(column, str(e))
                return default

        cue = str(cells.get("cue", "")).strip()
        if not cue:
            bad("cue", "a cue number is required")
        elif cue in cue_rows:
            bad("cue", f"duplicate cue {cue!r} (already used on row {cue_rows[cue]})")
        else:
            cue_rows[cue] = r_idx
        title = str(cells.get("title", "")).strip()
        if not title:
            bad("title", "a title is required")
        kind_text = str(cells.get("kind", "")).strip()
        kind = KIND_ALIASES.get(kind_text.lower(), KIND_ALIASES.get(kind_text))
        if kind is None:
            bad("kind", f"unknown kind {kind_text!r}; expected one of {', '.join(KINDS)}")
        planned = 0
        if cells.get("duration", "") == "":
            bad("duration", "a planned duration is required (m:ss, e.g. 20:00)")
        else:
            planned = get("duration", parse_duration, 0)
            if planned == 0 and not any(e.column == "duration" for e in row_errors):
                bad("duration", "the planned duration must be above zero")
        products = tuple(p for p in re.split(r"[;,，；、\s]+", str(cells.get("products", ""))) if p)
        if skus is not None:
            for p in products:
                if p not in skus:
                    bad("products", f"unknown SKU {p!r} (not in the show's products.csv)")
        warn = get("warning", parse_duration, warning_s)
        danger = get("danger", parse_duration, danger_s)
        if danger > warn:
            bad("danger", f"danger ({format_duration(danger)}) must not be longer than warning ({format_duration(warn)})")
        colour = str(cells.get("colour", "")).strip()
        if colour and not re.fullmatch(r"#[0-9a-fA-F]{6}", colour):
            bad("colour", f"expected a colour like #4EA1FF, got {colour!r}")
        offers = get("offers", parse_offers, ())
        for o in offers:
            if skus is not None and o.sku not in skus:
                bad("offers", f"unknown SKU {o.sku!r} in an offer (not in the show's products.csv)")
            if planned and o.start_s >= planned:
                bad("offers", f"offer for {o.sku} starts at {format_duration(o.start_s)}, after the segment's "
                              f"{format_duration(planned)} have run out")
        anchor = get("price_anchor", parse_bool, False)
        interaction = get("interaction", parse_bool, False)
        flex = get("flex", parse_bool, False)
        talk = str(cells.get("talk_track", "")).strip()
        notes = str(cells.get("notes", "")).strip()
        for column, text in (("title", title), ("talk_track", talk)):
            hits = banned_terms(text)
            if hits:
                warnings.append(Issue(f"banned term(s) {', '.join(hits)} (广告法): reword before the show",
                                      file=file, row=r_idx, column=column, severity="warning"))
        if row_errors:
            errors.extend(row_errors)
            continue
        segments.append(Segment(cue=cue, title=title, kind=kind, planned_s=planned, products=products,
                                talk_track=talk, notes=notes, colour=colour, warning_s=warn, danger_s=danger,
                                price_anchor=anchor, interaction=interaction, flex=flex, offers=offers))
    if not segments and not errors:
        errors.append(Issue("the file has a header but no segments", file=file, row=2))
    if errors:
        raise RundownImportError(errors)
    return Rundown(tuple(segments), source=source, warnings=tuple(warnings))


# ---- writing --------------------------------------------------------------------------------------
def to_rows(rundown: Rundown) -> list[dict[str, str]]:
    def yn(b: bool) -> str:
        return "yes" if b else "no"
    return [{"cue": s.cue, "title": s.title, "kind": s.kind, "duration": format_duration(s.planned_s),
             "products": ";".join(s.products), "price_anchor": yn(s.price_anchor),
             "interaction": yn(s.interaction), "flex": yn(s.flex), "warning": format_duration(s.warning_s),
             "danger": format_duration(s.danger_s), "colour": s.colour, "offers": format_offers(s.offers),
             "talk_track": s.talk_track, "notes": s.notes} for s in rundown.segments]


def save(rundown: Rundown, path: str | Path) -> Path:
    """Write .csv (UTF-8 with BOM so Excel opens Chinese correctly) or .xlsx (text cells)."""
    path = Path(path)
    rows = to_rows(rundown)
    tmp = path.with_name(path.name + ".tmp")
    if path.suffix.lower() == ".csv":
        with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=COLUMNS)
            w.writeheader()
            w.writerows(rows)
    elif path.suffix.lower() == ".xlsx":
        import pandas as pd
        df = pd.DataFrame(rows, columns=list(COLUMNS), dtype=str)
        with pd.ExcelWriter(tmp, engine="xlsxwriter") as xw:
            df.to_excel(xw, sheet_name="rundown", index=False)
            book, sheet = xw.book, xw.sheets["rundown"]
            text = book.add_format({"num_format": "@"})
            sheet.set_column(0, len(COLUMNS) - 1, 14, text)  # text cells: Excel must not turn 20:00 into a time
            sheet.set_column(COLUMNS.index("title"), COLUMNS.index("title"), 30, text)
            sheet.set_column(COLUMNS.index("talk_track"), COLUMNS.index("talk_track"), 60, text)
    else:
        raise ValueError(f"unsupported file type {path.suffix!r}; use .csv or .xlsx")
    tmp.replace(path)
    return path
