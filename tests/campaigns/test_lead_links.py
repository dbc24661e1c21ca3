"""A lead is linked to the registry's person when the agent registers or finds them (issue 13 §5):
by the same phone, or by the same name and birth date in the commune; an ambiguous match links
nobody; the phone is matched on the stored value and never shown."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ansinh.campaigns import services as campaign_services
from ansinh.campaigns.models import Lead
from ansinh.enrollment import services as enrolling
from ansinh.lib.errors import DomainError
from ansinh.registry import services as registry
from tests.builders import COMMUNE_Y, commune, person_data
from tests.campaigns.august import START, august

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    return august()


def _lead(world: dict[str, Any], name: str, phone: str = "", born: date | None = None) -> Lead:
    who = world["who"]
    return campaign_services.record_lead(who.agent, who.scope(who.agent), world["team"].pk, START,
                                         campaign_services.LeadData(full_name=name, scheme="vsi", outcome="promised",
                                                                    phone=phone, follow_up_on=START,
                                                                    date_of_birth=born))


def _register_and_enrol(world: dict[str, Any], **person: Any) -> int:
    who = world["who"]
    scope = who.scope(who.agent)
    made = registry.create_person(who.agent, scope, person_data(citizen_id=None, **person))
    enrolling.enroll_vsi(who.agent, scope, enrolling.quote_vsi(scope, made.pk, START, 1_500_000, 1))
    return int(made.pk)


def test_a_lead_is_linked_when_the_person_is_registered_by_phone(world: dict[str, Any]) -> None:
    lead = _lead(world, "Trần Thị Bích", phone="+84 912 345 678")  # normalised like the registry's phones
    assert lead.person_id is None
    pk = _register_and_enrol(world, full_name="Trần Thị Bích", phone="0912 345 678")
    lead.refresh_from_db()
    assert lead.person_id == pk


def test_by_name_and_birth_date_only_in_the_same_commune(world: dict[str, Any]) -> None:
    here = _lead(world, "Lê Văn Cường", born=date(1990, 5, 6))
    elsewhere = _lead(world, "Phạm Văn Dũng", born=date(1991, 1, 1))
    pk = _register_and_enrol(world, full_name="Le Van Cuong", phone="", date_of_birth=date(1990, 5, 6))
    who = world["who"]
    scope = who.scope(who.admin)
    other = registry.create_person(who.admin, scope, person_data(full_name="Phạm Văn Dũng", citizen_id=None, phone="",
                                                                 date_of_birth=date(1991, 1, 1),
                                                                 area_id=commune(COMMUNE_Y).pk))
    enrolling.enroll_vsi(who.admin, scope, enrolling.quote_vsi(scope, other.pk, START, 1_500_000, 1))
    here.refresh_from_db()
    elsewhere.refresh_from_db()
    assert here.person_id == pk  # the folded name matches, as the registry's duplicate check folds it
    assert elsewhere.person_id is None  # same name and birth date, another commune: not the same person


def test_a_lead_recorded_for_someone_registered_is_linked_at_once(world: dict[str, Any]) -> None:
    pk = _register_and_enrol(world, full_name="Hồ Thị Én", phone="0987654321")
    assert _lead(world, "Hồ Thị Én", phone="0987654321").person_id == pk


def test_an_ambiguous_match_links_nobody(world: dict[str, Any]) -> None:
    who = world["who"]
    scope = who.scope(who.agent)
    for name in ("Người Một", "Người Hai"):  # two people share one phone (a household's)
        registry.create_person(who.agent, scope, person_data(full_name=name, citizen_id=None, phone="0911111111"))
    assert _lead(world, "Người Ba", phone="0911111111").person_id is None


def test_a_birth_date_after_the_consultation_is_refused(world: dict[str, Any]) -> None:
    with pytest.raises(DomainError) as refused:
        _lead(world, "Người Tương Lai", born=date(2030, 1, 1))
    assert refused.value.details["field"] == "date_of_birth"
