"""The electronic filing package of a period's D05-TS and D03-TS (DOMAIN.md §3.5; NĐ 166/2016, for SI
NĐ 164/2025 from 01/07/2025): a ZIP with ``hoso.xml`` — ``Hoso`` with the filing unit, the procedure and
``NoiDung``, one ``ToKhai`` per form whose XML travels base64 in ``NoiDungFile`` — and ``manifest.json``
(files, SHA-256, rows, totals). The package is **unsigned**: the organisation signs it with its own
certificate in its I-VAN provider's software before sending (docs/efiling.md); ansinh holds no key.

The rows are those of the printed lists (``lists490``), so the XML's totals are the XLSX's."""

from __future__ import annotations

import base64
import hashlib
import json
import xml.etree.ElementTree as ET
import zipfile
from datetime import date
from io import BytesIO
from typing import Any

from ansinh.lib.documents.listform import ListDocument
from ansinh.lib.documents.xsdlite import validate
from ansinh.org.models import OrgUnit
from ansinh.org.scope import Scope
from ansinh.payments.lists490 import FORMS, d03_document, d05_document

PROCEDURE = "Thu BHXH tự nguyện, BHYT hộ gia đình qua tổ chức dịch vụ thu (D05-TS, D03-TS)"
D05_FIELDS = [("STT", "stt"), ("HoTen", "name"), ("MasoBHXH", "si_code"), ("SoCCCD", "citizen_id"),
              ("DiaChi", "address"), ("NgayBienLai", "receipt_date"), ("SoBienLai", "receipt_number"),
              ("MucTien", "income"), ("PA", "method"), ("Tuthang", "from_month"), ("Sothang", "months"),
              ("Tongtien", "due"), ("TienTudong", "paid"), ("TyleNSNN", "state_percent"),
              ("TienHotro", "state_support"), ("TyleNSDP", "local_percent"), ("TienNSDP", "local_support"),
              ("TyleHotroKhac", "other_percent"), ("TienHotroKhac", "other_support"),
              ("MaNhanvienThu", "staff_code"), ("Ghichu", "note")]
D03_FIELDS = [("STT", "stt"), ("HoTen", "name"), ("MasoBHXH", "si_code"), ("SoCCCD", "citizen_id"),
              ("NgaySinh", "date_of_birth"), ("GioiTinh", "sex"), ("DiaChi", "address"),
              ("NoiDangKyKCB", "initial_clinic"), ("NgayBienLai", "receipt_date"), ("SoBienLai", "receipt_number"),
              ("Sotien", "amount"), ("TienNSDP", "local_support"), ("TienHotroKhac", "other_support"),
              ("Tungay", "valid_from"), ("Sothang", "months"), ("MaNhanvienThu", "staff_code"), ("Ghichu", "note")]
# Totals the manifest and each form's TongCong carry: XML name → row keys (D05, D03).
TOTALS = {"Tongtien": ("due", "amount"), "TienTudong": ("paid", "amount"), "TienHotro": ("state_support", ""),
          "TienNSDP": ("local_support", "local_support"), "TienHotroKhac": ("other_support", "other_support")}


