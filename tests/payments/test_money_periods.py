"""The money page over a period (issue 13.7, 13.8): the reconciliation's columns say what they mean and
add up (held at the start + collected − handed over = held at the end, for each day and for the whole
period, with what is overdue at the end); commission shows every month of a multi-month period, per
agent and month with totals, and an empty period says why."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from ansinh.enrollment import services as enrolling
from ansinh.org.models import Agent
from ansinh.org.scope import scope_for
from ansinh.payments import queries, services
from ansinh.payments.models import CommissionRate
from ansinh.registry import services as registry
from tests.builders import Personas, field_setup, person_data, personas

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
ON = date(2025, 8, 1)
# A member of commune X (Nghệ An) with no support group, 1,500,000 × 1 month from 01/08/2025: 330,000 − state
# 20 % 66,000 − province 5 % 16,500 = 247,500 (see tests/payments/test_money_rights.py).
PAYABLE = 247_500


@pytest.fixture
def who() -> Personas:
    people = personas()
    field_setup(people)
    return people


def collect(who: Personas, key: str, when: datetime, method: str = "cash") -> None:
    scope = scope_for(who.agent)
    found = registry.create_household(who.agent, scope, person_data(citizen_id=None, full_name=f"Chủ hộ {key}"), ON)
    enrollment = enrolling.enroll_vsi(who.agent, scope, enrolling.quote_vsi(scope, found.head_id, ON, 1_500_000, 1))
    assert enrollment.payable == PAYABLE
    services.record_payment(who.agent, scope, enrollment.pk, amount=PAYABLE, method=method, idempotency_key=key,
                            paid_at=when)


def hand_over(who: Personas, amount: int, on: date, key: str) -> None:
    collector_id = Agent.objects.get(user=who.agent).collector_id
    services.record_remittance(who.agent, scope_for(who.agent), kind="agent_to_collector", collector_id=collector_id,
                               amount=amount, on=on, idempotency_key=key)


def at(day: int, month: int = 8) -> datetime:
    return datetime(2025, month, day, 9, tzinfo=TZ)


@pytest.fixture
def cash(who: Personas) -> Personas:
    """Collected 247,500 on 01/08, 05/08 and 06/08; handed over 200,000 on 02/08 and 300,000 on 06/08."""
    for key, day in (("a", 1), ("b", 5), ("c", 6)):
        collect(who, key, at(day))
    hand_over(who, 200_000, date(2025, 8, 2), "h1")
    hand_over(who, 300_000, date(2025, 8, 6), "h2")
    return who


def test_each_day_starts_with_what_the_previous_day_left_and_adds_up(cash: Personas) -> None:
    """Grace 1 day: the cash of a day is due by the end of the next. On 02/08, 47,500 of 01/08 is still held
    and due (overdue); on 06/08 the 300,000 pays the oldest first (47,500 of 01/08, then 05/08's), leaving
    195,000 of 05/08 and 06/08, of which none is overdue (05/08's is due by the end of 06/08)."""
    rows = queries.reconciliation(scope_for(cash.admin), date(2025, 8, 2), date(2025, 8, 7))
    got = [(r.day.day, r.opening, r.collected, r.remitted, r.outstanding, r.overdue) for r in rows]
    assert got == [
        (2, 247_500, 0, 200_000, 47_500, 47_500),
        (5, 47_500, 247_500, 0, 295_000, 47_500),
        (6, 295_000, 247_500, 300_000, 242_500, 0),
        (7, 242_500, 0, 0, 242_500, 242_500),  # the last day: 06/08's remainder, due by the end of 07/08, is not in
    ]
    for r in rows:
        assert r.opening + r.collected - r.remitted == r.outstanding  # type: ignore[operator]
    # With 2 days' grace, 06/08's cash is due by the end of 08/08: not overdue on 07/08.
    rows = queries.reconciliation(scope_for(cash.admin), date(2025, 8, 7), date(2025, 8, 7), grace_days=2)
    assert [(r.opening, r.outstanding, r.overdue) for r in rows] == [(242_500, 242_500, 0)]


def test_the_whole_period_starts_with_what_was_held_before_it(cash: Personas) -> None:
    """01/08 is before the period: its 247,500 comes in as held at the start, not as collected."""
    _, [period] = queries.reconciliation_with_summary(scope_for(cash.admin), date(2025, 8, 2), date(2025, 8, 6))
    assert (period.opening, period.collected, period.remitted, period.closing, period.overdue) == (
        247_500, 495_000, 500_000, 242_500, 0)
    _, [whole] = queries.reconciliation_with_summary(scope_for(cash.admin), ON, date(2025, 8, 31))
    assert (whole.opening, whole.collected, whole.remitted, whole.closing, whole.overdue) == (
        0, 742_500, 500_000, 242_500, 242_500)
    # A later period with nothing moving still shows the agent: the cash is held, and overdue.
    rows, [later] = queries.reconciliation_with_summary(scope_for(cash.admin), date(2025, 9, 1), date(2025, 9, 30))
    assert (later.opening, later.collected, later.remitted, later.closing, later.overdue) == (
        242_500, 0, 0, 242_500, 242_500)
    assert [(r.day, r.opening, r.outstanding) for r in rows] == [(date(2025, 9, 30), 242_500, 242_500)]


def test_the_page_explains_each_column_and_shows_the_period(cash: Personas) -> None:
    client = Client()
    client.force_login(cash.admin)
    page = client.get("/thu-tien/", {"start": "2025-08-02", "end": "2025-08-06"})
    body = page.content.decode()
    assert page.status_code == 200
    for words in ("Còn giữ đầu kỳ", "Thu trong kỳ", "Nộp trong kỳ", "Còn giữ cuối kỳ", "Trong đó quá hạn nộp",
                  "= Còn giữ đầu + Thu − Nộp", "chậm nhất hết ngày hôm sau", "kể cả từ trước kỳ đang xem"):
        assert words in body
    assert "Cả kỳ 02/08/2025 – 06/08/2025" in body
    assert '<td class="money">247.500 đ</td><td class="money">495.000 đ</td><td class="money">500.000 đ</td>' in body
    xlsx = client.get("/thu-tien/", {"start": "2025-08-02", "end": "2025-08-06", "xlsx": "reconciliation"})
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.fixture
def months(who: Personas) -> Personas:
    """Cash on 02/08 and 20/08, cash on 01/10 and a transfer on 02/10 (no rate for transfers); nothing in
    September. Example rate 5 % for new VSI terms paid in cash."""
    CommissionRate.objects.create(scheme="vsi", is_renewal=False, method="cash", rate=Decimal("0.05"),
                                  valid_from=date(2025, 1, 1), source="Hợp đồng mẫu", is_example=True)
    collect(who, "aug1", at(2))
    collect(who, "aug2", at(20))
    collect(who, "oct1", at(1, 10))
    collect(who, "oct2", at(2, 10), method="bank_transfer")
    return who


def test_commission_shows_every_month_of_the_period_with_totals(months: Personas) -> None:
    report = queries.commission_statements(scope_for(months.admin), date(2025, 8, 1), date(2025, 10, 31))
    assert report.months == [date(2025, 8, 1), date(2025, 9, 1), date(2025, 10, 1)]
    assert [(s.month, s.collected, s.commission) for s in report.statements] == [
        (date(2025, 8, 1), 495_000, 24_750),
        (date(2025, 10, 1), 495_000, None),  # the transfer has no contract rate: not guessed
    ]
    october = report.statements[1]
    assert [(line.method, line.collected, line.commission) for line in october.lines] == [
        ("bank_transfer", PAYABLE, None), ("cash", PAYABLE, 12_375)]
    assert report.collected == 990_000 and report.commission is None
    # A period starting mid-month counts the days inside it only.
    part = queries.commission_statements(scope_for(months.admin), date(2025, 8, 15), date(2025, 9, 30))
    [august] = part.statements
    assert (august.first, august.last, august.whole_month, august.collected, august.commission) == (
        date(2025, 8, 15), date(2025, 8, 31), False, PAYABLE, 12_375)
    assert part.commission == 12_375


def test_the_money_page_lists_each_month_and_says_which_have_nothing(months: Personas) -> None:
    client = Client()
    client.force_login(months.admin)
    body = client.get("/thu-tien/", {"start": "2025-08-01", "end": "2025-10-31"}).content.decode()
    assert "Hoa hồng từ 01/08/2025 đến 31/10/2025" in body
    assert "Cộng tháng 08/2025 — Đại lý X" in body and "Cộng tháng 10/2025 — Đại lý X" in body
    assert '<span class="money">24.750 đ</span>' in body
    assert "Tháng 09/2025: chưa có khoản thu" in body
    assert "Tổng cộng cả kỳ" in body and "990.000 đ" in body and "chưa tính được (thiếu tỷ lệ)" in body
    xlsx = client.get("/thu-tien/", {"start": "2025-08-01", "end": "2025-10-31", "xlsx": "commission"})
    assert xlsx.status_code == 200


def test_an_empty_period_says_why_and_what_to_do(who: Personas) -> None:
    client = Client()
    client.force_login(who.admin)
    body = client.get("/thu-tien/", {"start": "2025-08-01", "end": "2025-09-30"}).content.decode()
    assert "Chưa có hoa hồng vì trong kỳ này chưa có khoản thu nào" in body and "Hãy chọn kỳ khác" in body
    assert "Tháng 08/2025: chưa có khoản thu" in body and "Tháng 09/2025: chưa có khoản thu" in body
    assert "Không có nhân viên nào thu, nộp hay còn giữ tiền mặt trong kỳ." in body
