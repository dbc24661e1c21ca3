"""Pre-aggregated facts equal the payments they summarise; refreshing twice changes nothing; a frozen
period keeps its figures."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from typer.testing import CliRunner

from ansinh.cli import app
from ansinh.enrollment import services as enrolling
from ansinh.payments import services as paying
from ansinh.registry import services as registry
from ansinh.reports import queries, services
from ansinh.reports.models import AreaDay, Fact
from tests.builders import COMMUNE_X, Personas, commune, field_setup, person_data, personas

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DAY = date(2025, 8, 1)


def paid(who: Personas, name: str) -> int:
    scope = who.scope(who.agent)
    person = registry.create_person(who.agent, scope, person_data(full_name=name, citizen_id=None, phone=""))
    enrollment = enrolling.enroll_vsi(who.agent, scope, enrolling.quote_vsi(scope, person.pk, DAY, 1_500_000, 1))
    return paying.record_payment(who.agent, scope, enrollment.pk, amount=enrollment.payable, method="cash",
                                 idempotency_key=name, paid_at=datetime(2025, 8, 1, 23, 30, tzinfo=TZ)).pk


def test_facts_equal_the_payments_and_a_refresh_is_idempotent() -> None:
    who = personas()
    field_setup(who)
    first = paid(who, "Một")
    paid(who, "Hai")
    paying.reverse_payment(who.admin, who.scope(who.admin), first, "Thu nhầm", "rev", datetime(2025, 8, 1, 23, 45,
                                                                                                tzinfo=TZ))
    services.refresh(DAY, DAY)
    view = queries.overview(DAY, DAY)
    assert {k: view[k] for k in ("amount", "vsi_new_people")} == {"amount": 247_500, "vsi_new_people": 1}
    assert services.raw_totals(DAY, DAY) == {"amount": 247_500, "vsi_new_people": 1, "hi_new_people": 0}
    rows = Fact.objects.count()
    services.refresh(DAY, DAY)
    assert Fact.objects.count() == rows and queries.overview(DAY, DAY)["amount"] == 247_500
    assert _analysed_rows(Fact) == rows and _analysed_rows(AreaDay) == AreaDay.objects.count() > 0


def _analysed_rows(model: type[Fact] | type[AreaDay]) -> int | None:
    """The rows the planner's statistics count for ``model``'s table: its exact count once ANALYZEd
    (a small table), -1 / None before (PostgreSQL 14+'s reltuples, no sqlite_stat1 row)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:  # ANALYZE writes the statistics in the same transaction
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        else:  # "<rows> <rows per index value>…" per table and index
            cursor.execute("SELECT MAX(CAST(stat AS INTEGER)) FROM sqlite_stat1 WHERE tbl = %s", [table])
        found = cursor.fetchone()
    return None if found is None or found[0] is None else int(found[0])


def test_a_frozen_period_keeps_its_figures() -> None:
    who = personas()
    field_setup(who)
    payment = paid(who, "Một")
    services.refresh(DAY, DAY)
    services.freeze(DAY, DAY)
    paying.reverse_payment(who.admin, who.scope(who.admin), payment, "Sửa sau khi báo cáo", "rev",
                           datetime(2025, 8, 1, 23, 50, tzinfo=TZ))
    services.refresh(DAY, DAY)
    assert queries.overview(DAY, DAY)["amount"] == 247_500  # as reported
    assert services.raw_totals(DAY, DAY)["amount"] == 0  # the payments themselves moved on


@pytest.mark.usefixtures("demo")
def test_the_seed_campaign_day_in_facts_matches_the_seed(tmp_path: object) -> None:
    launch = date(2022, 5, 8)
    result = CliRunner().invoke(app, ["reports", "refresh", "--from", "2022-05-08", "--to", "2022-05-08"])
    assert result.exit_code == 0 and "dòng số liệu" in result.output
    view = queries.overview(launch, launch)
    assert (view["vsi_new_people"], view["hi_new_people"]) == (1322, 2222)
    raw = services.raw_totals(launch, launch)
    assert view["amount"] == raw["amount"] and raw["vsi_new_people"] == 1322 and raw["hi_new_people"] == 2222


def test_the_writers_keep_the_facts_current_without_a_refresh() -> None:
    who = personas()
    field_setup(who)
    first = paid(who, "Một")
    assert queries.overview(DAY, DAY)["vsi_new_people"] == 1
    paid(who, "Hai")
    paying.reverse_payment(who.admin, who.scope(who.admin), first, "Thu nhầm", "rev", datetime(2025, 8, 1, 23, 45,
                                                                                                tzinfo=TZ))
    view = queries.overview(DAY, DAY)
    raw = services.raw_totals(DAY, DAY)
    assert view["amount"] == raw["amount"] == 247_500 and view["vsi_new_people"] == raw["vsi_new_people"] == 1
    by_hand = {(f.area_id, f.agent_id, f.people, f.enrollments, f.amount) for f in Fact.objects.all()}
    rolled = ("area_id", "vsi_new", "hi_new", "vsi_amount", "enrollments")
    rolled_by_hand = set(AreaDay.objects.values_list(*rolled))
    services.refresh(DAY, DAY)
    assert {(f.area_id, f.agent_id, f.people, f.enrollments, f.amount) for f in Fact.objects.all()} == by_hand
    assert set(AreaDay.objects.values_list(*rolled)) == rolled_by_hand
    assert rolled_by_hand == {(commune(COMMUNE_X).pk, 1, 0, 247_500, 1)}  # two terms, one reversed


def test_a_payment_on_a_frozen_day_leaves_the_facts_alone() -> None:
    who = personas()
    field_setup(who)
    services.freeze(DAY, DAY)
    paid(who, "Một")
    assert not Fact.objects.exists()
