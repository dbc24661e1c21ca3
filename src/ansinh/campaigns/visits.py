"""Visit lists (issue 18): a campaign's manager in scope makes a list of a commune's households with
no cover (visit_queries.candidates), assigns them to the campaign's advisory teams (evenly or by
hand), and the teams (or the manager) record each visit. Each change is one transaction, audited,
and refused whole; a list and a visit carry an idempotency key (a repeat returns the first result).

A visit where someone was met flows into the campaign's funnel (analytics.funnel) as the teams'
own records do: a consultation session of one person advised, at the household, in its commune;
a visit whose outcome is a lead or an enrolment is also a lead linked to the member met, so the
funnel's registered and paid stages follow that person's terms; an enrolment is linked to the
member's term quoted during the campaign, if there is one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.areas.models import COMMUNE_LEVELS, AdministrativeUnit
from ansinh.areas.queries import in_force
from ansinh.campaigns import queries
from ansinh.campaigns.models import (
    AdvisoryTeam,
    Campaign,
    CampaignStatus,
    ConsultationSession,
    Lead,
    LeadOutcome,
    LocationKind,
    TeamMember,
    Visit,
    VisitAssignment,
    VisitList,
    VisitOutcome,
)
from ansinh.campaigns.visit_queries import Filters, candidates
from ansinh.enrollment import once
from ansinh.enrollment.models import Enrollment, EnrollmentStatus, Scheme
from ansinh.lib.errors import DomainError, ErrorCode, invalid_input
from ansinh.org.scope import CAMPAIGN_MANAGER_ROLES, Scope, not_found
from ansinh.registry.audit import audit
from ansinh.registry.models import Membership, Person

MAX_HOUSEHOLDS = 5_000  # one list; a larger commune is split by its filters (age, support, lapse)
FOLLOW_UP_DAYS = 7  # a lead's follow-up when the visit names none
MET = (VisitOutcome.ADVISED, VisitOutcome.LEAD, VisitOutcome.ENROLLED, VisitOutcome.REFUSED)


def _forbidden(message: str, message_en: str) -> DomainError:
    return DomainError(ErrorCode.FORBIDDEN, message, message_en)


def _conflict() -> DomainError:
    return DomainError(
        ErrorCode.IDEMPOTENCY_CONFLICT,
        _(
            "Mã chống trùng (Idempotency-Key) này đã dùng cho một yêu cầu khác; tải lại trang (hoặc dùng "
            "mã mới) để gửi lần nữa."
        ),
        "This idempotency key was used for a different request.",
    )


def may_make_lists(scope: Scope, campaign: Campaign, area_id: int | None = None) -> bool:
    """A manager (of a commune, an office, a collector or the province) of the campaign's area: the
    commune must be the campaign's and in the manager's scope."""
    if scope.role not in CAMPAIGN_MANAGER_ROLES:
        return False
    areas = queries.campaign_area_ids(campaign)
    if area_id is None:
        return bool(areas & scope.area_ids)
    return area_id in areas and scope.has_area(area_id)


def _require_manager(scope: Scope, campaign: Campaign, area_id: int) -> None:
    scope.require_area(area_id)
    scope.require_writer()
    if not may_make_lists(scope, campaign, area_id):
        raise _forbidden(
            _("Chỉ cán bộ quản lý của địa bàn chiến dịch mới lập và giao danh sách hộ cần đến."),
            "Only managers of the campaign's areas make and assign visit lists.",
        )


@transaction.atomic
def create_list(
    actor: AbstractBaseUser,
    scope: Scope,
    campaign: Campaign,
    area_id: int,
    on: date,
    filters: Filters,
    key: str | None = None,
) -> VisitList:
    """The households of the commune the filters take on ``on``, as a new list of the campaign."""
    key = once.clean_key(key)
    digest = once.digest({"campaign": campaign.pk, "area": area_id, "on": on, "filters": filters.as_json()})
    if key is not None:
        found = VisitList.objects.filter(created_by=actor, idempotency_key=key).first()
        if found is not None:
            if found.request_digest != digest:
                raise _conflict()
            return found
    _require_manager(scope, campaign, area_id)
    if not AdministrativeUnit.objects.filter(in_force(on), pk=area_id, level__in=COMMUNE_LEVELS).exists():
        raise invalid_input(_("Chọn một xã/phường đang có hiệu lực."), "Choose a commune in force.", field="area")
    if campaign.status == CampaignStatus.CLOSED:
        raise invalid_input(_("Chiến dịch đã kết thúc."), "The campaign is closed.")
    found_households = candidates(area_id, on, filters.checked())
    if not found_households:
        raise invalid_input(_("Không có hộ nào theo điều kiện đã chọn."), "No household matches.", field="gaps")
    if len(found_households) > MAX_HOUSEHOLDS:
        raise invalid_input(
            _("Danh sách quá dài ({count} hộ, tối đa {MAX_HOUSEHOLDS}): thu hẹp điều kiện chọn.").format(
                count=len(found_households), MAX_HOUSEHOLDS=MAX_HOUSEHOLDS
            ),
            "Too many households.",
            field="gaps",
        )
    made = VisitList.objects.create(
        area_id=area_id,
        campaign=campaign,
        as_of=on,
        filters=filters.as_json(),
        created_by=actor,
        idempotency_key=key,
        request_digest=digest,
    )
    VisitAssignment.objects.bulk_create(
        VisitAssignment(visit_list=made, household_id=c.household_id, gap=c.gap, lapsed_since=c.lapsed_since)
        for c in found_households
    )
    audit(
        actor,
        "create",
        "visit_list",
        made.pk,
        area_id,
        {"households": (None, len(found_households)), "filters": (None, str(filters.as_json()))},
    )
    return made


def _locked(campaign: Campaign, list_id: int, scope: Scope) -> VisitList:
    found = VisitList.objects.select_for_update().filter(campaign=campaign, pk=list_id).first()
    if found is None or not scope.has_area(found.area_id):
        raise not_found()
    return found


@transaction.atomic
def assign_evenly(actor: AbstractBaseUser, scope: Scope, campaign: Campaign, list_id: int) -> int:
    """The households not yet assigned go, one by one, to the team with the fewest (ties: by name), so
    that the teams end even; returns how many were assigned. Twice: the second assigns nothing."""
    visit_list = _locked(campaign, list_id, scope)
    _require_manager(scope, campaign, visit_list.area_id)
    teams = list(
        AdvisoryTeam.objects.filter(campaign=campaign)
        .annotate(n=Count("assignments", filter=Q(assignments__visit_list=visit_list)))
        .order_by("name", "pk")
    )
    if not teams:
        raise invalid_input(_("Chiến dịch chưa có tổ tư vấn nào để giao."), "The campaign has no team.")
    loads = {t.pk: t.n for t in teams}
    order = {t.pk: i for i, t in enumerate(teams)}
    open_rows = list(visit_list.assignments.filter(team__isnull=True).order_by("pk"))
    for row in open_rows:
        row.team_id = min(loads, key=lambda pk: (loads[pk], order[pk]))
        loads[row.team_id] += 1
    VisitAssignment.objects.bulk_update(open_rows, ["team"])
    audit(actor, "update", "visit_list", visit_list.pk, visit_list.area_id, {"assigned": (None, len(open_rows))})
    return len(open_rows)


@transaction.atomic
def assign(
    actor: AbstractBaseUser, scope: Scope, campaign: Campaign, list_id: int, teams_by_row: dict[int, int | None]
) -> int:
    """By hand: each row (an assignment's id) to a team of the campaign, or to none; returns how many changed."""
    visit_list = _locked(campaign, list_id, scope)
    _require_manager(scope, campaign, visit_list.area_id)
    allowed = set(AdvisoryTeam.objects.filter(campaign=campaign).values_list("pk", flat=True))
    if any(team is not None and team not in allowed for team in teams_by_row.values()):
        raise invalid_input(_("Tổ tư vấn không thuộc chiến dịch."), "The team is not the campaign's.", field="team")
    rows = list(visit_list.assignments.filter(pk__in=list(teams_by_row)))
    if len(rows) != len(teams_by_row):
        raise not_found()
    changed = [row for row in rows if row.team_id != teams_by_row[row.pk]]
    for row in changed:
        row.team_id = teams_by_row[row.pk]
    VisitAssignment.objects.bulk_update(changed, ["team"])
    audit(actor, "update", "visit_list", visit_list.pk, visit_list.area_id, {"reassigned": (None, len(changed))})
    return len(changed)


@dataclass(frozen=True)
class VisitData:
    outcome: str
    person_id: int | None = None  # the member met (default: the head)
    note: str = ""
    scheme: str = Scheme.VSI  # what a lead is interested in
    follow_up_on: date | None = None  # a lead's; default a week after the visit


def may_record(scope: Scope, user: AbstractBaseUser, row: VisitAssignment) -> bool:
    """A writing member of the household's team, or a manager of the list's campaign and commune."""
    if not scope.can_write or row.team_id is None:
        return False
    campaign = row.team.campaign
    if may_make_lists(scope, campaign, row.visit_list.area_id):
        return True
    return TeamMember.objects.filter(team_id=row.team_id, user=user).exists()


def _member(row: VisitAssignment, person_id: int | None, on: date) -> Person | None:
    members = Membership.objects.filter(household_id=row.household_id, valid_from__lte=on).exclude(valid_to__lt=on)
    pick = person_id if person_id is not None else row.household.head_id
    found = Person.objects.filter(pk=pick, pk__in=members.values("person_id")).first() if pick else None
    if person_id is not None and found is None:
        raise invalid_input(
            _("Người gặp không phải thành viên của hộ."), "Not a member of the household.", field="person"
        )
    return found


def _enrollment(person: Person, campaign: Campaign) -> Enrollment | None:
    """The member's latest term quoted during the campaign (a VSI term, or a household-HI card of theirs)."""
    return (
        Enrollment.objects.filter(
            Q(person=person) | Q(hi_lines__person=person),
            quoted_on__gte=campaign.starts_on,
            quoted_on__lte=campaign.ends_on,
        )
        .exclude(status=EnrollmentStatus.CANCELLED)
        .order_by("-quoted_on", "-pk")
        .first()
    )


def _check(data: VisitData, on: date) -> None:
    if data.outcome not in VisitOutcome.values:
        raise invalid_input(_("Kết quả đến hộ không hợp lệ."), "Unknown outcome.", field="outcome")
    if len(data.note.strip()) > 300:
        raise invalid_input(_("Ghi chú tối đa 300 ký tự."), "The note is too long.", field="note")
    if data.scheme not in Scheme.values:
        raise invalid_input(_("Chọn BHXH tự nguyện hoặc BHYT hộ gia đình."), "Unknown scheme.", field="scheme")
    if data.follow_up_on is not None and data.follow_up_on < on:
        raise invalid_input(
            _("Ngày hẹn gặp lại không được trước ngày đến hộ."), "Follow-up before the visit.", field="follow_up_on"
        )


def _funnel(
    actor: AbstractBaseUser, row: VisitAssignment, data: VisitData, person: Person | None, on: date
) -> tuple[ConsultationSession, Lead | None, Enrollment | None]:
    household, team = row.household, row.team
    assert team is not None
    place = _("Hộ {code}").format(code=household.code) + (
        f": {household.address_detail}" if household.address_detail else ""
    )
    session = ConsultationSession.objects.create(
        team=team,
        location_name=place[:300],
        location_kind=LocationKind.RESIDENTIAL,
        area_id=household.area_id,
        held_on=on,
        people_advised=1,
        recorded_by=actor,
    )
    if data.outcome not in (VisitOutcome.LEAD, VisitOutcome.ENROLLED) or person is None:
        return session, None, None
    enrolled = data.outcome == VisitOutcome.ENROLLED
    lead = Lead.objects.create(
        campaign=team.campaign,
        team=team,
        recorded_by=actor,
        consulted_on=on,
        person=person,
        session=session,
        full_name=person.full_name,
        date_of_birth=person.date_of_birth,
        scheme=data.scheme,
        outcome=LeadOutcome.ENROLLED if enrolled else LeadOutcome.PROMISED,
        reason=data.note.strip(),
        follow_up_on=None if enrolled else data.follow_up_on or on + timedelta(days=FOLLOW_UP_DAYS),
    )
    return session, lead, _enrollment(person, team.campaign) if enrolled else None


@transaction.atomic
def record_visit(
    actor: AbstractBaseUser,
    scope: Scope,
    assignment_id: int,
    data: VisitData,
    key: str | None = None,
    now: datetime | None = None,
) -> Visit:
    """A visit to a household of a list, by its team's member or the list's manager, while the
    campaign runs; the time is the server's."""
    key = once.clean_key(key)
    digest = once.digest({"assignment": assignment_id, **data.__dict__})
    if key is not None:
        found = Visit.objects.filter(recorded_by=actor, idempotency_key=key).first()
        if found is not None:
            if found.request_digest != digest:
                raise _conflict()
            return found
    now = now or timezone.now()
    on = timezone.localdate(now)
    row = (
        VisitAssignment.objects.select_for_update(of=("self",))
        .filter(pk=assignment_id)
        .select_related("household", "team", "team__campaign", "visit_list")
        .first()
    )
    if row is None or not scope.has_area(row.household.area_id):
        raise not_found()
    scope.require_writer()
    if row.team is None:
        raise invalid_input(_("Hộ này chưa được giao cho tổ tư vấn nào."), "The household is not assigned.")
    if not may_record(scope, actor, row):
        raise _forbidden(
            _("Chỉ thành viên của tổ được giao (hoặc cán bộ quản lý địa bàn) mới ghi kết quả đến hộ."),
            "Only the assigned team or the list's managers record visits.",
        )
    campaign = row.team.campaign
    if campaign.status != CampaignStatus.ACTIVE or not campaign.starts_on <= on <= campaign.ends_on:
        raise invalid_input(
            _("Chiến dịch không diễn ra hôm nay: không ghi kết quả đến hộ được."), "The campaign is not running today."
        )
    _check(data, on)
    person = _member(row, data.person_id, on)
    session, lead, enrollment = _funnel(actor, row, data, person, on) if data.outcome in MET else (None, None, None)
    visit = Visit.objects.create(
        assignment=row,
        visited_at=now,
        outcome=data.outcome,
        note=data.note.strip(),
        person=person,
        recorded_by=actor,
        session=session,
        lead=lead,
        enrollment=enrollment,
        idempotency_key=key,
        request_digest=digest,
    )
    audit(
        actor,
        "create",
        "visit",
        visit.pk,
        row.household.area_id,
        {"outcome": (None, data.outcome), "household": (None, row.household_id)},
    )
    return visit
