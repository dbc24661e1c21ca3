"""Recording what advisory teams do. A team member logs only for their own team, only while the
team's campaign runs; a refused entry writes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet

from ansinh.campaigns.models import (
    AdvisoryTeam,
    Award,
    Campaign,
    CampaignStatus,
    ConsultationSession,
    EventSite,
    Lead,
    LeadOutcome,
    LocationKind,
    MediaItem,
    PrepTask,
    TaskStatus,
)
from ansinh.enrollment.models import Scheme
from ansinh.lib.errors import DomainError, ErrorCode, invalid_input
from ansinh.lib.identifiers import normalize_phone
from ansinh.org.scope import Scope, not_found


def active_teams(user: AbstractBaseUser, on: date) -> QuerySet[AdvisoryTeam]:
    """The user's teams whose campaign is running on ``on``."""
    if not user.is_authenticated:
        return AdvisoryTeam.objects.none()
    running = AdvisoryTeam.objects.filter(members__user=user, campaign__status=CampaignStatus.ACTIVE,
                                          campaign__starts_on__lte=on, campaign__ends_on__gte=on)
    return running.select_related("campaign")


@dataclass(frozen=True)
class LeadData:
    full_name: str
    scheme: str
    outcome: str
    phone: str = ""
    reason: str = ""
    follow_up_on: date | None = None


def _own_team(actor: AbstractBaseUser, team_id: int, on: date) -> AdvisoryTeam:
    team = active_teams(actor, on).filter(pk=team_id).first()
    if team is None:
        raise DomainError(ErrorCode.FORBIDDEN, "Chỉ thành viên của tổ tư vấn mới ghi nhận được cho tổ, trong thời gian "
                          "chiến dịch diễn ra.", "Only members of the team, during its campaign.")
    return team


@transaction.atomic
def record_lead(actor: AbstractBaseUser, team_id: int, on: date, data: LeadData,
                session: ConsultationSession | None = None) -> Lead:
    team = _own_team(actor, team_id, on)
    name = " ".join(data.full_name.split())
    if not name:
        raise invalid_input("Họ tên người được tư vấn là bắt buộc.", "A name is required.", field="full_name")
    if data.scheme not in Scheme.values:
        raise invalid_input("Chọn BHXH tự nguyện hoặc BHYT hộ gia đình.", "Unknown scheme.", field="scheme")
    if data.outcome not in LeadOutcome.values:
        raise invalid_input("Kết quả tư vấn không hợp lệ.", "Unknown outcome.", field="outcome")
    if data.outcome in (LeadOutcome.PROMISED, LeadOutcome.UNDECIDED) and data.follow_up_on is None:
        raise invalid_input("Ghi ngày hẹn gặp lại với người hẹn tham gia hoặc còn phân vân.",
                            "A follow-up date is needed.", field="follow_up_on")
    if data.follow_up_on is not None and data.follow_up_on < on:
        raise invalid_input("Ngày hẹn gặp lại không được trước ngày tư vấn.", "Follow-up before the consultation.",
                            field="follow_up_on")
    return Lead.objects.create(
        campaign=team.campaign, team=team, recorded_by=actor, consulted_on=on, full_name=name, session=session,
        phone=normalize_phone(data.phone) if data.phone.strip() else "", scheme=data.scheme, outcome=data.outcome,
        reason=data.reason.strip(), follow_up_on=data.follow_up_on)


@transaction.atomic
def record_session(actor: AbstractBaseUser, team_id: int, on: date, location_name: str, location_kind: str,
                   area_id: int | None, people_advised: int, leads: list[LeadData]) -> ConsultationSession:
    """A consultation session of one's own team and the leads met there: all saved, or nothing."""
    team = _own_team(actor, team_id, on)
    if not location_name.strip():
        raise invalid_input("Ghi tên địa điểm tư vấn.", "A location is required.", field="location_name")
    if location_kind not in LocationKind.values:
        raise invalid_input("Loại địa điểm không hợp lệ.", "Unknown location kind.", field="location_kind")
    if people_advised < len(leads) or people_advised <= 0:
        raise invalid_input("Số người được tư vấn phải từ 1 và không ít hơn số người ghi nhận.",
                            "Too few people advised.", field="people_advised")
    session = ConsultationSession.objects.create(team=team, location_name=location_name.strip(),
                                                 location_kind=location_kind, area_id=area_id, held_on=on,
                                                 people_advised=people_advised, recorded_by=actor)
    for lead in leads:
        record_lead(actor, team_id, on, lead, session)
    return session


@transaction.atomic
def give_awards(campaign: Campaign, ranked: list[Any], title: str, on: date, top: int = 3) -> list[Award]:
    """Awards for the sites ranked in the first ``top`` places (ties included); given once per campaign and title."""
    if Award.objects.filter(campaign=campaign, title=title).exists():
        return list(Award.objects.filter(campaign=campaign, title=title).order_by("rank", "pk"))
    return Award.objects.bulk_create(Award(campaign=campaign, site=r.site, title=title, rank=r.rank, awarded_on=on)
                                     for r in ranked if r.rank <= top)


def set_task_status(scope: Scope, campaign: Campaign, task_id: int, status: str) -> None:
    """One UPDATE statement: atomic by itself."""
    scope.require_writer()
    if not PrepTask.objects.filter(event__campaign=campaign, pk=task_id).update(status=status):
        raise not_found()


def add_media(scope: Scope, campaign: Campaign, **fields: Any) -> MediaItem:
    scope.require_writer()
    return MediaItem.objects.create(campaign=campaign, **fields)


@transaction.atomic
def complete_task(site: EventSite, task_id: int) -> None:
    if not PrepTask.objects.filter(site=site, pk=task_id).update(status=TaskStatus.DONE):
        raise DomainError(ErrorCode.NOT_FOUND, "Không có công việc này ở điểm cầu.", "No such task.")
