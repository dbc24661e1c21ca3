"""Input hygiene at the registry's door (issue 12, seen 6): one normalisation for names, addresses,
identifiers and birth dates, whatever the entry point; a refusal writes nothing."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from ansinh.lib.errors import DomainError
from ansinh.registry import services
from ansinh.registry.audit import LOOKUP_ACTIONS
from ansinh.registry.models import AuditEntry, Person
from tests.builders import Personas, person_data, personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def who() -> Personas:
    return personas()


def counts() -> tuple[int, int]:
    """People, and audit entries other than the look-ups a refused duplicate is meant to leave."""
    return Person.objects.count(), AuditEntry.objects.exclude(action__in=LOOKUP_ACTIONS).count()


def refused(who: Personas, **overrides: object) -> DomainError:
    before = counts()
    with pytest.raises(DomainError) as refusal:
        services.create_person(who.agent, who.scope(who.agent), person_data(**overrides))
    assert counts() == before
    return refusal.value


def test_a_citizen_id_in_full_width_digits_is_stored_in_ascii_and_cannot_register_twice(who: Personas) -> None:
    person = services.create_person(who.agent, who.scope(who.agent), person_data(
        citizen_id="040085０００１２３", full_name="Nguyễn Văn An"))
    assert person.citizen_id == "040085000123"
    error = refused(who, citizen_id="040085000123", full_name="Người Khác")
    assert error.code == "duplicate_citizen_id"
    error = refused(who, citizen_id="０４００８５０００１２３", full_name="Người Khác Nữa")
    assert error.code == "duplicate_citizen_id"


def test_a_name_typed_in_nfd_is_stored_nfc_and_found_as_a_probable_duplicate(who: Personas) -> None:
    services.create_person(who.agent, who.scope(who.agent), person_data(full_name="Nguyễn Thị Ánh", citizen_id=None))
    nfd = unicodedata.normalize("NFD", "Nguyễn  Thị Ánh ")
    error = refused(who, full_name=nfd, citizen_id=None)
    assert error.code == "probable_duplicate"
    again = services.create_person(who.agent, who.scope(who.agent), person_data(full_name=nfd, citizen_id=None),
                                   confirm_probable_duplicate=True)
    assert again.full_name == "Nguyễn Thị Ánh"


@pytest.mark.parametrize("name", ["Nguyễn\u200b Văn An", "\u202eNguyễn Văn An", "Nguyễn\x00 Văn An",
                                  "Nguyễn Văn An\ufeff", "A" + "\u0301" * 50, "A" * 201])
def test_hidden_characters_mark_piles_and_long_names_are_refused(who: Personas, name: str) -> None:
    error = refused(who, full_name=name)
    assert error.code == "invalid_input" and error.details["field"] == "full_name"
    assert error.message.startswith("Họ và tên")


def test_the_address_is_cleaned_and_checked_too(who: Personas) -> None:
    assert refused(who, address_detail="Khối\x00 5").details["field"] == "address_detail"
    assert refused(who, address_detail="K" * 301).details["field"] == "address_detail"
    person = services.create_person(who.agent, who.scope(who.agent), person_data(address_detail="  Khối \t 5 "))
    assert person.address_detail == "Khối 5"


@pytest.mark.parametrize("born", [date(2099, 1, 1), date(1, 1, 1), date(1899, 12, 31)])
def test_birth_dates_outside_1900_to_today_are_refused_in_vietnamese(who: Personas, born: date) -> None:
    error = refused(who, date_of_birth=born, citizen_id=None)
    assert error.details["field"] == "date_of_birth"
    assert error.message.startswith("Ngày sinh phải trong khoảng 01/01/1900 đến ")
