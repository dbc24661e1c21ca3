"""Search and the duplicate check without an oracle: answers within the scope, "elsewhere" without a
name or an id outside it, every identifier look-up audited and rate limited per user."""

from __future__ import annotations

import pytest

from ansinh.lib.errors import DomainError
from ansinh.org.models import Role
from ansinh.registry import audit, lookups, services
from ansinh.registry.models import AuditEntry, Person
from tests.builders import COMMUNE_X, COMMUNE_Y, Personas, commune, person_data, personas, user

pytestmark = pytest.mark.django_db
ELSEWHERE = "Đã có hồ sơ ở địa bàn khác — liên hệ quản lý"


@pytest.fixture
def who() -> Personas:
    people = personas()
    # Someone registered in commune Y, outside the agent's commune X.
    services.create_person(people.admin, people.scope(people.admin), person_data(area_id=commune(COMMUNE_Y).pk))
    return people


def test_an_id_search_outside_the_scope_says_elsewhere_without_a_name_and_is_audited(who: Personas) -> None:
    found = lookups.search_people(who.agent, who.scope(who.agent), "040085000123")
    assert list(found.page) == [] and found.elsewhere and found.notice == ELSEWHERE
    assert "Nguyễn" not in found.notice
    entry = AuditEntry.objects.get(action="lookup", actor=who.agent)
    assert entry.changes["by"] == "citizen_id" and entry.changes["result"] == "elsewhere"
    assert "040085000123" not in str(entry.changes)  # the trail holds the masked ID only


def test_an_id_search_inside_the_scope_finds_the_person_and_is_audited(who: Personas) -> None:
    found = lookups.search_people(who.admin, who.scope(who.admin), "040085000123")
    assert [p.full_name for p in found.page] == ["Nguyễn Văn An"] and not found.elsewhere
    assert AuditEntry.objects.filter(action="lookup", actor=who.admin).count() == 1


def test_a_masked_or_partial_id_matches_nothing_and_counts(who: Personas) -> None:
    scope = who.scope(who.admin)
    for text in ("040******123", "04008500012", "040085"):
        found = lookups.search_people(who.admin, scope, text)
        assert list(found.page) == [] and "12 chữ số" in found.notice
    assert AuditEntry.objects.filter(action="lookup", actor=who.admin).count() == 3


def test_name_searches_are_neither_audited_nor_counted(who: Personas) -> None:
    found = lookups.search_people(who.admin, who.scope(who.admin), "nguyen van")
    assert len(found.page) == 1
    assert not AuditEntry.objects.filter(action="lookup").exists()


def test_id_look_ups_beyond_the_hourly_limit_are_refused(who: Personas) -> None:
    scope = who.scope(who.agent)
    for n in range(audit.LOOKUPS_PER_HOUR):
        lookups.search_people(who.agent, scope, f"0400850{n:05d}")
    before = AuditEntry.objects.count()
    with pytest.raises(DomainError) as refused:
        lookups.search_people(who.agent, scope, "040085000123")
    assert refused.value.code == "rate_limited" and "30" in refused.value.message
    assert AuditEntry.objects.count() == before  # the refused look-up told nothing and wrote nothing
    # The limit is per user: the admin still searches.
    assert len(lookups.search_people(who.admin, who.scope(who.admin), "040085000123").page) == 1


def test_the_duplicate_check_outside_the_scope_names_no_one_and_is_audited(who: Personas) -> None:
    before = Person.objects.count()
    with pytest.raises(DomainError) as refused:
        services.create_person(who.agent, who.scope(who.agent), person_data(full_name="Người Khác"))
    assert refused.value.code == "duplicate_citizen_id"
    assert refused.value.message == ELSEWHERE and refused.value.details["existing_id"] is None
    assert Person.objects.count() == before
    # The refusal is audited even though the registration rolled back, and it counts.
    assert AuditEntry.objects.filter(action="lookup", actor=who.agent).count() == 1


def test_the_duplicate_check_counts_against_the_limit(who: Personas) -> None:
    scope = who.scope(who.agent)
    for n in range(audit.LOOKUPS_PER_HOUR):
        lookups.search_people(who.agent, scope, f"0400850{n:05d}")
    with pytest.raises(DomainError) as refused:
        services.create_person(who.agent, scope, person_data(full_name="Người Khác"))
    assert refused.value.code == "rate_limited"


def test_a_manager_learns_which_area_holds_an_id_and_the_look_up_is_audited(who: Personas) -> None:
    manager_x = user(Role.OFFICE_MANAGER, COMMUNE_X)
    area = lookups.locate_citizen_id(manager_x, who.scope(manager_x), "040085000123")
    assert area is not None and area.code == COMMUNE_Y
    assert AuditEntry.objects.filter(action="locate", actor=manager_x).count() == 1
    assert lookups.locate_citizen_id(manager_x, who.scope(manager_x), "040085000999") is None
    with pytest.raises(DomainError) as refused:
        lookups.locate_citizen_id(who.agent, who.scope(who.agent), "040085000123")
    assert refused.value.code == "forbidden"
    with pytest.raises(DomainError):
        lookups.locate_citizen_id(manager_x, who.scope(manager_x), "040******123")