def _text(key: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return f"{value.month:02d}/{value.year}" if key == "from_month" else value.strftime("%d/%m/%Y")
    return str(value)


def form_xml(root: str, fields: list[tuple[str, str]], doc: ListDocument, which: int) -> tuple[bytes, dict[str, int]]:
    """One form's rows (group I then II) and its totals, as XML bytes."""
    node = ET.Element(root)
    rows = [("I", r) for r in doc.increases] + [("II", r) for r in doc.decreases]
    for group, row in rows:
        line = ET.SubElement(node, "Dong")
        ET.SubElement(line, "Nhom").text = group
        for name, key in fields:
            ET.SubElement(line, name).text = _text(key, row.get(key))
    sums = {"SoDong": len(rows)} | {name: sum(int(r.get(keys[which]) or 0) for _, r in rows) if keys[which] else 0
                                    for name, keys in TOTALS.items()}
    total = ET.SubElement(node, "TongCong")
    for name, value in sums.items():
        ET.SubElement(total, name).text = str(value)
    return ET.tostring(node, encoding="utf-8", xml_declaration=True), sums


def _method(row: dict[str, Any], method: str) -> str:
    """PA, the payment method as the collector software codes it: months (1/3/6/12), VS ahead, TH catch-up,
    GH a stop (dừng đóng: a "giảm" row that moves no money)."""
    return {"advance": "VS", "catch_up": "TH", "stop": "GH"}.get(method, str(row["months"]))


def package(scope: Scope, collector: OrgUnit, start: date, end: date, made_on: date | None = None) -> bytes:
    """The ZIP of the period; every XML inside is checked against its schema before it is offered."""
    made_on = made_on or end
    d05 = d05_document(scope, collector, start, end)
    for row in d05.increases + d05.decreases:
        row["method"] = _method(row, row["method_code"])
    d03 = d03_document(scope, collector, start, end)
    forms = [("D05-TS", "D05TS", "d05_ts.xml", D05_FIELDS, d05, 0, "efiling_d05_ts.xsd"),
             ("D03-TS", "D03TS", "d03_ts.xml", D03_FIELDS, d03, 1, "efiling_d03_ts.xsd")]
    hoso = ET.Element("Hoso")
    unit = ET.SubElement(hoso, "ThongTinDonVi")
    for name, value in (("TenDonVi", collector.name), ("MaDonVi", collector.code), ("MaSoThue", collector.tax_code),
                        ("DiaChi", collector.address), ("DienThoai", collector.phone), ("Email", collector.email)):
        ET.SubElement(unit, name).text = value
    info = ET.SubElement(hoso, "ThongTinHoSo")
    for name, value in (("ThuTuc", PROCEDURE), ("TuNgay", start.strftime("%d/%m/%Y")),
                        ("DenNgay", end.strftime("%d/%m/%Y")), ("NgayLap", made_on.strftime("%d/%m/%Y")),
                        ("ChuKySo", "")):
        ET.SubElement(info, name).text = value
    content = ET.SubElement(hoso, "NoiDung")
    manifest: dict[str, Any] = {"unit": collector.code, "from": start.isoformat(), "to": end.isoformat(),
                                "signed": False, "signing": "ngoài ansinh: ký số bằng chứng thư của tổ chức trong "
                                "phần mềm I-VAN trước khi gửi (docs/efiling.md)", "forms": []}
    for code, root, file_name, fields, doc, which, schema in forms:
        xml, sums = form_xml(root, fields, doc, which)
        problems = validate(xml, FORMS / schema)
        if problems:  # our own writer against our own schema: a bug, never the user's input
            raise AssertionError("; ".join(problems[:5]))
        entry = ET.SubElement(content, "ToKhai")
        ET.SubElement(entry, "MaToKhai").text = code
        ET.SubElement(entry, "TenFile").text = file_name
        ET.SubElement(entry, "SoDong").text = str(sums["SoDong"])
        ET.SubElement(entry, "NoiDungFile").text = base64.b64encode(xml).decode()
        manifest["forms"].append({"form": code, "file": file_name, "sha256": hashlib.sha256(xml).hexdigest(),
                                  "rows": sums["SoDong"], "totals": sums, "schema": schema})
    body = ET.tostring(hoso, encoding="utf-8", xml_declaration=True)
    problems = validate(body, FORMS / "efiling_hoso.xsd")
    if problems:
        raise AssertionError("; ".join(problems[:5]))
    manifest["hoso_sha256"] = hashlib.sha256(body).hexdigest()
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("hoso.xml", body)
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
        for _, _, _, _, _, _, schema in forms:
            archive.write(FORMS / schema, schema)
        archive.write(FORMS / "efiling_hoso.xsd", "efiling_hoso.xsd")
    return out.getvalue()
