"""Concurrent duplicates (threads on PostgreSQL; SQLite serialises every write, so there they run one
by one): one key sent many times gives one term; many keys for the same months give one term and clear
refusals; two payments racing for the last supported months give one supported payment."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from django.db import connection, connections

from ansinh.enrollment import services as enrolling
from ansinh.enrollment.models import Enrollment, EnrollmentStatus
from ansinh.lib.errors import DomainError
from ansinh.payments.models import Payment
from tests.builders import Personas
from tests.enrollment.builders import ON, paid_history, pay, poor_household

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("nghe_an_map")]
WORKERS = 6 if connection.vendor == "postgresql" else 1


def _race(action: Callable[[int], Any], n: int) -> list[Any]:
    def run(i: int) -> Any:
        try:
            return action(i)
        except DomainError as refused:
            return refused.code
        finally:
            connections.close_all()  # each worker thread has its own connection

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(run, range(n)))


def _vsi(who: Personas, person_id: int, key: str) -> int:
    scope = who.scope(who.agent)
    offer = enrolling.quote_vsi(scope, person_id, ON, 1_500_000, 12)
    return enrolling.enroll_vsi(who.agent, scope, offer, idempotency_key=key).pk


def test_one_key_sent_concurrently_gives_the_first_term_to_every_request(who: Personas) -> None:
    head: int = poor_household(who).head_id  # type: ignore[assignment]
    results = _race(lambda _: _vsi(who, head, "double-tap"), 12)
    assert len(set(results)) == 1 and Enrollment.objects.get().pk == results[0]


def test_many_keys_for_the_same_months_give_one_term_and_refusals(who: Personas) -> None:
    head: int = poor_household(who).head_id  # type: ignore[assignment]
    results = _race(lambda i: _vsi(who, head, f"tab-{i}"), 12)
    made = Enrollment.objects.get()
    assert sorted(results, key=str) == sorted([made.pk] + ["enrollment_overlap"] * 11, key=str)


def test_two_payments_racing_for_the_last_supported_months_pay_one(who: Personas) -> None:
    head = poor_household(who).head
    paid_history(head, date(2016, 8, 1), date(2025, 7, 31), 108, supported=108)
    scope = who.scope(who.agent)
    offer = enrolling.quote_vsi(scope, head.pk, ON, 1_500_000, 12)
    terms = [enrolling.enroll_vsi(who.agent, scope, replace(offer, period_start=start), idempotency_key=str(start))
             for start in (date(2025, 8, 1), date(2026, 8, 1))]
    results = _race(lambda i: pay(who, terms[i], f"pay-{i}").pk, 2)
    assert sorted(results, key=str) == sorted([Payment.objects.get().pk, "quote_outdated"], key=str)
    statuses = sorted(Enrollment.objects.filter(pk__in=[t.pk for t in terms]).values_list("status", flat=True))
    assert statuses == [EnrollmentStatus.PAID, EnrollmentStatus.PENDING]
