"""`ansinh import people` goes through the same door as a registration (issue 12, seen 6, 8 and 9):
names cleaned by lib.text, IDs in ASCII digits, birth dates within 1900…today, an ethnicity column
(code or name; "chưa rõ" without one), household codes from the commune's counter, and a refused
file is one Vietnamese line per problem with exit code 2, never a traceback."""

from __future__ import annotations

import csv
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ansinh.cli import app
from ansinh.registry import services
from ansinh.registry.ethnicities import UNKNOWN
from ansinh.registry.imports import import_people
from ansinh.registry.models import AuditEntry, Household, Membership, Person, SupportChangeRequest
from tests.builders import COMMUNE_X, Personas, person_data, personas

pytestmark = pytest.mark.django_db
ON = date(2025, 8, 1)
HEADER = ["Chủ hộ", "Họ và tên", "Ngày sinh", "Giới tính", "Số định danh", "Quan hệ với chủ hộ", "Mã xã"]


@pytest.fixture
def who() -> Personas:
    return personas()


def write_csv(tmp_path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    path = tmp_path / "ho.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    return path


def totals() -> tuple[int, int, int, int]:
    return Person.objects.count(), Household.objects.count(), Membership.objects.count(), AuditEntry.objects.count()


def head_row(name: str, born: str = "02/03/1985", cid: str = "") -> list[str]:
    return [name, name, born, "Nam", cid, "Chủ hộ", COMMUNE_X]


def test_names_are_stored_nfc_and_full_width_ids_in_ascii(who: Personas, tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", "Nguyễn  Văn Ánh")
    report = import_people(write_csv(tmp_path, [head_row(nfd, cid="040085０００１２３")]), who.agent,
                           who.scope(who.agent), ON)
    assert report.problems == [] and report.people_created == 1
    person = Person.objects.get()
    assert (person.full_name, person.citizen_id) == ("Nguyễn Văn Ánh", "040085000123")


def test_hidden_characters_and_impossible_birth_dates_are_row_problems(who: Personas, tmp_path: Path) -> None:
    rows = [head_row("Lê\u200b Văn Tám"), head_row("Hồ Văn Em", born="01/01/2099"),
            head_row("Phan Văn Út", born="01/01/0001"), head_row("A" * 201)]
    report = import_people(write_csv(tmp_path, rows), who.agent, who.scope(who.agent), ON)
    assert [(p.row, p.column) for p in report.problems] == [(2, "head"), (3, "date_of_birth"),
                                                            (4, "date_of_birth"), (5, "head")]
    assert "U+200B" in report.problems[0].reason
    assert report.problems[1].reason.startswith("Ngày sinh phải trong khoảng 01/01/1900 đến ")
    assert not report.written and totals() == (0, 0, 0, 0)


def test_without_an_ethnicity_column_everyone_is_unknown_not_kinh(who: Personas, tmp_path: Path) -> None:
    import_people(write_csv(tmp_path, [head_row("Nguyễn Văn An")]), who.agent, who.scope(who.agent), ON)
    assert Person.objects.get().ethnicity == UNKNOWN


def test_the_ethnicity_column_takes_a_code_or_a_name(who: Personas, tmp_path: Path) -> None:
    rows = [[*head_row("Nguyễn Văn An"), "Kinh"], [*head_row("Lò Văn Páo"), "02"], [*head_row("Vi Văn Sơn"), "thai"],
            [*head_row("Sơn Thị Nga"), "Khơ-me"], [*head_row("Hà Văn Vinh"), ""]]
    report = import_people(write_csv(tmp_path, rows, [*HEADER, "Dân tộc"]), who.agent, who.scope(who.agent), ON)
    assert report.problems == []
    # an agent's minorities are read, and wait for a manager as requests (test_support_at_registration)
    asked = dict(SupportChangeRequest.objects.filter(status="pending").values_list("person__full_name", "new_value"))
    assert {name: asked.get(name, code) for name, code in Person.objects.values_list("full_name", "ethnicity")} == {
        "Nguyễn Văn An": "01", "Lò Văn Páo": "02", "Vi Văn Sơn": "03", "Sơn Thị Nga": "05", "Hà Văn Vinh": UNKNOWN}


def test_an_unknown_ethnicity_is_a_row_problem(who: Personas, tmp_path: Path) -> None:
    rows = [[*head_row("Nguyễn Văn An"), "Klingon"], [*head_row("Lò Văn Páo"), "99"]]
    report = import_people(write_csv(tmp_path, rows, [*HEADER, "Dân tộc"]), who.agent, who.scope(who.agent), ON)
    assert [(p.row, p.column) for p in report.problems] == [(2, "ethnicity"), (3, "ethnicity")]
    assert totals() == (0, 0, 0, 0)


def test_imported_household_codes_follow_the_ones_registered_by_hand(who: Personas, tmp_path: Path) -> None:
    made = services.create_household(who.agent, who.scope(who.agent), person_data(citizen_id=None), ON)
    import_people(write_csv(tmp_path, [head_row("Trần Văn Bình"), head_row("Lê Văn Cường")]), who.agent,
                  who.scope(who.agent), ON)
    assert made.code == f"HGD{COMMUNE_X}-00001"
    assert sorted(Household.objects.values_list("code", flat=True)) == [
        f"HGD{COMMUNE_X}-{n:05d}" for n in (1, 2, 3)]
    again = services.create_household(who.agent, who.scope(who.agent), person_data(
        full_name="Đỗ Văn Dũng", citizen_id=None), ON)
    assert again.code == f"HGD{COMMUNE_X}-00004"


@pytest.mark.parametrize(("name", "content", "message"), [
    ("khong-co.csv", None, "Không mở được tệp"),
    ("hong.xlsx", b"not a zip", "Không đọc được tệp"),
    ("sai-ma.csv", b"\xff\xfe\x00\xc3(", "UTF-8"),
    ("nul.csv", ",".join(HEADER).encode() + "\nA,A\x00,02/03/1985,Nam,,Chủ hộ,16681\n".encode(), "U+0000"),
    ("ho.txt", b"x", "Chỉ nhận tệp"),
])
def test_an_unreadable_file_is_one_vietnamese_line_and_exit_2(who: Personas, tmp_path: Path, name: str,
                                                              content: bytes | None, message: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    result = CliRunner().invoke(app, ["import", "people", str(path), "--user", "agent_x"])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert totals() == (0, 0, 0, 0)


def test_a_refused_file_prints_one_line_per_problem_and_exits_2(who: Personas, tmp_path: Path) -> None:
    rows = [head_row("Lê\u202e Văn Tám"), head_row("Hồ Văn Em", born="01/01/2099")]
    result = CliRunner().invoke(app, ["import", "people", str(write_csv(tmp_path, rows)), "--user", "agent_x"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.startswith("✗")]
    assert [line.split(":")[0] for line in lines] == ["✗ dòng 2, cột head", "✗ dòng 3, cột date_of_birth"]
    assert totals() == (0, 0, 0, 0)
