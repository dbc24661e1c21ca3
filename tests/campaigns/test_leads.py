"""Advisory teams record leads from the consultation tool: only for their own team, only while the
campaign runs, only with a role that may write; a refused entry writes nothing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from ansinh.campaigns.models import AdvisoryTeam, Campaign, CampaignStatus, Lead, TeamMember
from ansinh.campaigns.services import LeadData, record_lead
from ansinh.lib.errors import DomainError
from ansinh.org.models import Role
from ansinh.org.scope import scope_for
from tests.builders import COMMUNE_X, user

pytestmark = pytest.mark.django_db
QUERY = {"on": "2025-08-01", "born": "1985-03-02", "sex": "male", "incomes": "1500000", "household_members": "0"}


def campaign(starts: date, ends: date, status: str = CampaignStatus.ACTIVE) -> Campaign:
    return Campaign.objects.create(slug=f"c-{starts:%Y%m%d}", name="Tháng vận động", starts_on=starts, ends_on=ends,
                                   schemes=["vsi", "household_hi"], status=status)


def team(of: Campaign, member: Any, name: str = "Tổ 1") -> AdvisoryTeam:
    made = AdvisoryTeam.objects.create(campaign=of, name=name)
    TeamMember.objects.create(team=made, user=member, kind="agent")
    return made


def member_user(role: Role = Role.AGENT) -> Any:
    return user(role, COMMUNE_X)


def client_for(who: Any) -> Client:
    client = Client()
    client.force_login(who)
    return client


@pytest.fixture
def running() -> Campaign:
    today = timezone.localdate()
    return campaign(today - timedelta(days=3), today + timedelta(days=27))


def test_a_team_member_records_the_outcome_from_the_consultation_sheet(running: Campaign) -> None:
    member = member_user()
    own = team(running, member)
    client = client_for(member)
    sheet = client.get("/tu-van/", QUERY).content.decode()
    assert "Ghi nhận kết quả tư vấn" in sheet
    response = client.post("/tu-van/ghi-nhan/", {"team": own.pk, "full_name": "Trần Văn Nam", "phone": "+84912000111",
                                                 "scheme": "vsi", "outcome": "promised",
                                                 "follow_up_on": (timezone.localdate() + timedelta(days=7)).isoformat(),
                                                 "back": "/tu-van/?born=1985-03-02"})
    assert response.status_code == 302 and response["Location"] == "/tu-van/?born=1985-03-02"
    lead = Lead.objects.get()
    assert (lead.team, lead.campaign, lead.outcome, lead.phone) == (own, running, "promised", "0912000111")


def test_the_sheet_offers_no_lead_form_to_someone_outside_a_team(running: Campaign) -> None:
    assert "Ghi nhận kết quả tư vấn" not in Client().get("/tu-van/", QUERY).content.decode()
    assert "Ghi nhận kết quả tư vấn" not in client_for(member_user()).get("/tu-van/", QUERY).content.decode()


def test_a_read_only_member_records_nothing(running: Campaign) -> None:
    viewer = member_user(Role.VIEWER)
    own = team(running, viewer)
    assert "Ghi nhận kết quả tư vấn" not in client_for(viewer).get("/tu-van/", QUERY).content.decode()
    with pytest.raises(DomainError) as refused:
        record_lead(viewer, scope_for(viewer), own.pk, timezone.localdate(), LeadData("Lê Văn A", "vsi", "refused"))
    assert refused.value.code == "forbidden"
    response = client_for(viewer).post("/tu-van/ghi-nhan/", {"team": own.pk, "full_name": "Lê Văn A",
                                                             "scheme": "vsi", "outcome": "refused"})
    assert response.status_code == 403 and Lead.objects.count() == 0


def test_a_member_cannot_log_for_another_team(running: Campaign) -> None:
    member, other_member = member_user(), member_user()
    team(running, member)
    other = team(running, other_member, "Tổ 2")
    with pytest.raises(DomainError) as refused:
        record_lead(member, scope_for(member), other.pk, timezone.localdate(), LeadData("Lê Văn A", "vsi", "refused"))
    assert refused.value.code == "forbidden"
    response = client_for(member).post("/tu-van/ghi-nhan/", {"team": other.pk, "full_name": "Lê Văn A",
                                                             "scheme": "vsi", "outcome": "refused"})
    assert response.status_code == 403 and Lead.objects.count() == 0


def test_nothing_is_logged_outside_the_campaign_period() -> None:
    member = member_user()
    past = team(campaign(date(2022, 5, 1), date(2022, 5, 31)), member)
    assert "Ghi nhận kết quả tư vấn" not in client_for(member).get("/tu-van/", QUERY).content.decode()
    with pytest.raises(DomainError):
        record_lead(member, scope_for(member), past.pk, timezone.localdate(), LeadData("Lê Văn A", "vsi", "refused"))
    # on launch day: fine
    record_lead(member, scope_for(member), past.pk, date(2022, 5, 8), LeadData("Lê Văn A", "vsi", "enrolled"))
    assert Lead.objects.count() == 1


def test_a_promise_needs_a_follow_up_date(running: Campaign) -> None:
    member = member_user()
    own = team(running, member)
    with pytest.raises(DomainError) as refused:
        record_lead(member, scope_for(member), own.pk, timezone.localdate(),
                    LeadData("Lê Văn A", "household_hi", "promised"))
    assert refused.value.details["field"] == "follow_up_on" and Lead.objects.count() == 0
