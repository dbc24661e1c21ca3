"""II Giảm of D05-TS and D03-TS beyond reversals (issue 20): a VSI plan stopped in the period and a household
member who left while a card covered them are "giảm" rows with no money; sub-totals and the grand total are
net of every giảm row, and the e-filing XML carries the same rows and totals. Read back with calamine."""

from __future__ import annotations

import base64
import zipfile
from datetime import date, datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from django.db.models import F
from python_calamine import CalamineWorkbook

from ansinh.enrollment import services as enrolling
from ansinh.enrollment.models import HiCardLine, Scheme
from ansinh.lib.documents.xsdlite import validate
from ansinh.org.models import OrgUnit
from ansinh.org.scope import scope_for
from ansinh.payments import efiling, lists490
from ansinh.payments import services as paying
from ansinh.payments.models import Payment
from ansinh.registry import services as registry
from ansinh.registry.models import Membership

pytestmark = pytest.mark.django_db
SEED = date(2022, 5, 8)
AFTER = (date(2025, 8, 1), date(2025, 8, 31))


def cells(content: bytes) -> list[list[Any]]:
    return CalamineWorkbook.from_filelike(BytesIO(content)).get_sheet_by_index(0).to_python()


def row_of(table: list[list[Any]], label: str) -> int:
    return next(i for i, row in enumerate(table) if row[1] == label)


def manager() -> Any:
    from django.contrib.auth import get_user_model
    return get_user_model().objects.get(username="buudien")


def forms_of(package: bytes, tmp_path: Path) -> dict[str, ElementTree.Element]:
    archive = zipfile.ZipFile(BytesIO(package))
    root = ElementTree.fromstring(archive.read("hoso.xml"))
    out = {}
    for entry in root.findall("NoiDung/ToKhai"):
        xml = base64.b64decode(entry.findtext("NoiDungFile") or "")
        schema = tmp_path / f"{entry.findtext('MaToKhai')}.xsd"
        schema.write_bytes(archive.read("efiling_d05_ts.xsd" if entry.findtext("MaToKhai") == "D05-TS"
                                        else "efiling_d03_ts.xsd"))
        assert validate(xml, schema) == []
        out[entry.findtext("MaToKhai") or ""] = ElementTree.fromstring(xml)
    return out


def test_a_stop_and_a_reversal_are_giam_rows_and_the_totals_are_net(demo_data: None, tmp_path: Path) -> None:
    boss = manager()
    scope, post = scope_for(boss), OrgUnit.objects.get(code="BD40")
    payment = Payment.objects.get(collector=post, enrollment__scheme=Scheme.VSI, paid_at__date__gte=AFTER[0],
                                  paid_at__date__lte=AFTER[1])
    person = payment.enrollment.person
    assert person is not None
    paying.reverse_payment(boss, scope, payment.pk, "Thu nhầm", "giam-reverse",
                           datetime(2025, 8, 2, 9, 0, tzinfo=payment.paid_at.tzinfo))
    # the person paid before (demo history): the plan's last standing payment is this collector's
    enrolling.stop_plan(boss, scope, person.pk, date(2025, 8, 20))
    enrolling.stop_plan(boss, scope, person.pk, date(2025, 8, 25))  # twice: the first day stays
    table = cells(lists490.render("d05", scope, post, *AFTER))
    plus, minus, grand = row_of(table, "Cộng tăng"), row_of(table, "Cộng giảm"), row_of(table, "Tổng cộng")
    giam = table[row_of(table, "Giảm") + 1:minus]
    notes = [r[19] for r in giam]
    stops = [r for r in giam if r[19] == "GH - dừng đóng từ 20/08/2025"]
    assert len(giam) == 2 and notes[0].startswith("GH - giảm") and len(stops) == 1
    stop = stops[0]
    assert stop[1] == person.full_name and stop[0] == 2 and stop[8] == 0 and stop[10:18] == [0] * 8
    assert str(stop[9])[:7] in ("2025-08", "08/2025")  # from month/year: the stop's month
    for column in (10, 11, 13, 15, 17):  # sub-totals, and the grand total net of the giảm rows
        assert table[minus][column] == sum(r[column] for r in giam)
        assert table[grand][column] == table[plus][column] + table[minus][column]
    assert table[grand][11] == 0  # the reversed payment and its reversal net to nothing
    xml = forms_of(efiling.package(scope, post, *AFTER), tmp_path)["D05-TS"]
    second = [d for d in xml.findall("Dong") if d.findtext("Nhom") == "II"]
    assert [d.findtext("Ghichu") for d in second] == notes
    assert second[1].findtext("PA") == "GH" and second[1].findtext("NgayBienLai") == ""
    for name, column in (("Tongtien", 10), ("TienTudong", 11), ("TienHotro", 13)):
        assert int(xml.findtext(f"TongCong/{name}") or 0) == table[grand][column]
    assert int(xml.findtext("TongCong/SoDong") or 0) == len(xml.findall("Dong"))


