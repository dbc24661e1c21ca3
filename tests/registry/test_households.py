"""Households: head and members over time, poverty status over time, each change audited."""

from __future__ import annotations

from datetime import date

import pytest

from ansinh.lib.errors import DomainError
from ansinh.registry import queries, services
from ansinh.registry.models import AuditEntry, Household, Membership
from tests.builders import Personas, person_data, personas

pytestmark = pytest.mark.django_db
JOINED = date(2025, 8, 1)


@pytest.fixture
def who() -> Personas:
    return personas()


def make_household(who: Personas) -> Household:
    return services.create_household(who.agent, who.scope(who.agent), person_data(), JOINED)


def test_a_household_starts_with_its_head(who: Personas) -> None:
    household = make_household(who)
    card = queries.household_card(who.scope(who.agent), household.pk)
    assert [(m.person.full_name, m.relationship) for m in card.members] == [("Nguyễn Văn An", "head")]
    assert household.code.startswith("HGD16681-")
    assert set(AuditEntry.objects.values_list("entity", flat=True)) == {"person", "household", "membership"}


def test_members_join_and_leave_with_dates(who: Personas) -> None:
    scope = who.scope(who.agent)
    household = make_household(who)
    wife = services.add_member(who.agent, scope, household.pk, "spouse", JOINED,
                               new_person=person_data(full_name="Lê Thị Hoa", sex="female", citizen_id="040190000321",
                                                      date_of_birth=date(1990, 6, 1), phone=""))
    services.end_membership(who.agent, scope, wife.pk, date(2026, 1, 31))
    card = queries.household_card(scope, household.pk)
    assert [m.person.full_name for m in card.members] == ["Nguyễn Văn An"]
    assert [(m.person.full_name, m.valid_to) for m in card.former_members] == [("Lê Thị Hoa", date(2026, 1, 31))]


def test_a_leaving_date_before_joining_is_refused_and_changes_nothing(who: Personas) -> None:
    household = make_household(who)
    membership = household.memberships.get()
    with pytest.raises(DomainError):
        services.end_membership(who.agent, who.scope(who.agent), membership.pk, date(2025, 7, 1))
    membership.refresh_from_db()
    assert membership.valid_to is None


def test_poverty_status_follows_its_documents_over_time(who: Personas) -> None:
    scope = who.scope(who.agent)
    household = make_household(who)
    services.set_poverty_status(who.agent, scope, household.pk, "poor", date(2025, 1, 1), "QĐ 12/QĐ-UBND")
    services.set_poverty_status(who.agent, scope, household.pk, "near_poor", date(2026, 1, 1), "QĐ 3/QĐ-UBND")
    card = queries.household_card(scope, household.pk)
    assert card.status_on(date(2025, 6, 1)) == "poor"
    assert card.status_on(date(2026, 6, 1)) == "near_poor"
    assert card.poverty[0].valid_to == date(2025, 12, 31)


def test_a_poor_status_needs_its_document(who: Personas) -> None:
    household = make_household(who)
    with pytest.raises(DomainError) as refused:
        services.set_poverty_status(who.agent, who.scope(who.agent), household.pk, "poor", date(2025, 1, 1), "")
    assert refused.value.details["field"] == "document"
    assert not household.poverty_statuses.exists()


def test_others_cannot_see_or_change_the_household(who: Personas) -> None:
    household = make_household(who)
    for other in (who.manager_elsewhere, who.outsider):
        with pytest.raises(DomainError):
            queries.household_card(who.scope(other), household.pk)
        with pytest.raises(DomainError):
            services.set_poverty_status(other, who.scope(other), household.pk, "none", date(2026, 1, 1))
    assert Membership.objects.count() == 1


def test_a_member_of_a_household_cannot_be_deleted(who: Personas) -> None:
    household = make_household(who)
    with pytest.raises(DomainError):
        services.delete_person(who.agent, who.scope(who.agent), household.head_id)  # type: ignore[arg-type]


def test_editing_the_address_is_audited_and_scoped(who: Personas) -> None:
    household = make_household(who)
    services.update_household(who.agent, who.scope(who.agent), household.pk, "Khối 9")
    household.refresh_from_db()
    assert household.address_detail == "Khối 9"
    entry = AuditEntry.objects.get(entity="household", action="update")
    assert entry.changes == {"address_detail": ["Khối 5", "Khối 9"]}
    with pytest.raises(DomainError):
        services.update_household(who.manager_elsewhere, who.scope(who.manager_elsewhere), household.pk, "X")
