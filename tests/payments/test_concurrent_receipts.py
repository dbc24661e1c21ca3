"""50 payments recorded concurrently get 50 distinct, consecutive receipt numbers (PostgreSQL row
lock on the receipt pool) and all 50 count in the dashboards' facts. SQLite serialises every write,
so there the payments run one by one."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections

from ansinh.enrollment import services as enrolling
from ansinh.payments import services as paying
from ansinh.payments.models import Receipt, Remittance
from ansinh.registry import services as registry
from ansinh.reports.models import AreaDay, Fact
from tests.builders import Personas, field_setup, person_data, personas

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("nghe_an_map")]
AT = datetime(2025, 8, 1, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def test_fifty_concurrent_payments_get_fifty_consecutive_receipt_numbers() -> None:
    who: Personas = personas()
    field_setup(who)
    scope = who.scope(who.agent)
    enrollments = []
    for i in range(50):
        person = registry.create_person(who.agent, scope, person_data(
            full_name=f"Người Thứ {i}", citizen_id=f"040085{i:06d}", phone=""))
        offer = enrolling.quote_vsi(scope, person.pk, date(2025, 8, 1), 1_500_000, 1)
        enrollments.append(enrolling.enroll_vsi(who.agent, scope, offer))

    def pay(enrollment_id: int) -> int:
        try:
            payment = paying.record_payment(who.agent, scope, enrollment_id, amount=247_500, method="cash",
                                            idempotency_key=f"concurrent-{enrollment_id}", paid_at=AT)
            return payment.receipt.number
        finally:
            connections.close_all()  # each worker thread has its own connection

    workers = 10 if connection.vendor == "postgresql" else 1
    with ThreadPoolExecutor(max_workers=workers) as pool:
        numbers = list(pool.map(pay, [e.pk for e in enrollments]))
    assert sorted(numbers) == list(range(1, 51))
    assert sorted(Receipt.objects.values_list("number", flat=True)) == list(range(1, 51))
    # The dashboards' cell was created by one writer and incremented by the 49 others: none lost.
    fact, rolled = Fact.objects.get(), AreaDay.objects.get()
    assert (fact.people, fact.amount, rolled.vsi_new, rolled.vsi_amount) == (50, 50 * 247_500, 50, 50 * 247_500)


def test_fifty_concurrent_requests_with_one_key_all_get_the_first_payment() -> None:
    """A phone retrying on a bad network: every request waits for the first and gets its result,
    never 409 "already paid" (the key is checked again once the enrolment's lock is held)."""
    who: Personas = personas()
    field_setup(who)
    scope = who.scope(who.agent)
    person = registry.create_person(who.agent, scope, person_data(citizen_id=None, phone=""))
    enrollment = enrolling.enroll_vsi(who.agent, scope, enrolling.quote_vsi(scope, person.pk, date(2025, 8, 1),
                                                                            1_500_000, 1))

    def replay(_: int) -> tuple[int, str]:
        try:
            payment = paying.record_payment(who.agent, scope, enrollment.pk, amount=247_500, method="cash",
                                            idempotency_key="one-tap", paid_at=AT)
            return payment.pk, payment.receipt.serial
        finally:
            connections.close_all()

    workers = 10 if connection.vendor == "postgresql" else 1
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(replay, range(50)))
    assert len(set(results)) == 1 and results[0][1] == "BL40-2025-0000001"
    assert Receipt.objects.count() == 1 and AreaDay.objects.get().vsi_new == 1


def test_twenty_concurrent_remittances_with_one_key_are_one_remittance() -> None:
    who: Personas = personas()
    post, agent = field_setup(who)
    scope = who.scope(who.agent)

    def remit(_: int) -> int:
        try:
            return paying.record_remittance(who.agent, scope, kind="agent_to_collector", collector_id=post.pk,
                                            amount=100_000, on=date(2025, 8, 2), idempotency_key="handover").pk
        finally:
            connections.close_all()

    workers = 10 if connection.vendor == "postgresql" else 1
    with ThreadPoolExecutor(max_workers=workers) as pool:
        ids = set(pool.map(remit, range(20)))
    assert len(ids) == 1 and Remittance.objects.get().agent == agent
