"""Reading a bank statement export (CSV or XLSX) into credits: the bank's time, the amount in đồng, the
description and the bank's transaction id.

Vietnamese banks' exports (Vietcombank, BIDV, VietinBank, Agribank) put a few title rows above a header
row whose names vary: "Ngày giao dịch" / "Ngày GD", "Số tiền ghi có" / "Phát sinh có", "Nội dung" /
"Diễn giải", "Số tham chiếu" / "Mã giao dịch" / "Số bút toán". The header row is found by its names
(accents, case and spaces ignored); a column map (``date=…,amount=…``) names other headers. Amounts are
written with "." or "," grouping ("1.500.000", "1,500,000", "1.500.000,00"); a debit (no credit amount,
or a negative one) is not a credit and is skipped.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook

from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.lib.i18n import verbatim
from ansinh.lib.text import fold

FIELDS = ("date", "amount", "description", "transaction_id")
# The bank files' own (Vietnamese) header names, named in the refusal when none is found: words of the file.
FIELD_NAMES = {"date": verbatim("ngày giao dịch"), "amount": verbatim("số tiền ghi có"),
               "description": verbatim("nội dung"), "transaction_id": verbatim("mã giao dịch")}
# Folded header names, most specific first: an exact match wins over a header that only contains one.
DEFAULT_HEADERS: dict[str, tuple[str, ...]] = {
    "date": ("ngay giao dich", "ngay gd", "ngay hach toan", "ngay gio giao dich", "thoi gian giao dich",
             "transaction date", "ngay", "date"),
    "amount": ("so tien ghi co", "ghi co", "phat sinh co", "so tien co", "credit amount", "credit", "co"),
    "description": ("noi dung giao dich", "noi dung", "dien giai", "mo ta", "chi tiet giao dich", "description"),
    "transaction_id": ("so tham chieu", "ma giao dich", "so but toan", "ma gd", "so giao dich", "so ct",
                       "reference", "transaction id"),
}
HEADER_SEARCH_ROWS = 30  # title rows above the header in the banks' exports: a handful, never this many
DESCRIPTION_MAX, TRANSACTION_ID_MAX = 500, 60


@dataclass(frozen=True)
class Credit:
    row: int  # the row in the file (1-based), for messages
    booked_at: datetime
    amount: int
    description: str
    transaction_id: str


def _refused(message: str, message_en: str) -> DomainError:
    return DomainError(ErrorCode.INVALID_INPUT, message, message_en, field="file")


def parse_column_map(text: str) -> dict[str, str]:
    """``date=Ngày GD,amount=Có,…`` (any of the four fields) → the headers to use for them."""
    found: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, header = part.partition("=")
        if not sep or name.strip() not in FIELDS or not header.strip():
            raise DomainError(ErrorCode.INVALID_INPUT, _("Cột không hợp lệ: “{part}”. Viết dạng "
                                "date=…,amount=…,description=…,transaction_id=…")
                              .format(part=part), "Bad column map.", field="columns")
        found[name.strip()] = header.strip()
    return found


def _key(value: Any) -> str:
    return re.sub(r"\s+", " ", fold(str(value or "")).replace("_", " ")).strip(" :*.")


def _find_columns(header: list[Any], wanted: dict[str, str]) -> dict[str, int] | None:
    keys = [_key(cell) for cell in header]
    found: dict[str, int] = {}
    for field in FIELDS:
        names = (_key(wanted[field]),) if field in wanted else DEFAULT_HEADERS[field]
        hit = next((keys.index(n) for n in names if n in keys), None)
        if hit is None:
            hit = next((i for n in names if len(n) > 3 for i, k in enumerate(keys)
                        if n in k and i not in found.values()), None)
        if hit is None:
            return None
        found[field] = hit
    return found if len(set(found.values())) == len(FIELDS) else None


def amount_of(value: Any) -> int | None:
    """Đồng from a cell: a number, or text with "." / "," grouping. None for no credit (empty, zero,
    negative: a debit); a fraction of a đồng or anything else is refused."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        if value != int(value):
            raise ValueError(value)
        return int(value) if value > 0 else None
    text = re.sub(verbatim(r"(?i)\s|vnd|đ|đồng|\+"), "", str(value))
    if not text or text in {"-", "0"}:
        return None
    if text.startswith("-") or (text.startswith("(") and text.endswith(")")):
        return None
    marks = [c for c in text if c in ".,"]
    whole, fraction = text, ""
    if marks and (len(set(marks)) == 2 or (text.count(marks[-1]) == 1 and not re.search(r"[.,]\d{3}$", text))):
        whole, fraction = text[:text.rfind(marks[-1])], text[text.rfind(marks[-1]) + 1:]
    if not re.fullmatch(r"\d{1,3}([.,]?\d{3})*|\d+", whole) or not re.fullmatch(r"0*", fraction):
        raise ValueError(value)
    number = int(re.sub(r"[.,]", "", whole))
    return number or None


