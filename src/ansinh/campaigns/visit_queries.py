"""Reads of visit lists (issue 18): which households of a commune a list would take (the preview and
the list's making), the lists and their rows, and a team's printable sheet with what each household
would pay. Nothing here writes; every read costs a fixed number of queries whatever the rows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from ansinh.areas.queries import province_codes
from ansinh.campaigns.models import AdvisoryTeam, Campaign, Visit, VisitAssignment, VisitList
from ansinh.enrollment import coverage
from ansinh.enrollment.services import GROUP_OF_STATUS, derived_groups_of, poverty_statuses_on, vsi_histories
from ansinh.lib.errors import DomainError, invalid_input
from ansinh.org.fields import PersonalField, shown
from ansinh.org.scope import Scope, not_found
from ansinh.registry.models import Membership, Person, Sex
from ansinh.rules import household_hi, vsi
from ansinh.rules.params import UsedParameters, default_parameters

NEVER_COVERED, LAPSED, COVERED_ELSEWHERE, COVERED = coverage.STATUSES
VISITABLE = (NEVER_COVERED, LAPSED)  # the default: the covered elsewhere are not visited for nothing
SUPPORT_FILTERS = ("poor", "near_poor", "ethnic_minority", "island", "none")
MAX_AGE = 150
MAX_LAPSED_MONTHS = 600
VSI_MIN_AGE = 15  # the youngest a voluntary-SI participant may be (Luật 41/2024 art. 2(4)); a quote below: none


@dataclass(frozen=True)
class Filters:
    """What a manager chose; kept with the list (``as_json``) so it can be explained later."""

    min_age: int | None = None
    max_age: int | None = None
    sex: str = ""
    support_group: str = ""
    lapsed_within_months: int | None = None
    gaps: tuple[str, ...] = VISITABLE

    def checked(self) -> Filters:
        if any(a is not None and not 0 <= a <= MAX_AGE for a in (self.min_age, self.max_age)) or (
            self.min_age is not None and self.max_age is not None and self.min_age > self.max_age
        ):
            raise invalid_input(
                _("Độ tuổi phải từ 0 đến {MAX_AGE}, tuổi nhỏ nhất không lớn hơn tuổi lớn nhất.").format(
                    MAX_AGE=MAX_AGE
                ),
                "Bad age band.",
                field="min_age",
            )
        if self.sex and self.sex not in Sex.values:
            raise invalid_input(_("Giới tính không hợp lệ."), "Unknown sex.", field="sex")
        if self.support_group and self.support_group not in SUPPORT_FILTERS:
            raise invalid_input(_("Nhóm hỗ trợ không hợp lệ."), "Unknown support group.", field="support_group")
        if self.lapsed_within_months is not None and not 1 <= self.lapsed_within_months <= MAX_LAPSED_MONTHS:
            raise invalid_input(
                _("Số tháng gián đoạn phải từ 1 đến {MAX_LAPSED_MONTHS}.").format(MAX_LAPSED_MONTHS=MAX_LAPSED_MONTHS),
                "Bad lapse window.",
                field="lapsed_within_months",
            )
        if not self.gaps or set(self.gaps) - {NEVER_COVERED, LAPSED, COVERED_ELSEWHERE}:
            raise invalid_input(
                _("Chọn ít nhất một tình trạng: chưa từng tham gia, gián đoạn, hoặc tham gia nơi khác."),
                "Choose the gap statuses.",
                field="gaps",
            )
        return self

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "gaps": list(self.gaps)}


@dataclass(frozen=True)
class Candidate:
    household_id: int
    gap: str  # the household's: never covered if a chosen member never was, else lapsed, else covered elsewhere
    lapsed_since: date | None
    person_ids: tuple[int, ...] = field(default=())  # the members who matched


def age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _lapsed_after(on: date, months: int) -> date:
    total = on.year * 12 + on.month - 1 - months
    year, month = divmod(total, 12)
    return date(year, month + 1, min(on.day, 28))


def _matches(person: Person, status: tuple[str, date | None], groups: list[str], on: date, f: Filters) -> bool:
    gap, since = status
    if gap not in f.gaps:
        return False
    age = age_on(person.date_of_birth, on)
    if (f.min_age is not None and age < f.min_age) or (f.max_age is not None and age > f.max_age):
        return False
    if f.sex and person.sex != f.sex:
        return False
    if (f.support_group == "none" and groups) or (
        f.support_group not in ("", "none") and f.support_group not in groups
    ):
        return False
    if f.lapsed_within_months is not None:  # only the lapsed, and only recently
        return gap == LAPSED and since is not None and since >= _lapsed_after(on, f.lapsed_within_months)
    return True


def _members_on(area_id: int, on: date) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(household__area_id=area_id, valid_from__lte=on)
        .exclude(valid_to__lt=on)
        .select_related("person")
    )


def _statuses(memberships: QuerySet[Membership], on: date) -> dict[int, tuple[str, date | None]]:
    """Each member's own status on ``on`` (enrollment.coverage), with the first day of a lapse."""
    found = coverage.status_of(Person.objects.filter(pk__in=memberships.values("person_id")), on)
    return {pk: (row.status, row.lapsed_since if row.status == LAPSED else None) for pk, row in found.items()}


