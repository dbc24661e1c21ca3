"""Reads of the facts for the dashboards: the province overview against its targets, the drill-down
province → area → commune → collection point → agent, the agent leaderboard, and renewals and
lapses by cohort. Every read takes the reader's scope (area ids; None means the whole province) and,
for history across the map change, the units of their own time or today's (``on_map_of``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ansinh.areas.models import DISTRICT_LEVELS, AdministrativeUnit
from ansinh.areas.queries import forward_map, province_codes
from ansinh.enrollment.models import Enrollment, EnrollmentStatus, PlanStatus, Scheme
from ansinh.lib.i18n import Labels
from ansinh.lib.periods import add_months, format_date_vi
from ansinh.lib.ranking import competition_ranks
from ansinh.org.models import Agent, OrgUnit
from ansinh.reports.models import GAP_CAP, AreaDay, CohortDay, Fact, PlanTarget
from ansinh.rules import local_support
from ansinh.rules.params import UsedParameters, default_parameters

LEVELS = ("area", "commune", "point", "agent")
LEVEL_NAMES = Labels({"province": gettext_lazy("Toàn tỉnh"), "area": gettext_lazy("Huyện/thị xã/thành phố"),
               "commune": gettext_lazy("Xã/phường/thị trấn"),
               "point": gettext_lazy("Điểm thu"), "agent": gettext_lazy("Nhân viên thu")})
MEASURES = {"vsi_new": Sum("people", filter=Q(scheme=Scheme.VSI, is_renewal=False)),
            "hi_new": Sum("people", filter=Q(scheme=Scheme.HOUSEHOLD_HI, is_renewal=False)),
            "renewals": Sum("people", filter=Q(is_renewal=True)), "amount": Sum("amount"),
            "state_support": Sum("state_support"), "local_support": Sum("local_support")}
AREA_MEASURES = {"vsi_new": Sum("vsi_new"), "hi_new": Sum("hi_new"),
                 "renewals": Sum(F("vsi_renewed") + F("hi_renewed")), "amount": Sum(F("vsi_amount") + F("hi_amount")),
                 "state_support": Sum("state_support"), "local_support": Sum("local_support")}
COLUMNS = [("rank", gettext_lazy("Hạng")), ("code", gettext_lazy("Mã")), ("name", gettext_lazy("Tên")),
           ("vsi_new", gettext_lazy("BHXH tự nguyện (mới)")),
           ("hi_new", gettext_lazy("BHYT hộ gia đình (mới)")), ("renewals", gettext_lazy("Tái tục (người)")),
           ("amount", gettext_lazy("Số tiền đã thu")),
           ("state_support", gettext_lazy("NSNN hỗ trợ")), ("local_support", gettext_lazy("NSĐP hỗ trợ"))]
NO_POINT = 0  # the drill-down's "no collection point recorded" row


@dataclass(frozen=True)
class Slice:
    start: date
    end: date
    area_ids: frozenset[int] | None = None  # the reader's scope; None: everything
    on_map_of: date | None = None  # show communes as on the map of this day; None: as recorded

    @cached_property
    def readable(self) -> frozenset[int] | None:
        """The recorded units the reader may see: their scope and, on a later map, the earlier units
        that became part of it (a new ward's manager sees the history of the communes merged into it)."""
        if self.area_ids is None or self.on_map_of is None:
            return self.area_ids
        recorded = (AreaDay.objects.filter(day__gte=self.start, day__lte=self.end)
                    .values_list("area_id", flat=True).distinct())
        became = forward_map(recorded, self.on_map_of)
        return self.area_ids | {source for source, target in became.items() if target in self.area_ids}

    def facts(self, model: type[AreaDay] | type[Fact] = AreaDay) -> QuerySet[Any]:
        rows = model.objects.filter(day__gte=self.start, day__lte=self.end)
        return rows if self.readable is None else rows.filter(area_id__in=self.readable)


@dataclass
class Row:
    key: int | None
    code: str
    name: str
    vsi_new: int = 0
    hi_new: int = 0
    renewals: int = 0
    amount: int = 0
    state_support: int = 0  # the state's support of the terms paid (net of reversals)
    local_support: int = 0  # the province's top-up of the terms paid (rules/local_support.py)
    rank: int = 0

    def add(self, values: dict[str, Any]) -> None:
        for name in MEASURES:
            setattr(self, name, getattr(self, name) + int(values.get(name) or 0))

    @property
    def new(self) -> int:
        return self.vsi_new + self.hi_new

    def as_dict(self) -> dict[str, Any]:
        return {"rank": self.rank, "key": self.key, "code": self.code, "name": self.name, "vsi_new": self.vsi_new,
                "hi_new": self.hi_new, "renewals": self.renewals, "amount": self.amount,
                "state_support": self.state_support, "local_support": self.local_support}


def overview(start: date, end: date, area_ids: Iterable[int] | None = None) -> dict[str, Any]:
    """Tiles and the daily trend, in one grouped read of the roll-up."""
    return overview_of(Slice(start, end, None if area_ids is None else frozenset(area_ids)))


def overview_of(view: Slice) -> dict[str, Any]:
    days = list(view.facts().values("day").annotate(
        vsi_new=Sum("vsi_new"), vsi_renewed=Sum("vsi_renewed"), hi_new=Sum("hi_new"), hi_renewed=Sum("hi_renewed"),
        vsi_amount=Sum("vsi_amount"), hi_amount=Sum("hi_amount"), state_support=Sum("state_support"),
        local_support=Sum("local_support")).order_by("day"))
    by_day = [{"day": r["day"], "scheme": scheme, "people": int(r[f"{side}_new"] + r[f"{side}_renewed"]),
               "amount": int(r[f"{side}_amount"])}
              for r in days for side, scheme in (("vsi", Scheme.VSI), ("hi", Scheme.HOUSEHOLD_HI))]
    return {"amount": sum(int(r["vsi_amount"] + r["hi_amount"]) for r in days),
            "vsi_new_people": sum(int(r["vsi_new"]) for r in days),
            "hi_new_people": sum(int(r["hi_new"]) for r in days),
            "renewal_people": sum(int(r["vsi_renewed"] + r["hi_renewed"]) for r in days),
            "state_support": sum(int(r["state_support"]) for r in days),
            "local_support": sum(int(r["local_support"]) for r in days), "by_day": by_day}


def top_up_notices(view: Slice) -> list[str]:
    """What the period's figures leave out: for each province with payments in the period whose VSI
    top-up was not configured (no file, or an ``unpublished`` marker) on some day of it, the notice
    the quotes carried — the terms were computed without it. Two queries (the communes, the tree)."""
    areas = set(view.facts().values_list("area_id", flat=True).distinct())
    provinces = sorted({code for code in province_codes(areas).values() if code is not None})
    params = default_parameters()
    found: list[str] = []
    for province in provinces:
        name = f"{local_support.VSI}/{province}"
        days = [view.start]
        if name in params:
            days += [d for d in params.get(name).change_dates() if view.start < d <= view.end]
        for day in days:
            _unused, notice = local_support.local_rates(local_support.VSI, province, UsedParameters(params, day))
            if notice is not None:
                found.append(_("Số tiền hỗ trợ {value}: {message}").format(
                                 value=(_("từ {day}").format(day=format_date_vi(day)) if day > view.start
                                        else _("trong kỳ")),
                                 message=notice.message))
                break
    return found


def targets(year: int, end: date, area_ids: Iterable[int] | None = None) -> list[dict[str, Any]]:
    """Each scheme's target for the year (the targets of units in scope) and the new participants
    from 1 January to ``end``."""
    scope = None if area_ids is None else frozenset(area_ids)
    wanted = PlanTarget.objects.filter(year=year)
    if scope is not None:
        wanted = wanted.filter(area_id__in=scope)
    so_far = overview(date(year, 1, 1), end, scope)
    values = dict(wanted.values("scheme").annotate(n=Sum("value")).values_list("scheme", "n"))
    found = []
    for scheme, label in Scheme.choices:
        value = values.get(scheme)
        done = so_far["vsi_new_people"] if scheme == Scheme.VSI else so_far["hi_new_people"]
        found.append({"scheme": scheme, "label": label, "target": value, "done": done,
                      "share": (done / value) if value else None})
    return found


def drill(view: Slice, level: str, area: int | None = None, commune: int | None = None,
          point: int | None = None) -> list[Row]:
    """One level of the drill-down, ranked by new participants then money. ``area`` and ``commune``
    are units of the map shown (as recorded, or of ``view.on_map_of``)."""
    if level == "point" or level == "agent":
        return _by_org(view, level, commune, point)
    communes = _communes(view)
    units = {u.pk: u for u in AdministrativeUnit.objects.filter(pk__in=set(communes)).select_related("parent")}
    rows: dict[int | None, Row] = {}
    for commune_id, values in communes.items():
        unit = units[commune_id]
        parent = unit.parent if unit.parent and unit.parent.level in DISTRICT_LEVELS else None
        if level == "area":
            key, code, name = (parent.pk, parent.code, parent.name) if parent else (None, "", _("(không có cấp huyện)"))
        elif area is not None and (parent is None or parent.pk != area):
            continue
        else:
            key, code, name = unit.pk, unit.code, unit.name
        rows.setdefault(key, Row(key, code, name)).add(values)
    return ranked(rows.values())


def _communes(view: Slice) -> dict[int, dict[str, int]]:
    """The measures per commune, on the map asked for."""
    found = {r["area_id"]: r for r in view.facts().values("area_id").annotate(**AREA_MEASURES)}
    if view.on_map_of is None:
        return found
    mapped: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(MEASURES, 0))
    for source, target in forward_map(found, view.on_map_of).items():
        for name in MEASURES:
            mapped[target][name] += int(found[source][name] or 0)
    return dict(mapped)


