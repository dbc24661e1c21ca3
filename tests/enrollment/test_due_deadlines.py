"""The due list gives each VSI period its method's payment deadline (issue 19 §4: art. 36(3),
vsi/payment_deadline_months), marks the ones past it as overdue, and is sorted by deadline."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from ansinh.enrollment import queries as coverage
from tests.builders import Personas
from tests.enrollment.builders import client_for, pay, person, poor_household, vsi

pytestmark = pytest.mark.django_db


def test_a_six_monthly_period_is_due_until_the_end_of_its_fourth_month(who: Personas) -> None:
    head = poor_household(who).head_id
    assert head is not None
    pay(who, vsi(who, head, "a", months=6), "p")  # August 2025 – January 2026 paid; next period from 01/02/2026
    scope = who.scope(who.agent)
    [due] = coverage.due_list(scope, date(2026, 2, 5))
    assert (due.kind, due.due_date, due.deadline, due.deadline_note) == (
        "vsi_due", date(2026, 2, 1), date(2026, 5, 31), "")
    # Past the period's first month but within its first four: not overdue yet.
    assert coverage.due_list(scope, date(2026, 5, 31))[0].kind == "vsi_due"
    [late] = coverage.due_list(scope, date(2026, 6, 1))
    assert (late.kind, late.deadline) == ("vsi_overdue", date(2026, 5, 31))


def test_the_page_and_its_sheet_show_the_deadline_and_mark_it_overdue(who: Personas) -> None:
    head = poor_household(who).head_id
    assert head is not None
    pay(who, vsi(who, head, "a", months=6), "p")  # next period from 01/02/2026, deadline 31/05/2026
    page = client_for(who.agent)
    body = page.get("/viec-can-lam/").content.decode()  # the page's day is today
    assert "kỳ từ 01/02/2026 · hạn đóng 31/05/2026" in body
    assert ("(quá hạn đóng)" in body) == (timezone.localdate() > date(2026, 5, 31))
    sheet = page.get("/viec-can-lam/?xlsx=1")
    assert sheet.status_code == 200 and sheet.content.startswith(b"PK")


def test_a_monthly_period_is_overdue_the_day_after_its_month(who: Personas) -> None:
    head = poor_household(who).head_id
    assert head is not None
    pay(who, vsi(who, head, "a", months=1), "p")  # August 2025 paid; September due
    scope = who.scope(who.agent)
    assert [(i.kind, i.deadline) for i in coverage.due_list(scope, date(2025, 9, 30))] == [
        ("vsi_due", date(2025, 9, 30))]
    assert [(i.kind, i.deadline) for i in coverage.due_list(scope, date(2025, 10, 1))] == [
        ("vsi_overdue", date(2025, 9, 30))]


def test_the_list_is_sorted_by_deadline_not_by_period(who: Personas) -> None:
    yearly = poor_household(who).head_id
    monthly = person(who, 7).pk
    assert yearly is not None
    pay(who, vsi(who, yearly, "y1", months=1), "py")  # August paid; then a 12-monthly plan from September
    vsi(who, yearly, "y2", months=12, on=date(2025, 9, 1))  # quoted, not paid: the plan is now every 12 months
    pay(who, vsi(who, monthly, "m1", months=1), "pm")
    pay(who, vsi(who, monthly, "m2", months=1, on=date(2025, 9, 1)), "pm2")  # September paid; October due
    items = coverage.due_list(who.scope(who.agent), date(2025, 10, 5))
    assert [(i.person.pk if i.person else None, i.due_date, i.deadline) for i in items] == [
        (monthly, date(2025, 10, 1), date(2025, 10, 31)),
        (yearly, date(2025, 9, 1), date(2026, 3, 31)),  # earlier period, later deadline (first 7 months)
    ]
    assert {i.kind for i in items} == {"vsi_due"}