def test_a_member_who_left_under_a_live_card_is_a_giam_row_of_d03(demo_data: None, tmp_path: Path) -> None:
    boss = manager()
    scope, post = scope_for(boss), OrgUnit.objects.get(code="BD40")
    line = (HiCardLine.objects.filter(enrollment__payments__collector=post, enrollment__payments__paid_at__date=SEED,
                                      enrollment__household__head__isnull=False)
            .exclude(person_id=F("enrollment__household__head_id")).select_related("enrollment", "person")
            .first())
    assert line is not None
    membership = Membership.objects.get(household_id=line.enrollment.household_id, person=line.person,
                                        valid_to__isnull=True)
    left = line.valid_from + timedelta(days=5)
    registry.end_membership(boss, scope, membership.pk, left)
    end = left + timedelta(days=3)
    table = cells(lists490.render("d03", scope, post, SEED, end))
    minus, plus, grand = row_of(table, "Cộng giảm"), row_of(table, "Cộng tăng"), row_of(table, "Tổng cộng")
    giam = table[row_of(table, "Giảm") + 1:minus]
    mine = [r for r in giam if r[1] == line.person.full_name]
    assert len(mine) == 1 and mine[0][16] == f"GH - giảm thành viên (rời hộ) ngày {left:%d/%m/%Y}"
    assert mine[0][10:13] == [0, 0, 0] and mine[0][14] == 0 and mine[0][7] == line.initial_clinic
    assert table[grand][10] == table[plus][10] + table[minus][10]
    xml = forms_of(efiling.package(scope, post, SEED, end), tmp_path)["D03-TS"]
    second = [d for d in xml.findall("Dong") if d.findtext("Nhom") == "II"]
    assert any(d.findtext("HoTen") == line.person.full_name and d.findtext("Tungay") ==
               f"{left + timedelta(days=1):%d/%m/%Y}" for d in second)
    assert int(xml.findtext("TongCong/TienTudong") or 0) == table[grand][10]


def test_the_post_2025_d03_ts_is_on_the_qd_490_form_with_its_totals(demo_data: None) -> None:
    scope, post = scope_for(manager()), OrgUnit.objects.get(code="BD40")
    table = cells(lists490.render("d03", scope, post, *AFTER))
    assert "Mẫu D03-TS" in table[0] and "(Ban hành kèm theo QĐ 490/QĐ-BHXH ngày 28/3/2023)" in table[1]
    codes = ["A", "B"] + [str(i) for i in range(1, 16)]
    code_row = next(i for i, row in enumerate(table) if row[:3] == codes[:3])
    assert table[code_row][:17] == codes
    plus, minus, grand = row_of(table, "Cộng tăng"), row_of(table, "Cộng giảm"), row_of(table, "Tổng cộng")
    paid = Payment.objects.filter(collector=post, enrollment__scheme=Scheme.HOUSEHOLD_HI, reverses__isnull=True,
                                  paid_at__date__gte=AFTER[0], paid_at__date__lte=AFTER[1])
    rows = table[code_row + 2:plus]
    assert len(rows) == sum(p.enrollment.hi_lines.count() for p in paid) > 0
    assert table[plus][10] == sum(p.amount for p in paid if p.payer != "sponsor")
    assert table[grand][10] == table[plus][10] + table[minus][10]
    assert any(str(r[0]).startswith("Tổng số thẻ BHYT đề nghị cấp") for r in table[grand:])
    assert any("THỦ TRƯỞNG ĐƠN VỊ" in r for r in table[grand:])