def sources(view: Slice, commune: int) -> set[int]:
    """The recorded units whose figures show as ``commune`` on the map asked for."""
    if view.on_map_of is None:
        return {commune}
    recorded = set(view.facts().values_list("area_id", flat=True).distinct())
    return {source for source, target in forward_map(recorded, view.on_map_of).items() if target == commune}


def _by_org(view: Slice, level: str, commune: int | None, point: int | None) -> list[Row]:
    facts = view.facts(Fact)
    if commune is not None:
        facts = facts.filter(area_id__in=sources(view, commune))
    if level == "agent":
        if point == NO_POINT:
            facts = facts.filter(collection_point__isnull=True)
        elif point is not None:
            facts = facts.filter(collection_point_id=point)
        grouped = facts.values(key=F("agent_id")).annotate(**MEASURES)
        names = {a.pk: (a.code, a.name) for a in Agent.objects.filter(pk__in=[r["key"] for r in grouped])}
    else:
        grouped = facts.values(key=F("collection_point_id")).annotate(**MEASURES)
        names = {u.pk: (u.code, u.name) for u in OrgUnit.objects.filter(pk__in=[r["key"] for r in grouped])}
    rows = []
    for values in grouped:
        code, name = names.get(values["key"], ("", _("(không ghi)")))
        row = Row(values["key"], code, name)
        row.add(values)
        rows.append(row)
    return ranked(rows)


