"""Every change to a campaign's record, each in one transaction and checked against the actor's scope:
team members log sessions and leads for their own team while its campaign runs; the people of a
site's area, or the campaign's managers, change its tasks; writers of the campaign's areas add media;
managers override an attribution; BHXH managers give the awards. A refused change writes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from ansinh.areas.models import COMMUNE_LEVELS, AdministrativeUnit
from ansinh.campaigns import analytics, leads, queries
from ansinh.campaigns.models import (
    AdvisoryTeam,
    Attribution,
    Award,
    Campaign,
    CampaignStatus,
    ConsultationSession,
    Lead,
    LeadOutcome,
    LocationKind,
    MediaChannel,
    MediaItem,
    PrepTask,
    TaskStatus,
)
from ansinh.enrollment.models import Enrollment, EnrollmentStatus, Scheme
from ansinh.lib.errors import DomainError, ErrorCode, invalid_input
from ansinh.lib.identifiers import normalize_phone
from ansinh.org.scope import Scope, not_found

# Schema bounds the API documents too (campaigns/api.py): a counter fits the database's integer.
MAX_COUNT = 2_147_483_647
MAX_PEOPLE_ADVISED = 10_000  # in one session; a rally is logged as several sessions
MAX_LEADS = 200


def _forbidden(message: str, message_en: str) -> DomainError:
    return DomainError(ErrorCode.FORBIDDEN, message, message_en)


def active_teams(scope: Scope, user: AbstractBaseUser | AnonymousUser, on: date) -> QuerySet[AdvisoryTeam]:
    """The user's teams whose campaign is running on ``on`` (none for a read-only role)."""
    if not user.is_authenticated or not scope.can_write:
        return AdvisoryTeam.objects.none()
    running = AdvisoryTeam.objects.filter(members__user=user, campaign__status=CampaignStatus.ACTIVE,
                                          campaign__starts_on__lte=on, campaign__ends_on__gte=on)
    return running.select_related("campaign")


def logs_sessions(scope: Scope, campaign: Campaign, member: bool, on: date) -> bool:
    """Whether the user may log sessions for ``campaign`` on ``on``: the answer of
    ``active_teams(...).filter(campaign=campaign).exists()``, from the membership that the
    visibility check read with the campaign (``queries.is_member``), without a query of its own."""
    return (member and scope.can_write and campaign.status == CampaignStatus.ACTIVE
            and campaign.starts_on <= on <= campaign.ends_on)


@dataclass(frozen=True)
class LeadData:
    full_name: str
    scheme: str
    outcome: str
    phone: str = ""
    reason: str = ""
    follow_up_on: date | None = None
    date_of_birth: date | None = None  # optional: finds the person again when they register (leads.py)


@dataclass(frozen=True)
class SessionData:
    location_name: str
    location_kind: str
    people_advised: int
    area_id: int | None = None
    leads: list[LeadData] = field(default_factory=list)


def _own_team(actor: AbstractBaseUser, scope: Scope, team_id: int, on: date) -> AdvisoryTeam:
    scope.require_writer()
    team = active_teams(scope, actor, on).filter(pk=team_id).first()
    if team is None:
        raise _forbidden(_("Chỉ thành viên của tổ tư vấn mới ghi nhận được cho tổ, trong thời gian chiến dịch diễn "
                           "ra."),
                         "Only members of the team, during its campaign.")
    return team


def _lead(actor: AbstractBaseUser, team: AdvisoryTeam, on: date, data: LeadData,
          session: ConsultationSession | None) -> Lead:
    name = " ".join(data.full_name.split())
    if not name or len(name) > 200:
        raise invalid_input(_("Họ tên người được tư vấn là bắt buộc, tối đa 200 ký tự."), "A name (≤ 200) is required.",
                            field="full_name")
    if data.scheme not in Scheme.values:
        raise invalid_input(_("Chọn BHXH tự nguyện hoặc BHYT hộ gia đình."), "Unknown scheme.", field="scheme")
    if data.outcome not in LeadOutcome.values:
        raise invalid_input(_("Kết quả tư vấn không hợp lệ."), "Unknown outcome.", field="outcome")
    if data.outcome in (LeadOutcome.PROMISED, LeadOutcome.UNDECIDED) and data.follow_up_on is None:
        raise invalid_input(_("Ghi ngày hẹn gặp lại với người hẹn tham gia hoặc còn phân vân."),
                            "A follow-up date is needed.", field="follow_up_on")
    if data.follow_up_on is not None and data.follow_up_on < on:
        raise invalid_input(_("Ngày hẹn gặp lại không được trước ngày tư vấn."), "Follow-up before the consultation.",
                            field="follow_up_on")
    if len(data.reason.strip()) > 300:
        raise invalid_input(_("Lý do tối đa 300 ký tự."), "The reason is too long.", field="reason")
    if data.date_of_birth is not None and not date(1900, 1, 1) <= data.date_of_birth <= on:
        raise invalid_input(_("Ngày sinh không hợp lệ (sau ngày tư vấn hoặc trước năm 1900)."), "Bad birth date.",
                            field="date_of_birth")
    lead = Lead.objects.create(
        campaign=team.campaign, team=team, recorded_by=actor, consulted_on=on, full_name=name, session=session,
        phone=normalize_phone(data.phone) if data.phone.strip() else "", scheme=data.scheme, outcome=data.outcome,
        reason=data.reason.strip(), follow_up_on=data.follow_up_on, date_of_birth=data.date_of_birth)
    leads.link_lead(lead)  # someone already registered is linked at once
    return lead