def candidates(area_id: int, on: date, filters: Filters) -> list[Candidate]:
    """The households of the commune with at least one member who matches the filters and had no
    cover of the chosen kinds on ``on``, by household: one query for the members, one for their
    statuses (each member's own, even one registered in another commune), two for their support groups."""
    memberships = list(_members_on(area_id, on).order_by("household_id", "person_id"))
    people = [m.person for m in memberships]
    statuses = _statuses(_members_on(area_id, on), on)
    groups = derived_groups_of(people, on)
    chosen: dict[int, list[tuple[Person, tuple[str, date | None]]]] = {}
    for m in memberships:
        status = statuses[m.person_id]
        if _matches(m.person, status, groups[m.person_id], on, filters):
            chosen.setdefault(m.household_id, []).append((m.person, status))
    found = []
    for household_id, rows in chosen.items():
        gaps = {gap for _unused, (gap, _since) in rows}
        gap = next(g for g in (NEVER_COVERED, LAPSED, COVERED_ELSEWHERE) if g in gaps)
        since = max((s for _unused, (g, s) in rows if g == LAPSED and s is not None), default=None)
        found.append(Candidate(household_id, gap, since, tuple(p.pk for p, _unused in rows)))
    return found


def list_for(scope: Scope, campaign: Campaign, list_id: int) -> VisitList:
    """A visit list of the campaign, in the reader's scope (else: not found)."""
    found = VisitList.objects.filter(campaign=campaign, pk=list_id).select_related("area", "created_by").first()
    if found is None or not scope.has_area(found.area_id):
        raise not_found()
    return found


def lists_of(scope: Scope, campaign: Campaign) -> QuerySet[VisitList]:
    """The campaign's visit lists in the reader's scope, with their households and visits counted."""
    return (
        VisitList.objects.filter(scope.areas_q(), campaign=campaign)
        .select_related("area")
        .annotate(
            households=Count("assignments", distinct=True),
            assigned=Count("assignments", filter=Q(assignments__team__isnull=False), distinct=True),
            visited=Count("assignments__visits__assignment", distinct=True),
        )
        .order_by("-created_at", "-pk")
    )


def rows_of(visit_list: VisitList) -> QuerySet[VisitAssignment]:
    return (
        visit_list.assignments.select_related("household", "household__head", "team")
        .prefetch_related(Prefetch("visits", queryset=Visit.objects.order_by("-visited_at", "-pk")))
        .order_by("household__address_detail", "household__code")
    )


def assignment(scope: Scope, campaign: Campaign, assignment_id: int) -> VisitAssignment:
    found = (
        VisitAssignment.objects.filter(pk=assignment_id, visit_list__campaign=campaign)
        .select_related("household", "household__head", "team", "visit_list", "visit_list__area")
        .first()
    )
    if found is None or not scope.has_area(found.household.area_id):
        raise not_found()
    return found


@dataclass(frozen=True)
class SheetMember:
    name: str
    age: int
    sex: str
    groups: list[str]
    vsi_monthly: int | None  # at the income floor, for one month; None: too young, or the rules refuse
    person_id: int | None = None


@dataclass(frozen=True)
class SheetRow:
    assignment: VisitAssignment
    head: str
    address: str
    phone: str  # as the field policy shows it to the reader
    members: list[SheetMember]
    hi_yearly: int | None  # household HI for the uncovered members, 12 months; None: the state pays, or refused
    hi_group: str


