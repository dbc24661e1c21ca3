"""Leads follow the field policy (issue 11, item 5): phones are shown masked, and a lead's full name
only to the team that recorded it and to users whose scope holds the lead's area."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from ansinh.campaigns import queries
from ansinh.campaigns.models import AdvisoryTeam, ConsultationSession, EventSite, Lead, TeamMember
from ansinh.org.models import Role
from ansinh.org.scope import scope_for
from tests.builders import COMMUNE_X, COMMUNE_Y, commune, personas, running_campaign, user

pytestmark = pytest.mark.django_db
PHONE_X, PHONE_Y = "0912000111", "0987654321"


@pytest.fixture
def world() -> dict[str, Any]:
    """A campaign over X and Y; the agent of X's team met Trần Văn Nam at X, a team of Y met Lê Thị
    Hoa at a session in Y. Both are due for a follow-up today."""
    who = personas()
    found = running_campaign(who)
    found["campaign"].areas.add(commune(COMMUNE_Y))
    today = timezone.localdate()
    site_y = EventSite.objects.create(event=found["event"], area=commune(COMMUNE_Y), venue="Điểm cầu Anh Sơn")
    team_y = AdvisoryTeam.objects.create(campaign=found["campaign"], name="Tổ Anh Sơn", site=site_y)
    member_y = user(Role.AGENT, COMMUNE_Y, username="agent_y")
    TeamMember.objects.create(team=team_y, user=member_y, kind="agent")
    session_y = ConsultationSession.objects.create(team=team_y, location_name="Chợ Anh Sơn", location_kind="market",
                                                   area=commune(COMMUNE_Y), held_on=today, people_advised=4)
    for team, session, name, phone in ((found["team"], None, "Trần Văn Nam", PHONE_X),
                                       (team_y, session_y, "Lê Thị Hoa", PHONE_Y)):
        Lead.objects.create(campaign=found["campaign"], team=team, session=session, recorded_by=who.agent,
                            consulted_on=today, full_name=name, phone=phone, scheme="vsi", outcome="promised",
                            follow_up_on=today)
    return {**found, "member_y": member_y, "viewer": user(Role.VIEWER, COMMUNE_X, COMMUNE_Y, username="viewer")}


def workspace(who: Any) -> str:
    client = Client()
    client.force_login(who)
    response = client.get("/chien-dich/thang-5/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_team_member_sees_their_own_teams_leads_by_name_with_the_phone_masked(world: dict[str, Any]) -> None:
    page = workspace(world["who"].agent)
    assert "Trần Văn Nam" in page and "091****111" in page and PHONE_X not in page
    assert "Lê Thị Hoa" not in page and PHONE_Y not in page and "987" not in page
    assert "Và 1 người hẹn gặp lại" in page


def test_a_manager_of_the_leads_area_sees_it_by_name(world: dict[str, Any]) -> None:
    page = workspace(world["who"].manager_elsewhere)  # office manager of Y
    assert "Lê Thị Hoa" in page and "098****321" in page and PHONE_Y not in page
    assert "Trần Văn Nam" not in page and PHONE_X not in page


def test_a_viewer_of_both_areas_sees_the_names_but_no_phone(world: dict[str, Any]) -> None:
    page = workspace(world["viewer"])
    assert "Trần Văn Nam" in page and "Lê Thị Hoa" in page
    assert PHONE_X not in page and PHONE_Y not in page


def test_the_registration_link_carries_no_phone(world: dict[str, Any]) -> None:
    page = workspace(world["who"].agent)
    assert "phone=" not in page and "full_name=Tr%E1%BA%A7n" in page


def test_the_follow_up_list_takes_a_fixed_number_of_queries(world: dict[str, Any],
                                                             django_assert_max_num_queries: Any) -> None:
    scope = scope_for(world["viewer"])
    with django_assert_max_num_queries(3):  # the named leads, and the count of all and of the named
        rows, others = queries.follow_ups(scope, world["viewer"], world["campaign"], timezone.localdate())
    assert ([r.full_name for r in rows], others) == (["Trần Văn Nam", "Lê Thị Hoa"], 0)
