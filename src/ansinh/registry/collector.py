"""The workbook layout of the collector software organisations keep their participants in.

- "Dữ Liệu": one row per participant — HoTen, MasoBHXH, Loai, PA, TyleNSDP, NgayBienLai, SoBienLai,
  NguoiThamGiaThu, Tiendong, TuNgay, Sothang, NgaySinh, GioiTinh (1 nam / 0 nữ), the residence
  province/district/commune codes and names (MaTinh/MaHuyen/MaXa, TenTinh/TenHuyen/TenXa), hospital codes.
- "Phụ lục": the household members — HoTen, MasoBHXH, NgaySinh, GioiTinh, the birth-registration place
  codes, MoiQuanHe (code: 00 chủ hộ, 01 vợ … 99 khác) and its name, CMND/SoGiayTo, DienThoai, QuocTich,
  DanToc (code), Maxa, Maso_HoGiadinh, Diachi_HK.

Header rows are found by their codes (the first row holding HoTen and NgaySinh), not by position, so
title blocks above them do not matter. The rows become the registry import's rows (``imports``): each
"Phụ lục" household (Maso_HoGiadinh) with its head first; a "Dữ Liệu" participant who is in no
household of the annex (by MasoBHXH, else name + birth date) is a one-person household in the
residence commune. Each row keeps where it came from (sheet, row, the header of each column) for the
error report.

The payment columns of "Dữ Liệu" (Loai, PA, TyleNSDP, NgayBienLai, SoBienLai, NguoiThamGiaThu, Tiendong,
TuNgay, Sothang) are **checked, not imported** (``check_payments``; docs/adr/0013-relationship-codes.md,
"Collector payment columns"): each row with payment data is complete and consistent or has its errors, and
the import prints the count; no payment, term or receipt is written from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ansinh.lib.errors import RowProblem
from ansinh.lib.i18n import Labels, verbatim
from ansinh.lib.text import fold

DATA, ANNEX = "du lieu", "phu luc"
SHEET_NAMES = {DATA: verbatim("Dữ Liệu"), ANNEX: verbatim("Phụ lục")}

# registry import key → the collector's column codes (folded, "_" and spaces removed)
_ANNEX_COLUMNS = {
    "name": ("hoten",), "si_code": ("masobhxh",), "date_of_birth": ("ngaysinh",), "sex": ("gioitinh",),
    "relationship_code": ("moiquanhe", "maquanhe"), "relationship_name": ("tenmoiquanhe", "tenquanhe"),
    "citizen_id": ("sogiayto", "cmnd", "socmnd", "cccd", "sodinhdanh"), "phone": ("dienthoai", "sodienthoai"),
    "ethnicity": ("dantoc", "madantoc"), "commune_code": ("maxa",), "household": ("masohogiadinh", "masoho"),
    "address": ("diachihk", "diachi"),
}
_DATA_COLUMNS = {
    "name": ("hoten",), "si_code": ("masobhxh",), "date_of_birth": ("ngaysinh",), "sex": ("gioitinh",),
    "commune_code": ("maxa", "maxact", "maxacutru", "maxathuongtru"), "phone": ("dienthoai", "sodienthoai"),
    "citizen_id": ("sogiayto", "cmnd", "cccd", "sodinhdanh"), "address": ("diachi", "diachict", "diachihk"),
}
SEX_CODES = {"1": "Nam", "0": verbatim("Nữ")}  # the import reads these words
# MoiQuanHe: the code goes to the import as it is (``residence_code``) with the name; the import's code
# list (registry.relationships) decides a code it has, the name the others ("con đẻ" → con)


def _code(header: Any) -> str:
    return fold(str(header or "")).replace("_", "").replace(" ", "")


def sheets(names: list[str]) -> dict[str, str]:
    """The collector sheets among a workbook's sheet names: {DATA|ANNEX: actual name}."""
    found = {}
    for name in names:
        key = fold(name).strip()
        if key in SHEET_NAMES:
            found[key] = name
    return found


def _header(table: list[list[Any]]) -> tuple[int, list[str]] | None:
    for index, line in enumerate(table[:30]):
        codes = [_code(c) for c in line]
        if "hoten" in codes and "ngaysinh" in codes:
            return index, codes
    return None


def _records(table: list[list[Any]], columns: dict[str, tuple[str, ...]], sheet: str) -> list[dict[str, Any]]:
    found = _header(table)
    if found is None:
        return []
    index, codes = found
    position = {key: next((i for i, c in enumerate(codes) if c in names), None) for key, names in columns.items()}
    header_of = {key: str(table[index][i]) for key, i in position.items() if i is not None}
    out = []
    for number, line in enumerate(table[index + 1:], start=index + 2):
        if not any(str(c).strip() for c in line):
            continue
        cells = {key: line[i] if i is not None and i < len(line) else "" for key, i in position.items()}
        cells["_where"] = (sheet, number, header_of)
        out.append(cells)
    return out


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value if value is not None else "").strip()


