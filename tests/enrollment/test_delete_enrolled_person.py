"""Issue 12, "what was seen" 5: deleting a person who has a term or a payment was an HTTP 500
(ProtectedError). It is a 409 with the documented error, and nothing is deleted or audited."""

from __future__ import annotations

import pytest

from ansinh.enrollment.models import Enrollment
from ansinh.registry.models import AuditEntry, Person
from tests.builders import Personas
from tests.enrollment.builders import client_for, pay, person, vsi

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("paid", [False, True])
def test_deleting_a_person_with_a_term_is_a_409_and_changes_nothing(who: Personas, paid: bool) -> None:
    someone = person(who, 1)
    term = vsi(who, someone.pk, "a", months=1)
    if paid:
        pay(who, term, "p1")
    audits = AuditEntry.objects.count()
    response = client_for(who.agent).delete(f"/api/people/{someone.pk}")
    assert response.status_code == 409 and response.json()["error"]["code"] == "has_records"
    assert "Không thể xoá" in response.json()["error"]["message"]
    assert Person.objects.filter(pk=someone.pk).exists() and Enrollment.objects.count() == 1
    assert AuditEntry.objects.count() == audits


def test_a_person_without_records_is_still_deleted(who: Personas) -> None:
    someone = person(who, 1)
    assert client_for(who.agent).delete(f"/api/people/{someone.pk}").status_code == 204
    assert not Person.objects.filter(pk=someone.pk).exists()
