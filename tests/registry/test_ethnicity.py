"""Ethnicity (issue 12, seen 8): "chưa rõ" (unknown) is its own value and the default, so it can be told
from Kinh; an unknown ethnicity gives no ethnic-minority support until the record says which group."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from ansinh.enrollment.services import derived_groups
from ansinh.registry import services
from ansinh.registry.ethnicities import KINH, UNKNOWN
from ansinh.registry.models import Person
from tests.builders import Personas, person_data, personas

pytestmark = pytest.mark.django_db
ON = date(2025, 8, 1)


@pytest.fixture
def who() -> Personas:
    return personas()


def test_a_person_registered_without_an_ethnicity_is_unknown_not_kinh(who: Personas) -> None:
    person = services.create_person(who.agent, who.scope(who.agent), person_data())
    assert person.ethnicity == UNKNOWN != KINH
    assert person.get_ethnicity_display() == "Chưa rõ"
    assert Person._meta.get_field("ethnicity").default == UNKNOWN


@pytest.mark.parametrize(("ethnicity", "groups"), [(UNKNOWN, []), (KINH, []), ("02", ["ethnic_minority"])])
def test_only_a_known_minority_ethnicity_derives_the_ethnic_minority_group(who: Personas, ethnicity: str,
                                                                          groups: list[str]) -> None:
    # the admin's registration is saved as entered (an agent's minority waits: test_support_at_registration)
    person = services.create_person(who.admin, who.scope(who.admin), person_data(ethnicity=ethnicity))
    assert derived_groups(person, ON) == groups


def test_the_quote_page_says_the_ethnicity_is_unknown(who: Personas, client: Client) -> None:
    unknown = services.create_person(who.agent, who.scope(who.agent), person_data())
    kinh = services.create_person(who.agent, who.scope(who.agent), person_data(
        full_name="Trần Văn Bình", citizen_id=None, ethnicity=KINH))
    client.force_login(who.agent)
    form = {"on": "2025-08-01", "income": "1500000", "method": "regular", "months": "1", "quote": "", "key": "k1"}
    page = client.post(reverse("web:vsi_enroll", args=[unknown.pk]), form).content.decode()
    assert "Chưa rõ: chưa tính hỗ trợ người dân tộc thiểu số" in page
    page = client.post(reverse("web:vsi_enroll", args=[kinh.pk]), form).content.decode()
    assert "Phải đóng" in page and "ethnicity-unknown" not in page
