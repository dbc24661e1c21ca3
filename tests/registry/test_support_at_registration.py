"""Maker-checker at registration (issue 18): a new person with a minority ethnicity (what unlocks the
ethnic-minority support) entered by an agent — one by one, as a household's head or member, through the
API or an import — is saved as "chưa rõ" with a pending request, and pays the amount without that
support until a manager approves; a manager's registration is saved as entered."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from django.contrib.auth.models import AbstractBaseUser

from ansinh.org.models import Role
from ansinh.org.scope import scope_for
from ansinh.registry import services, support
from ansinh.registry.ethnicities import UNKNOWN
from ansinh.registry.imports import import_people
from ansinh.registry.models import Person, SupportChangeRequest
from tests.builders import COMMUNE_X, Personas, person_data, personas, user
from tests.registry.test_import_people import GOOD, HEADER
from tests.registry.test_support_change import _api, payable, quoted

pytestmark = pytest.mark.django_db
ON = date(2025, 8, 1)
MINORITY = "06"  # Mường
UNSUPPORTED, SUPPORTED = 247_500, payable({"ethnic_minority"})


@pytest.fixture
def who() -> Personas:
    return personas()


@pytest.fixture
def manager_x() -> AbstractBaseUser:
    return user(Role.OFFICE_MANAGER, COMMUNE_X, username="manager_x")


def held_then_approved(who: Personas, manager: AbstractBaseUser, person_id: int) -> SupportChangeRequest:
    """The person waits as "chưa rõ" at the unsupported amount; the manager's approval moves both."""
    assert Person.objects.get(pk=person_id).ethnicity == UNKNOWN
    asked = SupportChangeRequest.objects.get(person_id=person_id)
    assert (asked.field, asked.old_value, asked.new_value, asked.status, asked.requested_by_id) == (
        "ethnicity", UNKNOWN, MINORITY, "pending", who.agent.pk)
    assert quoted(who, person_id) == UNSUPPORTED != SUPPORTED
    support.decide(manager, scope_for(manager), asked.pk, approve=True)
    assert Person.objects.get(pk=person_id).ethnicity == MINORITY
    assert quoted(who, person_id) == SUPPORTED
    asked.refresh_from_db()
    return asked


def test_an_agents_new_person_of_a_minority_pays_the_unsupported_amount_until_approved(
        who: Personas, manager_x: AbstractBaseUser) -> None:
    person = services.create_person(who.agent, who.scope(who.agent), person_data(ethnicity=MINORITY))
    held_then_approved(who, manager_x, person.pk)


def test_an_agents_new_household_head_of_a_minority_waits(who: Personas, manager_x: AbstractBaseUser) -> None:
    made = services.create_household(who.agent, who.scope(who.agent), person_data(ethnicity=MINORITY), ON)
    held_then_approved(who, manager_x, made.head_id or 0)


def test_an_agents_new_member_of_a_minority_waits(who: Personas, manager_x: AbstractBaseUser) -> None:
    scope = who.scope(who.agent)
    made = services.create_household(who.agent, scope, person_data(), ON)
    member = services.add_member(who.agent, scope, made.pk, "child", ON, new_person=person_data(
        full_name="Nguyễn Thị Bé", citizen_id=None, ethnicity=MINORITY))
    held_then_approved(who, manager_x, member.person_id)


def test_the_api_keeps_the_agents_document_on_the_request(who: Personas, manager_x: AbstractBaseUser) -> None:
    status, made = _api(who.agent).call("post", "/people", {
        "full_name": "Hà Văn Tiến", "date_of_birth": "02/03/1985", "sex": "male", "area_code": COMMUNE_X,
        "ethnicity": MINORITY, "decision_number": "CCCD 040085000999", "decision_date": "2025-07-20"})
    assert status == 201
    asked = held_then_approved(who, manager_x, made["id"])
    assert (asked.decision_number, asked.decision_date) == ("CCCD 040085000999", date(2025, 7, 20))


def with_ethnicity(tmp_path: Path, row: list[str]) -> Path:
    path = tmp_path / "ho.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([[*HEADER, "Dân tộc"], [*row, "Mường"]])
    return path


def test_an_agents_import_of_a_minority_waits(who: Personas, manager_x: AbstractBaseUser, tmp_path: Path) -> None:
    report = import_people(with_ethnicity(tmp_path, GOOD[0]), who.agent, who.scope(who.agent), ON)
    assert report.people_created == 1
    held_then_approved(who, manager_x, Person.objects.get().pk)


def test_a_managers_registration_and_import_are_saved_as_entered(who: Personas, manager_x: AbstractBaseUser,
                                                                 tmp_path: Path) -> None:
    scope = scope_for(manager_x)
    person = services.create_person(manager_x, scope, person_data(ethnicity=MINORITY))
    import_people(with_ethnicity(tmp_path, GOOD[3]), manager_x, scope, ON)
    assert sorted(Person.objects.values_list("ethnicity", flat=True)) == [MINORITY, MINORITY]
    assert not SupportChangeRequest.objects.exists()
    assert quoted(who, person.pk) == SUPPORTED


def test_an_agents_registration_of_kinh_needs_no_request(who: Personas) -> None:
    services.create_person(who.agent, who.scope(who.agent), person_data(ethnicity="01"))
    assert Person.objects.get().ethnicity == "01" and not SupportChangeRequest.objects.exists()


def test_the_direct_poverty_writer_is_called_by_the_demo_only() -> None:
    """``services.set_poverty_status`` writes without a request: no entry point may reach it."""
    source = Path(services.__file__).parents[1]
    callers = {str(p.relative_to(source)) for p in source.rglob("*.py") if "set_poverty_status(" in p.read_text()}
    assert callers == {"registry/services.py", "demo/services.py"}
