"""The funnel, target pace, and the ranking with ties, read from the attributions written with each payment."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from ansinh.campaigns import analytics
from ansinh.campaigns import services as campaign_services
from ansinh.campaigns.models import (
    Attribution,
    Campaign,
    CampaignStatus,
    ConsultationSession,
    EventSite,
    LaunchEvent,
    Target,
)
from ansinh.enrollment import services as enrolling
from ansinh.lib.errors import DomainError
from ansinh.registry import services as registry
from tests.builders import COMMUNE_X, COMMUNE_Y, commune, person_data
from tests.campaigns.august import START, TZ, august, pay_new_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    return august()


def test_the_funnel_counts_each_step(world: dict) -> None:
    """Each stage is a subset of the one before and follows the leads: the lead of the person who
    paid, of the person registered but not paid, and one never found again."""
    ConsultationSession.objects.create(team=world["team"], location_name="Chợ Vinh", location_kind="market",
                                       held_on=START, people_advised=30)
    who = world["who"]
    scope = who.scope(who.agent)
    for name, phone, born in (("Người Một", "", date(1985, 3, 2)), ("Chưa Đóng", "0912345678", None),
                              ("Khách Lạ", "0900000000", None)):
        campaign_services.record_lead(who.agent, scope, world["team"].pk, START, campaign_services.LeadData(
            full_name=name, scheme="vsi", outcome="promised", phone=phone, follow_up_on=START, date_of_birth=born))
    pay_new_person(world, "Người Một", START)  # born 02/03/1985 in commune X: linked by name and birth date
    pending_person = registry.create_person(who.agent, scope, person_data(full_name="Chưa Đóng", citizen_id=None))
    enrolling.enroll_vsi(who.agent, scope, enrolling.quote_vsi(scope, pending_person.pk, START, 1_500_000, 1))
    assert analytics.funnel(world["campaign"]) == {"advised": 30, "leads": 3, "registered": 2, "paid": 1,
                                                   "renewed": 0}
    assert analytics.funnel(world["campaign"], team=world["team"])["paid"] == 1
    assert analytics.funnel(world["campaign"], site=world["site"])["registered"] == 2


def test_target_pace_and_forecast(world: dict) -> None:
    for i in range(2):
        pay_new_person(world, f"Người {i}", START)
    target = Target.objects.create(campaign=world["campaign"], area=commune(COMMUNE_X), scheme="vsi", value=31)
    [progress] = analytics.targets_progress(world["campaign"], date(2025, 8, 2))  # day 2 of 31
    assert progress.target == target
    assert (progress.actual, progress.forecast) == (2, 31)
    assert progress.pace == Decimal(1) and progress.share == Decimal(2) / 31


def test_ranking_by_each_rule_with_ties(world: dict) -> None:
    campaign, event = world["campaign"], world["event"]
    other = EventSite.objects.create(event=event, area=commune(COMMUNE_Y), venue="Điểm cầu Anh Sơn")
    pay_new_person(world, "Người Một", START)
    absolute = analytics.ranking(campaign, "absolute")
    assert [(r.rank, r.site.venue, r.new_participants) for r in absolute] == [
        (1, "Điểm cầu Thành Vinh", 1), (2, "Điểm cầu Anh Sơn", 0)]
    Target.objects.create(campaign=campaign, area=commune(COMMUNE_X), scheme="vsi", value=2)
    Target.objects.create(campaign=campaign, area=commune(COMMUNE_Y), scheme="vsi", value=4)
    shares = analytics.ranking(campaign, "share_of_target")
    assert [(r.rank, r.score) for r in shares] == [(1, Decimal("0.5")), (2, Decimal(0))]
    Attribution.objects.create(enrollment=pay_new_person(world, "Người Hai", START + timedelta(days=40)),
                               campaign=campaign, site=other, override_reason="Tính cho Anh Sơn theo quyết định")
    tied = analytics.ranking(campaign, "absolute")
    assert [r.rank for r in tied] == [1, 1]  # equal scores share the rank
    with pytest.raises(DomainError):
        analytics.ranking(campaign, "growth")  # no previous campaign to compare with


def test_growth_ranks_against_last_years_campaign(world: dict) -> None:
    campaign, event = world["campaign"], world["event"]
    last_year = Campaign.objects.create(slug="t-2024", name="Tháng vận động 2024", starts_on=date(2024, 8, 1),
                                        ends_on=date(2024, 8, 31), status=CampaignStatus.CLOSED)
    old_event = LaunchEvent.objects.create(campaign=last_year, name="2024", starts_at=datetime(2024, 8, 1, tzinfo=TZ))
    old_site = EventSite.objects.create(event=old_event, area=commune(COMMUNE_X), venue="Thành Vinh 2024")
    campaign.previous = last_year
    campaign.save()
    EventSite.objects.create(event=event, area=commune(COMMUNE_Y), venue="Điểm cầu Anh Sơn")
    for i in range(2):
        pay_new_person(world, f"Năm Nay {i}", START)
    Attribution.objects.create(enrollment=pay_new_person(world, "Năm Ngoái", START + timedelta(days=60)),
                               campaign=last_year, site=old_site, override_reason="Số liệu năm 2024")
    growth = analytics.ranking(campaign, "growth")
    assert [(r.rank, r.site.venue, r.score) for r in growth] == [(1, "Điểm cầu Thành Vinh", Decimal(1)),
                                                                  (2, "Điểm cầu Anh Sơn", Decimal(0))]