def ranked(rows: Iterable[Row]) -> list[Row]:
    """Ranked by new participants, then money; equal results share a rank (1, 2, 2, 4)."""
    ordered = sorted(rows, key=lambda r: (-r.new, -r.amount, r.code))
    for rank, row in zip(competition_ranks([(r.new, r.amount) for r in ordered]), ordered, strict=True):
        row.rank = rank
    return ordered


def leaderboard(view: Slice) -> list[Row]:
    """Agents ranked over the period (the facts, not the campaign attribution)."""
    return _by_org(view, "agent", None, None)


def by_commune(start: date, end: date, area_ids: Iterable[int] | None = None) -> list[dict[str, Any]]:
    """New participants and money per commune (as recorded: the units of the period's own map)."""
    view = Slice(start, end, None if area_ids is None else frozenset(area_ids))
    return [row.as_dict() for row in drill(view, "commune")]


def lapse_days(on: date) -> int:
    """A next term that starts this many days or more after the last covered day does not continue
    the old one: the household-HI threshold in force on ``on`` (Law on HI art. 16, as amended by
    51/2024/QH15; a dated parameter). Voluntary SI has no legal lapse; the dashboards count its
    renewals with the same window so the two schemes compare. Refused (in Vietnamese) for a date
    whose rule is in months (before 01/07/2025)."""
    return int(default_parameters().at("household_hi/lapse_days_at_least", on).value)


