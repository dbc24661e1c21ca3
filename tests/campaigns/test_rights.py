"""Campaign rights live in the services (issue 11, item 7): task changes limited to the site's
area, awards and overrides by the campaign's managers, sessions in the campaign's communes, and
every bound in the schema; a refused change answers 4xx and changes nothing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from ansinh.campaigns import api as campaign_api
from ansinh.campaigns import services
from ansinh.campaigns.models import Attribution, Award, ConsultationSession, EventSite, Lead, MediaItem, PrepTask
from ansinh.enrollment import services as enrolling
from ansinh.lib.errors import DomainError
from ansinh.org.models import Role
from ansinh.org.scope import Scope, scope_for
from ansinh.registry import services as registry
from ansinh.web import campaign_views
from tests.builders import COMMUNE_X, COMMUNE_Y, commune, person_data, personas, running_campaign, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    """The campaign covers communes X and Y; the agent of X is in the team of the X site."""
    found = running_campaign(personas())
    found["campaign"].areas.add(commune(COMMUNE_Y))
    site_y = EventSite.objects.create(event=found["event"], area=commune(COMMUNE_Y), venue="Điểm cầu Anh Sơn")
    due = timezone.now() + timedelta(hours=3)
    task_x = PrepTask.objects.create(event=found["event"], site=found["site"], title="Backdrop X", deadline=due)
    task_y = PrepTask.objects.create(event=found["event"], site=site_y, title="Backdrop Y", deadline=due)
    return {**found, "site_y": site_y, "task_x": task_x, "task_y": task_y,
            "viewer": user(Role.VIEWER, COMMUNE_X, COMMUNE_Y, username="viewer_xy")}


class Api:
    def __init__(self, who: Any) -> None:
        self.client = Client()
        self.client.force_login(who)

    def send(self, method: str, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        response = getattr(self.client, method)(f"/api/campaigns/thang-5{path}", body,
                                                 content_type="application/json")
        return response.status_code, response.json()


def statuses() -> list[str]:
    return list(PrepTask.objects.order_by("pk").values_list("status", flat=True))


def test_an_agent_cannot_change_a_task_of_another_sites_area(world: dict[str, Any]) -> None:
    agent = world["who"].agent
    status, refused = Api(agent).send("patch", f"/tasks/{world['task_y'].pk}", {"status": "done"})
    assert status == 403 and refused["error"]["code"] == "forbidden" and statuses() == ["todo", "todo"]
    page = Client()
    page.force_login(agent)
    response = page.post(f"/chien-dich/thang-5/diem-cau/{world['site_y'].pk}/", {"task": world["task_y"].pk})
    assert response.status_code == 403 and statuses() == ["todo", "todo"]
    assert "Đánh dấu xong" not in page.get(f"/chien-dich/thang-5/diem-cau/{world['site_y'].pk}/").content.decode()
    assert Api(agent).send("patch", f"/tasks/{world['task_x'].pk}", {"status": "doing"})[0] == 200
    assert statuses() == ["doing", "todo"]


def test_the_manager_of_the_other_commune_and_the_campaigns_manager_change_its_tasks(world: dict[str, Any]) -> None:
    who = world["who"]
    assert Api(who.manager_elsewhere).send("patch", f"/tasks/{world['task_x'].pk}", {"status": "done"})[0] == 403
    assert Api(who.manager_elsewhere).send("patch", f"/tasks/{world['task_y'].pk}", {"status": "done"})[0] == 200
    assert Api(who.admin).send("patch", f"/tasks/{world['task_x'].pk}", {"status": "done"})[0] == 200
    assert statuses() == ["done", "done"]


def test_a_task_of_another_site_through_this_sites_page_is_not_found(world: dict[str, Any]) -> None:
    page = Client()
    page.force_login(world["who"].admin)
    response = page.post(f"/chien-dich/thang-5/diem-cau/{world['site'].pk}/", {"task": world["task_y"].pk})
    assert response.status_code == 404 and statuses() == ["todo", "todo"]


@pytest.mark.parametrize("task", ["abc", "", "-1", "99999999999999999999"])
def test_a_malformed_task_is_refused_on_the_page(world: dict[str, Any], task: str) -> None:
    page = Client()
    page.force_login(world["who"].agent)
    response = page.post(f"/chien-dich/thang-5/diem-cau/{world['site'].pk}/", {"task": task})
    assert response.status_code == 400 and statuses() == ["todo", "todo"]


@pytest.mark.parametrize("path", ["/tasks/abc", "/tasks/-1", "/tasks/0", f"/tasks/{2**63}"])
def test_a_malformed_task_is_refused_by_the_api(world: dict[str, Any], path: str) -> None:
    response = Api(world["who"].admin).client.patch(f"/api/campaigns/thang-5{path}", {"status": "done"},
                                                    content_type="application/json")
    assert 400 <= response.status_code < 500 and statuses() == ["todo", "todo"]


@pytest.mark.parametrize("counts", [{"views": -1}, {"likes": -5}, {"shares": -1}, {"views": 2**63}])
def test_negative_or_huge_media_counts_are_refused(world: dict[str, Any], counts: dict[str, int]) -> None:
    body = {"channel": "press", "outlet": "Báo Nghệ An", "title": "Ra quân", "published_on": "2026-05-08", **counts}
    status, refused = Api(world["who"].agent).send("post", "/media", body)
    assert status == 422 and refused["error"]["code"] == "invalid_input" and not MediaItem.objects.exists()


def test_media_counts_are_checked_by_the_service_too(world: dict[str, Any]) -> None:
    agent = world["who"].agent
    data = services.MediaData("press", "Báo Nghệ An", "Ra quân", timezone.localdate(), views=-1)
    with pytest.raises(DomainError) as refused:
        services.add_media(scope_for(agent), world["campaign"], data)
    assert refused.value.code == "invalid_input" and not MediaItem.objects.exists()


@pytest.mark.parametrize("people", [0, -3, 10**9])
def test_a_session_with_out_of_bounds_people_advised_is_refused(world: dict[str, Any], people: int) -> None:
    body = {"team_id": world["team"].pk, "location_name": "Chợ Vinh", "location_kind": "market",
            "people_advised": people}
    status, refused = Api(world["who"].agent).send("post", "/sessions", body)
    assert status == 422 and refused["error"]["code"] == "invalid_input"
    assert not ConsultationSession.objects.exists()


def test_a_session_outside_the_campaigns_communes_is_refused(world: dict[str, Any]) -> None:
    world["campaign"].areas.set([commune(COMMUNE_X)])
    agent = world["who"].agent
    data = services.SessionData("Chợ Anh Sơn", "market", 5, commune(COMMUNE_Y).pk,
                                [services.LeadData("Lê Văn A", "vsi", "enrolled")])
    with pytest.raises(DomainError) as refused:
        services.record_session(agent, scope_for(agent), world["team"].pk, timezone.localdate(), data)
    assert refused.value.code == "invalid_input" and refused.value.details["field"] == "area"
    assert not ConsultationSession.objects.exists() and not Lead.objects.exists()
    body = {"team_id": world["team"].pk, "location_name": "Chợ", "location_kind": "market", "people_advised": 5,
            "area_code": COMMUNE_Y}
    assert Api(agent).send("post", "/sessions", body)[0] == 422 and not ConsultationSession.objects.exists()


def test_awards_are_given_only_by_the_campaigns_bhxh_managers(world: dict[str, Any]) -> None:
    who, campaign, today = world["who"], world["campaign"], timezone.localdate()
    for refused_user in (who.agent, world["viewer"], who.manager_elsewhere, who.outsider):
        with pytest.raises(DomainError) as refused:
            services.give_awards(scope_for(refused_user), campaign, "Xuất sắc", today)
        assert refused.value.code == "forbidden"
    page = Client()
    page.force_login(world["viewer"])
    assert page.post("/chien-dich/thang-5/khen-thuong/").status_code == 403
    assert not Award.objects.exists()
    given = services.give_awards(scope_for(who.admin), campaign, "Xuất sắc", today)
    assert [a.rank for a in given] == [1, 1]  # both sites, no new participants yet: tied
    assert services.give_awards(scope_for(who.admin), campaign, "Xuất sắc", today) == given


def test_an_override_needs_a_manager_of_the_campaign_in_whose_scope_the_enrollment_is(world: dict[str, Any]) -> None:
    who = world["who"]
    scope = scope_for(who.agent)
    person = registry.create_person(who.agent, scope, person_data(citizen_id=None, phone=""))
    enrollment = enrolling.enroll_vsi(who.agent, scope, enrolling.quote_vsi(scope, person.pk, timezone.localdate(),
                                                                              2_200_000, 1))
    path, body = f"/attributions/{enrollment.pk}", {"reason": "Tổ 1 tư vấn tại nhà", "team_id": world["team"].pk}
    assert Api(who.agent).send("put", path, body)[0] == 403  # a writer in scope, not a manager
    assert Api(world["viewer"]).send("put", path, body)[0] == 403
    assert Api(who.manager_elsewhere).send("put", path, body)[0] == 404  # not in their scope
    assert Api(who.admin).send("put", path, {**body, "team_id": 10**6})[0] == 404  # not this campaign's team
    assert not Attribution.objects.exists()
    with pytest.raises(DomainError):
        services.override_attribution(scope_for(who.agent), world["campaign"], enrollment.pk, "Lý do")
    status, done = Api(who.admin).send("put", path, body)
    assert (status, done["team_id"]) == (200, world["team"].pk)
    assert Attribution.objects.get().override_reason == "Tổ 1 tư vấn tại nhà"


def test_no_role_is_compared_by_name_in_the_campaign_views() -> None:
    """The rights are the scope module's (can_manage_campaign, can_award), asked by the services."""
    sources = [Path(module.__file__).read_text() for module in (campaign_views, campaign_api, services)]
    assert not [source for source in sources if ".role" in source or "Role." in source]
    assert not hasattr(services, "complete_task")  # one service per change: set_task_status


@pytest.mark.parametrize(("role", "areas", "orgs", "manages", "awards"), [
    (Role.PROVINCE_ADMIN, {1, 2, 3}, set(), True, True),  # all the campaign's areas
    (Role.OFFICE_MANAGER, {1, 2}, set(), False, False),  # only part of them
    (Role.COLLECTOR_MANAGER, set(), {9}, True, False),  # staff of an organiser: runs it, awards are BHXH's
    (Role.OFFICE_MANAGER, set(), {8}, False, False),  # another unit
    (Role.AGENT, {1, 2, 3}, {9}, False, False),
    (Role.VIEWER, {1, 2, 3}, {9}, False, False),
    (None, set(), set(), False, False),
])
def test_who_manages_and_who_awards_a_campaign(role: Role | None, areas: set[int], orgs: set[int], manages: bool,
                                               awards: bool) -> None:
    scope = Scope(role, frozenset(areas), frozenset(orgs))
    assert scope.can_manage_campaign({1, 2, 3}, {9}) is manages
    assert scope.can_award({1, 2, 3}, {9}) is awards
    assert scope.can_manage_campaign(set(), set()) is False  # a campaign with no area is nobody's by area
