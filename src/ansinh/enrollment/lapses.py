"""The nightly lapse statuses of voluntary-SI plans (a periodic job, jobs/schedules.py).

A plan is **lapsed** (gián đoạn) while the month it owes next is past its payment deadline — the last day
of the N-th month of the period for the participant's method, Luật 41/2024 art. 36(3) and ND 159/2025 from
01/07/2025, ND 134/2015 art. 9(2) before (rules/vsi.payment_deadline, the same test as the due list's
"quá hạn đóng"). Without a deadline in the parameters (advance or catch-up methods), once the owed
month has passed. A lapsed plan whose owed month is paid is **active** again on the next run. Stopped
plans (dừng đóng, registered by the participant: enrollment/services.stop_plan) are never touched.

Idempotent: each run recomputes every plan from the paid terms and changes only those whose status
differs, so a run cut short and run again has the effect of one.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from ansinh.enrollment.models import Enrollment, EnrollmentStatus, PlanStatus, Scheme, VsiPlan
from ansinh.lib.periods import add_months
from ansinh.rules import vsi
from ansinh.rules.params import default_parameters

CHUNK = 2000


def owed_month(plan_start: date, last_paid: tuple[date, int] | None) -> date:
    """The first month not yet paid: after the last paid term, or the plan's first month."""
    return add_months(last_paid[0], last_paid[1]) if last_paid else plan_start


def is_lapsed(term_months: int, owed: date, on: date, params: object = None) -> bool:
    this_month = on.replace(day=1)
    if owed > this_month:
        return False
    deadline = vsi.payment_deadline(term_months, owed, params)  # type: ignore[arg-type]
    return on > deadline.deadline if deadline.deadline else owed < this_month


def refresh_plan_statuses(on: date) -> dict[str, int]:
    """Set every active or lapsed plan's status as of ``on``; returns how many changed each way."""
    params = default_parameters()
    changed = {"lapsed": 0, "active": 0}
    plans = VsiPlan.objects.filter(status__in=[PlanStatus.ACTIVE, PlanStatus.LAPSED]).order_by("pk")
    last_pk = 0
    while True:
        chunk = list(plans.filter(pk__gt=last_pk).values_list("pk", "status", "term_months", "start_month")[:CHUNK])
        if not chunk:
            return changed
        last_pk = chunk[-1][0]
        last: dict[int, tuple[date, int]] = {}
        for plan_id, start, months in (Enrollment.objects.filter(
                plan_id__in=[row[0] for row in chunk], scheme=Scheme.VSI, status=EnrollmentStatus.PAID)
                .values_list("plan_id", "period_start", "months")):
            if plan_id not in last or start > last[plan_id][0]:
                last[plan_id] = (start, months)
        to = {PlanStatus.LAPSED: [], PlanStatus.ACTIVE: []}  # type: dict[str, list[int]]
        for plan_id, status, term, start in chunk:
            wanted = PlanStatus.LAPSED if is_lapsed(term, owed_month(start, last.get(plan_id)), on, params) \
                else PlanStatus.ACTIVE
            if wanted != status:
                to[wanted].append(plan_id)
        with transaction.atomic():
            for status, ids in to.items():
                if ids:  # the status is re-checked: a plan stopped meanwhile stays stopped
                    changed[status] += VsiPlan.objects.filter(
                        pk__in=ids, status__in=[PlanStatus.ACTIVE, PlanStatus.LAPSED]).update(status=status)


@task()
def lapse_statuses() -> dict[str, int]:
    return refresh_plan_statuses(timezone.localdate())
