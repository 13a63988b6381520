"""One strict reader for the CSV files people hand Control Room (products.csv, price plans, rundowns).

Python's csv module is lenient where a show cannot afford it: a quote that is never closed makes it
read the rest of the file into one cell, silently — a plan with rows at 90 % and 99 % off then
"passes" as one row, a rundown loses its next segments into a talk track. This reader refuses, with
the row (as a spreadsheet numbers it: the header is row 1) and the line in the file:

- a quote that is never closed, or one that swallows lines shaped like rows of their own;
- a stray quote inside a cell (strict CSV: `"a"b` is not a cell);
- a file that is not UTF-8 text, saying what it probably is ("not UTF-8 (GBK?)");
- a directory, a missing path, NUL bytes (a binary file).

A UTF-8 byte-order mark (Excel's "CSV UTF-8") is fine. Rows come back as lists of strings; what
the cells mean is the caller's business (the plan reader, the rundown reader, the simulator's shop).
"""
from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

MAX_CELL_CHARS = 100_000        # far past any title or talk track; a longer cell is a swallowed file


class CsvFileError(ValueError):
    """The file cannot be read as CSV. `path`, `row` (header = row 1), `line` and `column` say where."""

    def __init__(self, path: str | Path, reason: str, row: int | None = None, line: int | None = None,
                 column: str | None = None):
        self.path = Path(path)
        self.reason = reason
        self.row = row
        self.line = line
        self.column = column
        where = str(path)
        if row is not None:
            where += f", row {row}" + (f" (line {line})" if line is not None and line != row else "")
        elif line is not None:
            where += f", line {line}"
        if column:
            where += f", column {column!r}"
        super().__init__(f"{where}: {reason}")


@dataclass
class CsvRows:
    """A CSV file's records in order: rows[0] is the header (spreadsheet row 1). `lines[i]` is the
    line of the file where rows[i] starts (they differ when a quoted cell spans lines)."""
    path: Path
    rows: list[list[str]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)


def _guess_encoding(raw: bytes) -> str:
    """What a non-UTF-8 text most likely is, for the message."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "UTF-16"
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        return "Windows-1252/Latin-1?" if re.search(rb"[\x80-\xff]", raw) else "unknown"
    return "GBK?" if re.search(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]", text) else "Windows-1252/Latin-1?"


def read_text(path: str | Path, what: str = "file") -> str:
    """A text file as UTF-8 (a BOM is dropped), or CsvFileError saying why not: missing, a
    directory, unreadable, not UTF-8 (with a guess at what it is), binary."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise CsvFileError(p, f"no such {what}") from None
    except IsADirectoryError:
        raise CsvFileError(p, f"is a directory, not a {what}") from None
    except PermissionError as e:
        raise CsvFileError(p, f"cannot be read: {e.strerror or e}") from None
    except OSError as e:
        raise CsvFileError(p, f"cannot be read: {e.strerror or e}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        raise CsvFileError(p, f"not UTF-8 ({_guess_encoding(raw)}): byte 0x{raw[e.start]:02x} cannot be read as "
                              f"UTF-8; save it as UTF-8 (in Excel: Save As → 'CSV UTF-8')", line=line) from None
    if "\x00" in text:
        raise CsvFileError(p, f"contains NUL bytes: this is not a text {what}",
                           line=text.count("\n", 0, text.index("\x00")) + 1)
    return text


def read_csv(path: str | Path) -> CsvRows:
    """Every record of a CSV file, strictly (see the module doc). Raises CsvFileError."""
    p = Path(path)
    return parse_csv(read_text(p, "CSV file"), p)


def parse_csv(text: str, path: str | Path = "<text>") -> CsvRows:
    p = Path(path)
    out = CsvRows(p)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    consumed = 0
    while True:
        start = consumed + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            raise _explain(p, e, len(out.rows) + 1, start, reader.line_num) from None
        consumed = reader.line_num
        out.rows.append(record)
        out.lines.append(start)
        for c, cell in enumerate(record):
            if len(cell) > MAX_CELL_CHARS:
                raise CsvFileError(p, f"a cell of {len(cell):,} characters: is a closing quote missing? "
                                      f"(a cell holds at most {MAX_CELL_CHARS:,})", len(out.rows), start,
                                   _column(out, c))
    _refuse_swallowed_rows(out)
    return out


def _column(out: CsvRows, c: int) -> str:
    header = out.rows[0] if out.rows else []
    name = header[c].strip().lstrip("\ufeff") if c < len(header) else ""
    return name or f"#{c + 1}"


def _explain(p: Path, e: csv.Error, row: int, start: int, at: int) -> CsvFileError:
    msg = str(e)
    if "unexpected end of data" in msg or "EOF" in msg:
        return CsvFileError(p, f"a quote opened on this row is never closed, so everything after it (to the end of "
                               f"the file, line {at}) would be read as one cell; close the quote", row, start)
    if "expected after" in msg:
        return CsvFileError(p, f"a stray quote at line {at}: a quoted cell must end right after its closing quote "
                               f"(write \"\" for a quote inside a cell); was a quote left open above?", row, start)
    if "field larger than field limit" in msg:
        return CsvFileError(p, "a cell longer than any real cell: is a closing quote missing?", row, start)
    return CsvFileError(p, f"not valid CSV at line {at}: {msg}", row, start)


def _refuse_swallowed_rows(out: CsvRows) -> None:
    """A quote left open and closed rows later by another stray quote reads as valid CSV: the rows
    between vanish into one multi-line cell. Real multi-line cells (a talk track) are prose; a
    swallowed row has the header's shape — exactly as many comma-separated fields (with three
    columns or more, prose seldom does). Refuse those."""
    if not out.rows or len(out.rows[0]) < 3:
        return
    width = len(out.rows[0])
    for r in range(1, len(out.rows)):
        for c, cell in enumerate(out.rows[r]):
            if "\n" not in cell and "\r" not in cell:
                continue
            for k, line in enumerate(re.split(r"\r\n|\r|\n", cell)[1:], start=1):
                try:
                    fields = next(csv.reader([line]), [])
                except csv.Error:
                    continue
                if len(fields) == width:
                    raise CsvFileError(out.path, f"a quoted cell runs over {k + 1}+ lines, and line {out.lines[r] + k} "
                                                 f"inside it looks like a row of its own ({len(fields)} fields): a "
                                                 f"quote opened here is closed only further down; close it on this row",
                                       r + 1, out.lines[r], _column(out, c))
