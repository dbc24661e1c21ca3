"""The relationship to the head as the residence database codes it (MoiQuanHe; ADR 0013): exact values,
the dated code list, the lumped values of older data made exact from the member's sex."""

from __future__ import annotations

import importlib
from datetime import date

import pytest
from django.apps import apps

from ansinh.lib.errors import DomainError
from ansinh.registry import relationships, services
from ansinh.registry.imports import import_people
from ansinh.registry.models import Membership, Relationship
from tests.builders import COMMUNE_X, Personas, person_data, personas

pytestmark = pytest.mark.django_db
JOINED = date(2025, 8, 1)
migration = importlib.import_module("ansinh.registry.migrations.0008_papers_relationship_codes")


@pytest.fixture
def who() -> Personas:
    return personas()


def test_the_code_list_gives_the_sourced_codes_and_no_invented_ones() -> None:
    assert [relationships.code_for(r) for r in ("head", "wife", "husband", "other")] == ["00", "01", "02", "99"]
    assert relationships.code_for("child") == "" and relationships.code_for("grandmother") == ""  # not sourced
    assert relationships.from_code("1") == "wife" and relationships.from_code("03") is None
    assert "chưa đọc được" in relationships.version(date(2025, 1, 1))["reference"]
    assert {e["relationship"] for e in relationships.version()["codes"]} == set(Relationship.values)


def test_a_member_is_added_by_exact_value_lumped_value_or_code(who: Personas) -> None:
    scope = who.scope(who.agent)
    household = services.create_household(who.agent, scope, person_data(), JOINED)
    husband = services.add_member(who.agent, scope, household.pk, "02", JOINED, new_person=person_data(
        full_name="Lê Văn Hùng", citizen_id="040090000123", date_of_birth=date(1990, 6, 1)))
    mother = services.add_member(who.agent, scope, household.pk, "parent", JOINED, new_person=person_data(
        full_name="Lê Thị Mai", sex="female", citizen_id="040160000321", date_of_birth=date(1960, 6, 1)))
    child = services.add_member(who.agent, scope, household.pk, "child", JOINED, new_person=person_data(
        full_name="Lê Văn Tí", citizen_id="", date_of_birth=date(2015, 6, 1)))
    assert [(m.relationship, m.residence_code) for m in (husband, mother, child)] == [
        ("husband", "02"), ("mother", ""), ("child", "")]
    with pytest.raises(DomainError):  # a code the list lacks, and a second head, are refused
        services.add_member(who.agent, scope, household.pk, "03", JOINED, person_id=child.person_id)
    with pytest.raises(DomainError):
        services.add_member(who.agent, scope, household.pk, "00", JOINED, person_id=child.person_id)


def test_the_migration_makes_lumped_values_exact_from_the_sex(who: Personas) -> None:
    scope = who.scope(who.agent)
    household = services.create_household(who.agent, scope, person_data(), JOINED)
    wife = services.add_member(who.agent, scope, household.pk, "wife", JOINED, new_person=person_data(
        full_name="Lê Thị Hoa", sex="female", citizen_id="040190000321", date_of_birth=date(1990, 6, 1)))
    grandpa = services.add_member(who.agent, scope, household.pk, "grandfather", JOINED, new_person=person_data(
        full_name="Nguyễn Văn Cả", citizen_id="040040000321", date_of_birth=date(1940, 6, 1)))
    # the data as it was before: lumped values, no codes
    Membership.objects.filter(pk=wife.pk).update(relationship="spouse", residence_code="")
    Membership.objects.filter(pk=grandpa.pk).update(relationship="grandparent", residence_code="")
    Membership.objects.filter(relationship="head").update(residence_code="")
    migration.exact(apps, None)
    assert sorted(Membership.objects.values_list("relationship", "residence_code")) == [
        ("grandfather", ""), ("head", "00"), ("wife", "01")]
    migration.lumped(apps, None)  # and back
    assert sorted(Membership.objects.values_list("relationship", flat=True)) == ["grandparent", "head", "spouse"]


def test_the_import_reads_codes_and_the_accented_ba(who: Personas, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "ho.csv"
    path.write_text("chủ hộ,họ và tên,ngày sinh,giới tính,quan hệ,mã quan hệ,mã xã\n"
                    f"An,An,01/01/1960,Nam,,00,{COMMUNE_X}\n"
                    f"An,Bình,01/01/1962,Nữ,Vợ/chồng,,{COMMUNE_X}\n"
                    f"An,Cẩm,01/01/1935,Nữ,Bà nội,,{COMMUNE_X}\n"
                    f"An,Dũng,01/01/1930,Nam,Ba,,{COMMUNE_X}\n", encoding="utf-8")
    report = import_people(path, who.agent, who.scope(who.agent), JOINED)
    assert report.problems == [] and report.written
    assert dict(Membership.objects.values_list("person__full_name", "relationship")) == {
        "An": "head", "Bình": "wife", "Cẩm": "grandmother", "Dũng": "father"}
    bad = tmp_path / "bad.csv"
    bad.write_text("chủ hộ,họ và tên,ngày sinh,giới tính,quan hệ,mã quan hệ,mã xã\n"
                   f"Em,Em,01/01/1960,Nam,Chủ hộ,,{COMMUNE_X}\nEm,Út,01/01/1990,Nam,,x1,{COMMUNE_X}\n",
                   encoding="utf-8")
    refused = import_people(bad, who.agent, who.scope(who.agent), JOINED)
    assert not refused.written and [(p.row, p.column) for p in refused.problems] == [(3, "residence_code")]
