"""`ansinh db partition` (reports/partitions.py): payments and facts in monthly partitions on
PostgreSQL, then the real payment path — record, replay, reverse — and a facts refresh on the
converted tables. The conversion runs inside the test's transaction and is rolled back with it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from ansinh.enrollment import services as enrolling
from ansinh.enrollment.models import Enrollment, EnrollmentStatus
from ansinh.lib.errors import DomainError
from ansinh.payments import services as paying
from ansinh.payments.models import Payment, Receipt
from ansinh.registry import services as registry
from ansinh.reports import partitions, services
from ansinh.reports.integrity import check_integrity
from ansinh.reports.models import AreaDay, Fact
from tests.builders import Personas, field_setup, person_data, personas

pytestmark = pytest.mark.django_db
ON = date(2025, 8, 1)
postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="declarative partitions are PostgreSQL's")


def _pending(who: Personas, name: str, citizen_id: str) -> Enrollment:
    scope = who.scope(who.agent)
    household = registry.create_household(who.agent, scope, person_data(full_name=name, citizen_id=citizen_id), ON)
    return enrolling.enroll_vsi(who.agent, scope, enrolling.quote_vsi(scope, household.head_id, ON, 1_500_000, 1))


def _pay(who: Personas, term: Enrollment, key: str) -> Payment:
    return paying.record_payment(who.agent, who.scope(who.agent), term.pk, amount=term.payable, method="cash",
                                 idempotency_key=key)


def _facts() -> list[tuple[object, ...]]:
    return sorted(Fact.objects.values_list("day", "area_id", "agent_id", "scheme", "is_renewal", "people",
                                           "enrollments", "amount", "state_support", "local_support"))


def _partition_of(table: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {table} WHERE id = %s", [pk])
        return str(cursor.fetchone()[0])


@postgresql
def test_payments_and_facts_in_monthly_partitions_keep_the_payment_path_and_the_refresh() -> None:
    who = personas()
    field_setup(who)
    terms = [_pending(who, name, f"04008500021{i}") for i, name in enumerate(["Lê Văn Bình", "Trần Thị Cúc",
                                                                               "Phạm Văn Dũng"])]
    before = _pay(who, terms[0], "p0")  # recorded before the conversion: copied into its month
    today = timezone.localdate()

    done = partitions.partition(today, ahead=2)
    assert partitions.is_partitioned("payments_payment") and partitions.is_partitioned("reports_fact")
    assert "payments_payment: đã chia theo tháng (4 phân vùng)" in done  # this month, 2 ahead, default
    month = f"{today:%Y%m}"
    assert _partition_of("payments_payment", before.pk) == f"payments_payment_p{month}"
    assert _partition_of("reports_fact", Fact.objects.get().pk) == f"reports_fact_p{month}"

    # The real payment path on the partitioned tables: receipt, facts (ON CONFLICT ON CONSTRAINT), replay.
    second = _pay(who, terms[1], "p1")
    assert second.pk > before.pk and _partition_of("payments_payment", second.pk) == f"payments_payment_p{month}"
    assert second.receipt.number == before.receipt.number + 1
    assert _pay(who, terms[1], "p1").pk == second.pk  # the same key again: the first result
    with pytest.raises(DomainError):
        _pay(who, terms[2], "p1")  # a key used for another payment
    fact = Fact.objects.get()
    assert (fact.people, fact.enrollments, fact.amount) == (2, 2, terms[0].payable + terms[1].payable)

    # A reversal: its link to the original, once only, across partitions.
    reversal = paying.reverse_payment(who.admin, who.scope(who.admin), second.pk, "Thu nhầm", "r1", timezone.now())
    assert reversal.reverses_id == second.pk and reversal.amount == -second.amount
    assert paying.reverse_payment(who.admin, who.scope(who.admin), second.pk, "Thu nhầm", "r1",
                                  timezone.now()).pk == reversal.pk
    terms[1].refresh_from_db()
    assert terms[1].status == EnrollmentStatus.CANCELLED
    fact = Fact.objects.get()
    assert (fact.enrollments, fact.amount) == (1, terms[0].payable)

    # What the old unique constraints and foreign keys guaranteed still holds, across months.
    other_month = before.paid_at - timedelta(days=40)
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(**_copy_of(before), paid_at=other_month, idempotency_key="p0")
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(**_copy_of(reversal), paid_at=other_month, idempotency_key="r2")
    with pytest.raises(IntegrityError), transaction.atomic():
        Receipt.objects.create(payment_id=10**9, pool=before.receipt.pool, number=999,
                               amount=1, amount_words="một đồng", issued_at=timezone.now())
        connection.cursor().execute("SET CONSTRAINTS ALL IMMEDIATE")

    # The refresh rebuilds the same facts from the payments, and the money trail holds.
    kept = _facts()
    assert services.refresh(today - timedelta(days=1), today + timedelta(days=1)) == 1
    assert _facts() == kept
    totals = services.raw_totals(today, today)
    assert (totals["amount"], AreaDay.objects.get().vsi_amount) == (terms[0].payable, terms[0].payable)
    assert check_integrity() == []

    # Run again (monthly): only the missing months are added.
    assert partitions.partition(today, ahead=3) == ["payments_payment: thêm 1 tháng", "reports_fact: thêm 1 tháng"]


def _copy_of(payment: Payment) -> dict[str, object]:
    fields = ("enrollment_id", "amount", "method", "payer", "sponsor_id", "agent_id", "collector_id",
              "collection_point_id", "recorded_by_id", "reverses_id")
    return {name: getattr(payment, name) for name in fields}


def test_sqlite_is_refused_with_a_clear_message() -> None:
    """On both engines: the guard refuses SQLite and lets PostgreSQL through; on SQLite the command itself."""
    with pytest.raises(DomainError, match="chỉ dùng với PostgreSQL"):
        partitions.require_postgresql("sqlite")
    partitions.require_postgresql("postgresql")
    if connection.vendor == "sqlite":
        with pytest.raises(DomainError, match="chỉ dùng với PostgreSQL"):
            partitions.partition(date(2026, 12, 1))