_DATE_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d-%m-%Y %H:%M:%S", "%d-%m-%Y",
                 "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d", "%d.%m.%Y")


def time_of(value: Any) -> datetime:
    """The bank's local time (Asia/Ho_Chi_Minh): a date or datetime cell, or text dd/mm/yyyy [hh:mm[:ss]]."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    else:
        text = re.sub(r"\s+", " ", str(value or "")).strip()
        for form in _DATE_FORMATS:
            try:
                moment = datetime.strptime(text, form)  # noqa: DTZ007 - the bank's local time, made aware below
                break
            except ValueError:
                continue
        else:
            raise ValueError(value)
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _rows(path: Path) -> list[list[Any]]:
    if path.suffix.lower() == ".csv":
        raw = path.read_bytes()
        for encoding in ("utf-8-sig", "cp1258"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise _refused(_("Tệp CSV không đọc được (cần mã UTF-8)."), "The CSV is not UTF-8.")
        # the separator the banks' exports use most in their first lines (Excel in Vietnamese locales: ";")
        delimiter = max(",;\t", key=text[:8192].count)
        return [list(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    try:
        book = CalamineWorkbook.from_path(str(path))
        return [list(row) for row in book.get_sheet_by_index(0).to_python(skip_empty_area=False)]
    except (CalamineError, ValueError, OSError) as error:
        raise _refused(_("Không đọc được tệp sao kê (cần CSV hoặc XLSX)."), f"Unreadable statement: {error}") from None


def credits(path: Path, columns: dict[str, str] | None = None) -> Iterator[Credit]:
    """The credits of the statement, in the file's order. The header row must be found (else the whole
    file is refused, naming the columns looked for); a row whose cells cannot be read is refused too,
    with its row number: a statement is imported whole or not at all."""
    rows = _rows(path)
    wanted = columns or {}
    found = next(((i, w) for i, header in enumerate(rows[:HEADER_SEARCH_ROWS])
                  if (w := _find_columns(header, wanted)) is not None), None)
    if found is None:
        names = ", ".join(f"“{wanted.get(f, FIELD_NAMES[f])}”" for f in FIELDS)
        raise _refused(_("Không thấy dòng tiêu đề có các cột {names}. Hãy khai báo tên cột của ngân hàng.").format(
            names=names),
                       "No header row with the expected columns.")
    index, where = found
    for number, row in enumerate(rows[index + 1:], start=index + 2):
        cells = [row[where[f]] if where[f] < len(row) else "" for f in FIELDS]
        if all(c in (None, "") for c in cells):
            continue
        try:
            amount = amount_of(cells[1])
            if amount is None:
                continue
            booked_at = time_of(cells[0])
        except ValueError:
            raise _refused(_("Dòng {number}: không đọc được ngày hoặc số tiền ({date} / {amount}).").format(
                number=number, date=cells[0], amount=cells[1]),
                           f"Row {number}: unreadable date or amount.") from None
        transaction_id = str(cells[3] or "").strip()
        if isinstance(cells[3], float) and cells[3] == int(cells[3]):
            transaction_id = str(int(cells[3]))
        if not transaction_id or len(transaction_id) > TRANSACTION_ID_MAX:
            raise _refused(_("Dòng {number}: thiếu mã giao dịch (hoặc dài quá {limit} ký tự).").format(
                number=number, limit=TRANSACTION_ID_MAX),
                           f"Row {number}: missing transaction id.")
        yield Credit(number, booked_at, amount, str(cells[2] or "").strip()[:DESCRIPTION_MAX], transaction_id)