@transaction.atomic
def record_lead(actor: AbstractBaseUser, scope: Scope, team_id: int, on: date, data: LeadData) -> Lead:
    """A lead met by one's own team outside a logged session (the consultation tool)."""
    return _lead(actor, _own_team(actor, scope, team_id, on), on, data, None)


@transaction.atomic
def record_session(actor: AbstractBaseUser, scope: Scope, team_id: int, on: date,
                   data: SessionData) -> ConsultationSession:
    """A consultation session of one's own team, in a commune of its campaign, and the leads met
    there: all saved, or nothing."""
    team = _own_team(actor, scope, team_id, on)
    location = data.location_name.strip()
    if not location or len(location) > 300:
        raise invalid_input(_("Ghi tên địa điểm tư vấn (tối đa 300 ký tự)."), "A location is required.",
                            field="location_name")
    if data.location_kind not in LocationKind.values:
        raise invalid_input(_("Loại địa điểm không hợp lệ."), "Unknown location kind.", field="location_kind")
    if not 0 < data.people_advised <= MAX_PEOPLE_ADVISED or data.people_advised < len(data.leads):
        raise invalid_input(_("Số người được tư vấn phải từ 1 đến {MAX_PEOPLE_ADVISED:,} và không ít hơn số người "
                              "ghi nhận.").format(
                                MAX_PEOPLE_ADVISED=MAX_PEOPLE_ADVISED).replace(",", "."),
                                "People advised out of bounds.", field="people_advised")
    if len(data.leads) > MAX_LEADS:
        raise invalid_input(_("Một buổi ghi tối đa {MAX_LEADS} người.").format(MAX_LEADS=MAX_LEADS),
                            "Too many leads.", field="leads")
    if data.area_id is not None and not (
            data.area_id in queries.campaign_area_ids(team.campaign)
            and AdministrativeUnit.objects.filter(pk=data.area_id, level__in=COMMUNE_LEVELS).exists()):
        raise invalid_input(_("Xã/phường không thuộc địa bàn chiến dịch."),
                            "The commune is not in the campaign's areas.",
                            field="area")
    session = ConsultationSession.objects.create(team=team, location_name=location, location_kind=data.location_kind,
                                                 area_id=data.area_id, held_on=on, people_advised=data.people_advised,
                                                 recorded_by=actor)
    for lead in data.leads:
        _lead(actor, team, on, lead, session)
    return session


@transaction.atomic
def give_awards(scope: Scope, campaign: Campaign, title: str, on: date, top: int = 3) -> list[Award]:
    """Awards for the sites ranked in the first ``top`` places (ties included), by the campaign's
    BHXH managers; given once per campaign and title (a second request returns the first awards)."""
    if not queries.may_award(scope, campaign):
        raise _forbidden(_("Chỉ lãnh đạo BHXH phụ trách chiến dịch mới khen thưởng được."),
                         "Only the campaign's BHXH managers give awards.")
    Campaign.objects.select_for_update().filter(pk=campaign.pk).first()  # two clicks award once
    given = Award.objects.filter(campaign=campaign, title=title).order_by("rank", "pk")
    if given.exists():
        return list(given)
    return Award.objects.bulk_create(Award(campaign=campaign, site=r.site, title=title, rank=r.rank, awarded_on=on)
                                     for r in analytics.ranking(campaign) if r.rank <= top)


