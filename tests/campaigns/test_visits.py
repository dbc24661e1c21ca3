"""Visit lists (issue 18): a manager of the campaign's commune lists the households with no cover,
assigns them to the campaign's teams evenly or by hand, and a visit's outcome moves the funnel
(advised, a lead linked to the member met, an enrolment linked to their term). Refusals write nothing;
a repeated key returns the first result."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from ansinh.campaigns import analytics, visit_queries
from ansinh.campaigns.models import (
    AdvisoryTeam,
    Campaign,
    CampaignStatus,
    ConsultationSession,
    Lead,
    TeamMember,
    Visit,
    VisitAssignment,
    VisitList,
)
from ansinh.campaigns.visit_queries import Filters
from ansinh.campaigns.visits import VisitData, assign, assign_evenly, create_list, record_visit
from ansinh.enrollment import services as enrolling
from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.org.models import Role
from ansinh.org.scope import scope_for
from ansinh.payments.services import record_payment
from ansinh.registry import services as registry
from ansinh.registry.models import AuditEntry, OtherCoverage, Person
from tests.builders import (
    COMMUNE_X,
    COMMUNE_Y,
    commune,
    field_setup,
    person_data,
    personas,
    running_campaign,
    user,
)
from tests.registry.test_coverage_gaps import vsi_term

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    who = personas()
    made = running_campaign(who)
    made["team2"] = AdvisoryTeam.objects.create(campaign=made["campaign"], name="Tổ 2", site=made["site"])
    made["manager"] = user(Role.OFFICE_MANAGER, COMMUNE_X, username="manager_x")
    scope = scope_for(who.admin)
    joined = date(2020, 1, 1)
    households = []
    for i, (name, born, sex) in enumerate(
        [
            ("Lê Văn Một", date(1980, 1, 1), "male"),
            ("Trần Thị Hai", date(1990, 5, 5), "female"),
            ("Phạm Văn Ba", date(1950, 2, 2), "male"),
        ]
    ):
        households.append(
            registry.create_household(
                who.admin,
                scope,
                person_data(
                    full_name=name,
                    date_of_birth=born,
                    sex=sex,
                    citizen_id=None,
                    phone=f"091234500{i}",
                    address_detail=f"Khối {i + 1}",
                ),
                joined,
                address_detail=f"Khối {i + 1}",
            )
        )
    elsewhere = registry.create_household(
        who.admin,
        scope,
        person_data(full_name="Võ Văn Bốn", citizen_id=None, phone="0912345009", area_id=commune(COMMUNE_Y).pk),
        joined,
    )
    return {**made, "who": who, "households": households, "elsewhere": elsewhere}


def make(world: dict[str, Any], filters: Filters | None = None, key: str | None = "k1") -> VisitList:
    manager = world["manager"]
    return create_list(
        manager,
        scope_for(manager),
        world["campaign"],
        commune(COMMUNE_X).pk,
        timezone.localdate(),
        filters or Filters(),
        key,
    )


def test_it_lists_the_uncovered_households_of_the_commune_only(world: dict[str, Any]) -> None:
    made = make(world)
    listed = set(made.assignments.values_list("household_id", flat=True))
    assert listed == {h.pk for h in world["households"]}
    assert set(made.assignments.values_list("gap", flat=True)) == {"never_covered"}
    assert AuditEntry.objects.filter(entity="visit_list", entity_id=made.pk, action="create").count() == 1


def test_the_filters_narrow_the_list_and_are_kept(world: dict[str, Any]) -> None:
    made = make(world, Filters(min_age=30, max_age=50, sex="male"))
    assert list(made.assignments.values_list("household__head__full_name", flat=True)) == ["Lê Văn Một"]
    assert made.filters["sex"] == "male" and made.filters["min_age"] == 30


def test_a_repeated_key_returns_the_first_list_and_another_request_with_it_is_refused(world: dict[str, Any]) -> None:
    first = make(world)
    assert make(world).pk == first.pk
    with pytest.raises(DomainError) as refused:
        make(world, Filters(sex="female"))
    assert refused.value.code is ErrorCode.IDEMPOTENCY_CONFLICT
    assert VisitList.objects.count() == 1


@pytest.mark.parametrize("persona", ["agent", "manager_elsewhere", "outsider"])
def test_only_a_manager_of_the_commune_makes_a_list(world: dict[str, Any], persona: str) -> None:
    who = getattr(world["who"], persona)
    with pytest.raises(DomainError) as refused:
        create_list(who, scope_for(who), world["campaign"], commune(COMMUNE_X).pk, timezone.localdate(), Filters())
    assert refused.value.code in (ErrorCode.FORBIDDEN, ErrorCode.NOT_FOUND)
    assert VisitList.objects.count() == VisitAssignment.objects.count() == 0


def test_bad_filters_are_refused_and_nothing_is_written(world: dict[str, Any]) -> None:
    with pytest.raises(DomainError) as refused:
        make(world, Filters(min_age=60, max_age=20))
    assert refused.value.code is ErrorCode.INVALID_INPUT
    assert VisitList.objects.count() == 0


def test_evenly_spreads_the_households_and_twice_assigns_nothing_more(world: dict[str, Any]) -> None:
    made = make(world)
    manager = world["manager"]
    assert assign_evenly(manager, scope_for(manager), world["campaign"], made.pk) == 3
    loads = sorted(made.assignments.values_list("team__name", flat=True))
    assert loads == ["Tổ 1", "Tổ 1", "Tổ 2"]
    assert assign_evenly(manager, scope_for(manager), world["campaign"], made.pk) == 0


def test_by_hand_refuses_a_team_of_another_campaign(world: dict[str, Any]) -> None:
    made = make(world)
    manager = world["manager"]
    row = made.assignments.first()
    other = AdvisoryTeam.objects.create(campaign=running_campaign_elsewhere(), name="Tổ khác")
    with pytest.raises(DomainError):
        assign(manager, scope_for(manager), world["campaign"], made.pk, {row.pk: other.pk})
    assert assign(manager, scope_for(manager), world["campaign"], made.pk, {row.pk: world["team2"].pk}) == 1
    row.refresh_from_db()
    assert row.team == world["team2"]


def running_campaign_elsewhere() -> Any:
    today = timezone.localdate()
    return Campaign.objects.create(
        slug="khac", name="Khác", starts_on=today, ends_on=today, status=CampaignStatus.ACTIVE
    )


def assigned_row(world: dict[str, Any], team: AdvisoryTeam) -> VisitAssignment:
    made = make(world)
    manager = world["manager"]
    row = made.assignments.get(household=world["households"][0])
    assign(manager, scope_for(manager), world["campaign"], made.pk, {row.pk: team.pk})
    return row


def test_an_advised_visit_counts_one_person_advised_in_the_funnel(world: dict[str, Any]) -> None:
    row = assigned_row(world, world["team"])
    agent = world["who"].agent  # the team's member
    before = analytics.funnel(world["campaign"])
    visit = record_visit(agent, scope_for(agent), row.pk, VisitData("advised"), "v1")
    after = analytics.funnel(world["campaign"])
    assert after["advised"] == before["advised"] + 1 and after["leads"] == before["leads"]
    assert visit.session.area_id == commune(COMMUNE_X).pk and visit.session.people_advised == 1
    assert AuditEntry.objects.filter(entity="visit", entity_id=visit.pk).count() == 1


def test_a_lead_visit_creates_a_lead_linked_to_the_head(world: dict[str, Any]) -> None:
    row = assigned_row(world, world["team"])
    manager = world["manager"]
    visit = record_visit(manager, scope_for(manager), row.pk, VisitData("lead", note="Hẹn tuần sau"), "v1")
    lead = Lead.objects.get()
    assert visit.lead == lead and lead.person == world["households"][0].head and lead.outcome == "promised"
    assert lead.follow_up_on == timezone.localdate() + timedelta(days=7)
    assert analytics.funnel(world["campaign"])["leads"] == 1


def test_an_enrolled_visit_links_the_members_term_and_moves_registered_and_paid(world: dict[str, Any]) -> None:
    who = world["who"]
    field_setup(who)
    row = assigned_row(world, world["team"])
    head = world["households"][0].head
    scope = scope_for(who.agent)
    term = enrolling.enroll_vsi(
        who.agent, scope, enrolling.quote_vsi(scope, head.pk, timezone.localdate(), 2_000_000, 1)
    )
    visit = record_visit(who.agent, scope, row.pk, VisitData("enrolled"), "v1")
    assert visit.enrollment == term
    assert analytics.funnel(world["campaign"])["registered"] == 1
    record_payment(
        who.agent, scope, term.pk, amount=term.payable, method="cash", idempotency_key="p1", paid_at=timezone.now()
    )
    assert analytics.funnel(world["campaign"])["paid"] == 1


def test_a_not_found_visit_leaves_the_funnel_and_a_repeat_returns_the_first(world: dict[str, Any]) -> None:
    row = assigned_row(world, world["team"])
    agent = world["who"].agent
    first = record_visit(agent, scope_for(agent), row.pk, VisitData("not_found"), "v1")
    assert record_visit(agent, scope_for(agent), row.pk, VisitData("not_found"), "v1").pk == first.pk
    assert Visit.objects.count() == 1 and ConsultationSession.objects.count() == 0


def test_a_member_of_another_team_may_not_record_and_nothing_is_written(world: dict[str, Any]) -> None:
    row = assigned_row(world, world["team2"])
    agent = world["who"].agent  # in team 1 only
    with pytest.raises(DomainError) as refused:
        record_visit(agent, scope_for(agent), row.pk, VisitData("advised"), "v1")
    assert refused.value.code is ErrorCode.FORBIDDEN
    assert Visit.objects.count() == ConsultationSession.objects.count() == 0


def test_a_visit_names_a_member_of_the_household_only(world: dict[str, Any]) -> None:
    row = assigned_row(world, world["team"])
    stranger = world["elsewhere"].head
    manager = world["manager"]
    with pytest.raises(DomainError):
        record_visit(manager, scope_for(manager), row.pk, VisitData("lead", person_id=stranger.pk), "v1")
    assert Visit.objects.count() == Lead.objects.count() == 0
    TeamMember.objects.filter(team=world["team"]).delete()


def test_the_sheet_prices_each_uncovered_member(world: dict[str, Any]) -> None:
    row = assigned_row(world, world["team"])
    manager = world["manager"]
    rows = visit_queries.sheet(scope_for(manager), row.visit_list, world["team"], timezone.localdate())
    assert [r.head for r in rows] == ["Lê Văn Một"]
    assert rows[0].phone.endswith("00") and "*" in rows[0].phone  # masked by the field policy
    assert rows[0].members[0].vsi_monthly is not None and rows[0].hi_yearly is not None


def test_someone_covered_elsewhere_is_not_visited_for_nothing(world: dict[str, Any]) -> None:
    covered = world["households"][1].head
    OtherCoverage.objects.create(
        person=covered, kind="compulsory_si", source="Danh sách BHXH bắt buộc", valid_from=date(2024, 1, 1)
    )
    default = make(world)
    assert world["households"][1].pk not in set(default.assignments.values_list("household_id", flat=True))
    elsewhere = make(world, Filters(gaps=("covered_elsewhere",)), key="k2")
    assert list(elsewhere.assignments.values_list("household_id", "gap")) == [
        (world["households"][1].pk, "covered_elsewhere")
    ]


def test_a_member_registered_in_another_commune_keeps_their_own_status(world: dict[str, Any]) -> None:
    home, admin = world["households"][0], world["who"].admin
    member = registry.add_member(
        admin,
        scope_for(admin),
        home.pk,
        "child",
        date(2020, 1, 1),
        new_person=person_data(full_name="Lê Thị Năm", citizen_id=None, phone="", area_id=commune(COMMUNE_Y).pk),
    ).person
    OtherCoverage.objects.create(
        person=member, kind="compulsory_si", source="Danh sách BHXH bắt buộc", valid_from=date(2024, 1, 1)
    )
    on, area = timezone.localdate(), commune(COMMUNE_X).pk
    default = {c.household_id: c.person_ids for c in visit_queries.candidates(area, on, Filters())}
    assert default[home.pk] == (home.head_id,)  # not visited as "never covered"
    elsewhere = visit_queries.candidates(area, on, Filters(gaps=("covered_elsewhere",)))
    assert [(c.household_id, c.gap, c.person_ids) for c in elsewhere] == [(home.pk, "covered_elsewhere", (member.pk,))]


def test_a_lapsed_member_registered_in_another_commune_is_listed_as_lapsed(world: dict[str, Any]) -> None:
    home, admin = world["households"][1], world["who"].admin
    member = registry.add_member(
        admin,
        scope_for(admin),
        home.pk,
        "child",
        date(2020, 1, 1),
        new_person=person_data(full_name="Lê Văn Sáu", citizen_id=None, phone="", area_id=commune(COMMUNE_Y).pk),
    ).person
    on = timezone.localdate()
    vsi_term(member, date(2024, 1, 1), date(2024, 12, 31))
    lapsed = visit_queries.candidates(commune(COMMUNE_X).pk, on, Filters(gaps=("lapsed",)))
    assert [(c.household_id, c.gap, c.lapsed_since, c.person_ids) for c in lapsed] == [
        (home.pk, "lapsed", date(2025, 1, 1), (member.pk,))
    ]


@pytest.mark.parametrize(
    ("since", "groups", "filters", "taken"),
    [
        (date(2025, 3, 1), [], Filters(lapsed_within_months=6), True),  # lapsed five months before
        (date(2024, 12, 1), [], Filters(lapsed_within_months=6), False),  # eight months before
        (None, [], Filters(support_group="none"), True),
        (None, ["poor"], Filters(support_group="none"), False),
        (None, ["poor"], Filters(support_group="poor"), True),
        (None, ["near_poor"], Filters(support_group="poor"), False),
    ],
)
def test_the_filters_take_whom_they_say(since: date | None, groups: list[str], filters: Filters, taken: bool) -> None:
    person = Person(full_name="Lê Văn Một", date_of_birth=date(1980, 1, 1), sex="male")
    status = ("lapsed", since) if since else ("never_covered", None)
    assert visit_queries._matches(person, status, groups, date(2025, 8, 1), filters) is taken
