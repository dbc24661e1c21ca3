"""Coverage rates by commune (issue 18): on a day, for the communes of a scope, how many of the
registry's people are covered by voluntary SI, by household HI, elsewhere, lapsed or never covered
(``enrollment.coverage``), against two denominators — the registry's own count and, where entered, the
official population (``OfficialPopulation``) — and against the dated plan targets (``CoverageTarget``).

Rows are communes or their district-level areas, on the map as recorded or remapped to the units in force
on the day (``areas.queries.forward_map``, across the 2024 and 2025 mergers) like the other dashboards.
A fixed number of queries whatever the number of people or communes."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ansinh.areas.models import DISTRICT_LEVELS, AdministrativeUnit
from ansinh.areas.queries import forward_map
from ansinh.enrollment import coverage
from ansinh.enrollment.models import Scheme
from ansinh.lib.i18n import Labels
from ansinh.lib.periods import format_date_vi
from ansinh.org.fields import PersonalField, shown
from ansinh.org.scope import Scope, not_found
from ansinh.reports.models import CoverageTarget, OfficialPopulation, TargetBasis

COUNTED = ("population", "covered_vsi", "covered_hi", "covered", "covered_elsewhere", "lapsed", "never_covered")


@dataclass
class Target:
    share: Decimal  # percent
    basis: str
    target_date: date
    source: str
    needed: int | None = None  # people still to cover to reach it (None: no denominator for the basis)


@dataclass
class CoverageRow:
    key: int | None
    code: str
    name: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTED, 0))
    official: int | None = None
    working_age: int | None = None
    official_as_of: date | None = None
    targets: dict[str, Target] = field(default_factory=dict)  # by scheme

    def rate(self, denominator: int | None) -> float | None:
        return self.counts["covered"] / denominator if denominator else None

    @property
    def rate_registry(self) -> float | None:
        return self.rate(self.counts["population"])

    @property
    def rate_official(self) -> float | None:
        return self.rate(self.official)


@dataclass(frozen=True)
class CoverageView:
    on: date
    area_ids: frozenset[int]  # the scope's
    on_map_of: date | None = None  # None: the units as recorded

    def mapped(self, commune_ids: Iterable[int]) -> dict[int, int]:
        ids = list(commune_ids)
        return forward_map(ids, self.on_map_of) if self.on_map_of else {pk: pk for pk in ids}


def table(view: CoverageView, level: str, area: int | None = None) -> list[CoverageRow]:
    """One level of the drill-down: ``area`` rows (district-level units, or the communes where the map has
    none), or the ``commune`` rows (within ``area`` when given)."""
    by_commune = coverage.counts(view.area_ids, view.on)
    mapping = view.mapped(by_commune)
    units = {
        u.pk: u
        for u in AdministrativeUnit.objects.filter(pk__in=set(mapping.values())).select_related("parent__parent")
    }
    rows: dict[int | None, CoverageRow] = {}
    members: dict[int | None, set[int]] = defaultdict(set)
    for source, counted in by_commune.items():
        unit = units[mapping[source]]
        parent = unit.parent if unit.parent and unit.parent.level in DISTRICT_LEVELS else None
        if level == "area":
            shown = parent
        elif area is not None and (parent is None or parent.pk != area):
            continue
        else:
            shown = unit
        key = shown.pk if shown else None
        row = rows.setdefault(
            key, CoverageRow(key, shown.code if shown else "", shown.name if shown else _("(không có cấp huyện)"))
        )
        members[key].add(unit.pk)
        for name in COUNTED:
            row.counts[name] += getattr(counted, name)
    _officials(view.on, rows, members)
    _targets(view.on, rows, units)
    return sorted(rows.values(), key=lambda r: (r.rate_registry or 0, r.name))


def _officials(on: date, rows: dict[int | None, CoverageRow], members: dict[int | None, set[int]]) -> None:
    """Each row's official figure in force on ``on``: the unit's own, else the sum of its communes' when
    every one of them has one."""
    wanted = {pk for pk in rows if pk is not None} | {pk for group in members.values() for pk in group}
    latest: dict[int, OfficialPopulation] = {}
    for figure in OfficialPopulation.objects.filter(area_id__in=wanted, as_of__lte=on).order_by("area_id", "-as_of"):
        latest.setdefault(figure.area_id, figure)
    for key, row in rows.items():
        own = latest.get(key) if key is not None else None
        parts = [own] if own else [latest.get(pk) for pk in members[key]]
        if parts and all(parts):
            row.official = sum(p.population for p in parts if p)
            ages = [p.working_age for p in parts if p]
            row.working_age = sum(a for a in ages if a is not None) if all(a is not None for a in ages) else None
            row.official_as_of = min(p.as_of for p in parts if p)


def _targets(on: date, rows: dict[int | None, CoverageRow], units: dict[int, AdministrativeUnit]) -> None:
    """Each row's target per scheme: the unit's own, else its nearest ancestor's; the first due on or after
    ``on``, else the last one due."""
    by_area: dict[tuple[int, str], list[CoverageTarget]] = defaultdict(list)
    for target in CoverageTarget.objects.order_by("target_date"):
        by_area[(target.area_id, target.scheme)].append(target)
    parents = {pk: u.parent for pk, u in units.items()}
    parents.update({u.parent.pk: u.parent.parent for u in units.values() if u.parent is not None})
    for key, row in rows.items():
        for scheme in (Scheme.VSI, Scheme.HOUSEHOLD_HI):
            chosen = _nearest(by_area, key, scheme, parents, on)
            if chosen is not None:
                row.targets[scheme] = _target(row, scheme, chosen)


def _nearest(
    by_area: dict[tuple[int, str], list[CoverageTarget]],
    key: int | None,
    scheme: str,
    parents: dict[int, AdministrativeUnit | None],
    on: date,
) -> CoverageTarget | None:
    seen: set[int] = set()
    while key is not None and key not in seen:
        seen.add(key)
        found = by_area.get((key, scheme))
        if found:
            return next((t for t in found if t.target_date >= on), found[-1])
        parent = parents.get(key)
        key = parent.pk if parent is not None else None
    return None


def _target(row: CoverageRow, scheme: str, target: CoverageTarget) -> Target:
    denominator = row.working_age if target.basis == TargetBasis.WORKING_AGE else row.official
    covered = row.counts["covered_vsi" if scheme == Scheme.VSI else "covered_hi"]
    needed = None
    if denominator:
        needed = max(0, math.ceil(Decimal(denominator) * target.share / 100) - covered)
    return Target(target.share, target.basis, target.target_date, target.source, needed)


def sources(view: CoverageView, commune: int) -> set[int]:
    """The recorded communes of the scope whose people show as ``commune`` on the map asked for."""
    if view.on_map_of is None:
        return {commune} & view.area_ids
    return {pk for pk, target in view.mapped(view.area_ids).items() if target == commune}


def gap_people(
    view: CoverageView, commune: int, *, only: Collection[str] = coverage.GAPS, page: int = 1, per_page: int = 50
) -> coverage.GapPage:
    """The commune's people not covered here on the day, a page of them (``enrollment.coverage.gaps``)."""
    return coverage.gaps(sources(view, commune), view.on, only=only, page=page, per_page=per_page)


