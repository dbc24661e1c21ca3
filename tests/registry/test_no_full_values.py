"""The leak test: with a person whose citizen ID, phone and SI code are known, every page, API
response and export a read-only viewer (or a role the policy does not let see them) can reach is
rendered, and none of the full values appears anywhere: HTML, JSON, XLSX cells read back."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from python_calamine import CalamineWorkbook

from ansinh.enrollment import services as enrolling
from ansinh.org.models import Role
from ansinh.org.services import issue_token
from ansinh.payments import services as paying
from ansinh.payments.models import Receipt
from ansinh.registry import services
from ansinh.registry.models import AuditEntry, Household
from ansinh.reports import jobs
from tests.builders import COMMUNE_X, Personas, field_setup, person_data, personas, user

pytestmark = pytest.mark.django_db
FULL = ("040085000123", "0912345678", "4012345678", "912345678")  # the last: the phone without its 0
ON = date(2025, 8, 1)
PERIOD = {"start": "2025-08-01", "end": "2025-08-31"}


@pytest.fixture
def known(settings: Any, tmp_path: Path) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path
    people = personas()
    post, _ = field_setup(people)
    scope = people.scope(people.agent)
    household = services.create_household(people.agent, scope, person_data(si_code="4012345678"), ON)
    head = household.head
    assert head is not None
    vsi = enrolling.enroll_vsi(people.agent, scope, enrolling.quote_vsi(scope, head.pk, ON, 1_500_000, 1))
    hi = enrolling.enroll_hi(people.agent, scope, enrolling.quote_hi(scope, household.pk, [head.pk], ON, 12))
    for key, enrollment in (("vsi", vsi), ("hi", hi)):
        paying.record_payment(people.agent, scope, enrollment.pk, amount=enrollment.payable, method="cash",
                              idempotency_key=key, paid_at=datetime(2025, 8, 2, 9, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
    return {"who": people, "post": post, "household": household, "person": head}


def assert_no_full_value(text: str, where: str) -> None:
    for full in FULL:
        assert full not in text, f"{full} leaked in {where}"


def xlsx_text(content: bytes, tmp_path: Path, name: str) -> str:
    path = tmp_path / f"{name}.xlsx"
    path.write_bytes(content)
    return json.dumps(CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(), default=str)


def pages(person_id: int, household_id: int) -> list[str]:
    return [f"/nguoi/{person_id}/", f"/nguoi/{person_id}/sua/", f"/ho/{household_id}/", "/tim-kiem/?q=nguyen",
            "/tim-kiem/?q=040085000123", "/tim-kiem/?q=0912345678", "/tim-kiem/?q=040******123",
            f"/ho/{household_id}/sua/", f"/ho/{household_id}/them-thanh-vien/", "/nhat-ky/"]


def test_the_viewer_sees_no_full_value_on_any_page_api_response_or_export(known: dict[str, Any],
                                                                         tmp_path: Path) -> None:
    person, household, post = known["person"], known["household"], known["post"]
    viewer = user(Role.VIEWER, COMMUNE_X)
    client = Client()
    client.force_login(viewer)
    receipt = Receipt.objects.first()
    assert receipt is not None
    field_pages = [f"/nguoi/{person.pk}/bhxh-tu-nguyen/", f"/ho/{household.pk}/bhyt/", "/viec-can-lam/",
                   f"/thu-tien/?start={PERIOD['start']}&end={PERIOD['end']}", f"/bien-lai/{receipt.pk}/"]
    for page in pages(person.pk, household.pk) + field_pages:
        response = client.get(page)
        assert response.status_code in (200, 403, 404), page
        assert_no_full_value(response.content.decode(), page)
    for page in ("/viec-can-lam/?xlsx=1", f"/thu-tien/?start={PERIOD['start']}&end={PERIOD['end']}&xlsx=commission"):
        response = client.get(page)
        if response.status_code == 200 and response.content[:2] == b"PK":
            assert_no_full_value(xlsx_text(response.content, tmp_path, "page"), page)
    assert client.post(f"/nguoi/{person.pk}/", {"field": "citizen_id"}).status_code == 403
    api = Client(headers={"Authorization": f"Bearer {issue_token(viewer, 'leak')}"})
    for path in (f"/api/people/{person.pk}", f"/api/households/{household.pk}", "/api/people?q=nguyen",
                 "/api/people?q=040085000123"):
        response = api.get(path)
        assert response.status_code == 200, path
        assert_no_full_value(response.content.decode(), path)
    for field in ("citizen_id", "phone", "si_code"):
        refused = api.post(f"/api/people/{person.pk}/reveal?field={field}")
        assert refused.status_code == 403
        assert_no_full_value(refused.content.decode(), f"reveal {field}")
    for kind in ("d05", "bhyt", "payments"):
        job = jobs.start(viewer, kind, {**PERIOD, "collector": post.pk}, background=False)
        assert job.done >= 1, kind
        assert_no_full_value(xlsx_text(jobs.file_of(job).read_bytes(), tmp_path, kind), kind)
    assert not AuditEntry.objects.filter(action__in=("reveal", "export", "edit_view")).exists()


def test_lists_and_the_office_managers_exports_are_masked_for_every_other_role(known: dict[str, Any],
                                                                               tmp_path: Path) -> None:
    who: Personas = known["who"]
    person, household, post = known["person"], known["household"], known["post"]
    managers = [user(role, COMMUNE_X) for role in (Role.OFFICE_MANAGER, Role.COLLECTOR_MANAGER)]
    for account in (who.agent, who.admin, *managers):
        client = Client()
        client.force_login(account)
        for page in pages(person.pk, household.pk):
            assert_no_full_value(client.get(page).content.decode(), page)
        audit_xlsx = client.get("/nhat-ky/", {"xlsx": "1"})
        if audit_xlsx.status_code == 200:
            assert_no_full_value(xlsx_text(audit_xlsx.content, tmp_path, "audit"), "audit xlsx")
    office = user(Role.OFFICE_MANAGER, COMMUNE_X)
    job = jobs.start(office, "d05", {**PERIOD, "collector": post.pk}, background=False)
    assert_no_full_value(xlsx_text(jobs.file_of(job).read_bytes(), tmp_path, "office"), "office d05")


def test_the_api_keeps_an_identifier_sent_back_masked_and_answers_429_beyond_the_limit(known: dict[str, Any]) -> None:
    who: Personas = known["who"]
    person = known["person"]
    api = Client(headers={"Authorization": f"Bearer {issue_token(who.agent, 'agent')}"})
    shown = api.get(f"/api/people/{person.pk}").json()
    assert (shown["citizen_id"], shown["phone"], shown["si_code"]) == ("040******123", "091****678", "40******78")
    changed = api.put(f"/api/people/{person.pk}", {**shown, "full_name": "Nguyễn Văn Ân", "area_code": COMMUNE_X,
                                                   "date_of_birth": "1985-03-02"}, content_type="application/json")
    assert changed.status_code == 200
    person.refresh_from_db()
    assert (person.full_name, person.citizen_id, person.phone, person.si_code) == (
        "Nguyễn Văn Ân", "040085000123", "0912345678", "4012345678")
    assert api.post(f"/api/people/{person.pk}/reveal?field=phone").json() == {"phone": "0912345678"}
    for n in range(30):
        assert api.get(f"/api/people?q=0400850{n:05d}").status_code == 200
    refused = api.get("/api/people?q=040085000123")
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited"
    assert Household.objects.count() == 1


def test_a_manager_locates_an_id_over_the_api(known: dict[str, Any]) -> None:
    who: Personas = known["who"]
    api = Client(headers={"Authorization": f"Bearer {issue_token(who.manager_elsewhere, 'm')}"})
    found = api.post("/api/citizen-ids/locate", {"citizen_id": "040085000123"}, content_type="application/json")
    assert found.status_code == 200 and found.json() == {"found": True, "area_code": COMMUNE_X,
                                                         "area_name": "Phường Thành Vinh"}
    agent = Client(headers={"Authorization": f"Bearer {issue_token(who.agent, 'a')}"})
    assert agent.post("/api/citizen-ids/locate", {"citizen_id": "040085000123"},
                      content_type="application/json").status_code == 403
