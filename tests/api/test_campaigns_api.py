"""Campaigns API: same visibility and rules as the screens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from ansinh.campaigns.models import (
    Attribution,
    ConsultationSession,
    PrepTask,
)
from ansinh.enrollment import services as enrolling
from ansinh.org.models import Role
from ansinh.org.services import issue_token
from ansinh.registry import services as registry
from tests.builders import COMMUNE_X, person_data, personas, running_campaign, user

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, user: Any) -> None:
        self.client, self.auth = Client(), {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user, 't')}"}

    def get(self, path: str) -> tuple[int, Any]:
        response = self.client.get(f"/api/campaigns{path}", **self.auth)
        return response.status_code, response.json()

    def send(self, method: str, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        response = getattr(self.client, method)(f"/api/campaigns{path}", body, content_type="application/json",
                                                 **self.auth)
        return response.status_code, response.json()


@pytest.fixture
def world() -> dict[str, Any]:
    found = running_campaign(personas())
    PrepTask.objects.create(event=found["event"], site=found["site"], title="Backdrop",
                            deadline=timezone.now() - timedelta(hours=1))
    return found


def test_summary_funnel_sites_ranking_and_bulletin(world: dict[str, Any]) -> None:
    api = Api(world["who"].agent)
    status, totals = api.get("/thang-5/summary")
    assert status == 200 and totals["sites"] == 1 and totals["vsi_new"] == 0
    assert api.get("/thang-5/funnel")[1] == {"advised": 0, "leads": 0, "registered": 0, "paid": 0, "renewed": 0}
    assert [s["venue"] for s in api.get("/thang-5/sites")[1]] == ["Điểm cầu Thành Vinh"]
    assert api.get("/thang-5/ranking")[1][0]["rank"] == 1
    assert "Lễ ra quân" in api.get("/thang-5/bulletin")[1]["text"]
    assert [c["slug"] for c in api.get("")[1]] == ["thang-5"]


def test_an_outsider_sees_no_campaign(world: dict[str, Any]) -> None:
    api = Api(world["who"].outsider)
    assert api.get("/thang-5/summary")[0] == 404 and api.get("")[1] == []


def test_a_member_logs_a_session_with_leads_and_others_cannot(world: dict[str, Any]) -> None:
    body = {"team_id": world["team"].pk, "location_name": "Chợ Vinh", "location_kind": "market", "people_advised": 8,
            "area_code": COMMUNE_X, "leads": [{"full_name": "Trần Văn Nam", "scheme": "vsi", "outcome": "enrolled"}]}
    status, created = Api(world["who"].agent).send("post", "/thang-5/sessions", body)
    assert status == 201 and created["leads"] == 1
    status, refused = Api(world["who"].admin).send("post", "/thang-5/sessions", body)
    assert status == 403 and refused["error"]["code"] == "forbidden" and ConsultationSession.objects.count() == 1
    assert Api(world["who"].agent).get("/thang-5/funnel")[1]["advised"] == 8


def test_tasks_show_overdue_and_can_be_done(world: dict[str, Any]) -> None:
    api = Api(world["who"].agent)
    [task] = api.get("/thang-5/tasks")[1]
    assert task["overdue"] is True
    assert api.send("patch", f"/thang-5/tasks/{task['id']}", {"status": "done"})[0] == 200
    assert api.get("/thang-5/tasks")[1][0]["overdue"] is False
    assert api.send("post", "/thang-5/media", {"channel": "press", "outlet": "Báo Nghệ An", "title": "Ra quân",
                                               "published_on": "2026-05-08"})[0] == 201
    assert len(api.get("/thang-5/media")[1]) == 1


def test_a_read_only_role_changes_no_task_and_adds_no_media(world: dict[str, Any]) -> None:
    api = Api(user(Role.VIEWER, COMMUNE_X, username="viewer_x"))
    [task] = api.get("/thang-5/tasks")[1]
    status, refused = api.send("patch", f"/thang-5/tasks/{task['id']}", {"status": "done"})
    assert status == 403 and refused["error"]["code"] == "forbidden"
    assert api.get("/thang-5/tasks")[1][0]["status"] != "done"
    assert api.send("post", "/thang-5/media", {"channel": "press", "outlet": "Báo Nghệ An", "title": "Ra quân",
                                               "published_on": "2026-05-08"})[0] == 403
    assert api.get("/thang-5/media")[1] == []


def test_an_attribution_is_overridden_with_a_reason(world: dict[str, Any]) -> None:
    who = world["who"]
    scope = who.scope(who.agent)
    person = registry.create_person(who.agent, scope, person_data(citizen_id=None, phone=""))
    enrollment = enrolling.enroll_vsi(who.agent, scope, enrolling.quote_vsi(scope, person.pk, timezone.localdate(),
                                                                              2_200_000, 1))
    api = Api(who.admin)
    path = f"/thang-5/attributions/{enrollment.pk}"
    status, refused = api.send("put", path, {"reason": " ", "team_id": world["team"].pk})
    assert status == 422 and refused["error"]["code"] == "invalid_input" and not Attribution.objects.exists()
    status, done = api.send("put", path, {"reason": "Tổ 1 tư vấn tại nhà", "team_id": world["team"].pk})
    assert status == 200 and done["team_id"] == world["team"].pk
    assert Api(who.manager_elsewhere).send("put", path, {"reason": "x"})[0] == 404
    assert api.get("/thang-5/awards") == (200, [])
