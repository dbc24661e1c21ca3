"""Tiny builders for enrolment tests (the ``who`` fixture is in conftest.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.test import Client

from ansinh.enrollment import services as enrolling
from ansinh.enrollment.models import CalculationRecord, Enrollment, EnrollmentStatus, HiCardLine, Scheme, VsiPlan
from ansinh.payments import services as paying
from ansinh.payments.models import Payment
from ansinh.registry import services as registry
from ansinh.registry.models import Household, Person
from tests.builders import Personas, person_data

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
ON = date(2025, 8, 1)
AT = datetime(2025, 8, 1, 9, 30, tzinfo=TZ)


def poor_household(who: Personas) -> Household:
    scope = who.scope(who.agent)
    household = registry.create_household(who.agent, scope, person_data(), ON)
    registry.set_poverty_status(who.agent, scope, household.pk, "poor", date(2025, 1, 1), "QĐ 1/QĐ-UBND")
    return household


def plain_household(who: Personas) -> Household:
    """A household with no poverty status: its members join household HI and pay by rank."""
    return registry.create_household(who.agent, who.scope(who.agent), person_data(), ON)


def person(who: Personas, n: int) -> Person:
    return registry.create_person(who.agent, who.scope(who.agent), person_data(
        full_name=f"Trần Văn Số {n}", citizen_id=f"040085{n:06d}", phone=""))


def vsi(who: Personas, person_id: int, key: str | None, *, months: int = 12, income: int = 1_500_000,
        on: date = ON) -> Enrollment:
    scope = who.scope(who.agent)
    offer = enrolling.quote_vsi(scope, person_id, on, income, months)
    return enrolling.enroll_vsi(who.agent, scope, offer, idempotency_key=key)


def pay(who: Personas, enrollment: Enrollment, key: str) -> Payment:
    return paying.record_payment(who.agent, who.scope(who.agent), enrollment.pk, amount=enrollment.payable,
                                 method="cash", idempotency_key=key, paid_at=AT)


def paid_history(someone: Person, start: date, end: date, months: int, supported: int) -> Enrollment:
    """Earlier paid VSI years, as the bulk import of BHXH's history writes them (no receipt here)."""
    record = CalculationRecord.objects.create(scheme=Scheme.VSI, computed_on=start, inputs={}, result={},
                                              parameters=[])
    return Enrollment.objects.create(
        scheme=Scheme.VSI, person=someone, area_id=someone.area_id, quoted_on=start, period_start=start,
        period_end=end, months=months, income=1_500_000, support_groups=["poor"], supported_months=supported,
        gross=0, payable=0, calculation=record, status=EnrollmentStatus.PAID)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def counts() -> tuple[int, int, int, int]:
    return (Enrollment.objects.count(), CalculationRecord.objects.count(), HiCardLine.objects.count(),
            VsiPlan.objects.count())
