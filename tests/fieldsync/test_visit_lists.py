"""Visit lists on the phone (issue 18): the slice carries the rows assigned to the agent's teams, in the
agent's scope only, phones masked, with what each would pay; a visit recorded offline syncs through the
same service as POST /api/campaigns/visits (the funnel moves) and a replay changes nothing."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from ansinh.campaigns import analytics
from ansinh.campaigns.models import AdvisoryTeam, Lead, TeamMember, Visit, VisitList
from ansinh.campaigns.visit_queries import Filters
from ansinh.campaigns.visits import assign, create_list
from ansinh.fieldsync import visit_sync
from ansinh.fieldsync.models import SyncOperation
from ansinh.org.models import Agent, Role
from ansinh.org.scope import scope_for
from ansinh.registry import services as registry
from tests.builders import COMMUNE_X, COMMUNE_Y, commune, person_data, personas, running_campaign, user
from tests.fieldsync.helpers import Phone, new_id, op, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    """Three uncovered households of commune X on one list: two for team 1 (the agent's), one for team 2."""
    who = personas()
    phone = register(who)
    made = running_campaign(who)
    team2 = AdvisoryTeam.objects.create(campaign=made["campaign"], name="Tổ 2", site=made["site"])
    admin, scope = who.admin, scope_for(who.admin)
    households = [registry.create_household(admin, scope, person_data(
        full_name=name, citizen_id=None, phone=f"091234500{i}", address_detail=f"Khối {i + 1}"), date(2020, 1, 1),
        address_detail=f"Khối {i + 1}") for i, name in enumerate(["Lê Văn Một", "Trần Thị Hai", "Phạm Văn Ba"])]
    manager = user(Role.OFFICE_MANAGER, COMMUNE_X, username="manager_x")
    listed = create_list(manager, scope_for(manager), made["campaign"], commune(COMMUNE_X).pk, timezone.localdate(),
                         Filters(), "k1")
    rows = {a.household_id: a.pk for a in listed.assignments.all()}
    teams = [made["team"].pk, team2.pk, made["team"].pk]
    assign(manager, scope_for(manager), made["campaign"], listed.pk,
           {rows[h.pk]: t for h, t in zip(households, teams, strict=True)})
    return {**made, "who": who, "phone": phone, "team2": team2, "households": households, "rows": rows,
            "list": listed}


def slice_of(phone: Phone) -> dict[str, Any]:
    response = phone.client.get("/api/v1/sync/slice", headers={"Authorization": f"Bearer {phone.token}"})
    assert response.status_code == 200, response.content
    return response.json()


def phone_of(who: Any, agent_user: Any) -> Phone:
    """A second agent of the first one's post office, with a phone of their own."""
    first = Agent.objects.get(user=who.agent)
    Agent.objects.create(code=f"DL-{agent_user.pk}", name="Đại lý khác", collector=first.collector, user=agent_user,
                         active_from=date(2022, 1, 1))
    client = Client()
    client.force_login(agent_user)
    response = client.post("/api/v1/devices", {"id": new_id(), "label": "Máy khác"}, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    return Phone(dataclasses.replace(who, agent=agent_user), Client(), body["token"], "", body["receipt_block"])


def visit(world: dict[str, Any], household: int = 0, **data: Any) -> dict[str, Any]:
    assignment = world["rows"][world["households"][household].pk]
    return op("visit", **{"visit_id": new_id(), "assignment_id": assignment, "outcome": "advised", **data})


def test_the_slice_carries_the_agents_teams_rows_masked_and_priced(world: dict[str, Any]) -> None:
    body = slice_of(world["phone"])
    visits = body["visits"]
    assert visits["truncated"] is False
    one, three = world["households"][0], world["households"][2]
    assert [r["household_id"] for r in visits["rows"]] == [str(one.pk), str(three.pk)]  # team 2's row stays
    row = visits["rows"][0]
    assert (row["head"], row["address"], row["commune_code"], row["team"], row["gap"], row["last_outcome"]) == (
        "Lê Văn Một", "Khối 1", COMMUNE_X, "Tổ 1", "never_covered", None)
    assert row["phone_masked"].endswith("00") and "*" in row["phone_masked"]
    assert row["hi_yearly"] > 0 and row["members"][0]["vsi_monthly"] > 0
    assert row["members"][0]["id"] == str(one.head_id) and isinstance(row["members"][0]["groups"], list)
    assert b"0912345000" not in world["phone"].client.get(
        "/api/v1/sync/slice", headers={"Authorization": f"Bearer {world['phone'].token}"}).content


def test_another_teams_agent_gets_its_own_rows_and_an_agent_of_another_commune_none(world: dict[str, Any]) -> None:
    who = world["who"]
    other = user(Role.AGENT, COMMUNE_X, username="agent_x2")
    TeamMember.objects.create(team=world["team2"], user=other, kind="agent")
    rows = slice_of(phone_of(who, other))["visits"]["rows"]
    assert [r["household_id"] for r in rows] == [str(world["households"][1].pk)]
    elsewhere = user(Role.AGENT, COMMUNE_Y, username="agent_y")
    TeamMember.objects.create(team=world["team"], user=elsewhere, kind="agent")  # a member, but not of commune X
    assert slice_of(phone_of(who, elsewhere))["visits"]["rows"] == []


def test_the_slice_is_bounded(world: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(visit_sync, "MAX_SLICE_VISITS", 1)
    visits = slice_of(world["phone"])["visits"]
    assert len(visits["rows"]) == 1 and visits["truncated"] is True


def test_a_visit_recorded_offline_moves_the_funnel_and_a_replay_changes_nothing(world: dict[str, Any]) -> None:
    phone, campaign = world["phone"], world["campaign"]
    before = analytics.funnel(campaign)
    lead = visit(world, outcome="lead", note="Hẹn tuần sau", device_time="2026-01-01T08:00:00+07:00")
    (result,) = phone.results(lead)
    assert result["status"] == "flagged", result  # the device's clock (a day off) is flagged, the visit kept
    made = Visit.objects.get()
    assert (made.outcome, made.recorded_by, made.person_id, made.note) == (
        "lead", who_agent(world), world["households"][0].head_id, "Hẹn tuần sau")
    assert made.idempotency_key == f"sync-{lead['data']['visit_id']}"
    after = analytics.funnel(campaign)
    assert (after["advised"], after["leads"]) == (before["advised"] + 1, before["leads"] + 1)
    assert SyncOperation.objects.get(op_id=lead["id"]).device_time.isoformat().startswith("2026-01-01T01:00")

    (again,) = phone.results(lead)  # the same operation
    assert again["status"] == "replayed" and again["server_id"] == result["server_id"]
    (resent,) = phone.results({**lead, "id": str(uuid.uuid4())})  # the same visit under a new operation id
    assert resent["status"] == "flagged" and resent["server_id"] == result["server_id"]
    assert (Visit.objects.count(), Lead.objects.count()) == (1, 1) and analytics.funnel(campaign) == after
    assert slice_of(phone)["visits"]["rows"][0]["last_outcome"] == "lead"


def who_agent(world: dict[str, Any]) -> Any:
    return world["who"].agent


def test_another_teams_household_or_a_bad_outcome_fails_alone(world: dict[str, Any]) -> None:
    results = world["phone"].results(visit(world, household=1), visit(world, outcome="maybe"),
                                     visit(world, household=2, outcome="not_found"),
                                     op("visit", visit_id="x", assignment_id=1, outcome="advised"),
                                     visit(world, person_id=world["households"][1].head_id))
    assert [r["status"] for r in results] == ["failed", "failed", "applied", "failed", "failed"], results
    assert "tổ được giao" in results[0]["error"] and "visit_id" in results[3]["error"]
    assert list(Visit.objects.values_list("outcome", flat=True)) == ["not_found"]
    assert VisitList.objects.count() == 1


def test_the_visit_rows_cost_the_same_queries_whatever_their_number(world: dict[str, Any]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    agent = world["who"].agent
    code_of, scope = {commune(COMMUNE_X).pk: COMMUNE_X}, scope_for(agent)

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as seen:
            rows = visit_sync.for_slice(scope, agent, timezone.localdate(), code_of)["rows"]
        return len(rows), len(seen)

    count()  # the map's shape and the parameters are read once per process
    two = count()
    TeamMember.objects.filter(team=world["team2"]).delete()
    TeamMember.objects.create(team=world["team2"], user=agent, kind="agent")  # the agent in both teams: all three
    three = count()
    assert (two[0], three[0]) == (2, 3) and two[1] == three[1], (two, three)
