"""`ansinh check integrity`: clean demo data gives no problem; each corruption, made by hand with a
raw update the services would never do, is named by its check."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from typer.testing import CliRunner

from ansinh.cli import app
from ansinh.enrollment.models import CalculationRecord, Enrollment, EnrollmentStatus
from ansinh.org.models import OrgKind, OrgUnit
from ansinh.payments.models import Payment, Receipt, ReceiptPool
from ansinh.reports.integrity import check_integrity
from ansinh.reports.models import AreaDay, Fact, FrozenPeriod

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_data")]
runner = CliRunner()


def checks() -> set[str]:
    return {problem.check for problem in check_integrity()}


def demo_vsi() -> Payment:
    return Payment.objects.get(idempotency_key="demo-vsi-hung")


@pytest.mark.last
def test_the_demo_data_is_consistent() -> None:
    """Run at the end of the suite (the `last` marker): the demo as loaded holds every check."""
    assert check_integrity() == []
    result = runner.invoke(app, ["check", "integrity"])
    assert result.exit_code == 0 and result.stdout.strip() == "0 vấn đề"


def test_a_deleted_receipt_is_named_with_its_payment_and_the_gap_it_leaves() -> None:
    receipt = demo_vsi().receipt
    Receipt.objects.filter(pk=receipt.pk).delete()
    problems = check_integrity()
    assert {(p.check, p.subject) for p in problems} >= {("payment_receipt", f"khoản thu {receipt.payment_id}")}
    gap = [p for p in problems if p.check == "receipt_gap"]
    assert len(gap) == 1 and gap[0].message == f"thiếu 1 số: {receipt.number}"


def test_a_skipped_pool_number_is_a_gap() -> None:
    pool = ReceiptPool.objects.get(series="BL40-DEMO")
    ReceiptPool.objects.filter(pk=pool.pk).update(next_number=F("next_number") + 1)
    problems = check_integrity()
    assert [(p.check, p.message) for p in problems] == [("receipt_gap", f"thiếu 1 số: {pool.next_number}")]


def test_a_number_beyond_the_pools_counter_is_named() -> None:
    receipt = demo_vsi().receipt
    Receipt.objects.filter(pk=receipt.pk).update(number=900)
    messages = [p.message for p in check_integrity() if p.check == "receipt_gap"]
    assert f"thiếu 1 số: {receipt.number}" in messages and "số vượt quá số đã cấp (2): 900" in messages


def test_an_altered_fact_is_named_with_its_day_and_commune() -> None:
    payment = demo_vsi()
    fact = Fact.objects.get(day=date(2025, 8, 1), area_id=payment.enrollment.area_id, scheme="vsi")
    Fact.objects.filter(pk=fact.pk).update(amount=F("amount") + 1)
    problems = check_integrity()
    assert [(p.check, p.subject) for p in problems] == [("facts", f"Fact 01/08/2025 địa bàn {fact.area_id}")]


def test_an_altered_roll_up_is_named_too() -> None:
    row = AreaDay.objects.get(day=date(2025, 8, 1), area_id=demo_vsi().enrollment.area_id)
    AreaDay.objects.filter(pk=row.pk).update(vsi_new=F("vsi_new") - 1)
    assert [(p.check, p.subject) for p in check_integrity()] == [("facts", f"AreaDay 01/08/2025 địa bàn {row.area_id}")]


def test_frozen_days_keep_their_figures_and_are_not_compared() -> None:
    area_id = demo_vsi().enrollment.area_id
    FrozenPeriod.objects.create(start=date(2025, 8, 1), end=date(2025, 8, 1))  # frozen after the payments
    Fact.objects.filter(day=date(2025, 8, 1), area_id=area_id).update(amount=F("amount") + 1)
    assert check_integrity() == []


def test_a_payment_written_into_an_already_frozen_period_is_named() -> None:
    frozen = FrozenPeriod.objects.create(start=date(2025, 7, 1), end=date(2025, 8, 31))
    FrozenPeriod.objects.filter(pk=frozen.pk).update(frozen_at=timezone.now() - timedelta(days=400))
    subjects = {p.subject for p in check_integrity() if p.check == "frozen_period"}
    assert {f"khoản thu {p.pk}" for p in Payment.objects.filter(idempotency_key__in=["demo-vsi-hung",
                                                                                     "demo-hi-mai"])} == subjects


def test_an_enrollment_paid_twice_is_named() -> None:
    first = demo_vsi()
    second = Payment.objects.create(enrollment=first.enrollment, amount=first.amount, method="cash", agent=first.agent,
                                    collector=first.collector, paid_at=first.paid_at, idempotency_key="twice")
    pool = first.receipt.pool
    Receipt.objects.create(payment=second, pool=pool, number=pool.next_number, amount=second.amount,
                           amount_words="-", issued_at=second.paid_at)
    ReceiptPool.objects.filter(pk=pool.pk).update(next_number=F("next_number") + 1)
    paid_twice = [p for p in check_integrity() if p.check == "paid_twice"]
    assert [p.subject for p in paid_twice] == [f"đợt đóng {first.enrollment_id}"]
    assert paid_twice[0].message == f"tổng đã thu {2 * first.amount} đ khác 0 và khác số phải đóng {first.amount} đ"


def test_the_same_months_in_two_live_terms_cannot_even_be_written() -> None:
    """The check's "same months paid twice" guards data from before the enrol-once constraint (ADR 0007):
    today the database itself refuses the second live term, so the corruption cannot be built here."""
    first = demo_vsi()
    copy = Enrollment.objects.get(pk=first.enrollment_id)
    calculation = CalculationRecord.objects.get(pk=copy.calculation_id)
    calculation.pk = None
    calculation.save()
    copy.pk, copy.calculation = None, calculation
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()
    assert [p for p in check_integrity() if p.check == "paid_twice"] == []


def test_a_status_that_disagrees_with_the_payments_is_named() -> None:
    enrollment_id = demo_vsi().enrollment_id
    Enrollment.objects.filter(pk=enrollment_id).update(status=EnrollmentStatus.PENDING)
    assert [(p.check, p.message) for p in check_integrity()] == [
        ("paid_twice", "trạng thái «chờ thu» nhưng đã có khoản thu")]


def test_a_payment_booked_to_another_collector_than_its_agents_is_named() -> None:
    payment = demo_vsi()
    other = OrgUnit.objects.create(code="BD99", name="Bưu điện khác", kind=OrgKind.COLLECTOR)
    Payment.objects.filter(pk=payment.pk).update(collector=other)
    assert [(p.check, p.subject) for p in check_integrity()] == [("payment_agent", f"khoản thu {payment.pk}")]


def test_a_collection_point_that_is_not_the_agents_is_named() -> None:
    payment = demo_vsi()
    point = OrgUnit.objects.create(code="BD40-XX", name="Điểm thu khác", kind=OrgKind.COLLECTION_POINT,
                                   parent=payment.collector)
    Payment.objects.filter(pk=payment.pk).update(collection_point=point)
    assert [(p.check, p.message) for p in check_integrity()] == [
        ("payment_agent", "điểm thu không thuộc nhân viên thu")]


def test_the_command_lists_problems_one_per_line_and_exits_1() -> None:
    payment = demo_vsi()
    Receipt.objects.filter(payment=payment).delete()
    result = runner.invoke(app, ["check", "integrity"])
    assert result.exit_code == 1
    lines = result.stdout.strip().splitlines()
    assert lines[0] == f"[payment_receipt] khoản thu {payment.pk}: không có biên lai"
    assert lines[-1] == "2 vấn đề"


def test_the_json_output_is_the_contract() -> None:
    Receipt.objects.filter(payment=demo_vsi()).delete()
    result = runner.invoke(app, ["check", "integrity", "--json"])
    data = json.loads(result.stdout)
    assert result.exit_code == 1 and data["count"] == 2 == len(data["problems"])
    assert set(data["problems"][0]) == {"check", "subject", "message"}
