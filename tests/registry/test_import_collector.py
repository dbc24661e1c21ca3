"""`ansinh import` of the collector software's workbook: "Dữ Liệu" (participants) and "Phụ lục"
(household members), header rows found by their codes below title blocks, year-only birth dates."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from typer.testing import CliRunner

from ansinh.cli import app
from ansinh.lib.dates import MONTH, YEAR
from ansinh.registry.imports import import_people
from ansinh.registry.models import AuditEntry, Household, Membership, Person
from ansinh.rules.benefits import retirement
from tests.builders import COMMUNE_X, COMMUNE_Y, Personas, commune, personas

pytestmark = pytest.mark.django_db
ON = date(2025, 8, 1)
DATA_HEADER = ["STT", "HoTen", "MasoBHXH", "Loai", "PA", "TyleNSDP", "NgayBienLai", "SoBienLai", "NguoiThamGiaThu",
               "Tiendong", "TuNgay", "Sothang", "NgaySinh", "GioiTinh", "MaTinh", "TenTinh", "MaHuyen", "TenHuyen",
               "MaXa", "TenXa", "MaBV"]
ANNEX_HEADER = ["STT", "HoTen", "MasoBHXH", "NgaySinh", "GioiTinh", "MaTinh_KS", "MaHuyen_KS", "MaXa_KS",
                "MoiQuanHe", "TenMoiQuanHe", "SoGiayTo", "DienThoai", "QuocTich", "DanToc", "Maxa",
                "Maso_HoGiadinh", "Diachi_HK"]


@pytest.fixture
def who() -> Personas:
    return personas()


def participant(name: str, si: str, born: Any, sex: int, commune_code: str) -> list[Any]:
    return [1, name, si, "TM", "1", 0, "01/08/2025", "0000123", "Đại lý X", 1_650_000, "01/08/2025", 12, born, sex,
            "40", "Nghệ An", "412", "", commune_code, "", "40017"]


def member(name: str, si: str, born: Any, sex: int, code: str, relation: str, household: str,
           commune_code: str = COMMUNE_X) -> list[Any]:
    return [1, name, si, born, sex, "40", "412", commune_code, code, relation, "", "", "VN", "01", commune_code,
            household, "Xóm 3"]


ANNEX = [
    member("Hoàng Văn Mạnh", "4012345601", "05/04/1963", 1, "00", "Chủ hộ", "4001234567"),
    member("Lê Thị Lan", "4012345602", 1965, 0, "01", "Vợ", "4001234567"),  # a number cell: the year only
    member("Hoàng Văn Tú", "", "03/2001", 1, "03", "Con đẻ", "4001234567"),
    member("Phan Thị Mơ", "4012345604", "1950", 0, "00", "Chủ hộ", "4009999999", COMMUNE_Y),
]
DATA = [
    participant("Lê Thị Lan", "4012345602", "1965", 0, COMMUNE_X),  # in the annex: one person, not two
    participant("Đinh Văn Sơn", "4012345605", "1965", 1, COMMUNE_Y),  # in no household of the annex
]


def workbook(tmp_path: Path, annex: list[list[Any]], data: list[list[Any]]) -> Path:
    path = tmp_path / "dulieu.xlsx"
    book = xlsxwriter.Workbook(str(path))
    for title, header, rows in (("Dữ Liệu", DATA_HEADER, data), ("Phụ lục", ANNEX_HEADER, annex)):
        sheet = book.add_worksheet(title)
        sheet.write_row(0, 0, ["DANH SÁCH NGƯỜI THAM GIA"])  # a title block above the header row
        sheet.write_row(1, 0, ["Đại lý thu X — kỳ 08/2025"])
        sheet.write_row(3, 0, header)
        for i, row in enumerate(rows, start=4):
            sheet.write_row(i, 0, row)
    book.close()
    return path


def test_the_collector_workbook_imports_into_the_right_communes_and_households(who: Personas,
                                                                                tmp_path: Path) -> None:
    report = import_people(workbook(tmp_path, ANNEX, DATA), who.admin, who.scope(who.admin), ON)
    assert report.problems == [] and report.written
    assert (report.people_created, report.households_created, report.memberships_created) == (5, 3, 5)
    manh = Household.objects.get(head__full_name="Hoàng Văn Mạnh")
    assert manh.area == commune(COMMUNE_X)
    assert sorted(manh.memberships.values_list("person__full_name", "relationship")) == [
        ("Hoàng Văn Mạnh", "head"), ("Hoàng Văn Tú", "child"), ("Lê Thị Lan", "wife")]
    # MoiQuanHe stored as the file gave it: 00 and 01 from the code list, 03 (not in it) kept, named by "Con đẻ"
    assert sorted(manh.memberships.values_list("person__full_name", "residence_code")) == [
        ("Hoàng Văn Mạnh", "00"), ("Hoàng Văn Tú", "03"), ("Lê Thị Lan", "01")]
    lan = Person.objects.get(full_name="Lê Thị Lan")
    assert (lan.date_of_birth, lan.birth_precision, lan.si_code, lan.sex) == (date(1965, 1, 1), YEAR,
                                                                              "4012345602", "female")
    tu = Person.objects.get(full_name="Hoàng Văn Tú")
    assert (tu.birth_shown, tu.birth_precision) == ("03/2001", MONTH)
    assert Household.objects.get(head__full_name="Phan Thị Mơ").area == commune(COMMUNE_Y)
    son = Person.objects.get(full_name="Đinh Văn Sơn")
    assert son.area == commune(COMMUNE_Y) and son.memberships.get().relationship == "head"
    # a man registered as born "1965" retires as the convention says: counted from 01/01/1965
    assert retirement(son.date_of_birth, son.sex).first_pension_month == date(2026, 8, 1)
    again = import_people(workbook(tmp_path, ANNEX, DATA), who.admin, who.scope(who.admin), ON)
    assert (again.people_created, again.households_created) == (0, 0)


def test_a_bad_row_names_its_sheet_row_and_code_and_nothing_is_written(who: Personas, tmp_path: Path) -> None:
    annex = [*ANNEX[:3], member("Phan Thị Mơ", "4012345604", "13/1950", 0, "00", "Chủ hộ", "4009999999")]
    data = [*DATA, participant("Võ Văn Xa", "", "1970", 1, COMMUNE_Y)]
    before = (Person.objects.count(), Household.objects.count(), Membership.objects.count(),
              AuditEntry.objects.count())
    report = import_people(workbook(tmp_path, annex, data), who.agent, who.scope(who.agent), ON)
    assert not report.written
    where = {(p.column, p.row) for p in report.problems}
    assert ("Phụ lục › NgaySinh", 8) in where  # the 4th data row under a header on row 4
    assert ("Dữ Liệu › MaXa", 7) in where  # commune Y is outside the agent's area
    assert all("Phụ lục" in str(p) or "Dữ Liệu" in str(p) for p in report.problems)
    assert (Person.objects.count(), Household.objects.count(), Membership.objects.count(),
            AuditEntry.objects.count()) == before


def test_the_cli_reads_the_collector_workbook(who: Personas, tmp_path: Path) -> None:
    path = workbook(tmp_path, ANNEX, DATA)
    result = CliRunner().invoke(app, ["import", "people", str(path), "--user", "admin_xy", "--on", "2025-08-01"])
    assert result.exit_code == 0, result.output
    assert Person.objects.count() == 5


def test_the_import_leaves_the_planner_informed(who: Personas, tmp_path: Path) -> None:
    from django.db import connection

    import_people(workbook(tmp_path, ANNEX, DATA), who.admin, who.scope(who.admin), ON)
    tables = ("registry_person", "registry_household", "registry_membership")
    with connection.cursor() as cursor:  # ANALYZE writes the statistics in the same transaction
        if connection.vendor == "postgresql":
            cursor.execute("SELECT relname, reltuples FROM pg_class WHERE relname = ANY(%s)", [list(tables)])
        else:  # SQLite keeps them in sqlite_stat1: "<rows> <rows per index value>…" per table and index
            cursor.execute("SELECT tbl, MAX(CAST(stat AS INTEGER)) FROM sqlite_stat1 WHERE tbl IN (%s, %s, %s) "
                           "GROUP BY tbl", tables)
        counted = {name: int(rows) for name, rows in cursor.fetchall()}
    # never analysed, a table has no statistics (reltuples -1 on PostgreSQL 14+, no sqlite_stat1 row);
    # analysed, a small one has its exact count
    assert counted == {"registry_person": Person.objects.count(), "registry_household": Household.objects.count(),
                       "registry_membership": Membership.objects.count()} == {
        "registry_person": 5, "registry_household": 3, "registry_membership": 5}


def test_the_payment_columns_are_checked_row_by_row_and_never_written(who: Personas, tmp_path: Path) -> None:
    from ansinh.payments.models import Payment

    bad_pa = participant("Võ Văn Ba", "4012345606", "1970", 1, COMMUNE_X)
    bad_pa[4], bad_pa[7], bad_pa[11] = "6", "0000124", 4  # PA 6 with Sothang 4: not whole terms
    twice = participant("Võ Văn Bốn", "4012345607", "1971", 1, COMMUNE_X)  # the same receipt number again
    empty = participant("Võ Thị Năm", "4012345608", "1972", 0, COMMUNE_X)
    empty[3:12] = [""] * 9  # a person only: not a payment row
    stop = participant("Võ Văn Sáu", "4012345609", "1973", 1, COMMUNE_X)
    stop[3], stop[4], stop[6], stop[7], stop[9], stop[10], stop[11] = "GH", "", "", "", 0, "", 0  # a stop
    future = participant("Võ Văn Bảy", "4012345610", "1974", 1, COMMUNE_X)
    future[6], future[7], future[3] = "01/01/2999", "0000999", "XX"
    data = [*DATA, bad_pa, twice, empty, stop, future]
    report = import_people(workbook(tmp_path, ANNEX, data), who.admin, who.scope(who.admin), ON)
    assert report.written and report.payments is not None
    checked = report.payments
    assert checked.rows == 6  # every row with payment cells; the person-only row is not one
    assert [line.name for line in checked.lines] == ["Lê Thị Lan", "Võ Văn Sáu"]
    assert checked.amount == 1_650_000 and checked.lines[1].kind == "GH"
    lan = checked.lines[0]
    assert (lan.kind, lan.method, lan.months, lan.receipt_number, lan.receipt_date, lan.start) == (
        "TM", "1", 12, "0000123", date(2025, 8, 1), date(2025, 8, 1))
    where = {(p.row, p.column) for p in checked.problems}
    assert (6, "Dữ Liệu › SoBienLai") in where  # Sơn: the fixture gives him Lan's receipt number
    assert (7, "Dữ Liệu › Sothang") in where  # PA 6, Sothang 4
    assert (8, "Dữ Liệu › SoBienLai") in where  # 0000123 again
    assert {(11, "Dữ Liệu › NgayBienLai"), (11, "Dữ Liệu › Loai")} <= where
    assert not any(row == 10 for row, _ in where) and not any(row == 9 for row, _ in where)
    assert Payment.objects.count() == 0  # checked, never written (ADR 0013)
    result = CliRunner().invoke(app, ["import", "people", str(workbook(tmp_path, ANNEX, data)), "--user",
                                      "admin_xy", "--on", "2025-08-01", "--dry-run"])
    assert "Cột thu tiền (Dữ Liệu): 6 dòng có dữ liệu thu, 2 đủ và khớp" in result.output
    assert "không ghi thành khoản thu" in result.output
