"""Cells stay text: the rule every CSV and XLSX we write follows (export and recap).

A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to a
spreadsheet (the OWASP CSV-injection list): a supervisor named `=HYPERLINK("http://evil", "x")`
or a product title `=cmd|' /C calc'!A0` would run when someone opens the export. So:

- CSV: such a text gets a leading apostrophe (`'=HYPERLINK(...)`): every spreadsheet reads it as text;
- XLSX: it is written as a string cell with the "quote prefix" style (what Excel itself does for
  text typed with a leading apostrophe): never a formula cell, its text unchanged, and it stays
  text when someone edits it;
- numbers stay numbers: number columns are written as numbers, and a text that is just a number
  (`-5`, `+1.5`) is no formula and is left as it is.
"""
from __future__ import annotations

import re

FORMULA_CHARS = "=+-@\t\r"
# a plain decimal number, which a spreadsheet reads as a number, never as a formula
PLAIN_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_PLAIN_NUMBER = re.compile(PLAIN_NUMBER)
# the same two tests as regular expressions for Arrow's kernels (RE2 syntax)
RISKY_START_RE = "^[=+\\-@\\t\\r]"
PLAIN_NUMBER_RE = f"^{PLAIN_NUMBER}$"


def runs_as_formula(value: object) -> bool:
    """Whether a spreadsheet would take this text cell for a formula."""
    return (isinstance(value, str) and value[:1] in tuple(FORMULA_CHARS) and value != ""
            and not _PLAIN_NUMBER.fullmatch(value))


def csv_text(value: str) -> str:
    """A text for a CSV cell: with a leading apostrophe when it would run as a formula."""
    return "'" + value if runs_as_formula(value) else value
