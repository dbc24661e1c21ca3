"""Coverage through another group (issue 18): the staff of a person's commune record it on the person's
page or through the API, and end it; each change is audited; refused input changes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from ansinh.org.models import Role
from ansinh.registry import services as registry
from ansinh.registry.models import AuditEntry, OtherCoverage, Person
from tests.api.test_registry_api import Api
from tests.builders import COMMUNE_X, Personas, person_data, personas, user

pytestmark = pytest.mark.django_db
BODY = {"kind": "student", "source": "Thẻ BHYT học sinh đã xem", "valid_from": "2025-09-01"}


@pytest.fixture
def who() -> Personas:
    return personas()


@pytest.fixture
def pupil(who: Personas) -> Person:
    return registry.create_person(who.agent, who.scope(who.agent), person_data(citizen_id=None, phone=""))


def client_for(someone: object) -> Client:
    client = Client()
    client.force_login(someone)  # type: ignore[arg-type]
    return client


def page(person: Person) -> str:
    return f"/nguoi/{person.pk}/bao-hiem-khac/"


def test_an_agent_records_and_ends_it_on_the_page_audited(who: Personas, pupil: Person) -> None:
    client = client_for(who.agent)
    assert client.post(page(pupil), BODY).status_code == 302
    found = OtherCoverage.objects.get(person=pupil)
    assert (found.kind, found.valid_from, found.valid_to, found.recorded_by) == (
        "student",
        date(2025, 9, 1),
        None,
        who.agent,
    )
    shown = client.get(page(pupil))
    assert shown.status_code == 200 and "Thẻ BHYT học sinh đã xem" in shown.content.decode()
    assert client.post(page(pupil), {"end": found.pk, "valid_to": "2026-05-31"}).status_code == 302
    found.refresh_from_db()
    assert found.valid_to == date(2026, 5, 31)
    assert list(
        AuditEntry.objects.filter(entity="other_cov", entity_id=found.pk)
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["create", "update"]


def test_an_end_before_the_start_is_refused_and_nothing_changes(who: Personas, pupil: Person) -> None:
    client = client_for(who.agent)
    client.post(page(pupil), BODY)
    found = OtherCoverage.objects.get(person=pupil)
    answer = client.post(page(pupil), {"end": found.pk, "valid_to": "2025-08-01"})
    assert answer.status_code == 400 and "không được trước ngày bắt đầu" in answer.content.decode()
    found.refresh_from_db()
    assert found.valid_to is None


def test_the_viewer_and_other_communes_may_not(who: Personas, pupil: Person) -> None:
    viewer = user(Role.VIEWER, COMMUNE_X)
    assert client_for(viewer).post(page(pupil), BODY).status_code == 403
    assert client_for(who.manager_elsewhere).post(page(pupil), BODY).status_code == 404
    assert not OtherCoverage.objects.exists()


def test_the_api_records_it_and_refuses_an_unknown_kind(who: Personas, pupil: Person) -> None:
    api = Api(who.agent)
    status, body = api.call("post", f"/people/{pupil.pk}/other-coverage", BODY)
    assert status == 201 and (body["kind"], body["valid_to"]) == ("student", None)
    status, body = api.call("post", f"/people/{pupil.pk}/other-coverage", {**BODY, "kind": "lottery"})
    assert status == 422 and body["error"]["code"] == "invalid_input"
    status, _ = api.call("post", f"/people/{pupil.pk}/other-coverage", BODY)  # the same again overlaps
    assert status == 422
    assert OtherCoverage.objects.count() == 1
    assert Api(who.manager_elsewhere).call("post", f"/people/{pupil.pk}/other-coverage", BODY)[0] == 404