def _grace(on: date) -> timedelta:
    """The days after a term's end within which a next term renews it: the lapse threshold in force on
    ``on`` less one (a gap of ``lapse_days`` or more breaks continuity)."""
    grace = timedelta(days=lapse_days(on) - 1)
    if grace.days > GAP_CAP:  # the cohort facts keep gaps up to GAP_CAP days only
        raise ValueError(f"a lapse threshold of {grace.days + 1} days exceeds the cohort facts' {GAP_CAP}")
    return grace


def _cohort_days(first: date, last: date, area_ids: Iterable[int] | None) -> QuerySet[CohortDay]:
    rows = CohortDay.objects.filter(day__gte=first, day__lte=last)
    return rows if area_ids is None else rows.filter(area_id__in=set(area_ids))


def renewal_cohorts(on: date, area_ids: Iterable[int] | None = None, months: int = 12) -> list[dict[str, Any]]:
    """For each of the last ``months`` months: the paid terms that ended in it, how many were renewed
    (a next paid term of the same person or household starting within the grace after the end) and
    the renewal rate. Cohorts whose grace has not passed are marked open. Read from the cohort facts
    (each renewal decided once, when the next term is paid: ``models.CohortDay``)."""
    first = add_months(on.replace(day=1), -months)
    grace = _grace(on)
    ended = (_cohort_days(first, on.replace(day=1) - timedelta(days=1), area_ids)
             .values("scheme", month=TruncMonth("day"))
             .annotate(ended=Sum("terms"), renewed_n=Sum("terms", filter=Q(gap__lte=grace.days)))
             .filter(ended__gt=0))
    cohorts = []
    for row in ended:
        month = row["month"] if isinstance(row["month"], date) else row["month"].date()
        last_day = add_months(month, 1) - timedelta(days=1)
        renewed = int(row["renewed_n"] or 0)
        cohorts.append({"month": month, "scheme": row["scheme"], "ended": int(row["ended"]), "renewed": renewed,
                        "rate": renewed / row["ended"], "open": last_day + grace > on})
    return sorted(cohorts, key=lambda c: (c["month"], c["scheme"]))


def lapses(on: date, area_ids: Iterable[int] | None = None, months: int = 12) -> list[dict[str, Any]]:
    """Terms of the last ``months`` months that lapsed (grace passed, no next term), by reason. The paid
    ones come from the cohort facts; the few whose reason needs more than the term — cancelled ones,
    and paid ones of a plan since stopped (a stop is not a payment) — are looked up term by term."""
    first = add_months(on.replace(day=1), -months)
    days = lapse_days(on)
    grace = _grace(on)
    last = on - grace
    paid = {row["scheme"]: int(row["n"] or 0) for row in _cohort_days(first, last, area_ids)
            .filter(gap__gt=grace.days).values("scheme").annotate(n=Sum("terms"))}
    terms = Enrollment.objects.all()
    if area_ids is not None:
        terms = terms.filter(area_id__in=set(area_ids))
    # the few cancelled terms of the window come from their own partial index (enrollment_cancelled_end)
    cancelled = _by_scheme(_ended(terms.filter(status=EnrollmentStatus.CANCELLED), first, last, grace))
    stopped = _by_scheme(_ended(terms.filter(status=EnrollmentStatus.PAID, plan__status=PlanStatus.STOPPED),
                                first, last, grace))
    counts = {"cancelled": cancelled, "stopped": stopped,
              "not_renewed": {s: paid.get(s, 0) - stopped.get(s, 0) for s in (Scheme.VSI, Scheme.HOUSEHOLD_HI)}}
    reasons = [("cancelled", _("Khoản thu bị huỷ (đã hoàn/điều chỉnh)")),
               ("stopped", _("Người tham gia đăng ký dừng đóng BHXH tự nguyện")),
               ("not_renewed", _("Hết hạn, {days} ngày sau vẫn chưa đóng tiếp").format(days=days))]
    found = []
    for code, label in reasons:
        vsi, hi = (int(counts[code].get(s, 0)) for s in (Scheme.VSI, Scheme.HOUSEHOLD_HI))
        found.append({"code": code, "label": label, "vsi": vsi, "hi": hi, "total": vsi + hi})
    return found


def _by_scheme(ended: QuerySet[Enrollment]) -> dict[str, int]:
    return {row["scheme"]: int(row["n"]) for row in ended.filter(renewed=False).values("scheme")
            .annotate(n=Count("pk"))}


