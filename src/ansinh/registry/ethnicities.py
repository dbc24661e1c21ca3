"""The 54 ethnic groups of Vietnam with the General Statistics Office codes
(Quyết định 121-TCTK/PPCĐ, 1979; the list used on declarations TK1-TS), and "00" for "chưa rõ": an
ethnicity nobody has recorded yet. Unknown is the default and is never taken for Kinh or for a
minority: it derives no ethnic-minority support (enrollment.services.derived_groups). Names as in the
official list (08 is "Mông", not "HMông"; issue 13 #15)."""

from __future__ import annotations

from ansinh.lib.text import fold

UNKNOWN = "00"
ETHNICITIES = [
    (UNKNOWN, "Chưa rõ"),
    ("01", "Kinh"), ("02", "Tày"), ("03", "Thái"), ("04", "Hoa"), ("05", "Khơ-me"), ("06", "Mường"),
    ("07", "Nùng"), ("08", "Mông"), ("09", "Dao"), ("10", "Gia-rai"), ("11", "Ngái"), ("12", "Ê-đê"),
    ("13", "Ba-na"), ("14", "Xơ-đăng"), ("15", "Sán Chay"), ("16", "Cơ-ho"), ("17", "Chăm"), ("18", "Sán Dìu"),
    ("19", "Hrê"), ("20", "Mnông"), ("21", "Ra-glai"), ("22", "Xtiêng"), ("23", "Bru-Vân Kiều"), ("24", "Thổ"),
    ("25", "Giáy"), ("26", "Cơ-tu"), ("27", "Gié-Triêng"), ("28", "Mạ"), ("29", "Khơ-mú"), ("30", "Co"),
    ("31", "Tà-ôi"), ("32", "Chơ-ro"), ("33", "Kháng"), ("34", "Xinh-mun"), ("35", "Hà Nhì"), ("36", "Chu-ru"),
    ("37", "Lào"), ("38", "La Chí"), ("39", "La Ha"), ("40", "Phù Lá"), ("41", "La Hủ"), ("42", "Lự"),
    ("43", "Lô Lô"), ("44", "Chứt"), ("45", "Mảng"), ("46", "Pà Thẻn"), ("47", "Co Lao"), ("48", "Cống"),
    ("49", "Bố Y"), ("50", "Si La"), ("51", "Pu Péo"), ("52", "Brâu"), ("53", "Ơ Đu"), ("54", "Rơ-măm"),
]
KINH = "01"
_BY_NAME = {fold(name).replace("-", " "): code for code, name in ETHNICITIES}
_BY_NAME.update({"hmong": "08", "h'mong": "08", "h mong": "08"})  # the older spellings still read as Mông
_CODES = {code for code, _ in ETHNICITIES}


def ethnicity_code(value: str) -> str | None:
    """The code of an ethnicity written as its code ("2", "02") or its name, ignoring case, diacritics
    and hyphens ("Tày", "tay", "Khơ-me", "Kho me"); ``None`` if it is neither."""
    text = value.strip()
    if text.isdigit() and len(text) <= 2:
        code = text.zfill(2)
        return code if code in _CODES else None
    return _BY_NAME.get(fold(text).replace("-", " "))
