"""A participant's stop of voluntary SI (dừng đóng) recorded from the VSI screen: the plan stops on the
day given, the page then says so, a date in the future or before the plan began is refused with a
Vietnamese reason and changes nothing, and the viewer is offered no stop form."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from ansinh.enrollment.models import PlanStatus, VsiPlan
from ansinh.registry.models import AuditEntry


@pytest.fixture
def plan(demo_data: None) -> VsiPlan:
    return VsiPlan.objects.filter(status=PlanStatus.ACTIVE, person__citizen_id="040078001234").get()


def _as(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def _agent() -> Client:
    return _as("daily")


@pytest.mark.django_db
def test_an_agent_records_a_stop_and_the_screen_says_so(plan: VsiPlan) -> None:
    client, today = _agent(), timezone.localdate()
    page = client.get(f"/nguoi/{plan.person_id}/bhxh-tu-nguyen/").content.decode()
    assert "Ghi nhận dừng đóng" in page and "data-confirm=" in page
    answer = client.post(f"/nguoi/{plan.person_id}/bhxh-tu-nguyen/dung-dong/", {"on": today.isoformat()})
    assert answer.status_code == 302
    plan.refresh_from_db()
    assert (plan.status, plan.stopped_on) == (PlanStatus.STOPPED, today)
    assert AuditEntry.objects.filter(entity="vsi_plan", entity_id=plan.pk, action="update").exists()
    after = client.get(f"/nguoi/{plan.person_id}/bhxh-tu-nguyen/").content.decode()
    assert f"Đã đăng ký dừng đóng từ ngày <strong>{today:%d/%m/%Y}</strong>" in after
    assert "Ghi nhận dừng đóng" not in after


@pytest.mark.django_db
@pytest.mark.parametrize(("shift", "reason"), [(timedelta(days=1), "không được sau hôm nay"),
                                               (None, "phải từ tháng bắt đầu tham gia")])
def test_a_stop_in_the_future_or_before_the_start_is_refused(plan: VsiPlan, shift: timedelta | None,
                                                             reason: str) -> None:
    day = timezone.localdate() + shift if shift else plan.start_month - timedelta(days=1)
    answer = _agent().post(f"/nguoi/{plan.person_id}/bhxh-tu-nguyen/dung-dong/", {"on": day.isoformat()})
    assert answer.status_code == 400 and reason in answer.content.decode()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE and plan.stopped_on is None


@pytest.mark.django_db
def test_the_viewer_sees_no_stop_form(plan: VsiPlan) -> None:
    viewer = _as("xem")
    assert "Ghi nhận dừng đóng" not in viewer.get(f"/nguoi/{plan.person_id}/bhxh-tu-nguyen/").content.decode()
    assert viewer.post(f"/nguoi/{plan.person_id}/bhxh-tu-nguyen/dung-dong/",
                       {"on": timezone.localdate().isoformat()}).status_code == 403
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE
