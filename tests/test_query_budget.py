"""Every page has a query budget (issue 14): each web page of web/urls.py (enumerated by tests/paths.py,
as the persona matrix does) is opened on the demo by a persona allowed to see it, its SQL queries are
counted, and the count must stay within the budget declared here (≤ 20 for dashboards and workspaces).
A page whose count grows with the rows it shows is an N+1: the lists are opened again after rows are
added and must cost the same number of queries.

Counts, never timings: the benches (bench/) measure time.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ansinh.campaigns.models import (
    AdvisoryTeam,
    Attribution,
    Award,
    Campaign,
    ConsultationSession,
    EventSite,
    Lead,
    LeadOutcome,
    LocationKind,
    MediaChannel,
    MediaItem,
    Metric,
    Parade,
    PrepTask,
    ResourceKind,
    SiteResource,
    Target,
    TeamMember,
)
from ansinh.enrollment import services as enrolling
from ansinh.enrollment.models import Enrollment, EnrollmentStatus, Scheme
from ansinh.org.models import Agent
from ansinh.org.scope import scope_for
from ansinh.payments.services import record_payment
from ansinh.registry import services as registry
from tests.builders import person_data
from tests.paths import World, build_world, page_url, pages, web_client
from tests.test_persona_matrix import EXPECTED, OK

DEFAULT = 20  # a page that does not say otherwise (dashboards and workspaces included)
BUDGET: dict[str, int] = {}  # every page is within the default now, the campaign pages included
# a run over every demo term, not the empty form
WHATIF = "?start=2016-01-01&end=2030-12-31&local_near_poor=40"
# the search page with results, not the empty form; the coverage page by commune; the what-if run
QUERY = {"web:search": "?q=Nguyen", "web:coverage": "?level=commune", "web:report_whatif": WHATIF}
# Lists whose rows the growth test adds to: their counts must not move.
LISTS = ("web:search", "web:due", "web:money", "web:report_renewals", "web:coverage", "web:report_whatif")
# The campaign pages, counted cold too (right after the cache is cleared: the first reader of a poll
# interval counts the shared figures for everyone, and resolves its scope and reads the map's shape
# again); the growth test adds sites, teams, agents, targets… Cold, the workspace reads its shared
# figures (totals with the funnel, sites, targets, rankings, tasks, resources, media, awards: 11
# statements) on top of the session, the user, the scope (one statement) and the map (one): 19, within
# the same budget as warm (issue 14: ≤ 20 for dashboards and workspaces).
CAMPAIGN_PAGES = ("web:campaign", "web:campaign_board", "web:campaign_board_data", "web:campaign_bulletin",
                  "web:campaign_site")

PAGES = {page.name: page for page in pages()}


def viewer_of(name: str) -> str | None:
    """The first persona allowed to open the page (GET), by the persona matrix's table."""
    allowed = [persona for persona, outcome in EXPECTED[name, "GET"].items() if outcome == OK]
    return allowed[0] if allowed else None


@pytest.fixture(scope="module")
def world(demo_data: None, django_db_blocker: Any) -> World:
    with django_db_blocker.unblock():
        return build_world()


def count(world: World, persona: str, url: str, cold: bool = False) -> tuple[int, int, list[str]]:
    client = web_client(world, persona)
    client.get(url)  # the session and the caches of the first request are not the page's cost
    if cold:  # ... unless the page is asked for cold: its shared figures counted again
        cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response.status_code, len(queries), [q["sql"] for q in queries.captured_queries]


def url(world: World, name: str) -> str:
    return page_url(PAGES[name], world.ids) + QUERY.get(name, "")


def add_rows(world: World, n: int) -> None:
    """n more households of commune X, each head named Nguyễn…, with a VSI term, half of them paid."""
    agent = world.users["agent_x"]
    scope = scope_for(agent)
    area_id = world.ids["area_id"]
    for i in range(n):
        head = person_data(full_name=f"Nguyễn Văn Thử {i}", citizen_id=f"04008500{i:04d}", phone="",
                           area_id=area_id, date_of_birth=date(1985, 1, 1 + i % 28))
        household = registry.create_household(agent, scope, head, date(2024, 1, 1))
        enrollment = enrolling.enroll_vsi(agent, scope, enrolling.quote_vsi(
            scope, household.head_id, date(2024, 1, 1), 2_000_000, 1))
        if i % 2:
            record_payment(agent, scope, enrollment.pk, amount=enrollment.payable, method="cash",
                           idempotency_key=f"budget-{i}", paid_at=timezone.now())


