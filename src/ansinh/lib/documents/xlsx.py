"""Cells for the spreadsheets we hand out (D05-TS to BHXH, reports): text is always a string cell, and
text that a spreadsheet would read as a formula is neutralised.

xlsxwriter's ``write()`` turns any string starting with "=" into a live formula, so a person named
"=HYPERLINK(…)" became a link (or worse) in the file BHXH opens. The OWASP CSV-injection rule: a field
starting with "=", "+", "-", "@", tab, carriage return (and, per ASVS 1.2.10, NUL) is prefixed with a
single quote, so it stays text even when the sheet is saved again as CSV and reopened. The full-width
forms are included because spreadsheets fold them to the ASCII ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from xlsxwriter.format import Format  # type: ignore[import-untyped]
from xlsxwriter.worksheet import Worksheet  # type: ignore[import-untyped]

FORMULA_LEADERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0", "＝", "＋", "－", "＠")


def neutralise(text: str) -> str:
    """``text``, with a leading single quote if a spreadsheet would take it for a formula."""
    return "'" + text if text.startswith(FORMULA_LEADERS) else text


def write_text(sheet: Worksheet, row: int, col: int, text: str, cell_format: Format | None = None) -> None:
    sheet.write_string(row, col, neutralise(text), cell_format)


def write_texts(sheet: Worksheet, row: int, col: int, texts: Iterable[str], cell_format: Format | None = None) -> None:
    for offset, text in enumerate(texts):
        write_text(sheet, row, col + offset, text, cell_format)


def write_value(sheet: Worksheet, row: int, col: int, value: Any, cell_format: Format | None = None) -> None:
    """One cell by the Python type of ``value``: numbers as numbers, booleans as booleans, nothing as a
    blank, and everything else as neutralised text (never ``write()``, which guesses formulas and URLs)."""
    if value is None or value == "":
        sheet.write_blank(row, col, None, cell_format)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value, cell_format)
    elif isinstance(value, int | float | Decimal):
        sheet.write_number(row, col, value, cell_format)
    elif isinstance(value, datetime | date):
        sheet.write_datetime(row, col, value, cell_format)
    else:
        write_text(sheet, row, col, str(value), cell_format)
