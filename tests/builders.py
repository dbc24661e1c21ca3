"""Tiny builders and the three personas: an agent of commune X, a manager of another area, an outsider."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from itertools import count
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from ansinh.areas import queries as areas
from ansinh.areas.models import AdministrativeUnit
from ansinh.campaigns.models import AdvisoryTeam, Campaign, CampaignStatus, EventSite, LaunchEvent, TeamMember
from ansinh.org.models import Agent, OrgKind, OrgUnit, Role
from ansinh.org.scope import Scope, scope_for
from ansinh.org.services import grant_role
from ansinh.payments.models import ReceiptPool
from ansinh.registry.services import PersonData

TODAY = date(2025, 8, 1)
COMMUNE_X = "16681"  # Phường Thành Vinh
COMMUNE_Y = "17329"  # Xã Anh Sơn
PASSWORD = "mat-khau-du-dai-2025"
_serial = count(1)


def commune(code: str) -> AdministrativeUnit:
    unit = areas.unit_on(code, TODAY)
    assert unit is not None
    return unit


def user(role: Role | None, *area_codes: str, org_units: list[OrgUnit] | None = None,
         username: str | None = None) -> AbstractBaseUser:
    made = get_user_model().objects.create_user(username or f"user{next(_serial)}", password=PASSWORD)
    if role is not None:
        grant_role(made, role, [commune(c) for c in area_codes], org_units)
    return made


def org_unit(kind: OrgKind, *area_codes: str, parent: OrgUnit | None = None) -> OrgUnit:
    unit = OrgUnit.objects.create(code=f"ORG{next(_serial)}", name=f"Đơn vị {kind}", kind=kind, parent=parent)
    unit.areas.set([commune(c) for c in area_codes])
    return unit


@dataclass
class Personas:
    agent: AbstractBaseUser  # agent of commune X
    manager_elsewhere: AbstractBaseUser  # office manager of commune Y
    outsider: AbstractBaseUser  # logged in, no grant
    admin: AbstractBaseUser  # province admin of both communes

    def scope(self, who: AbstractBaseUser) -> Scope:
        return scope_for(who)


def personas() -> Personas:
    return Personas(
        agent=user(Role.AGENT, COMMUNE_X, username="agent_x"),
        manager_elsewhere=user(Role.OFFICE_MANAGER, COMMUNE_Y, username="manager_y"),
        outsider=user(None, username="outsider"),
        admin=user(Role.PROVINCE_ADMIN, COMMUNE_X, COMMUNE_Y, username="admin_xy"),
    )


def person_data(**overrides: Any) -> PersonData:
    values: dict[str, Any] = {
        "full_name": "Nguyễn Văn An",
        "date_of_birth": date(1985, 3, 2),
        "sex": "male",
        "area_id": commune(COMMUNE_X).pk,
        "citizen_id": "040085000123",
        "phone": "+84 912 345 678",
        "address_detail": "Khối 5",
    }
    values.update(overrides)
    return PersonData(**values)


def field_setup(who: Personas) -> tuple[Any, Any]:
    """A post office serving commune X with a receipt pool, and the agent persona as its agent."""
    post = org_unit(OrgKind.COLLECTOR, COMMUNE_X)
    ReceiptPool.objects.create(collector=post, series="BL40-2025", last_number=999_999)
    agent = Agent.objects.create(code=f"DL{next(_serial)}", name="Đại lý X", collector=post, user=who.agent,
                                 active_from=date(2022, 1, 1))
    return post, agent


def running_campaign(who: Personas, ready: bool = True) -> dict[str, Any]:
    """A campaign running today over commune X: a launch event, its Thành Vinh site and team 1, whose
    only member is the agent persona."""
    today = timezone.localdate()
    campaign = Campaign.objects.create(slug="thang-5", name="Tháng vận động", starts_on=today - timedelta(days=2),
                                       ends_on=today + timedelta(days=28), status=CampaignStatus.ACTIVE,
                                       ranking_rule="absolute")
    campaign.areas.set([commune(COMMUNE_X)])
    event = LaunchEvent.objects.create(campaign=campaign, name="Lễ ra quân", starts_at=timezone.now())
    site = EventSite.objects.create(event=event, area=commune(COMMUNE_X), venue="Điểm cầu Thành Vinh",
                                    ready_at=timezone.now() if ready else None)
    team = AdvisoryTeam.objects.create(campaign=campaign, name="Tổ 1", site=site)
    TeamMember.objects.create(team=team, user=who.agent, kind="agent")
    return {"who": who, "campaign": campaign, "event": event, "site": site, "team": team}