@pytest.mark.django_db
@pytest.mark.parametrize("name", LISTS)
def test_list_queries_do_not_grow_with_rows(world: World, name: str) -> None:
    persona = viewer_of(name)
    assert persona is not None
    before = count(world, persona, url(world, name))
    add_rows(world, 6)
    after = count(world, persona, url(world, name))
    assert before[0] < 400 and after[0] < 400
    assert after[1] == before[1], f"{name}: {before[1]} queries, {after[1]} with 6 more rows\n" + "\n".join(after[2])


def add_campaign_rows(world: World, n: int, prefix: str) -> None:
    """n more of everything the campaign pages list or group by: sites (with a team, a member, a
    session, a parade, resources, a task), agents, targets (people and amounts), awards, leads, media
    items, and paid terms of both schemes attributed to each new site, team and agent."""
    campaign = Campaign.objects.get(slug=world.ids["slug"])
    event, area_id = campaign.events.get(), world.ids["area_id"]
    collector_id, member = world.ids["collector_id"], world.users["agent_x"]
    paid = Enrollment.objects.filter(status=EnrollmentStatus.PAID).exclude(attributions__campaign=campaign)
    terms = [*paid.filter(scheme=Scheme.VSI).order_by("pk")[:n], *paid.filter(scheme=Scheme.HOUSEHOLD_HI)
             .order_by("pk")[:n]]
    for i in range(n):
        site = EventSite.objects.create(event=event, area_id=area_id, venue=f"Điểm cầu {prefix}{i}")
        team = AdvisoryTeam.objects.create(campaign=campaign, name=f"Tổ thử {i}", site=site)
        TeamMember.objects.create(team=team, user=member, kind="agent")
        session = ConsultationSession.objects.create(team=team, location_name=f"Nhà văn hóa {i}",
                                                     location_kind=LocationKind.MARKET, area_id=area_id,
                                                     held_on=timezone.localdate(), people_advised=5 + i)
        Lead.objects.create(campaign=campaign, team=team, recorded_by=member, consulted_on=timezone.localdate(),
                            session=session, full_name=f"Người thử {i}", scheme=Scheme.VSI,
                            outcome=LeadOutcome.PROMISED, follow_up_on=timezone.localdate())
        Parade.objects.create(site=site, cars=1, motorbikes=i)
        SiteResource.objects.create(site=site, kind=ResourceKind.values[i % len(ResourceKind.values)], planned=3)
        PrepTask.objects.create(event=event, site=site, title=f"Việc thử {i}", deadline=timezone.now())
        agent = Agent.objects.create(code=f"BT-{prefix}{i}", name=f"Đại lý thử {i}", collector_id=collector_id,
                                     active_from=date(2024, 1, 1))
        Target.objects.create(campaign=campaign, agent=agent, scheme=Scheme.VSI, value=10)
        Target.objects.create(campaign=campaign, area_id=area_id, scheme=Scheme.HOUSEHOLD_HI,
                              metric=Metric.AMOUNT, value=1_000_000 + i)
        Award.objects.create(campaign=campaign, site=site, title="Thử", rank=i + 1, awarded_on=timezone.localdate())
        MediaItem.objects.create(campaign=campaign, channel=MediaChannel.PRESS, outlet="Báo Nghệ An", title=f"Tin {i}",
                                 published_on=timezone.localdate())
        for term in terms[i::n]:
            Attribution.objects.create(enrollment=term, campaign=campaign, event=event, site=site, team=team,
                                       agent=agent)


@pytest.mark.django_db
@pytest.mark.parametrize("name", CAMPAIGN_PAGES)
def test_campaign_page_queries_do_not_grow_with_rows(world: World, name: str) -> None:
    persona = viewer_of(name)
    assert persona is not None
    add_campaign_rows(world, 1, "a")  # one of each first: from none to some is not growth
    before = [count(world, persona, url(world, name), cold) for cold in (True, False)]
    add_campaign_rows(world, 4, "b")
    after = [count(world, persona, url(world, name), cold) for cold in (True, False)]
    for state, was, now in zip(("cold", "warm"), before, after, strict=True):
        assert was[0] == 200 and now[0] == 200, (name, state)
        assert now[1] == was[1], f"{name} {state}: {was[1]} queries, {now[1]} with 4 more of each\n" + "\n".join(now[2])
        assert now[1] <= BUDGET.get(name, DEFAULT), f"{name} {state}: {now[1]} queries\n" + "\n".join(now[2])


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_within_budget(world: World, name: str) -> None:
    persona = viewer_of(name)
    if persona is None:  # nobody may GET it (a POST-only page): nothing to count
        return
    status, n, sql = count(world, persona, url(world, name))
    assert status < 400, (name, status)
    assert n <= BUDGET.get(name, DEFAULT), f"{name} as {persona}: {n} queries\n" + "\n".join(sql)