GAP_COLUMNS = [
    ("full_name", gettext_lazy("Họ và tên")),
    ("birth_year", gettext_lazy("Năm sinh")),
    ("citizen_id", gettext_lazy("Số định danh")),
    ("phone", gettext_lazy("Điện thoại")),
    ("commune", gettext_lazy("Xã/phường")),
    ("status", gettext_lazy("Tình trạng")),
    ("since", gettext_lazy("Gián đoạn từ ngày")),
]
STATUS_NAMES = Labels(
    {
        coverage.NEVER_COVERED: gettext_lazy("Chưa từng tham gia"),
        coverage.LAPSED: gettext_lazy("Gián đoạn"),
        coverage.COVERED_ELSEWHERE: gettext_lazy("Tham gia nơi khác"),
        coverage.COVERED: gettext_lazy("Đang tham gia"),
    }
)


def gap_dict(scope: Scope, row: coverage.GapRow) -> dict[str, Any]:
    """A gap-list row as the page and its export show it: a list, so identifiers masked by the field policy."""
    person = row.person
    return {
        "full_name": person.full_name,
        "birth_year": person.date_of_birth.year,
        "citizen_id": shown(scope, PersonalField.CITIZEN_ID, person.citizen_id),
        "phone": shown(scope, PersonalField.PHONE, person.phone),
        "commune": person.area.name,
        "status": STATUS_NAMES[row.status],
        "since": format_date_vi(row.lapsed_since) if row.lapsed_since else "",
        "person_id": person.pk,
    }


def gap_view(scope: Scope, params: dict[str, Any]) -> tuple[CoverageView, set[int]]:
    """The view and the recorded communes of an exported gap list (``on``, ``commune``, ``map``: "recorded"
    or the day's units); a commune outside the scope is "not found"."""
    on = date.fromisoformat(params["on"])
    view = CoverageView(on, scope.area_ids, None if params.get("map") == "recorded" else on)
    found = sources(view, int(params["commune"]))
    if not found:
        raise not_found()
    return view, found


def _gaps_of(scope: Scope, params: dict[str, Any]) -> Any:
    view, found = gap_view(scope, params)
    return coverage.statuses(found, view.on).filter(coverage__in=list(coverage.GAPS))


def gap_count(scope: Scope, params: dict[str, Any]) -> int:
    return int(_gaps_of(scope, params).count())


def gap_rows(scope: Scope, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every person of the commune's gap list, in the page's order, read in chunks."""
    people = _gaps_of(scope, params).select_related("area").order_by("area__name", "folded_name", "pk")
    for p in people.iterator(chunk_size=2000):
        yield gap_dict(scope, coverage.GapRow(p, p.coverage, p.last_covered, p.household_id))
