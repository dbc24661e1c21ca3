"""The e-filing package (issue 20): the seed day's Hoso parses, every XML validates against ansinh's
own XSD, the forms travel base64 inside NoiDung, and the totals equal the printed XLSX's. Unsigned."""

from __future__ import annotations

import base64
import json
import zipfile
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from defusedxml import ElementTree
from python_calamine import CalamineWorkbook

from ansinh.lib.documents.xsdlite import validate
from ansinh.org.models import OrgUnit
from ansinh.org.scope import scope_for
from ansinh.payments import efiling, lists490

pytestmark = pytest.mark.django_db
SEED = date(2022, 5, 8)


def manager() -> Any:
    from django.contrib.auth import get_user_model
    return get_user_model().objects.get(username="buudien")


def sums_of(content: bytes, columns: list[int]) -> list[Any]:
    table = CalamineWorkbook.from_filelike(BytesIO(content)).get_sheet_by_index(0).to_python()
    total = next(r for r in table if r[1] == "Tổng cộng")
    return [total[c] for c in columns]


def test_the_seed_day_package_parses_validates_and_matches_the_lists(demo_data: None, tmp_path: Path) -> None:
    scope, post = scope_for(manager()), OrgUnit.objects.get(code="BD40")
    archive = zipfile.ZipFile(BytesIO(efiling.package(scope, post, SEED, SEED)))
    assert {"hoso.xml", "manifest.json", "efiling_hoso.xsd", "efiling_d05_ts.xsd"} <= set(archive.namelist())
    hoso = archive.read("hoso.xml")
    (tmp_path / "s.xsd").write_bytes(archive.read("efiling_hoso.xsd"))
    assert validate(hoso, tmp_path / "s.xsd") == []
    root = ElementTree.fromstring(hoso)
    assert root.tag == "Hoso" and root.findtext("ThongTinDonVi/MaSoThue") == post.tax_code
    assert root.findtext("ThongTinHoSo/ChuKySo") == ""  # unsigned: signing is outside ansinh
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["signed"] is False
    forms = {t.findtext("MaToKhai"): t for t in root.findall("NoiDung/ToKhai")}
    assert set(forms) == {"D05-TS", "D03-TS"}
    for code, schema, rows_key in (("D05-TS", "efiling_d05_ts.xsd", "D05TS"),
                                   ("D03-TS", "efiling_d03_ts.xsd", "D03TS")):
        xml = base64.b64decode(forms[code].findtext("NoiDungFile") or "")
        (tmp_path / schema).write_bytes(archive.read(schema))
        assert validate(xml, tmp_path / schema) == []
        form = ElementTree.fromstring(xml)
        assert form.tag == rows_key
        entry = next(f for f in manifest["forms"] if f["form"] == code)
        assert entry["rows"] == len(form.findall("Dong")) == int(forms[code].findtext("SoDong") or 0) > 1000
        assert int(form.findtext("TongCong/TienTudong") or 0) == sum(
            int(d.findtext("TienTudong" if code == "D05-TS" else "Sotien") or 0) for d in form.findall("Dong"))
    d05 = ElementTree.fromstring(base64.b64decode(forms["D05-TS"].findtext("NoiDungFile") or ""))
    # D05 XLSX columns: 8 due, 9 paid, 11 state, 13 local, 15 other → sheet columns 10, 11, 13, 15, 17.
    assert sums_of(lists490.render("d05", scope, post, SEED, SEED), [10, 11, 13, 15, 17]) == [
        int(d05.findtext(f"TongCong/{name}") or 0) for name in
        ("Tongtien", "TienTudong", "TienHotro", "TienNSDP", "TienHotroKhac")]
    first = d05.find("Dong")
    assert first is not None and first.findtext("Nhom") == "I" and first.findtext("MaNhanvienThu")
    d03 = ElementTree.fromstring(base64.b64decode(forms["D03-TS"].findtext("NoiDungFile") or ""))
    assert sums_of(lists490.render("d03", scope, post, SEED, SEED), [10]) == [
        int(d03.findtext("TongCong/TienTudong") or 0)]


def test_a_broken_document_is_refused_by_the_schema(tmp_path: Path) -> None:
    schema = lists490.FORMS / "efiling_d05_ts.xsd"
    bad = b"<D05TS><Dong><Nhom>III</Nhom></Dong></D05TS>"
    problems = validate(bad, schema)
    assert any("III" in p for p in problems) and any("TongCong" in p for p in problems)
