"""Reading the banks' statement exports: headers found by name, amounts with "." or "," grouping."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import xlsxwriter

from ansinh.lib.errors import DomainError
from ansinh.payments.statement_files import amount_of, credits, parse_column_map, time_of

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.mark.parametrize(("text", "expected"), [
    ("1.500.000", 1_500_000), ("1,500,000", 1_500_000), ("1.500.000,00", 1_500_000), ("1,500,000.00", 1_500_000),
    ("500.000 VND", 500_000), ("+66.000", 66_000), ("66000", 66_000), (66000.0, 66_000), (1_200, 1_200),
    ("", None), ("0", None), ("-50.000", None), (None, None),
])
def test_amounts_are_read_with_either_grouping(text: object, expected: int | None) -> None:
    assert amount_of(text) == expected


@pytest.mark.parametrize("text", ["1.500,50", "12,3456", "abc", "1.50.000"])
def test_a_fraction_of_a_dong_or_garbage_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        amount_of(text)


def test_times_are_the_banks_local_time() -> None:
    assert time_of("02/08/2025 10:15:00") == datetime(2025, 8, 2, 10, 15, tzinfo=TZ)
    assert time_of("02/08/2025") == datetime(2025, 8, 2, tzinfo=TZ)
    cell = datetime(2025, 8, 2, 10, 15)  # noqa: DTZ001 - a cell of an XLSX is naive
    assert time_of(cell) == datetime(2025, 8, 2, 10, 15, tzinfo=TZ)


def test_an_xlsx_in_bidv_layout_with_a_column_map(tmp_path: Path) -> None:
    path = tmp_path / "bidv.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["NGÂN HÀNG TMCP ĐẦU TƯ VÀ PHÁT TRIỂN VIỆT NAM"])
    sheet.write_row(2, 0, ["Ngày hiệu lực", "Số bút toán", "Phát sinh nợ", "Phát sinh có", "Diễn giải"])
    sheet.write_row(3, 0, ["02/08/2025 08:01:02", 4401, "", 357500, "AS12C34 NOP BHXH"])
    sheet.write_row(4, 0, ["02/08/2025 08:05:00", 4402, 10000, "", "PHI DICH VU"])  # a debit: skipped
    book.close()
    found = list(credits(path, parse_column_map("date=Ngày hiệu lực")))
    assert [(c.transaction_id, c.amount, c.description, c.booked_at) for c in found] == [
        ("4401", 357_500, "AS12C34 NOP BHXH", datetime(2025, 8, 2, 8, 1, 2, tzinfo=TZ))]


def test_a_bad_column_map_is_refused() -> None:
    with pytest.raises(DomainError):
        parse_column_map("ngay=Ngày")