def _code_of(cells: dict[str, Any]) -> str:
    code = _text(cells.get("relationship_code"))
    return code.zfill(2) if code.isdigit() else code


def _is_head(cells: dict[str, Any]) -> bool:
    code = _code_of(cells)
    return code == "00" if code else fold(_text(cells.get("relationship_name"))) == "chu ho"


def _row(cells: dict[str, Any], head: str) -> dict[str, Any]:
    sex = _text(cells.get("sex"))
    return {"head": head, "name": cells.get("name"), "date_of_birth": cells.get("date_of_birth"),
            "sex": SEX_CODES.get(sex, sex), "citizen_id": cells.get("citizen_id", ""),
            "si_code": cells.get("si_code", ""),
            "phone": cells.get("phone", ""), "commune_code": cells.get("commune_code"),
            "address": cells.get("address", ""), "ethnicity": cells.get("ethnicity", ""),
            "_where": cells["_where"]}


def rows(tables: dict[str, list[list[Any]]]) -> list[dict[str, Any]]:
    """The import rows of a collector workbook ({DATA|ANNEX: the sheet's cells})."""
    annex = _records(tables.get(ANNEX, []), _ANNEX_COLUMNS, SHEET_NAMES[ANNEX])
    data = _records(tables.get(DATA, []), _DATA_COLUMNS, SHEET_NAMES[DATA])
    households: dict[str, list[dict[str, Any]]] = {}
    for cells in annex:
        households.setdefault(_text(cells.get("household")) or f"#{cells['_where'][1]}", []).append(cells)
    out: list[dict[str, Any]] = []
    known_si, known_key = set(), set()
    for members in households.values():
        heads = [m for m in members if _is_head(m)]
        head = _text(heads[0].get("name")) if heads else ""
        for member in sorted(members, key=lambda m: not _is_head(m)):
            out.append({**_row(member, head), "relationship": _text(member.get("relationship_name")),
                        "residence_code": _code_of(member)})
            if _text(member.get("si_code")):
                known_si.add(_text(member.get("si_code")))
            known_key.add((fold(_text(member.get("name"))), _text(member.get("date_of_birth"))))
    for cells in data:
        si = _text(cells.get("si_code"))
        if (si and si in known_si) or (fold(_text(cells.get("name"))), _text(cells.get("date_of_birth"))) in known_key:
            continue
        out.append({**_row(cells, _text(cells.get("name"))), "relationship": verbatim("chủ hộ"),
                    "residence_code": "00"})
    return out


# The payment columns of "Dữ Liệu" and the practice codes they hold (DOMAIN.md §3.5: no official text)
_PAYMENT_COLUMNS = {
    "kind": ("loai",), "method": ("pa",), "local_rate": ("tylensdp",), "receipt_date": ("ngaybienlai",),
    "receipt_number": ("sobienlai",), "agent": ("nguoithamgiathu",), "amount": ("tiendong",),
    "start": ("tungay",), "months": ("sothang",), "name": ("hoten",), "si_code": ("masobhxh",),
}
KINDS = Labels({"TM": gettext_lazy("tăng mới"), "DT": gettext_lazy("đóng tiếp"), "DB": gettext_lazy("đóng bù"),
         "DL": gettext_lazy("đóng lại"), "GH": gettext_lazy("dừng đóng")})
METHODS = {"1", "3", "6", "12", "VS", "TH"}
_PAYMENT_KEYS = ("kind", "method", "local_rate", "receipt_date", "receipt_number", "agent", "amount", "start",
                 "months")


@dataclass(frozen=True)
class PaymentLine:
    """One checked payment row of the collector's workbook (where: the sheet's row number)."""

    row: int
    name: str
    si_code: str
    kind: str
    method: str
    local_rate: float
    receipt_date: date | None
    receipt_number: str
    agent: str
    amount: int
    start: date | None
    months: int


@dataclass
class PaymentCheck:
    rows: int = 0  # rows of "Dữ Liệu" with any payment cell
    lines: list[PaymentLine] = field(default_factory=list)  # complete and consistent
    problems: list[RowProblem] = field(default_factory=list)  # sheet row, column code, reason
    amount: int = 0  # the sum of Tiendong of the consistent rows


