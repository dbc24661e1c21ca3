"""The lists collectors hand to BHXH, as XLSX: D05-TS (voluntary SI) and the household-HI list of
Decree 188/2025 form No. 4. Written in constant-memory mode, row by row."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date
from io import BytesIO
from typing import Any, BinaryIO

import xlsxwriter

from ansinh.lib.documents.xlsx import write_texts, write_value
from ansinh.registry.models import Relationship

D05_COLUMNS = [
    ("name", "Họ và tên"), ("si_code", "Mã số BHXH"), ("citizen_id", "Số định danh cá nhân"), ("address", "Địa chỉ"),
    ("receipt_date", "Ngày biên lai"), ("receipt_number", "Số biên lai"), ("income", "Mức thu nhập"),
    ("months", "Số tháng"), ("from_month", "Từ tháng"), ("due", "Số tiền phải đóng"), ("paid", "Số tiền đã đóng"),
    ("state_support", "NSNN hỗ trợ"), ("local_support", "NSĐP hỗ trợ"), ("other_support", "Hỗ trợ khác"),
    ("staff_code", "Mã số nhân viên thu"),
]
HI_COLUMNS = [
    ("name", "Họ và tên"), ("hi_code", "Mã số BHXH/BHYT"), ("citizen_id", "Số định danh cá nhân"),
    ("date_of_birth", "Ngày sinh"), ("initial_clinic", "Nơi KCB ban đầu"), ("base_salary", "Mức lương cơ sở"),
    ("relationship", "Quan hệ với chủ hộ"), ("support_percent", "Tỷ lệ hỗ trợ (%)"), ("card_kind", "Thẻ điện tử/giấy"),
    ("months", "Số tháng đóng"), ("rank", "Người thứ"), ("amount", "Số tiền"), ("valid_from", "Thẻ từ ngày"),
    ("valid_to", "Thẻ đến ngày"),
]
RELATIONSHIP_VI = dict(Relationship.choices)  # the exact relationship (registry.relationships)
CARD_VI = {"electronic": "Điện tử", "paper": "Giấy"}
PLAIN_NUMBERS = {"months", "rank", "support_percent", "ended", "renewed", "teams", "people_advised", "vsi_new",
                 "hi_new", "renewals", "vsi", "hi", "total"}  # counts: no money format


def write_xlsx(title: str, columns: list[tuple[str, str]], rows: Iterable[dict[str, Any]],
               shown: Callable[[str, Any], Any] | None = None) -> bytes:
    """A small table as XLSX bytes."""
    out = BytesIO()
    write_xlsx_to(out, title, columns, rows, shown)
    return out.getvalue()


def write_xlsx_to(target: BinaryIO | str, title: str, columns: list[tuple[str, str]], rows: Iterable[dict[str, Any]],
                  shown: Callable[[str, Any], Any] | None = None,
                  progress: Callable[[int], None] | None = None, every: int = 1000) -> int:
    """Write rows as they come (constant memory: to a file path, each row goes to disk when written);
    ``progress`` hears the running count every ``every`` rows. Returns the rows written."""
    in_memory = not isinstance(target, str)
    book = xlsxwriter.Workbook(target, {"constant_memory": True, "in_memory": in_memory})
    sheet = book.add_worksheet(re.sub(r"[\[\]:*?/\\]", "-", title)[:31])  # Excel refuses these in sheet names
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    money = book.add_format({"num_format": "#,##0"})
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.set_column(0, len(columns) - 1, 16)
    write_texts(sheet, 0, 0, [str(label) for _, label in columns], bold)  # str: a label may be lazy (gettext)
    written = 0
    for r, row in enumerate(rows, start=1):
        for c, (key, _) in enumerate(columns):
            value = shown(key, row[key]) if shown else row[key]
            if isinstance(value, date):
                sheet.write_datetime(r, c, value, day)  # type: ignore[arg-type]
            elif isinstance(value, int) and not isinstance(value, bool) and key not in PLAIN_NUMBERS:
                sheet.write_number(r, c, value, money)
            else:
                write_value(sheet, r, c, value)  # text as neutralised strings: never a live formula
        written = r
        if progress and written % every == 0:
            progress(written)
    book.close()
    return written


def d05_xlsx(rows: Iterable[dict[str, Any]]) -> bytes:
    return write_xlsx("D05-TS", D05_COLUMNS, rows)


def hi_list_shown(key: str, value: Any) -> Any:
    """Form No. 4 names relationships and card kinds in Vietnamese."""
    if key == "relationship":
        return RELATIONSHIP_VI.get(value, value)
    if key == "card_kind":
        return CARD_VI.get(value, value)
    return value


def hi_list_xlsx(rows: Iterable[dict[str, Any]]) -> bytes:
    return write_xlsx("Mau 4 - BHYT HGD", HI_COLUMNS, rows, hi_list_shown)
