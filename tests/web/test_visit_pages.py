"""The visit-list pages (issue 18): a manager previews and makes a list, assigns it evenly, prints a
team's sheet (HTML and PDF, the phone masked) and records a visit; an agent may not make one."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ansinh.campaigns.models import Visit, VisitAssignment, VisitList
from ansinh.campaigns.visit_queries import Filters
from ansinh.campaigns.visits import assign_evenly, create_list
from ansinh.org.models import Role
from ansinh.org.scope import scope_for
from ansinh.registry import services as registry
from tests.builders import COMMUNE_X, commune, person_data, personas, running_campaign, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    who = personas()
    made = running_campaign(who)
    manager = user(Role.OFFICE_MANAGER, COMMUNE_X, username="manager_x")
    for i, name in enumerate(["Lê Văn Một", "Trần Thị Hai"]):
        registry.create_household(
            who.admin,
            scope_for(who.admin),
            person_data(full_name=name, citizen_id=None, phone=f"091234500{i}"),
            date(2020, 1, 1),
            address_detail=f"Khối {i + 1}",
        )
    return {**made, "who": who, "manager": manager}


def logged_in(who: Any) -> Client:
    client = Client()
    client.force_login(who)
    return client


def form(**extra: Any) -> dict[str, Any]:
    return {"area": commune(COMMUNE_X).pk, "gaps": ["never_covered", "lapsed"], "key": uuid.uuid4().hex, **extra}


def test_a_manager_previews_makes_assigns_prints_and_records(world: dict[str, Any]) -> None:
    client, slug = logged_in(world["manager"]), world["campaign"].slug
    url = reverse("web:visit_lists", args=[slug])
    preview = client.get(url, {"area": commune(COMMUNE_X).pk, "gaps": ["never_covered"]})
    assert preview.status_code == 200 and "2 hộ theo điều kiện" in preview.content.decode()
    assert VisitList.objects.count() == 0  # a preview writes nothing
    made = client.post(url, form())
    visit_list = VisitList.objects.get()
    assert made.status_code == 302 and made["Location"] == reverse("web:visit_list", args=[slug, visit_list.pk])
    page = reverse("web:visit_list", args=[slug, visit_list.pk])
    assert client.post(page, {"mode": "even"}).status_code == 302
    assert set(VisitAssignment.objects.values_list("team", flat=True)) == {world["team"].pk}
    sheet = client.get(reverse("web:visit_sheet", args=[slug, visit_list.pk, world["team"].pk]))
    text = sheet.content.decode()
    assert "Lê Văn Một" in text and "0912345000" not in text and "BHYT hộ gia đình 12 tháng" in text
    pdf = client.get(reverse("web:visit_sheet", args=[slug, visit_list.pk, world["team"].pk]), {"pdf": 1})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    row = VisitAssignment.objects.order_by("pk").first()
    record = reverse("web:visit_record", args=[slug, row.pk])
    assert client.get(record).status_code == 200
    key = uuid.uuid4().hex
    for _twice in range(2):
        assert client.post(record, {"outcome": "advised", "scheme": "vsi", "key": key}).status_code == 302
    assert Visit.objects.get().outcome == "advised"


def test_an_agent_may_not_make_a_list_and_nothing_is_written(world: dict[str, Any]) -> None:
    client = logged_in(world["who"].agent)
    response = client.post(reverse("web:visit_lists", args=[world["campaign"].slug]), form())
    assert response.status_code == 403 and VisitList.objects.count() == 0


def test_a_bad_age_band_is_refused_beside_the_form(world: dict[str, Any]) -> None:
    client = logged_in(world["manager"])
    response = client.post(reverse("web:visit_lists", args=[world["campaign"].slug]), form(min_age=70, max_age=20))
    assert response.status_code == 400 and VisitList.objects.count() == 0


def test_the_api_records_a_visit_once_per_key(world: dict[str, Any]) -> None:
    manager = world["manager"]
    made = create_list(
        manager, scope_for(manager), world["campaign"], commune(COMMUNE_X).pk, timezone.localdate(), Filters()
    )
    assign_evenly(manager, scope_for(manager), world["campaign"], made.pk)
    row = made.assignments.order_by("pk").first()
    client = logged_in(world["who"].agent)  # the team's member
    body = {"assignment_id": row.pk, "outcome": "lead", "note": "Hẹn thứ bảy"}
    first = client.post(
        "/api/campaigns/visits", body, content_type="application/json", headers={"Idempotency-Key": "visit-1"}
    )
    again = client.post(
        "/api/campaigns/visits", body, content_type="application/json", headers={"Idempotency-Key": "visit-1"}
    )
    assert first.status_code == again.status_code == 201 and first.json()["id"] == again.json()["id"]
    assert first.json()["lead_id"] is not None
    other = client.post(
        "/api/campaigns/visits",
        {**body, "outcome": "refused"},
        content_type="application/json",
        headers={"Idempotency-Key": "visit-1"},
    )
    assert other.status_code == 409 and Visit.objects.count() == 1


def test_the_pages_cost_the_same_queries_whatever_the_households(world: dict[str, Any]) -> None:
    manager = world["manager"]
    made = create_list(
        manager, scope_for(manager), world["campaign"], commune(COMMUNE_X).pk, timezone.localdate(), Filters()
    )
    assign_evenly(manager, scope_for(manager), world["campaign"], made.pk)
    slug, team = world["campaign"].slug, world["team"].pk
    urls = [
        reverse("web:visit_lists", args=[slug]) + f"?area={commune(COMMUNE_X).pk}&gaps=never_covered",
        reverse("web:visit_list", args=[slug, made.pk]),
        reverse("web:visit_sheet", args=[slug, made.pk, team]),
    ]
    client = logged_in(manager)

    def counts() -> list[int]:
        found = []
        for url in urls:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            found.append(len(captured))
        return found

    counts()  # warm: the campaign's areas and the parameters are read once per interval, not per page
    first = counts()
    for i in range(3):
        registry.create_household(
            world["who"].admin,
            scope_for(world["who"].admin),
            person_data(full_name=f"Hộ thêm {i}", citizen_id=None, phone=""),
            date(2020, 1, 1),
        )
    more = create_list(
        manager, scope_for(manager), world["campaign"], commune(COMMUNE_X).pk, timezone.localdate(), Filters(), "more"
    )
    assign_evenly(manager, scope_for(manager), world["campaign"], more.pk)
    urls[1:] = [reverse("web:visit_list", args=[slug, more.pk]), reverse("web:visit_sheet", args=[slug, more.pk, team])]
    counts()
    assert counts() == first and max(first) <= 20