def _day(value: Any) -> date:
    """dd/mm/yyyy, yyyy-mm-dd, a date cell, or mm/yyyy (the first of the month)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    parts = text.replace("-", "/").split("/")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        day, month, year = (int(parts[2]), int(parts[1]), int(parts[0])) if len(parts[0]) == 4 else \
            (int(parts[0]), int(parts[1]), int(parts[2]))
        return date(year, month, day)
    if len(parts) == 2 and all(p.isdigit() for p in parts) and len(parts[1]) == 4:
        return date(int(parts[1]), int(parts[0]), 1)
    raise ValueError(text)


def _number(value: Any, whole: bool = True) -> float:
    """A number cell; text "1.650.000" (thousands dots) for a whole number, "10,5" or "10.5" for a rate."""
    if isinstance(value, int | float):
        return float(value)
    text = _text(value).replace(" ", "")
    if not text:
        return 0.0
    return float(text.replace(".", "").replace(",", "") if whole else text.replace(",", "."))


def _check(cells: dict[str, Any], today: date, seen: dict[str, int]) -> PaymentLine:
    number = cells["_where"][1]
    text = {key: _text(cells.get(key)) for key in _PAYMENT_KEYS}
    problems: list[tuple[str, str]] = []
    kind, method = text["kind"].upper(), text["method"].upper()
    if kind not in KINDS:
        problems.append(("kind", _("«{kind}»: loại là {value}").format(
                                     kind=text['kind'], value=', '.join(KINDS))))
    if method not in METHODS and kind != "GH":
        problems.append(("method", _("«{method}»: phương án là 1, 3, 6, 12, VS hoặc TH").format(
                                       method=text['method'])))
    for key in ("receipt_date", "receipt_number", "start", "amount", "months"):
        if not text[key] and kind != "GH":
            problems.append((key, _("bắt buộc khi có dữ liệu thu")))
    parsed: dict[str, Any] = {}
    for key in ("receipt_date", "start"):
        if text[key]:
            try:
                parsed[key] = _day(cells.get(key))
            except (ValueError, TypeError):
                problems.append((key, _("«{value}» không phải ngày (dd/mm/yyyy hoặc mm/yyyy)").format(
                                          value=text[key])))
    if parsed.get("receipt_date") and not date(1995, 1, 1) <= parsed["receipt_date"] <= today:
        problems.append(("receipt_date", _("ngày biên lai phải từ 01/01/1995 đến hôm nay")))
    try:
        amount, months, rate = _number(cells.get("amount")), _number(cells.get("months")), \
            _number(cells.get("local_rate"), whole=False)
    except ValueError:
        problems.append(("amount", _("số tiền, số tháng và tỷ lệ phải là số")))
        amount = months = rate = 0.0
    if amount < 0 or amount != int(amount) or (amount == 0 and kind != "GH"):
        problems.append(("amount", _("«{amount}»: số tiền là số nguyên đồng dương").format(
                                       amount=text['amount'])))
    if months < 0 or months != int(months) or (months == 0 and kind != "GH"):
        problems.append(("months", _("«{months}»: số tháng là số nguyên dương").format(months=text['months'])))
    elif method.isdigit() and int(months) % int(method):  # a receipt pays whole terms of PA months
        problems.append(("months", _("số tháng {value} không khớp phương án {method} tháng").format(
                                       value=int(months), method=method)))
    elif method == "VS" and int(months) % 12:
        problems.append(("months", _("đóng trước nhiều năm (VS): số tháng là bội của 12")))
    if not 0 <= rate <= 100:
        problems.append(("local_rate", _("«{local_rate}»: tỷ lệ từ 0 đến 100").format(
                                           local_rate=text['local_rate'])))
    if text["receipt_number"]:
        earlier = seen.setdefault(text["receipt_number"], number)
        if earlier != number:
            problems.append(("receipt_number", _("số biên lai đã có ở dòng {earlier}").format(earlier=earlier)))
    if problems:
        raise _Problems([RowProblem(number, key, reason) for key, reason in problems])
    return PaymentLine(number, _text(cells.get("name")), _text(cells.get("si_code")), kind, method, rate,
                       parsed.get("receipt_date"), text["receipt_number"], text["agent"], int(amount),
                       parsed.get("start"), int(months))


class _Problems(Exception):
    def __init__(self, problems: list[RowProblem]) -> None:
        self.problems = problems


def check_payments(tables: dict[str, list[list[Any]]], today: date) -> PaymentCheck:
    """The payment columns of "Dữ Liệu", checked row by row; nothing is written from them. A row with no
    payment cell is a person only and is not counted."""
    report = PaymentCheck()
    data = _records(tables.get(DATA, []), _PAYMENT_COLUMNS, SHEET_NAMES[DATA])
    seen: dict[str, int] = {}
    for cells in data:
        if not any(_text(cells.get(key)) for key in _PAYMENT_KEYS):
            continue
        report.rows += 1
        try:
            line = _check(cells, today, seen)
        except _Problems as refused:
            header_of = cells["_where"][2]
            report.problems.extend(RowProblem(p.row, f"{SHEET_NAMES[DATA]} › {header_of.get(p.column, p.column)}",
                                              p.reason) for p in refused.problems)
            continue
        report.lines.append(line)
        report.amount += line.amount
    return report