def _vsi_floor(on: date, groups: Iterable[str], province: str | None, used: int, use: UsedParameters) -> int | None:
    floor, _ceiling, _step = vsi.income_bounds(use)
    try:
        return vsi.quote(
            vsi.VsiQuoteInput(
                on=on, income=floor, months=1, groups=frozenset(groups), province=province, supported_months_used=used
            )
        ).payable
    except DomainError:
        return None


def _hi_year(on: date, members: int, group: str, province: str | None) -> int | None:
    if not members or group == household_hi.POOR:
        return None
    try:
        return household_hi.quote(
            household_hi.HiQuoteInput(
                on=on,
                members=tuple(household_hi.HiMember(group=group) for _unused in range(members)),
                months=12,
                province=province,
            )
        ).total
    except DomainError:
        return None


def sheet(scope: Scope, visit_list: VisitList, team: AdvisoryTeam, on: date) -> list[SheetRow]:
    """A team's households of the list with the members still uncovered on ``on``, what each would pay
    at the voluntary-SI floor for a month (with their support) and what the household would pay for
    their HI cards for a year, priced by the rules as the quote services do. The phone is the
    head's as the field policy shows it (masked for everyone on a list). Fixed queries."""
    rows = list(
        visit_list.assignments.filter(team=team)
        .select_related("household", "household__head")
        .order_by("household__address_detail", "household__code")
    )
    return priced(scope, rows, on)


def priced(scope: Scope, rows: list[VisitAssignment], on: date) -> list[SheetRow]:
    """``sheet``'s rows for any assignments (of one list or several, in one commune or several), with
    their households and heads selected: a fixed number of queries whatever the rows."""
    household_ids = [r.household_id for r in rows]
    members_on = Membership.objects.filter(household_id__in=household_ids, valid_from__lte=on).exclude(valid_to__lt=on)
    memberships = list(members_on.select_related("person").order_by("household_id", "pk"))
    statuses = _statuses(members_on, on)
    area_ids = sorted({r.household.area_id for r in rows})
    uncovered = [m for m in memberships if statuses[m.person_id][0] in (NEVER_COVERED, LAPSED)]
    people = [m.person for m in uncovered]
    groups = derived_groups_of(people, on)
    poverty = poverty_statuses_on([p.pk for p in people], on)
    histories = vsi_histories([p.pk for p in people])
    provinces = province_codes(area_ids) if area_ids else {}
    use = UsedParameters(default_parameters(), on)
    by_household: dict[int, list[Person]] = {}
    for m in uncovered:
        by_household.setdefault(m.household_id, []).append(m.person)
    found = []
    for row in rows:
        members = by_household.get(row.household_id, [])
        province = provinces[row.household.area_id]
        sheet_members = [
            SheetMember(
                p.full_name,
                age_on(p.date_of_birth, on),
                p.get_sex_display(),
                groups[p.pk],
                _vsi_floor(
                    on, groups[p.pk], province, histories[p.pk].supported_months if p.pk in histories else 0, use
                )
                if age_on(p.date_of_birth, on) >= VSI_MIN_AGE
                else None,
                p.pk,
            )
            for p in members
        ]
        group = (
            GROUP_OF_STATUS.get(poverty.get(members[0].pk, ""), household_hi.HOUSEHOLD)
            if members
            else household_hi.HOUSEHOLD
        )
        head = row.household.head
        found.append(
            SheetRow(
                row,
                head.full_name if head else "",
                row.household.address_detail,
                shown(scope, PersonalField.PHONE, head.phone if head else ""),
                sheet_members,
                _hi_year(on, len(members), group, province),
                group,
            )
        )
    return found


def members_of(row: VisitAssignment, on: date) -> QuerySet[Person]:
    """The household's members on ``on`` (whom a visit may name as met), by name."""
    members = Membership.objects.filter(household_id=row.household_id, valid_from__lte=on).exclude(valid_to__lt=on)
    return Person.objects.filter(pk__in=members.values("person_id")).order_by("full_name", "pk")


def teams_of(visit_list: VisitList) -> list[AdvisoryTeam]:
    """The advisory teams a list's households may go to: its campaign's."""
    if visit_list.campaign_id is None:
        return []
    return list(AdvisoryTeam.objects.filter(campaign_id=visit_list.campaign_id).order_by("name", "pk"))
