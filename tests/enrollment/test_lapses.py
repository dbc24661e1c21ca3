"""The nightly lapse statuses (enrollment/lapses.py, a periodic job): a VSI plan whose owed month is past
its payment deadline is marked lapsed, and active again once that month is paid; a stopped plan is left
as it is; a lapsed plan stays on the due list (it is still owed); a run again changes nothing."""

from __future__ import annotations

from datetime import date

import pytest

from ansinh.enrollment import queries as coverage
from ansinh.enrollment import services as enrolling
from ansinh.enrollment.lapses import lapse_statuses, refresh_plan_statuses
from ansinh.enrollment.models import PlanStatus, VsiPlan
from ansinh.jobs import worker
from tests.builders import Personas
from tests.enrollment.builders import pay, person, vsi

pytestmark = pytest.mark.django_db


def test_a_monthly_plan_lapses_the_day_after_its_deadline_and_resumes_once_paid(who: Personas) -> None:
    someone = person(who, 1)
    pay(who, vsi(who, someone.pk, "a", months=1), "p")  # August 2025 paid; September due by 30/09/2025
    plan = VsiPlan.objects.get(person=someone)
    assert refresh_plan_statuses(date(2025, 9, 30)) == {"lapsed": 0, "active": 0}
    assert refresh_plan_statuses(date(2025, 10, 1)) == {"lapsed": 1, "active": 0}
    plan.refresh_from_db()
    assert plan.status == PlanStatus.LAPSED
    assert refresh_plan_statuses(date(2025, 10, 1)) == {"lapsed": 0, "active": 0}  # idempotent
    [due] = coverage.due_list(who.scope(who.agent), date(2025, 10, 1))
    assert (due.kind, due.person.pk) == ("vsi_overdue", someone.pk)  # still owed, still listed
    pay(who, vsi(who, someone.pk, "b", months=1, on=date(2025, 9, 1)), "q")  # September paid late
    assert refresh_plan_statuses(date(2025, 10, 2)) == {"lapsed": 0, "active": 1}  # October not yet late
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE


def test_a_stopped_plan_is_never_marked_lapsed(who: Personas) -> None:
    someone = person(who, 2)
    pay(who, vsi(who, someone.pk, "a", months=1), "p")
    enrolling.stop_plan(who.agent, who.scope(who.agent), someone.pk, date(2025, 8, 20))
    assert refresh_plan_statuses(date(2026, 1, 1)) == {"lapsed": 0, "active": 0}
    assert VsiPlan.objects.get(person=someone).status == PlanStatus.STOPPED


def test_the_periodic_job_sets_the_statuses_through_the_queue(who: Personas) -> None:
    someone = person(who, 3)
    pay(who, vsi(who, someone.pk, "a", months=1), "p")  # long past its deadline today
    lapse_statuses.enqueue()
    assert worker.drain() == 1
    assert VsiPlan.objects.get(person=someone).status == PlanStatus.LAPSED
