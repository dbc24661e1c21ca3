"""Issue 12, "what was seen" 2: the 120-month cap on state support was checked only at quote time, so
two pending terms each quoting the last 12 supported months were both paid with support. The payment
now re-checks the cap and the support groups under the person's lock and refuses a stale quote."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from ansinh.enrollment import services as enrolling
from ansinh.enrollment.models import EnrollmentStatus
from ansinh.lib.errors import DomainError
from ansinh.payments.models import Payment, Receipt
from ansinh.registry import services as registry
from ansinh.reports.models import Fact
from tests.builders import Personas
from tests.enrollment.builders import ON, paid_history, pay, poor_household

pytestmark = pytest.mark.django_db


def test_two_pending_terms_quoting_the_last_12_supported_months_are_not_both_paid_with_support(
        who: Personas) -> None:
    household = poor_household(who)
    head = household.head
    paid_history(head, date(2016, 8, 1), date(2025, 7, 31), 108, supported=108)  # 12 supported months remain
    scope = who.scope(who.agent)
    offer = enrolling.quote_vsi(scope, head.pk, ON, 1_500_000, 12)
    assert offer.quote.supported_months == 12 and offer.period_start == date(2025, 8, 1)
    this_year = enrolling.enroll_vsi(who.agent, scope, offer, idempotency_key="a")
    # The following year's term, quoted the same day against the same paid history:
    next_year = enrolling.enroll_vsi(who.agent, scope, replace(offer, period_start=date(2026, 8, 1)),
                                     idempotency_key="b")
    assert (this_year.supported_months, next_year.supported_months) == (12, 12)
    pay(who, this_year, "p1")
    before = (Payment.objects.count(), Receipt.objects.count(), Fact.objects.count())
    with pytest.raises(DomainError) as refused:
        pay(who, next_year, "p2")
    next_year.refresh_from_db()
    assert refused.value.code == "quote_outdated" and next_year.status == EnrollmentStatus.PENDING
    assert (Payment.objects.count(), Receipt.objects.count(), Fact.objects.count()) == before
    # Stored: 3,960,000 − state 50% × 22% × 1,500,000 × 12 = 1,980,000 − Nghệ An 30% × 22% × 1,500,000 × 12
    # = 1,188,000 (NQ 07/2025/NQ-HĐND, on the same supported months) = 792,000; without supported months, neither.
    assert refused.value.message == (
        f"Mức đóng của kỳ số {next_year.pk} đã tính với 12 tháng được Nhà nước hỗ trợ (nhóm: poor); theo dữ liệu "
        "hiện nay người này đã dùng 120 tháng hỗ trợ và thuộc nhóm: poor, nên kỳ này còn 0 tháng được hỗ trợ và "
        "phải đóng 3.960.000 đ thay vì 792.000 đ. Hãy huỷ kỳ chờ thu này và tính lại mức đóng trước khi thu "
        "tiền.")
    # Cancelled and quoted again, the term is paid in full, its amounts as the rules say.
    enrolling.cancel_pending(who.agent, scope, next_year.pk)
    requoted = enrolling.enroll_vsi(who.agent, scope, replace(
        enrolling.quote_vsi(scope, head.pk, ON, 1_500_000, 12), period_start=date(2026, 8, 1)), idempotency_key="c")
    assert (requoted.supported_months, requoted.state_support, requoted.payable) == (0, 0, 3_960_000)
    assert pay(who, requoted, "p3").amount == 3_960_000


def test_a_poverty_status_recorded_after_the_quote_is_seen_at_payment(who: Personas) -> None:
    household = poor_household(who)
    scope = who.scope(who.agent)
    term = enrolling.enroll_vsi(who.agent, scope, enrolling.quote_vsi(scope, household.head_id, ON, 1_500_000, 1),  # type: ignore[arg-type]
                                idempotency_key="a")
    assert term.support_groups == ["poor"] and term.payable == 66_000  # 330,000 − 165,000 − Nghệ An 99,000
    # The commune's decision taking the household off the list from 01/07/2025 is entered afterwards.
    registry.set_poverty_status(who.agent, scope, household.pk, "none", date(2025, 7, 1), "QĐ 2/QĐ-UBND")
    with pytest.raises(DomainError) as refused:
        pay(who, term, "p1")
    assert refused.value.code == "quote_outdated" and "thuộc nhóm: không" in refused.value.message
    assert Payment.objects.count() == 0


def test_an_override_with_its_reason_keeps_its_groups_at_payment(who: Personas) -> None:
    household = poor_household(who)
    scope = who.scope(who.agent)
    term = enrolling.enroll_vsi(who.agent, scope, enrolling.quote_vsi(
        scope, household.head_id, ON, 1_500_000, 1, groups_override=["near_poor"],  # type: ignore[arg-type]
        override_reason="Giấy xác nhận hộ cận nghèo số 12"), idempotency_key="a")
    registry.set_poverty_status(who.agent, scope, household.pk, "none", date(2025, 7, 1), "QĐ 2/QĐ-UBND")
    assert pay(who, term, "p1").amount == term.payable == 115_500
    # 330,000 less the state's 40 % (132,000) and Nghệ An's 25 % of 22 % × 1,500,000 (82,500) for near-poor
