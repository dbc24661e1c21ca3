"""Reads read (issue 12, item 4): a GET of every campaign page and campaigns API path, as every
persona, writes nothing — even when a qualifying payment is not attributed yet (made before the
campaign was created), which the reads used to link on the fly. And none of them shows a full
phone, citizen ID or SI code (issue 11, item 5): the field policy masks them for every list."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern
from django.utils import timezone
from pypdf import PdfReader
from python_calamine import CalamineWorkbook

from ansinh.api.urls import api
from ansinh.campaigns.models import Attribution, Award, Campaign, Lead, PrepTask, Target
from ansinh.enrollment import services as enrolling
from ansinh.org.models import Role
from ansinh.payments import services as paying
from ansinh.registry import services as registry
from ansinh.web import campaign_views, consult_views
from ansinh.web.urls import urlpatterns
from tests.builders import COMMUNE_X, commune, field_setup, person_data, personas, running_campaign, user

pytestmark = pytest.mark.django_db
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
SI_CODE, LEAD_PHONE = "4012345678", "0912000111"
FULL_VALUES = (SI_CODE, LEAD_PHONE, "0912345678", "040085000123")  # the person's SI code, phone, citizen ID


@pytest.fixture
def world() -> dict[str, Any]:
    who = personas()
    _, agent = field_setup(who)
    scope = who.scope(who.agent)
    person = registry.create_person(who.agent, scope, person_data(si_code=SI_CODE))  # with full identifiers
    today = timezone.localdate()
    enrollment = enrolling.enroll_vsi(who.agent, scope, enrolling.quote_vsi(scope, person.pk, today, 2_200_000, 1))
    paying.record_payment(who.agent, scope, enrollment.pk, amount=enrollment.payable, method="cash",
                          idempotency_key="before-the-campaign", paid_at=timezone.now(), agent_id=agent.pk)
    found = running_campaign(who)  # created after the payment: nothing links it yet
    PrepTask.objects.create(event=found["event"], site=found["site"], title="Backdrop", deadline=timezone.now())
    Target.objects.create(campaign=found["campaign"], area=commune(COMMUNE_X), scheme="vsi", value=10)
    Lead.objects.create(campaign=found["campaign"], team=found["team"], recorded_by=who.agent, consulted_on=today,
                        full_name="Trần Văn Nam", phone=LEAD_PHONE, scheme="vsi", outcome="promised",
                        follow_up_on=today)
    award = Award.objects.create(campaign=found["campaign"], site=found["site"], title="Xuất sắc", rank=1,
                                 awarded_on=today)
    viewer = user(Role.VIEWER, COMMUNE_X, username="viewer_x")
    assert not Attribution.objects.exists()
    return {**found, "award": award, "viewer": viewer}


def web_paths(world: dict[str, Any]) -> list[str]:
    """Every page of the campaign and consultation screens, found in the URL configuration (a page
    added later is covered without editing this test)."""
    values = {"slug": world["campaign"].slug, "site_id": world["site"].pk, "award_id": world["award"].pk}
    paths = []
    for pattern in urlpatterns:
        assert isinstance(pattern, URLPattern)
        if pattern.callback.__module__ not in (campaign_views.__name__, consult_views.__name__):
            continue
        route = str(pattern.pattern)
        for name, value in values.items():
            route = route.replace(f"<slug:{name}>", str(value)).replace(f"<int:{name}>", str(value))
        assert "<" not in route, f"no value for a parameter of {route}"
        paths.append(f"/{route}")
    return [*paths, f"/chien-dich/{values['slug']}/?xlsx=1", f"/chien-dich/{values['slug']}/?pdf=1",
            f"/chien-dich/{values['slug']}/thong-cao/?pdf=1",
            "/tu-van/?on=2025-08-01&born=1985-03-02&sex=male&incomes=1500000&household_members=0"]


def api_paths(world: dict[str, Any]) -> list[str]:
    """Every GET of the campaigns API, from its OpenAPI document."""
    schema = api.get_openapi_schema()
    gets = [p for p, ops in schema["paths"].items() if p.startswith("/api/campaigns") and "get" in ops]
    assert len(gets) >= 10
    slug = world["campaign"].slug
    extra = [f"/api/campaigns/{slug}/funnel?site_id={world['site'].pk}&team_id={world['team'].pk}",
             f"/api/campaigns/{slug}/targets?on={timezone.localdate() + timedelta(days=1)}"]
    return [p.replace("{slug}", slug) for p in gets] + extra


def test_no_campaign_page_or_api_get_writes_anything(world: dict[str, Any]) -> None:
    who = world["who"]
    paths = web_paths(world) + api_paths(world)
    for persona in (who.agent, who.admin, world["viewer"], who.manager_elsewhere, who.outsider):
        client = Client()
        client.force_login(persona)
        for path in paths:
            with CaptureQueriesContext(connection) as recorded:
                status = client.get(path).status_code
            assert status < 500, (persona.username, path, status)
            writes = [q["sql"] for q in recorded.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)]
            assert writes == [], (persona.username, path, writes)
    assert not Attribution.objects.exists()
    assert Campaign.objects.get().pk == world["campaign"].pk


def text_of(response: Any) -> str:
    """What a reader gets: the page or JSON, the cells of an XLSX, the text of a PDF."""
    kind = response.get("Content-Type", "")
    if kind.startswith("application/pdf"):
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    if "spreadsheet" in kind:
        book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
        return "\n".join(str(cell) for name in book.sheet_names for row in book.get_sheet_by_name(name).to_python()
                         for cell in row)
    return response.content.decode()


def test_no_campaign_page_or_api_get_shows_a_full_phone_citizen_id_or_si_code(world: dict[str, Any]) -> None:
    who = world["who"]
    for persona in (who.agent, who.admin, world["viewer"]):
        client = Client()
        client.force_login(persona)
        for path in web_paths(world) + api_paths(world):
            shown = text_of(client.get(path)).replace(".", "").replace(" ", "")
            assert [v for v in FULL_VALUES if v in shown] == [], (persona.username, path)
    page = Client()
    page.force_login(who.agent)
    assert "091****111" in page.get(f"/chien-dich/{world['campaign'].slug}/").content.decode()  # masked, not hidden
