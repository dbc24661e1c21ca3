"""Campaign workspace, launch-day board, a team member's session log, and the bulletin page."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from ansinh.campaigns.models import (
    Campaign,
    CampaignStatus,
    ConsultationSession,
    EventSite,
    Lead,
    PrepTask,
)
from ansinh.enrollment import services as enrolling
from ansinh.org.models import OrgKind
from ansinh.payments import services as paying
from ansinh.registry import services as registry
from tests.builders import (
    COMMUNE_Y,
    Personas,
    field_setup,
    org_unit,
    person_data,
    personas,
    running_campaign,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    who = personas()
    _, agent = field_setup(who)
    return {**running_campaign(who), "agent": agent}


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def pay_today(world: dict[str, Any]) -> None:
    who: Personas = world["who"]
    scope = who.scope(who.agent)
    person = registry.create_person(who.agent, scope, person_data(citizen_id=None, phone=""))
    today = timezone.localdate()
    enrollment = enrolling.enroll_vsi(who.agent, scope, enrolling.quote_vsi(scope, person.pk, today, 2_200_000, 1))
    paying.record_payment(who.agent, scope, enrollment.pk, amount=enrollment.payable, method="cash",
                          idempotency_key="board", paid_at=datetime.now(tz=ZoneInfo("Asia/Ho_Chi_Minh")))


def test_the_workspace_is_for_people_whose_scope_the_campaign_covers(world: dict[str, Any]) -> None:
    page = client_for(world["who"].agent).get("/chien-dich/thang-5/")
    assert page.status_code == 200 and "Điểm cầu Thành Vinh" in page.content.decode()
    assert client_for(world["who"].outsider).get("/chien-dich/thang-5/").status_code == 404
    assert client_for(world["who"].manager_elsewhere).get("/chien-dich/thang-5/").status_code == 404
    assert "Tháng vận động" in client_for(world["who"].agent).get("/chien-dich/").content.decode()


def test_the_launch_day_board_polls_and_shows_a_new_payment(world: dict[str, Any]) -> None:
    client = client_for(world["who"].agent)
    page = client.get("/chien-dich/thang-5/ra-quan/").content.decode()
    assert 'hx-get="/chien-dich/thang-5/ra-quan/so-lieu/"' in page and "every 10s" in page
    assert "vendor/htmx/htmx.min.js" in page
    assert 'id="board-vsi">0<' in client.get("/chien-dich/thang-5/ra-quan/so-lieu/").content.decode()
    pay_today(world)
    assert 'id="board-vsi">1<' in client.get("/chien-dich/thang-5/ra-quan/so-lieu/").content.decode()


def test_a_team_member_logs_a_session_with_its_leads(world: dict[str, Any]) -> None:
    client = client_for(world["who"].agent)
    follow_up = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = client.post("/chien-dich/thang-5/ghi-buoi/", {
        "team": world["team"].pk, "location_name": "Chợ Vinh", "location_kind": "market", "people_advised": "12",
        "lead1_name": "Trần Văn Nam", "lead1_phone": "0912000111", "lead1_scheme": "vsi", "lead1_outcome": "promised",
        "lead1_follow_up": follow_up, "lead2_name": "Lê Thị Hoa", "lead2_scheme": "household_hi",
        "lead2_outcome": "enrolled"})
    assert response.status_code == 302
    session = ConsultationSession.objects.get()
    assert (session.people_advised, session.leads.count()) == (12, 2)
    assert "Trần Văn Nam" in client.get("/chien-dich/thang-5/").content.decode()  # follow-up due this week


def test_someone_outside_the_team_cannot_log_for_it(world: dict[str, Any]) -> None:
    admin = client_for(world["who"].admin)
    assert "không thuộc tổ tư vấn" in admin.get("/chien-dich/thang-5/ghi-buoi/").content.decode()
    response = admin.post("/chien-dich/thang-5/ghi-buoi/", {"team": world["team"].pk, "location_name": "X",
                                                             "location_kind": "market", "people_advised": "3"})
    assert response.status_code == 403 and ConsultationSession.objects.count() == 0 and Lead.objects.count() == 0


def test_a_refused_lead_leaves_no_session_behind(world: dict[str, Any]) -> None:
    response = client_for(world["who"].agent).post("/chien-dich/thang-5/ghi-buoi/", {
        "team": world["team"].pk, "location_name": "Chợ Vinh", "location_kind": "market", "people_advised": "5",
        "lead1_name": "Trần Văn Nam", "lead1_scheme": "vsi", "lead1_outcome": "promised"})  # no follow-up date
    assert response.status_code == 400 and ConsultationSession.objects.count() == 0


def test_the_bulletin_page_and_pdf(world: dict[str, Any]) -> None:
    pay_today(world)
    client = client_for(world["who"].agent)
    page = client.get("/chien-dich/thang-5/thong-cao/").content.decode()
    assert "toàn tỉnh có 1 người tham gia BHXH tự nguyện; 0 người tham gia BHYT hộ gia đình" in page
    assert client.get("/chien-dich/thang-5/thong-cao/", {"pdf": "1"}).content.startswith(b"%PDF")


def test_managers_award_the_leaders_once_and_print_certificates(world: dict[str, Any]) -> None:
    pay_today(world)
    admin = client_for(world["who"].admin)
    refused = client_for(world["who"].agent).post("/chien-dich/thang-5/khen-thuong/")  # agents don't award
    assert refused.status_code == 403 and "khen thưởng" in refused.content.decode()
    assert not world["campaign"].awards.exists()
    assert admin.post("/chien-dich/thang-5/khen-thuong/").status_code == 302
    assert admin.post("/chien-dich/thang-5/khen-thuong/").status_code == 302  # a second click gives nothing new
    award = world["campaign"].awards.get()
    assert (award.rank, award.site.venue) == (1, "Điểm cầu Thành Vinh")
    pdf = admin.get(f"/chien-dich/thang-5/khen-thuong/{award.pk}/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_a_lead_opens_the_registration_form_filled_in(world: dict[str, Any]) -> None:
    form = client_for(world["who"].agent).get("/ho/moi/", {"full_name": "Trần Văn Nam", "phone": "0912000111"})
    assert form.context["form"]["full_name"].value() == "Trần Văn Nam"
    assert form.context["form"]["phone"].value() == "0912000111"


def test_the_site_checklist_highlights_overdue_tasks_and_a_writer_marks_them_done(world: dict[str, Any]) -> None:
    site = EventSite.objects.get(venue="Điểm cầu Thành Vinh")
    task = PrepTask.objects.create(event=site.event, site=site, title="Treo băng rôn",
                                   deadline=timezone.now() - timedelta(hours=2))
    client = client_for(world["who"].agent)
    page = client.get(f"/chien-dich/thang-5/diem-cau/{site.pk}/").content.decode()
    assert "Treo băng rôn" in page and "(quá hạn)" in page
    assert client.post(f"/chien-dich/thang-5/diem-cau/{site.pk}/", {"task": task.pk}).status_code == 302
    task.refresh_from_db()
    assert task.status == "done"
    assert "(quá hạn)" not in client.get(f"/chien-dich/thang-5/diem-cau/{site.pk}/").content.decode()


def test_a_campaign_scoped_by_org_unit_reaches_the_areas_it_serves(world: dict[str, Any]) -> None:
    branch = org_unit(OrgKind.COLLECTOR_BRANCH, COMMUNE_Y)
    by_org = Campaign.objects.create(slug="buu-dien", name="Chiến dịch Bưu điện", starts_on=timezone.localdate(),
                                     ends_on=timezone.localdate(), status=CampaignStatus.ACTIVE)
    by_org.org_scope.set([branch])
    assert client_for(world["who"].manager_elsewhere).get("/chien-dich/buu-dien/").status_code == 200
    assert client_for(world["who"].agent).get("/chien-dich/buu-dien/").status_code == 404
