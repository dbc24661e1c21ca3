"""Safe spreadsheet cells (issue 12, seen 7): text that starts like a formula stays text, read back
with python-calamine as the other side would see it."""

from __future__ import annotations

import zipfile
from io import BytesIO
from typing import Any

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from ansinh.lib.documents.xlsx import neutralise, write_texts, write_value

HOSTILE = ["=HYPERLINK(\"http://x.example\",\"Bấm\")", "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rCR", "＝1+1",
           "=cmd|'/c calc'!A1"]


def sheet_of(values: list[Any]) -> tuple[list[Any], str]:
    out = BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet()
    write_texts(sheet, 0, 0, ["Họ và tên"])
    for col, value in enumerate(values):
        write_value(sheet, 1, col, value)
    book.close()
    xml = zipfile.ZipFile(BytesIO(out.getvalue())).read("xl/worksheets/sheet1.xml").decode()
    rows = CalamineWorkbook.from_filelike(BytesIO(out.getvalue())).get_sheet_by_index(0).to_python()
    return rows[1], xml


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_leading_text_is_prefixed_with_a_quote(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["Nguyễn Văn An", "Khối 5", "0912345678", "'quoted", "a=b"])
def test_ordinary_text_is_unchanged(text: str) -> None:
    assert neutralise(text) == text


def test_hostile_names_are_written_as_text_cells_never_as_formulas() -> None:
    row, xml = sheet_of(HOSTILE)
    assert row == ["'" + text for text in HOSTILE]
    assert "<f>" not in xml


def test_numbers_stay_numbers_and_none_is_blank() -> None:
    row, _ = sheet_of([264_000, None, "Nguyễn Văn An", 1.5])
    assert row == [264_000, "", "Nguyễn Văn An", 1.5]
