"""A campaign month of August 2025 over commune X, with a launch event on the 1st, the Thành Vinh
site and team 1 (the agent persona), and a helper that enrols and pays a new person through the
services, as the agent (in X) or the admin (elsewhere)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from ansinh.campaigns.models import AdvisoryTeam, Campaign, CampaignStatus, EventSite, LaunchEvent, TeamMember
from ansinh.enrollment import services as enrolling
from ansinh.enrollment.models import Enrollment
from ansinh.payments import services as paying
from ansinh.registry import services as registry
from tests.builders import COMMUNE_X, Personas, commune, field_setup, person_data, personas

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
START = date(2025, 8, 1)


def make_campaign(slug: str, starts: date = START, ends: date = date(2025, 8, 31)) -> Campaign:
    made = Campaign.objects.create(slug=slug, name=f"Chiến dịch {slug}", starts_on=starts, ends_on=ends,
                                   status=CampaignStatus.ACTIVE)
    made.areas.set([commune(COMMUNE_X)])
    return made


def august() -> dict[str, Any]:
    who = personas()
    _, agent = field_setup(who)
    campaign = make_campaign("t")
    event = LaunchEvent.objects.create(campaign=campaign, name="Lễ ra quân",
                                       starts_at=datetime(2025, 8, 1, 7, tzinfo=TZ))
    site = EventSite.objects.create(event=event, area=commune(COMMUNE_X), venue="Điểm cầu Thành Vinh")
    team = AdvisoryTeam.objects.create(campaign=campaign, name="Tổ 1", site=site)
    TeamMember.objects.create(team=team, user=who.agent, kind="agent")
    return {"who": who, "agent": agent, "campaign": campaign, "event": event, "site": site, "team": team}


def pay_new_person(world: dict[str, Any], name: str, on: date, area_code: str = COMMUNE_X) -> Enrollment:
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
