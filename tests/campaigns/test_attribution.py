"""Attribution is written with the payment (ADR 0005): at once, once per campaign, undone by a
reversal; a refresh links what bulk loads and campaigns created later left out."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from typer.testing import CliRunner

from ansinh.campaigns import attribution, queries
from ansinh.campaigns.models import Attribution, Campaign, CampaignStatus
from ansinh.cli import app
from ansinh.enrollment.models import Enrollment
from ansinh.org.models import OrgUnit
from ansinh.payments import services as paying
from ansinh.payments.models import Payment
from tests.builders import COMMUNE_X, COMMUNE_Y, Personas, commune
from tests.campaigns.august import START, august, make_campaign, pay_new_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    return august()


def reverse(world: dict[str, Any], enrollment: Enrollment) -> None:
    who: Personas = world["who"]
    payment = Payment.objects.get(enrollment=enrollment, reverses__isnull=True)
    paying.reverse_payment(who.admin, who.scope(who.admin), payment.pk, "Thu nhầm", f"rev-{payment.pk}",
                           payment.paid_at + timedelta(hours=1))


def test_the_payment_is_attributed_when_it_is_recorded(world: dict[str, Any]) -> None:
    enrollment = pay_new_person(world, "Người Một", START)
    link = Attribution.objects.get(enrollment=enrollment)
    assert (link.campaign, link.event, link.site, link.team, link.agent) == (
        world["campaign"], world["event"], world["site"], world["team"], world["agent"])
    assert queries.summary(world["campaign"])["vsi_new"] == 1
    assert attribution.refresh(world["campaign"]) == (0, 0)  # nothing left for the refresh


def test_payments_outside_the_period_or_the_areas_count_for_nothing(world: dict[str, Any]) -> None:
    pay_new_person(world, "Sau Chiến Dịch", date(2025, 9, 2))
    pay_new_person(world, "Ngoài Địa Bàn", START + timedelta(days=3), COMMUNE_Y)
    assert not Attribution.objects.exists()
    assert attribution.refresh(world["campaign"]) == (0, 0)


def test_a_later_day_has_no_event(world: dict[str, Any]) -> None:
    enrollment = pay_new_person(world, "Người Hai", START + timedelta(days=5))
    assert Attribution.objects.get(enrollment=enrollment).event is None


def test_a_reversal_takes_the_enrollment_out_of_the_campaign(world: dict[str, Any]) -> None:
    kept, reversed_ = pay_new_person(world, "Giữ Lại", START), pay_new_person(world, "Thu Nhầm", START)
    reverse(world, reversed_)
    assert list(Attribution.objects.values_list("enrollment_id", flat=True)) == [kept.pk]
    totals = queries.summary(world["campaign"])
    assert (totals["vsi_new"], totals["amount_collected"]) == (1, kept.payable)
    assert attribution.refresh(world["campaign"]) == (0, 0)  # the reversed one does not come back


def test_overlapping_campaigns_each_count_the_enrollment_once(world: dict[str, Any]) -> None:
    district_month = make_campaign("cung-ky")
    enrollment = pay_new_person(world, "Hai Chiến Dịch", START + timedelta(days=1))
    assert sorted(Attribution.objects.filter(enrollment=enrollment).values_list("campaign__slug", flat=True)) == [
        "cung-ky", "t"]
    assert Attribution.objects.get(enrollment=enrollment, campaign=district_month).team is None  # not its team
    assert queries.summary(district_month)["vsi_new"] == queries.summary(world["campaign"])["vsi_new"] == 1


def test_a_campaign_created_after_its_payments_is_filled_by_the_refresh(world: dict[str, Any]) -> None:
    enrollment = pay_new_person(world, "Trả Trước", START + timedelta(days=2))
    later = make_campaign("tao-sau")
    assert not Attribution.objects.filter(campaign=later).exists()
    result = CliRunner().invoke(app, ["campaigns", "refresh", "--campaign", "tao-sau"])
    assert result.exit_code == 0 and "1 hồ sơ" in result.stdout
    assert Attribution.objects.get(campaign=later).enrollment == enrollment
    assert attribution.refresh(later) == (0, 0)  # idempotent
    assert CliRunner().invoke(app, ["campaigns", "refresh", "--campaign", "khong-co"]).exit_code == 2


def test_the_listener_is_registered_beside_the_dashboards_facts() -> None:
    assert attribution.count_payment in paying.PAYMENT_LISTENERS


def test_a_campaign_reaches_the_communes_its_org_units_serve(world: dict[str, Any]) -> None:
    by_org = Campaign.objects.create(slug="buu-dien", name="Bưu điện", starts_on=START, ends_on=date(2025, 8, 31),
                                     status=CampaignStatus.ACTIVE)
    by_org.org_scope.set(OrgUnit.objects.filter(areas=commune(COMMUNE_X)))
    enrollment = pay_new_person(world, "Theo Đơn Vị", START)
    assert Attribution.objects.filter(campaign=by_org, enrollment=enrollment).exists()
