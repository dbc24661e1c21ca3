"""`ansinh import people`: every row validated, all-or-nothing by default, idempotent, scoped."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import pytest
import xlsxwriter
from typer.testing import CliRunner

from ansinh.cli import app
from ansinh.registry.imports import import_people
from ansinh.registry.models import AuditEntry, Household, Membership, Person
from tests.builders import COMMUNE_X, COMMUNE_Y, Personas, personas

pytestmark = pytest.mark.django_db
ON = date(2025, 8, 1)
HEADER = ["Chủ hộ", "Họ và tên", "Ngày sinh", "Giới tính", "Số định danh", "Quan hệ với chủ hộ", "Điện thoại",
          "Mã xã", "Địa chỉ"]
GOOD = [
    ["Nguyễn Văn An", "Nguyễn Văn An", "02/03/1985", "Nam", "040085000123", "Chủ hộ", "0912345678", COMMUNE_X, "K5"],
    ["Nguyễn Văn An", "Lê Thị Hoa", "01/06/1990", "Nữ", "040190000321", "Vợ", "", COMMUNE_X, "Khối 5"],
    ["Nguyễn Văn An", "Nguyễn Văn Bình", "15/09/2012", "Nam", "", "Con", "", COMMUNE_X, "Khối 5"],
    ["Trần Thị Cúc", "Trần Thị Cúc", "1970-01-20", "nữ", "", "chủ hộ", "+84 987 654 321", COMMUNE_X, "Khối 7"],
]


@pytest.fixture
def who() -> Personas:
    return personas()


def write_csv(tmp_path: Path, rows: list[list[str]]) -> Path:
    path = tmp_path / "ho.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([HEADER, *rows])
    return path


def totals() -> tuple[int, int, int, int]:
    return Person.objects.count(), Household.objects.count(), Membership.objects.count(), AuditEntry.objects.count()


def test_a_good_file_creates_households_members_and_audit_entries(who: Personas, tmp_path: Path) -> None:
    report = import_people(write_csv(tmp_path, GOOD), who.agent, who.scope(who.agent), ON)
    assert (report.people_created, report.households_created, report.memberships_created) == (4, 2, 4)
    assert totals() == (4, 2, 4, 10)
    an = Household.objects.get(head__full_name="Nguyễn Văn An")
    assert sorted(an.memberships.values_list("relationship", "residence_code")) == [
        ("child", ""), ("head", "00"), ("wife", "01")]
    assert Person.objects.get(full_name="Trần Thị Cúc").phone == "0987654321"
    assert AuditEntry.objects.filter(entity="person", actor=who.agent).count() == 4


def test_running_the_same_file_again_adds_nothing(who: Personas, tmp_path: Path) -> None:
    path = write_csv(tmp_path, GOOD)
    import_people(path, who.agent, who.scope(who.agent), ON)
    again = import_people(path, who.agent, who.scope(who.agent), ON)
    assert (again.people_created, again.households_created, again.memberships_created) == (0, 0, 0)
    assert totals()[:3] == (4, 2, 4)


def test_an_xlsx_with_excel_dates_imports_the_same(who: Personas, tmp_path: Path) -> None:
    path = tmp_path / "ho.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet, date_format = book.add_worksheet(), book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_row(0, 0, HEADER)
    for i, row in enumerate(GOOD[:3], start=1):
        sheet.write_row(i, 0, row)
        sheet.write_datetime(i, 2, datetime.strptime(row[2], "%d/%m/%Y"), date_format)  # noqa: DTZ007
    book.close()
    report = import_people(path, who.agent, who.scope(who.agent), ON)
    assert report.problems == [] and report.people_created == 3
    assert Person.objects.get(full_name="Lê Thị Hoa").date_of_birth == date(1990, 6, 1)


def test_one_bad_row_refuses_the_file_and_names_row_column_and_reason(who: Personas, tmp_path: Path) -> None:
    bad = [*GOOD, ["Phạm Văn Dũng", "Phạm Văn Dũng", "31/02/1980", "Nam", "", "Chủ hộ", "", COMMUNE_X, ""],
           ["Hồ Văn Em", "Hồ Văn Em", "01/01/1980", "Nam", "040181000999", "Chủ hộ", "", COMMUNE_X, ""]]
    report = import_people(write_csv(tmp_path, bad), who.agent, who.scope(who.agent), ON)
    assert [(p.row, p.column) for p in report.problems] == [(6, "date_of_birth"), (7, "citizen_id")]
    assert "chữ số thứ 4" in report.problems[1].reason
    assert not report.written and totals() == (0, 0, 0, 0)


def test_skip_invalid_loads_the_valid_households_only(who: Personas, tmp_path: Path) -> None:
    bad = [*GOOD, ["Phạm Văn Dũng", "Phạm Văn Dũng", "13/1980", "Nam", "", "Chủ hộ", "", COMMUNE_X, ""]]
    report = import_people(write_csv(tmp_path, bad), who.agent, who.scope(who.agent), ON, skip_invalid=True)
    assert report.written and len(report.problems) == 1 and totals()[:3] == (4, 2, 4)


def test_a_household_without_its_head_row_is_refused(who: Personas, tmp_path: Path) -> None:
    report = import_people(write_csv(tmp_path, GOOD[1:3]), who.agent, who.scope(who.agent), ON)
    assert {p.column for p in report.problems} == {"head"} and totals() == (0, 0, 0, 0)


def test_the_same_citizen_id_twice_in_a_file_is_refused(who: Personas, tmp_path: Path) -> None:
    twice = [*GOOD, ["Nguyễn Văn An", "Nguyễn Văn Ân", "02/03/1985", "Nam", "040085000123", "Con", "", COMMUNE_X, ""]]
    report = import_people(write_csv(tmp_path, twice), who.agent, who.scope(who.agent), ON)
    assert [(p.row, p.column) for p in report.problems] == [(6, "citizen_id")]


def test_rows_outside_the_importers_scope_are_refused(who: Personas, tmp_path: Path) -> None:
    elsewhere = [[*GOOD[3][:7], COMMUNE_Y, ""]]
    report = import_people(write_csv(tmp_path, elsewhere), who.agent, who.scope(who.agent), ON)
    assert [p.column for p in report.problems] == ["commune_code"] and totals() == (0, 0, 0, 0)
    with pytest.raises(Exception, match="không được nhập"):
        import_people(write_csv(tmp_path, GOOD), who.outsider, who.scope(who.outsider), ON)


def test_the_cli_dry_run_writes_nothing_and_a_bad_file_exits_2(who: Personas, tmp_path: Path) -> None:
    runner = CliRunner()
    dry = runner.invoke(app, ["import", "people", str(write_csv(tmp_path, GOOD)), "--user", "agent_x", "--dry-run",
                              "--on", "2025-08-01"])
    assert dry.exit_code == 0 and "4 hợp lệ" in dry.output and totals() == (0, 0, 0, 0)
    done = runner.invoke(app, ["import", "people", str(write_csv(tmp_path, GOOD)), "--user", "agent_x"])
    assert done.exit_code == 0 and "4 người, 2 hộ" in done.output
    bad = runner.invoke(app, ["import", "people", str(write_csv(tmp_path, [[*GOOD[0][:3], "X", *GOOD[0][4:]]])),
                              "--user", "agent_x"])
    assert bad.exit_code == 2 and "dòng 2, cột sex" in bad.output
