"""Issue 14: the renewals page reads cohort facts (each paid term's gap to the next paid term of its
person or household, decided once). The payment path keeps them exactly as a rebuild from the terms
would — payments in any order, reversals, VSI and household HI — and the page's figures equal the
term-by-term queries on the demo (every demo account's scope, the 2025 mergers' included) and on a
small synthetic province."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model

from ansinh.demo.services import DEMO_LOGINS
from ansinh.demo.synth import synthesize
from ansinh.enrollment import services as enrolling
from ansinh.enrollment.models import Enrollment, EnrollmentStatus, PlanStatus, Scheme, VsiPlan
from ansinh.org.scope import scope_for
from ansinh.payments import services as paying
from ansinh.registry import services as registry
from ansinh.reports import queries, services
from ansinh.reports.models import NO_NEXT, CohortDay
from tests.builders import COMMUNE_X, Personas, commune, field_setup, person_data, personas
from tests.enrollment.builders import AT, pay, poor_household, vsi

pytestmark = pytest.mark.django_db


def cells() -> list[tuple[object, ...]]:
    return sorted(CohortDay.objects.exclude(terms=0).values_list("day", "area_id", "scheme", "gap", "terms"))


def assert_kept_as_rebuilt() -> list[tuple[object, ...]]:
    kept = cells()
    services.refresh_cohorts()
    assert cells() == kept
    return kept


def assert_page_equals_reference(on: date, scopes: list[set[int] | None]) -> None:
    for area_ids in scopes:
        assert queries.renewal_cohorts(on, area_ids) == queries.renewal_cohorts_by_term(on, area_ids)
        assert queries.lapses(on, area_ids) == queries.lapses_by_term(on, area_ids)


def test_payments_in_any_order_and_reversals_keep_the_cohort_facts_as_a_rebuild_would() -> None:
    who: Personas = personas()
    field_setup(who)
    head: int = poor_household(who).head_id  # type: ignore[assignment]
    august = vsi(who, head, "a", months=1)
    september = vsi(who, head, "b", months=1, on=date(2025, 9, 1))
    assert (august.period_start, september.period_start) == (date(2025, 8, 1), date(2025, 9, 1))
    paid_september = pay(who, september, "p-sep")  # the later month first: August is not paid yet
    assert assert_kept_as_rebuilt() == [(date(2025, 9, 30), september.area_id, Scheme.VSI, NO_NEXT, 1)]
    pay(who, august, "p-aug")  # August now renews into September (gap 1 day)
    assert (date(2025, 8, 31), august.area_id, Scheme.VSI, 1, 1) in assert_kept_as_rebuilt()
    on = date(2026, 1, 15)
    assert [(c["month"], c["ended"], c["renewed"]) for c in queries.renewal_cohorts(on)] == [
        (date(2025, 8, 1), 1, 1), (date(2025, 9, 1), 1, 0)]
    admin_scope = who.scope(who.admin)
    paying.reverse_payment(who.admin, admin_scope, paid_september.pk, "Thu nhầm", "r-sep", AT)
    assert assert_kept_as_rebuilt() == [(date(2025, 8, 31), august.area_id, Scheme.VSI, NO_NEXT, 1)]
    by_reason = {r["code"]: r["vsi"] for r in queries.lapses(on)}
    assert by_reason == {"cancelled": 1, "stopped": 0, "not_renewed": 1}

    scope = who.scope(who.agent)
    household = registry.create_household(who.agent, scope, person_data(full_name="Lê Thị Bình",
                                                                         citizen_id="040085000777"), AT.date())
    card = enrolling.enroll_hi(who.agent, scope, enrolling.quote_hi(scope, household.pk, [household.head_id],
                                                                    date(2025, 8, 1), 3),  # type: ignore[list-item]
                               "Trạm y tế", idempotency_key="hi-1")
    pay(who, card, "p-hi-1")
    later = enrolling.enroll_hi(who.agent, scope, enrolling.quote_hi(scope, household.pk, [household.head_id],
                                                                     date(2025, 12, 20), 3),  # type: ignore[list-item]
                                "Trạm y tế", idempotency_key="hi-2")
    pay(who, later, "p-hi-2")
    card.refresh_from_db()
    gap = (later.period_start - card.period_end).days
    assert (card.period_end, card.area_id, Scheme.HOUSEHOLD_HI, max(gap, 0), 1) in assert_kept_as_rebuilt()

    stopped = vsi(who, head, "c", months=1, on=date(2025, 10, 1))
    pay(who, stopped, "p-oct")
    VsiPlan.objects.filter(person_id=head).update(status=PlanStatus.STOPPED)  # a stop is not a payment
    for day in (date(2025, 12, 1), date(2026, 1, 15), date(2026, 6, 30)):
        assert_page_equals_reference(day, [None, {commune(COMMUNE_X).pk}, set()])
    assert {r["code"]: r["vsi"] for r in queries.lapses(date(2026, 6, 30))}["stopped"] == 1


@pytest.mark.usefixtures("demo")
def test_the_page_equals_the_term_by_term_queries_on_the_demo_in_every_scope() -> None:
    assert CohortDay.objects.exists()  # the demo's bulk load reaches them through the facts refresh
    scopes: list[set[int] | None] = [None, set()]
    scopes += [set(scope_for(get_user_model().objects.get(username=login.username)).area_ids)
               for login in DEMO_LOGINS]
    assert Enrollment.objects.filter(status=EnrollmentStatus.PAID, area__valid_to__isnull=False).exists()
    for on in (date(2025, 12, 1), date(2026, 6, 15)):
        assert_page_equals_reference(on, scopes)
    assert sum(c["ended"] for c in queries.renewal_cohorts(date(2026, 6, 15))) > 0


def test_the_page_equals_the_term_by_term_queries_on_a_small_synthetic_province() -> None:
    synthesize(400, today=date(2026, 11, 28))
    for on in (date(2026, 3, 1), date(2026, 11, 29)):
        assert_page_equals_reference(on, [None, {commune(COMMUNE_X).pk}])
    cohorts = queries.renewal_cohorts(date(2026, 11, 29))
    assert sum(c["renewed"] for c in cohorts) > 0 and sum(c["ended"] - c["renewed"] for c in cohorts) > 0
