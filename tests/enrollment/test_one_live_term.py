"""Issue 12, "what was seen" 2: the same VSI months could be enrolled twice and both paid; household-HI
members could hold overlapping cards. Now the service refuses with the months or days and the term,
and the database refuses whatever bypasses the service; a cancelled term frees its days."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from ansinh.enrollment import services as enrolling
from ansinh.enrollment.models import CalculationRecord, Enrollment, EnrollmentStatus, HiCardLine, Scheme
from ansinh.lib.errors import DomainError
from ansinh.payments import services as paying
from ansinh.payments.models import Payment
from ansinh.registry import services as registry
from tests.builders import Personas, person_data
from tests.enrollment.builders import AT, ON, client_for, counts, pay, poor_household, vsi

pytestmark = pytest.mark.django_db


def test_a_second_vsi_term_over_the_same_months_is_refused_naming_the_months_and_the_term(who: Personas) -> None:
    head: int = poor_household(who).head_id  # type: ignore[assignment]
    first = vsi(who, head, "a")
    before = counts()
    with pytest.raises(DomainError) as refused:
        vsi(who, head, "b", months=3)
    assert refused.value.code == "enrollment_overlap" and counts() == before
    assert refused.value.message == (
        f"Nguyễn Văn An đã có kỳ đóng BHXH tự nguyện số {first.pk} (chờ thu tiền) từ tháng 08/2025 đến tháng "
        "07/2026: các tháng 08/2025–10/2025 không thể đăng ký lần nữa. Hãy thu tiền kỳ đó, hoặc huỷ kỳ chờ thu "
        "rồi tính lại.")


def test_after_payment_the_next_term_follows_and_cannot_be_paid_twice(who: Personas) -> None:
    head: int = poor_household(who).head_id  # type: ignore[assignment]
    pay(who, vsi(who, head, "a"), "p1")
    following = vsi(who, head, "b")  # starts after the paid months
    assert following.period_start == date(2026, 8, 1)


def test_the_database_refuses_an_overlapping_live_vsi_term_written_around_the_service(who: Personas) -> None:
    head: int = poor_household(who).head_id  # type: ignore[assignment]
    first = vsi(who, head, "a")
    with pytest.raises(IntegrityError), transaction.atomic():
        _copy(first, period_start=date(2026, 7, 1), period_end=date(2026, 7, 31))
    _copy(first, period_start=date(2026, 8, 1), period_end=date(2026, 8, 31))  # the next month is free
    _copy(first, status=EnrollmentStatus.CANCELLED)  # a cancelled term holds no month
    with pytest.raises(IntegrityError), transaction.atomic():  # nor can a term be moved onto another's months
        Enrollment.objects.filter(period_start=date(2026, 8, 1)).update(period_start=date(2026, 7, 1))
    assert Enrollment.objects.filter(person_id=head).count() == 3


def test_reversing_the_payment_frees_the_months_for_a_new_term(who: Personas) -> None:
    head: int = poor_household(who).head_id  # type: ignore[assignment]
    payment = pay(who, vsi(who, head, "a"), "p1")
    paying.reverse_payment(who.admin, who.scope(who.admin), payment.pk, "Thu nhầm", "r1", AT)
    again = vsi(who, head, "b")
    assert again.period_start == date(2025, 8, 1) and again.status == EnrollmentStatus.PENDING


def test_a_pending_term_can_be_cancelled_to_re_quote_it_but_a_paid_one_cannot(who: Personas) -> None:
    head: int = poor_household(who).head_id  # type: ignore[assignment]
    scope = who.scope(who.agent)
    wrong = vsi(who, head, "a", income=2_000_000)
    assert enrolling.cancel_pending(who.agent, scope, wrong.pk).status == EnrollmentStatus.CANCELLED
    assert enrolling.cancel_pending(who.agent, scope, wrong.pk).status == EnrollmentStatus.CANCELLED  # twice: same
    right = vsi(who, head, "b")
    pay(who, right, "p1")
    with pytest.raises(DomainError) as refused:
        enrolling.cancel_pending(who.agent, scope, right.pk)
    assert refused.value.code == "already_paid" and Enrollment.objects.get(pk=right.pk).status == EnrollmentStatus.PAID
    with pytest.raises(DomainError) as hidden:
        enrolling.cancel_pending(who.manager_elsewhere, who.scope(who.manager_elsewhere), wrong.pk)
    assert hidden.value.code == "not_found"


def _household_with_spouse(who: Personas) -> tuple[int, int, int]:
    scope = who.scope(who.agent)
    household = registry.create_household(who.agent, scope, person_data(), ON)
    spouse = registry.add_member(who.agent, scope, household.pk, "spouse", ON, new_person=person_data(
        full_name="Lê Thị Hoa", sex="female", citizen_id="040190000321", date_of_birth=date(1990, 6, 1)))
    return household.pk, household.head_id, spouse.person_id  # type: ignore[return-value]


def test_a_member_cannot_get_a_second_live_card_over_the_same_days(who: Personas) -> None:
    household, head, spouse = _household_with_spouse(who)
    scope = who.scope(who.agent)
    first = enrolling.enroll_hi(who.agent, scope, enrolling.quote_hi(scope, household, [head], ON, 12),
                                idempotency_key="h1")
    before = counts()
    with pytest.raises(DomainError) as refused:
        enrolling.enroll_hi(who.agent, scope, enrolling.quote_hi(scope, household, [head, spouse], ON, 12),
                            idempotency_key="h2")
    line = first.hi_lines.get()
    assert refused.value.code == "enrollment_overlap" and counts() == before
    assert refused.value.message.startswith(
        f"Nguyễn Văn An đã có thẻ BHYT hộ gia đình (kỳ số {first.pk}, chờ thu tiền) từ "
        f"{line.valid_from:%d/%m/%Y} đến {line.valid_to:%d/%m/%Y}, trùng các ngày {line.valid_from:%d/%m/%Y}–")
    spouse_only = enrolling.enroll_hi(who.agent, scope, enrolling.quote_hi(scope, household, [spouse], ON, 12),
                                      idempotency_key="h3")
    assert spouse_only.hi_lines.count() == 1


def test_a_member_listed_twice_is_refused(who: Personas) -> None:
    household, head, _ = _household_with_spouse(who)
    with pytest.raises(DomainError) as refused:
        enrolling.quote_hi(who.scope(who.agent), household, [head, head], ON, 12)
    assert refused.value.code == "invalid_input" and counts() == (0, 0, 0, 0)


def test_the_database_refuses_an_overlapping_live_card_and_a_reversal_frees_the_days(who: Personas) -> None:
    household, head, _ = _household_with_spouse(who)
    scope = who.scope(who.agent)
    first = enrolling.enroll_hi(who.agent, scope, enrolling.quote_hi(scope, household, [head], ON, 12),
                                idempotency_key="h1")
    line = first.hi_lines.get()
    assert line.live is True
    other = _copy(first, period_start=line.valid_to, period_end=line.valid_to)
    with pytest.raises(IntegrityError), transaction.atomic():
        HiCardLine.objects.create(enrollment=other, person_id=head, rank=1, factor=1, monthly=0, amount=0,
                                  valid_from=line.valid_to, valid_to=line.valid_to)
    payment = pay(who, first, "p1")
    # a queryset update of the status
    paying.reverse_payment(who.admin, who.scope(who.admin), payment.pk, "Thu nhầm", "r1", AT)
    line.refresh_from_db()
    assert line.live is False
    HiCardLine.objects.create(enrollment=other, person_id=head, rank=1, factor=1, monthly=0, amount=0,
                              valid_from=line.valid_to, valid_to=line.valid_to)
    assert HiCardLine.objects.get(enrollment=other).live is True
    cancelled = _copy(first, status=EnrollmentStatus.CANCELLED)  # a line of a cancelled term is born not live
    HiCardLine.objects.create(enrollment=cancelled, person_id=head, rank=1, factor=1, monthly=0, amount=0,
                              valid_from=line.valid_to, valid_to=line.valid_to)
    assert HiCardLine.objects.get(enrollment=cancelled).live is False


def test_the_api_answers_an_overlap_with_409_and_the_documented_error(who: Personas) -> None:
    head: int = poor_household(who).head_id  # type: ignore[assignment]
    vsi(who, head, "a")
    client = client_for(who.agent)
    response = client.post("/api/enrollments/vsi", {"person_id": head, "on": "2025-08-01", "income": 1_500_000,
                                                    "months": 12}, content_type="application/json",
                           HTTP_IDEMPOTENCY_KEY="api-2")
    assert response.status_code == 409 and response.json()["error"]["code"] == "enrollment_overlap"
    assert "08/2025–07/2026" in response.json()["error"]["message"] and Enrollment.objects.count() == 1
    cancel = client.post(f"/api/enrollments/{Enrollment.objects.get().pk}/cancel")
    assert cancel.status_code == 200 and cancel.json()["status"] == "cancelled"
    assert Payment.objects.count() == 0


def _copy(enrollment: Enrollment, **changes: object) -> Enrollment:
    record = CalculationRecord.objects.create(scheme=Scheme(enrollment.scheme), computed_on=ON, inputs={},
                                              result={}, parameters=[])
    fields = {f.attname: getattr(enrollment, f.attname) for f in Enrollment._meta.concrete_fields
              if f.attname not in ("id", "calculation_id", "idempotency_key", "request_digest", "created_at")}
    return Enrollment.objects.create(**{**fields, "calculation": record, **changes})
