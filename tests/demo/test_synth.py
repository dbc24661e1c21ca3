"""The synthetic province: the asked-for size, the rules' amounts, history on the map of its day,
facts equal to the payments, and no second load into the same database."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.models import Max, Min
from django.utils import timezone
from typer.testing import CliRunner

from ansinh.cli import app
from ansinh.demo.synth import synthesize
from ansinh.enrollment.models import Enrollment, EnrollmentStatus, HiCardLine, Scheme
from ansinh.lib.errors import DomainError
from ansinh.payments.models import Payment
from ansinh.registry.models import Household, Membership, Person
from ansinh.reports import queries, services
from ansinh.rules import household_hi, vsi

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 28)


def _constraints() -> dict[str, set[str]]:
    with connection.cursor() as cursor:
        return {model._meta.db_table: set(connection.introspection.get_constraints(cursor, model._meta.db_table))
                for model in (Person, Household, Enrollment, HiCardLine, Payment)}


def test_a_small_province_is_consistent_and_its_facts_equal_the_payments() -> None:
    indexes = _constraints()
    made = synthesize(400, today=TODAY)
    assert _constraints() == indexes  # what a bulk load drops for speed is rebuilt
    assert made.people == Person.objects.count() == 400
    assert made.households == Household.objects.count() == round(400 / 3.4)
    assert made.payments == Payment.objects.count() > 0
    assert Enrollment.objects.filter(scheme=Scheme.HOUSEHOLD_HI).exists()
    start, last = date(2022, 11, 1), TODAY - timedelta(days=1)
    view, raw = queries.overview(start, last), services.raw_totals(start, last)
    assert (view["amount"], view["vsi_new_people"], view["hi_new_people"]) == (
        raw["amount"], raw["vsi_new_people"], raw["hi_new_people"])
    assert raw["amount"] > 0

    for payment in Payment.objects.select_related("enrollment__area"):  # each on the map of its own day
        day, area = timezone.localdate(payment.paid_at), payment.enrollment.area
        assert (area.valid_from is None or area.valid_from <= day) and (area.valid_to is None or day <= area.valid_to)
    span = Payment.objects.aggregate(first=Min("paid_at"), last=Max("paid_at"))
    assert start <= timezone.localdate(span["first"]) < date(2023, 6, 1) and timezone.localdate(span["last"]) <= last

    term = Enrollment.objects.filter(scheme=Scheme.VSI, months=1).first()
    assert term is not None
    expected = vsi.quote(vsi.VsiQuoteInput(on=term.period_start, income=term.income or 0, months=1,
                                           groups=frozenset(term.support_groups)))
    assert (term.payable, term.state_support) == (expected.payable, expected.state_support)

    lines = HiCardLine.objects.values_list("live", "enrollment__status")
    assert lines and all(live == (status != EnrollmentStatus.CANCELLED) for live, status in lines)

    # Households' renewals continue their previous card, amounts and card dates as the rules give.
    renewals = list(Enrollment.objects.filter(scheme=Scheme.HOUSEHOLD_HI, is_renewal=True).select_related(
        "calculation").order_by("pk")[:20])
    assert renewals
    for renewal in renewals:
        before = Enrollment.objects.filter(household=renewal.household_id, period_start__lt=renewal.period_start
                                           ).order_by("-period_start").first()
        assert before is not None
        size = Membership.objects.filter(household=renewal.household_id).count()
        again = household_hi.quote(household_hi.HiQuoteInput(
            on=renewal.quoted_on, members=tuple(household_hi.HiMember() for _ in range(size)), months=12,
            previous_card_end=before.period_end))
        assert (renewal.period_start, renewal.period_end, renewal.payable) == (
            again.card.valid_from, again.card.valid_to, again.total)
        assert renewal.calculation.result == json.loads(json.dumps(again.as_dict(), default=str))
    if connection.vendor == "postgresql":  # the records' JSON compressed with lz4 where the server has it
        with connection.cursor() as cursor:
            cursor.execute("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")
            lz4 = cursor.fetchone()[0]
            cursor.execute("SELECT DISTINCT pg_column_compression(result) FROM enrollment_calculationrecord "
                           "WHERE pg_column_compression(result) IS NOT NULL")
            assert {row[0] for row in cursor.fetchall()} == {"lz4" if lz4 else "pglz"}
        assert sorted(renewal.hi_lines.values_list("amount", flat=True)) == sorted(m.amount for m in again.members)


def test_a_second_load_is_refused_and_the_command_reports_what_it_made() -> None:
    result = CliRunner().invoke(app, ["demo", "synth", "--people", "60"])
    assert result.exit_code == 0, result.output
    assert "Đã sinh 60 người" in result.output
    with pytest.raises(DomainError, match="đã có tỉnh giả lập"):
        synthesize(60, today=TODAY)
    assert Person.objects.count() == 60