@transaction.atomic
def set_task_status(scope: Scope, campaign: Campaign, task_id: int, status: str,
                    site_id: int | None = None) -> PrepTask:
    """A preparation task's status, changed by the people of its site's area or the campaign's
    managers (the web's "mark done" and the API's PATCH both come here)."""
    scope.require_writer()
    if status not in TaskStatus.values:
        raise invalid_input(_("Trạng thái công việc không hợp lệ."), "Unknown task status.", field="status")
    tasks = PrepTask.objects.select_for_update(of=("self",)).filter(event__campaign=campaign, pk=task_id)
    task = (tasks.filter(site_id=site_id) if site_id is not None else tasks).select_related("site").first()
    if task is None:
        raise not_found()
    if not queries.may_change_tasks(scope, campaign, task.site):
        raise _forbidden(_("Chỉ người phụ trách địa bàn của điểm cầu này (hoặc ban chỉ đạo chiến dịch) mới cập nhật "
                         "được công việc."), "Only the site's area or the campaign's managers change its tasks.")
    task.status = status
    task.save(update_fields=["status"])
    return task


@dataclass(frozen=True)
class MediaData:
    channel: str
    outlet: str
    title: str
    published_on: date
    link: str = ""
    views: int = 0
    likes: int = 0
    shares: int = 0


@transaction.atomic
def add_media(scope: Scope, campaign: Campaign, data: MediaData) -> MediaItem:
    """A news item, post or broadcast about the campaign, added by a writer of its areas."""
    scope.require_writer()
    if not (queries.manages(scope, campaign) or queries.campaign_area_ids(campaign) & scope.area_ids):
        raise _forbidden(_("Chỉ người thuộc địa bàn chiến dịch mới ghi nhận được tin, bài."),
                         "Only writers of the campaign's areas add media.")
    if data.channel not in MediaChannel.values:
        raise invalid_input(_("Kênh truyền thông không hợp lệ."), "Unknown channel.", field="channel")
    outlet, title, link = data.outlet.strip(), data.title.strip(), data.link.strip()
    if not outlet or len(outlet) > 200 or not title or len(title) > 300:
        raise invalid_input(_("Ghi cơ quan, kênh (tối đa 200 ký tự) và tiêu đề (tối đa 300 ký tự)."),
                            "Outlet and title are required.", field="title")
    if link:
        try:
            URLValidator(schemes=["http", "https"])(link)
        except ValidationError:
            raise invalid_input(_("Đường dẫn không hợp lệ."), "Invalid link.", field="link") from None
    if not all(0 <= n <= MAX_COUNT for n in (data.views, data.likes, data.shares)):
        raise invalid_input(_("Lượt xem, thích, chia sẻ phải là số không âm."), "Counts must be non-negative.",
                            field="views")
    return MediaItem.objects.create(campaign=campaign, channel=data.channel, outlet=outlet, title=title, link=link,
                                    published_on=data.published_on, views=data.views, likes=data.likes,
                                    shares=data.shares)


@transaction.atomic
def override_attribution(scope: Scope, campaign: Campaign, enrollment_id: int, reason: str,
                         site_id: int | None = None, team_id: int | None = None) -> Attribution:
    """Count an enrollment of the actor's scope for the campaign, its site and team, with a reason;
    by the campaign's BHXH managers (those who award). Neither the payment listener nor a refresh
    touches it again."""
    reason = reason.strip()
    if not reason or len(reason) > 300:
        raise invalid_input(_("Ghi lý do khi điều chỉnh kết quả tính cho chiến dịch (tối đa 300 ký tự)."),
                            "A reason is required.", field="reason")
    enrollment = Enrollment.objects.select_for_update().filter(scope.areas_q(), pk=enrollment_id).first()
    if enrollment is None:
        raise not_found()
    scope.require_write(enrollment.area_id)
    # Whose result an enrolment counts for is what the ranking, and so the awards, are made of: the
    # emulation board's decision (the BHXH side, as awards), not the collector's, whose own agents
    # are ranked (issue 11 #7: "override_attribution takes no scope").
    if not queries.may_award(scope, campaign):
        raise _forbidden(_("Chỉ lãnh đạo BHXH phụ trách chiến dịch mới điều chỉnh được kết quả tính cho chiến dịch."),
                         "Only the campaign's BHXH managers override an attribution.")
    if enrollment.status == EnrollmentStatus.CANCELLED:
        raise invalid_input(_("Khoản thu của hồ sơ này đã huỷ, không tính cho chiến dịch."),
                            "The enrollment is cancelled.")
    site = queries.site(campaign, site_id) if site_id is not None else None
    team = queries.team(campaign, team_id) if team_id is not None else None
    found, _unused = Attribution.objects.update_or_create(enrollment=enrollment, campaign=campaign,
                                                    defaults={"site": site, "team": team, "override_reason": reason})
    return found
