"""Attribution is written with the payment (ADR 0005): at once, once per campaign, undone by a
reversal; a refresh links what bulk loads and campaigns created later left out."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from ansinh.campaigns import attribution, queries
from ansinh.campaigns.models import (
    AdvisoryTeam,
    Attribution,
    Campaign,
    CampaignStatus,
    EventSite,
    LaunchEvent,
    TeamMember,
)
from ansinh.cli import app
from ansinh.enrollment import services as enrolling
from ansinh.enrollment.models import Enrollment
from ansinh.org.models import OrgUnit
from ansinh.payments import services as paying
from ansinh.payments.models import Payment
from ansinh.registry import services as registry
from tests.builders import COMMUNE_X, COMMUNE_Y, Personas, commune, field_setup, person_data, personas

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
START = date(2025, 8, 1)


def make_campaign(slug: str, starts: date = START, ends: date = date(2025, 8, 31)) -> Campaign:
    made = Campaign.objects.create(slug=slug, name=f"Chiến dịch {slug}", starts_on=starts, ends_on=ends,
                                   status=CampaignStatus.ACTIVE)
    made.areas.set([commune(COMMUNE_X)])
    return made


@pytest.fixture
def world() -> dict[str, Any]:
    who = personas()
    _, agent = field_setup(who)
    campaign = make_campaign("t")
    event = LaunchEvent.objects.create(campaign=campaign, name="Lễ ra quân",
                                       starts_at=datetime(2025, 8, 1, 7, tzinfo=TZ))
    site = EventSite.objects.create(event=event, area=commune(COMMUNE_X), venue="Điểm cầu Thành Vinh")
    team = AdvisoryTeam.objects.create(campaign=campaign, name="Tổ 1", site=site)
    TeamMember.objects.create(team=team, user=who.agent, kind="agent")
    return {"who": who, "agent": agent, "campaign": campaign, "event": event, "site": site, "team": team}


def pay(world: dict[str, Any], name: str, on: date, area_code: str = COMMUNE_X) -> Enrollment:
    who: Personas = world["who"]
    actor = who.agent if area_code == COMMUNE_X else who.admin
    scope = who.scope(actor)
    person = registry.create_person(actor, scope, person_data(full_name=name, citizen_id=None, phone="",
                                                              area_id=commune(area_code).pk))
    enrollment = enrolling.enroll_vsi(actor, scope, enrolling.quote_vsi(scope, person.pk, on, 1_500_000, 1))
    paying.record_payment(actor, scope, enrollment.pk, amount=enrollment.payable, method="cash",
                          idempotency_key=f"k-{name}", paid_at=datetime(on.year, on.month, on.day, 9, tzinfo=TZ),
                          agent_id=world["agent"].pk)
    return enrollment


def reverse(world: dict[str, Any], enrollment: Enrollment) -> None:
    who: Personas = world["who"]
    payment = Payment.objects.get(enrollment=enrollment, reverses__isnull=True)
    paying.reverse_payment(who.admin, who.scope(who.admin), payment.pk, "Thu nhầm", f"rev-{payment.pk}",
                           payment.paid_at + timedelta(hours=1))


def test_the_payment_is_attributed_when_it_is_recorded(world: dict[str, Any]) -> None:
    enrollment = pay(world, "Người Một", START)
    link = Attribution.objects.get(enrollment=enrollment)
    assert (link.campaign, link.event, link.site, link.team, link.agent) == (
        world["campaign"], world["event"], world["site"], world["team"], world["agent"])
    assert queries.summary(world["campaign"])["vsi_new"] == 1
    assert attribution.refresh(world["campaign"]) == (0, 0)  # nothing left for the refresh


def test_payments_outside_the_period_or_the_areas_count_for_nothing(world: dict[str, Any]) -> None:
    pay(world, "Sau Chiến Dịch", date(2025, 9, 2))
    pay(world, "Ngoài Địa Bàn", START + timedelta(days=3), COMMUNE_Y)
    assert not Attribution.objects.exists()
    assert attribution.refresh(world["campaign"]) == (0, 0)


def test_a_later_day_has_no_event(world: dict[str, Any]) -> None:
    enrollment = pay(world, "Người Hai", START + timedelta(days=5))
    assert Attribution.objects.get(enrollment=enrollment).event is None


def test_a_reversal_takes_the_enrollment_out_of_the_campaign(world: dict[str, Any]) -> None:
    kept, reversed_ = pay(world, "Giữ Lại", START), pay(world, "Thu Nhầm", START)
    reverse(world, reversed_)
    assert list(Attribution.objects.values_list("enrollment_id", flat=True)) == [kept.pk]
    totals = queries.summary(world["campaign"])
    assert (totals["vsi_new"], totals["amount_collected"]) == (1, kept.payable)
    assert attribution.refresh(world["campaign"]) == (0, 0)  # the reversed one does not come back


def test_overlapping_campaigns_each_count_the_enrollment_once(world: dict[str, Any]) -> None:
    district_month = make_campaign("cung-ky")
    enrollment = pay(world, "Hai Chiến Dịch", START + timedelta(days=1))
    assert sorted(Attribution.objects.filter(enrollment=enrollment).values_list("campaign__slug", flat=True)) == [
        "cung-ky", "t"]
    assert Attribution.objects.get(enrollment=enrollment, campaign=district_month).team is None  # not its team
    assert queries.summary(district_month)["vsi_new"] == queries.summary(world["campaign"])["vsi_new"] == 1


def test_a_campaign_created_after_its_payments_is_filled_by_the_refresh(world: dict[str, Any]) -> None:
    enrollment = pay(world, "Trả Trước", START + timedelta(days=2))
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
    enrollment = pay(world, "Theo Đơn Vị", START)
    assert Attribution.objects.filter(campaign=by_org, enrollment=enrollment).exists()
