"""Issue 12, "enrolment once": every enrolment carries an idempotency key, scoped to the actor. The
same key and request give the first term; the same key for another request is a 409; nothing else
is written."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ansinh.enrollment import services as enrolling
from ansinh.enrollment.models import Enrollment
from ansinh.lib.errors import DomainError
from ansinh.org.services import issue_token
from tests.builders import Personas
from tests.enrollment.builders import ON, counts, pay, person, plain_household, poor_household, vsi

pytestmark = pytest.mark.django_db


def test_the_same_key_and_request_return_the_first_term(who: Personas) -> None:
    head = poor_household(who).head_id
    first = vsi(who, head, "form-1")  # type: ignore[arg-type]
    before = counts()
    again = vsi(who, head, "form-1")  # type: ignore[arg-type]
    assert again.pk == first.pk and counts() == before == (1, 1, 0, 1)


def test_a_replay_after_the_term_is_paid_still_returns_it(who: Personas) -> None:
    head = poor_household(who).head_id
    first = vsi(who, head, "form-1")  # type: ignore[arg-type]
    pay(who, first, "pay-1")  # the months used and the next month to pay have moved on
    assert vsi(who, head, "form-1").pk == first.pk and Enrollment.objects.count() == 1  # type: ignore[arg-type]


def test_the_same_key_for_another_request_is_refused_and_writes_nothing(who: Personas) -> None:
    head = poor_household(who).head_id
    vsi(who, head, "form-1")  # type: ignore[arg-type]
    before = counts()
    with pytest.raises(DomainError) as refused:
        vsi(who, head, "form-1", income=2_000_000)  # type: ignore[arg-type]
    assert refused.value.code == "idempotency_conflict" and "Idempotency-Key" in refused.value.message
    assert counts() == before


def test_keys_are_scoped_to_the_actor(who: Personas) -> None:
    first, second = person(who, 1), person(who, 2)
    mine = vsi(who, first.pk, "k")
    scope = who.scope(who.admin)
    theirs = enrolling.enroll_vsi(who.admin, scope, enrolling.quote_vsi(scope, second.pk, ON, 1_500_000, 12),
                                  idempotency_key="k")
    assert theirs.pk != mine.pk and theirs.created_by == who.admin
    with pytest.raises(DomainError) as refused:  # the admin's "k" is their own, never the agent's term
        enrolling.enroll_vsi(who.admin, scope, enrolling.quote_vsi(scope, first.pk, ON, 1_500_000, 12),
                             idempotency_key="k")
    assert refused.value.code == "idempotency_conflict" and Enrollment.objects.count() == 2


def test_household_cards_are_keyed_the_same_way(who: Personas) -> None:
    household = plain_household(who)
    scope = who.scope(who.agent)
    offer = enrolling.quote_hi(scope, household.pk, [household.head_id], ON, 12)  # type: ignore[list-item]
    first = enrolling.enroll_hi(who.agent, scope, offer, "Trạm y tế", idempotency_key="hi-1")
    assert enrolling.enroll_hi(who.agent, scope, offer, "Trạm y tế", idempotency_key="hi-1").pk == first.pk
    before = counts()
    with pytest.raises(DomainError) as refused:
        enrolling.enroll_hi(who.agent, scope, offer, "Bệnh viện huyện", idempotency_key="hi-1")
    assert refused.value.code == "idempotency_conflict" and counts() == before == (1, 1, 1, 0)


def test_a_key_longer_than_100_characters_is_refused(who: Personas) -> None:
    head = poor_household(who).head_id
    with pytest.raises(DomainError) as refused:
        vsi(who, head, "k" * 101)  # type: ignore[arg-type]
    assert refused.value.code == "invalid_input" and counts() == (0, 0, 0, 0)


# The API: the Idempotency-Key header is required (1 to 100 characters).

def _post(who: Personas, body: dict[str, object], **headers: str) -> Any:
    token = issue_token(who.agent, "app")
    return Client().post("/api/enrollments/vsi", body, content_type="application/json",
                         HTTP_AUTHORIZATION=f"Bearer {token}", **headers)


def test_the_api_requires_the_key_and_replays_it(who: Personas) -> None:
    body = {"person_id": poor_household(who).head_id, "on": "2025-08-01", "income": 1_500_000, "months": 12}
    missing = _post(who, body)
    too_long = _post(who, body, HTTP_IDEMPOTENCY_KEY="k" * 101)
    assert (missing.status_code, too_long.status_code) == (422, 422)
    assert missing.json()["error"]["code"] == "invalid_input" and counts() == (0, 0, 0, 0)
    first, again = _post(who, body, HTTP_IDEMPOTENCY_KEY="app-7"), _post(who, body, HTTP_IDEMPOTENCY_KEY="app-7")
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["id"] == again.json()["id"] and Enrollment.objects.count() == 1
    other = _post(who, {**body, "income": 2_000_000}, HTTP_IDEMPOTENCY_KEY="app-7")
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "idempotency_conflict" and counts() == (1, 1, 0, 1)


def test_the_household_api_requires_the_key_too(who: Personas) -> None:
    household = plain_household(who)
    token = issue_token(who.agent, "app")
    body = {"household_id": household.pk, "on": "2025-08-01", "members": [household.head_id], "months": 12}

    def post(**headers: str) -> Any:
        return Client().post("/api/enrollments/hi", body, content_type="application/json",
                             HTTP_AUTHORIZATION=f"Bearer {token}", **headers)

    assert post().status_code == 422 and counts() == (0, 0, 0, 0)
    first, again = post(HTTP_IDEMPOTENCY_KEY="hi-app-1"), post(HTTP_IDEMPOTENCY_KEY="hi-app-1")
    assert (first.status_code, again.status_code) == (201, 201) and first.json()["id"] == again.json()["id"]
    assert counts() == (1, 1, 1, 0)
    refused = post(HTTP_IDEMPOTENCY_KEY="hi-app-2")  # a second key for the same member and days
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "enrollment_overlap"
    assert counts() == (1, 1, 1, 0)
