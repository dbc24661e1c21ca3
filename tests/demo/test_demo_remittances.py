"""The demo records the handovers that happened (issue 13.7): no agent holds the 2022 campaign's cash."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Sum

from ansinh.demo.remittances import record_demo_remittances
from ansinh.demo.services import load_demo
from ansinh.org.scope import scope_for
from ansinh.payments import queries
from ansinh.payments.models import Payment, Remittance, RemittanceKind

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_data")]


def test_the_demos_cash_is_handed_over_the_next_day_and_nothing_is_overdue() -> None:
    admin = scope_for(get_user_model().objects.get(username="admin"))
    cash = Payment.objects.filter(method="cash", agent__isnull=False).aggregate(total=Sum("amount"))["total"]
    handed = Remittance.objects.filter(kind=RemittanceKind.AGENT_TO_COLLECTOR)
    assert handed.aggregate(total=Sum("amount"))["total"] == cash > 0
    assert (Remittance.objects.filter(kind=RemittanceKind.COLLECTOR_TO_BHXH).aggregate(total=Sum("amount"))["total"]
            == cash)
    assert set(handed.values_list("remitted_on", flat=True)) == {date(2022, 5, 9), date(2025, 8, 2)}
    rows, campaign = queries.reconciliation_with_summary(admin, date(2022, 5, 1), date(2022, 5, 31))
    assert campaign and all(a.opening == 0 and a.closing == 0 and a.overdue == 0 and a.collected == a.remitted
                            for a in campaign)
    assert all(r.overdue == 0 for r in rows)
    _, summary = queries.reconciliation_with_summary(admin, date(2025, 8, 1), date(2025, 8, 31))
    [daily] = summary
    assert (daily.opening, daily.closing, daily.overdue) == (0, 0, 0) and daily.collected == daily.remitted > 0
    # Years later nobody holds anything: no row, no summary.
    assert queries.reconciliation_with_summary(admin, date(2026, 1, 1), date(2026, 1, 31)) == ([], [])
    count = Remittance.objects.count()
    assert record_demo_remittances() == 0 and load_demo() and Remittance.objects.count() == count
