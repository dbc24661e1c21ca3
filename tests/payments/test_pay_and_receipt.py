"""Quote → enrol → pay → receipt: exact amounts, idempotent, transactional, scoped."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from ansinh.enrollment import services as enrolling
from ansinh.enrollment.models import Enrollment, EnrollmentStatus
from ansinh.lib.errors import DomainError
from ansinh.lib.money import format_vnd
from ansinh.payments import services as paying
from ansinh.payments.documents import amount_lines
from ansinh.payments.models import Payment, Receipt
from ansinh.registry import services as registry
from tests.builders import Personas, field_setup, person_data, personas

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
ON = date(2025, 8, 1)
AT = datetime(2025, 8, 1, 9, 30, tzinfo=TZ)


@pytest.fixture
def who() -> Personas:
    people = personas()
    field_setup(people)
    return people


def poor_household(who: Personas) -> int:
    scope = who.scope(who.agent)
    household = registry.create_household(who.agent, scope, person_data(), ON)
    registry.set_poverty_status(who.agent, scope, household.pk, "poor", date(2025, 1, 1), "QĐ 1/QĐ-UBND")
    return household.head_id  # type: ignore[return-value]


def vsi_enrollment(who: Personas, income: int = 1_500_000, months: int = 1) -> Enrollment:
    scope = who.scope(who.agent)
    offer = enrolling.quote_vsi(scope, poor_household(who), ON, income, months)
    return enrolling.enroll_vsi(who.agent, scope, offer)


def pay(who: Personas, enrollment: Enrollment, key: str = "k1", amount: int | None = None) -> Payment:
    return paying.record_payment(who.agent, who.scope(who.agent), enrollment.pk, amount=amount or enrollment.payable,
                                 method="cash", idempotency_key=key, paid_at=AT)


def test_a_poor_nghe_an_member_pays_66000_in_era_b_with_the_provincial_top_up_on_its_record(who: Personas) -> None:
    """Seed day 01/08/2025, 1,500,000 × 1 month: gross 22% = 330,000; state 50% × 22% × rural poverty
    line 1,500,000 = 165,000 (ND 134/2015 as amended); Nghệ An 30% × 22% × 1,500,000 = 99,000
    (NQ 07/2025/NQ-HĐND, the poor tier); payable 66,000. The province comes from the commune."""
    enrollment = vsi_enrollment(who)
    assert enrollment.support_groups == ["poor"]  # derived from the household's status that day
    assert (enrollment.gross, enrollment.state_support, enrollment.local_support, enrollment.payable) == (
        330_000, 165_000, 99_000, 66_000)
    record = enrollment.calculation
    assert record.inputs["province"] == "40"
    assert (record.result["state_support"], record.result["local_support"], record.result["payable"]) == (
        165_000, 99_000, 66_000)
    assert record.result["notices"] == []
    assert "local_support/40" in {p["name"] for p in record.parameters}
    names = {p["name"] for p in enrollment.calculation.parameters}
    assert {"rural_poverty_line", "vsi/state_support_rate"} <= names
    assert enrollment.period_start == date(2025, 8, 1) and enrollment.status == EnrollmentStatus.PENDING


def test_paying_issues_a_numbered_receipt_with_the_amount_in_words(who: Personas) -> None:
    payment = pay(who, vsi_enrollment(who))
    receipt = payment.receipt
    assert (receipt.number, receipt.amount, receipt.serial) == (1, 66_000, "BL40-2025-0000001")
    assert receipt.amount_words == "Sáu mươi sáu nghìn đồng"
    lines = dict(amount_lines(receipt.payment.enrollment, receipt))
    assert (lines["NSNN hỗ trợ"], lines["NSĐP hỗ trợ"]) == (format_vnd(165_000), format_vnd(99_000))
    payment.enrollment.refresh_from_db()
    assert payment.enrollment.status == EnrollmentStatus.PAID


def test_the_same_key_twice_gives_one_payment_and_one_receipt(who: Personas) -> None:
    enrollment = vsi_enrollment(who)
    first, again = pay(who, enrollment), pay(who, enrollment)
    assert first.pk == again.pk and Payment.objects.count() == 1 and Receipt.objects.count() == 1


def test_a_key_reused_for_another_payment_is_refused(who: Personas) -> None:
    pay(who, vsi_enrollment(who))
    other = enrolling.enroll_vsi(who.agent, who.scope(who.agent), enrolling.quote_vsi(
        who.scope(who.agent), registry.create_person(who.agent, who.scope(who.agent), person_data(
            full_name="Lê Văn Bình", citizen_id=None, date_of_birth=date(1970, 1, 1))).pk, ON, 1_500_000, 1))
    with pytest.raises(DomainError) as refused:
        pay(who, other)
    assert refused.value.code == "idempotency_conflict" and Payment.objects.count() == 1


def test_a_wrong_amount_changes_nothing(who: Personas) -> None:
    enrollment = vsi_enrollment(who)
    with pytest.raises(DomainError) as refused:
        pay(who, enrollment, amount=160_000)
    assert refused.value.code == "wrong_amount"
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.PENDING and Payment.objects.count() == Receipt.objects.count() == 0


def test_income_off_the_step_is_refused_before_anything_is_written(who: Personas) -> None:
    person_id = poor_household(who)
    with pytest.raises(DomainError) as refused:
        enrolling.quote_vsi(who.scope(who.agent), person_id, ON, 1_520_000, 1)
    assert refused.value.code == "income_off_step" and Enrollment.objects.count() == 0


def test_a_failure_after_the_payment_row_but_before_the_receipt_leaves_neither(
        who: Personas, monkeypatch: pytest.MonkeyPatch) -> None:
    enrollment = vsi_enrollment(who)

    def broken_receipt(payment: Payment) -> Receipt:
        assert Payment.objects.filter(pk=payment.pk).exists()  # the payment row was written...
        raise RuntimeError("printer on fire")

    monkeypatch.setattr(paying, "issue_receipt", broken_receipt)
    with pytest.raises(RuntimeError):
        pay(who, enrollment)
    assert Payment.objects.count() == 0 and Receipt.objects.count() == 0  # ...and rolled back with the receipt
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.PENDING


def test_someone_outside_the_scope_cannot_pay_or_see_it(who: Personas) -> None:
    enrollment = vsi_enrollment(who)
    with pytest.raises(DomainError) as refused:
        paying.record_payment(who.manager_elsewhere, who.scope(who.manager_elsewhere), enrollment.pk,
                              amount=enrollment.payable, method="cash", idempotency_key="x", paid_at=AT)
    assert refused.value.code == "not_found" and Payment.objects.count() == 0


def test_a_reversal_is_a_new_negative_entry_and_cancels_the_term(who: Personas) -> None:
    payment = pay(who, vsi_enrollment(who))
    reversal = paying.reverse_payment(who.admin, who.scope(who.admin), payment.pk, "Thu nhầm người", "r1", AT)
    assert reversal.amount == -66_000 and reversal.reverses == payment and Payment.objects.count() == 2
    payment.enrollment.refresh_from_db()
    assert payment.enrollment.status == EnrollmentStatus.CANCELLED
    with pytest.raises(RuntimeError):
        payment.save()


def test_support_months_are_counted_from_the_history(who: Personas) -> None:
    person_id = poor_household(who)
    scope = who.scope(who.agent)
    first = enrolling.enroll_vsi(who.agent, scope, enrolling.quote_vsi(scope, person_id, ON, 1_500_000, 12))
    pay(who, first)
    second = enrolling.quote_vsi(scope, person_id, date(2026, 8, 1), 1_500_000, 12)
    assert second.inputs["supported_months_used"] == 12 and second.period_start == date(2026, 8, 1)
    assert second.is_renewal


def test_household_ranks_continue_within_the_year_and_cards_continue(who: Personas) -> None:
    scope = who.scope(who.agent)
    household = registry.create_household(who.agent, scope, person_data(), ON)
    spouse = registry.add_member(who.agent, scope, household.pk, "spouse", ON, new_person=person_data(
        full_name="Lê Thị Hoa", sex="female", citizen_id="040190000321", date_of_birth=date(1990, 6, 1)))
    offer = enrolling.quote_hi(scope, household.pk, [household.head_id], ON, 12)  # type: ignore[list-item]
    head_only = enrolling.enroll_hi(who.agent, scope, offer)
    assert [line.amount for line in head_only.hi_lines.all()] == [1_263_600]
    pay(who, head_only, key="hi1")
    later = enrolling.quote_hi(scope, household.pk, [spouse.person_id], date(2025, 10, 1), 12)
    assert later.already_joined == 1 and [m.rank for m in later.quote.members] == [2]
    assert later.quote.members[0].amount == 884_520