def renewal_cohorts_by_term(on: date, area_ids: Iterable[int] | None = None,
                            months: int = 12) -> list[dict[str, Any]]:
    """``renewal_cohorts`` term by term (one look-up per ended term, no facts): the reference the cohort
    facts must equal (tests, bench/renewals.py); linear but slow at a province's size."""
    first = add_months(on.replace(day=1), -months)
    terms = Enrollment.objects.filter(status=EnrollmentStatus.PAID)
    if area_ids is not None:
        terms = terms.filter(area_id__in=set(area_ids))
    grace = timedelta(days=lapse_days(on) - 1)
    ended = (_ended(terms, first, on.replace(day=1) - timedelta(days=1), grace)
             .values("scheme", month=TruncMonth("period_end"))
             .annotate(ended=Count("pk"), renewed_n=Count("pk", filter=Q(renewed=True))))
    cohorts = []
    for row in ended:
        month = row["month"] if isinstance(row["month"], date) else row["month"].date()
        last_day = add_months(month, 1) - timedelta(days=1)
        cohorts.append({"month": month, "scheme": row["scheme"], "ended": row["ended"], "renewed": row["renewed_n"],
                        "rate": row["renewed_n"] / row["ended"], "open": last_day + grace > on})
    return sorted(cohorts, key=lambda c: (c["month"], c["scheme"]))


def lapses_by_term(on: date, area_ids: Iterable[int] | None = None, months: int = 12) -> list[dict[str, Any]]:
    """``lapses`` term by term: the reference (see ``renewal_cohorts_by_term``)."""
    first = add_months(on.replace(day=1), -months)
    terms = Enrollment.objects.all()
    if area_ids is not None:
        terms = terms.filter(area_id__in=set(area_ids))
    days = lapse_days(on)
    grace = timedelta(days=days - 1)
    ended = _ended(terms, first, on - grace, grace).filter(renewed=False)
    reasons = [
        ("cancelled", _("Khoản thu bị huỷ (đã hoàn/điều chỉnh)"), Q(status=EnrollmentStatus.CANCELLED)),
        ("stopped", _("Người tham gia đăng ký dừng đóng BHXH tự nguyện"),
         Q(status=EnrollmentStatus.PAID, plan__status=PlanStatus.STOPPED)),
        ("not_renewed", _("Hết hạn, {days} ngày sau vẫn chưa đóng tiếp").format(days=days),
         Q(status=EnrollmentStatus.PAID) & ~Q(plan__status=PlanStatus.STOPPED)),
    ]
    by_scheme = {row["scheme"]: row for row in ended.values("scheme").annotate(
        **{code: Count("pk", filter=condition) for code, _unused, condition in reasons})}
    found = []
    for code, label, _unused in reasons:
        vsi, hi = (int(by_scheme.get(s, {}).get(code, 0)) for s in (Scheme.VSI, Scheme.HOUSEHOLD_HI))
        found.append({"code": code, "label": label, "vsi": vsi, "hi": hi, "total": vsi + hi})
    return found


def _ended(terms: QuerySet[Enrollment], first: date, last: date, grace: timedelta) -> QuerySet[Enrollment]:
    """Terms whose last covered day falls in ``first``..``last``, each marked ``renewed`` when a next
    paid term of the same person (VSI) or household (HI) starts after it and within the grace."""
    # One correlated look-up per term on its own key (person for VSI, household for HI), each served by
    # that key's index: an OR of the two inside one EXISTS left only the scheme to join on (issue 14).
    later = Enrollment.objects.filter(status=EnrollmentStatus.PAID, period_start__gt=OuterRef("period_start"),
                                      period_start__lte=OuterRef("renew_by"))
    renewed = Case(
        When(scheme=Scheme.VSI, then=Exists(later.filter(scheme=Scheme.VSI, person=OuterRef("person")))),
        When(scheme=Scheme.HOUSEHOLD_HI,
             then=Exists(later.filter(scheme=Scheme.HOUSEHOLD_HI, household=OuterRef("household")))),
        default=Value(False), output_field=BooleanField())
    terms = terms.filter(period_end__gte=first, period_end__lte=last)
    return (terms
            .annotate(renew_by=ExpressionWrapper(F("period_end") + grace, output_field=DateField()))
            .annotate(renewed=renewed))
