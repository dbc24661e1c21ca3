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
residence commune. Payment columns (Loai, PA, Tiendong, …) are not the registry's and are not read.
Each row keeps where it came from (sheet, row, the header of each column) for the error report.
"""

from __future__ import annotations

from typing import Any

from ansinh.lib.text import fold

DATA, ANNEX = "du lieu", "phu luc"
SHEET_NAMES = {DATA: "Dữ Liệu", ANNEX: "Phụ lục"}

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
SEX_CODES = {"1": "Nam", "0": "Nữ"}
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
        out.append({**_row(cells, _text(cells.get("name"))), "relationship": "chủ hộ", "residence_code": "00"})
    return out
