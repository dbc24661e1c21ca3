"""The what-if "if everyone joined" (issue 18): the coverage-gap population of the province on a day
(``enrollment.coverage``: never covered, or lapsed; the people covered elsewhere are left out) priced as if
each joined for ``months`` from that day, under today's parameters and the changed set, with the same
vectorised rules and the same table (``whatif.WhatIf``, per district — on the 2025 map, commune — and the
day's year) as the what-if of the paid terms.

- Voluntary SI, for the people of at least ``vsi_min_age`` on the day (the caller states it: no age is
  a parameter of the files): at the income given, by default the minimum of the parameter files on the
  day (``vsi/income_floor`` × ``rural_poverty_line``), regular method; the support groups derived from the
  registry as a quote derives them (``enrollment.services.derived_groups_of``); the months of state support
  already used, from their paid terms.
- Household HI for everyone: the group of the household's poverty status on the day (poor, near-poor…: the
  state's groups, not ranked), otherwise ranked within the household after its members already counted this
  calendar year (as ``enrollment.services.quote_hi`` ranks) in the order of the registry (person id); a person
  in no household is ranked first.

Not modelled: who could not join regular VSI (past retirement age, on a pension) beyond the age given; the
people covered by VSI but without HI are "covered" in ``coverage`` and so not in the gap.
Read by commune, a few communes a query: memory follows the largest commune, not the province. At the size
of the synthetic province (3.4 M people) it takes minutes (docs/performance.md): above ``INLINE_PEOPLE`` people
the page sends it to the queue (``reports.jobs``, kind "whatif"), whose progress counts communes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
from django.db.models import Count, Sum

from ansinh.areas.models import COMMUNE_LEVELS
from ansinh.areas.tree import map_tree
from ansinh.enrollment import coverage
from ansinh.enrollment.models import Enrollment, EnrollmentStatus, HiCardLine, Scheme
from ansinh.enrollment.services import GROUP_OF_STATUS, derived_groups_of, poverty_statuses_on
from ansinh.lib.money import round_vnd
from ansinh.registry.models import Person
from ansinh.reports.whatif import Priced, WhatIf, _rows, _Sums, _Units
from ansinh.rules import batch, household_hi
from ansinh.rules.params import ParameterSet, default_parameters

COMMUNES_A_QUERY = 20
INLINE_PEOPLE = 50_000  # above this many people in the registry of the reader's communes, a job of the queue


def minimum_income(params: ParameterSet, on: date) -> int:
    """The lowest VSI income on ``on`` in the parameter files: ``vsi/income_floor`` × ``rural_poverty_line``."""
    floor = params.at("vsi/income_floor", on).value
    line = params.at("rural_poverty_line", on).value
    return round_vnd(floor * line)  # type: ignore[operator]


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def everyone_joined(on: date, scenario: ParameterSet, *, vsi_min_age: int, income: int | None = None,
                    months: int = 12, province: str = "40", area_ids: frozenset[int] | None = None,
                    baseline: ParameterSet | None = None,
                    progress: Callable[[int], None] | None = None) -> WhatIf:
    """What the gap population of ``on`` would pay and cost the budgets if everyone joined (module docstring)."""
    sides = (baseline or default_parameters(), scenario)
    income = minimum_income(sides[0], on) if income is None else income
    cap = int(sides[0].at("vsi/state_support_max_months", on).value)  # type: ignore[call-overload]
    units, sums = _Units.read(), _Sums()
    communes = communes_of(province, area_ids, units)
    joining = _Joining(on, income, months, vsi_min_age, cap, sides)
    for at in range(0, len(communes), COMMUNES_A_QUERY):
        chunk = communes[at:at + COMMUNES_A_QUERY]
        people = list(coverage.statuses(chunk, on).filter(coverage__in=[coverage.NEVER_COVERED, coverage.LAPSED])
                      .only("pk", "area_id", "date_of_birth", "ethnicity", "island_resident").order_by("pk"))
        if people:
            joining.price(people, units, sums)
        if progress is not None:
            progress(min(at + COMMUNES_A_QUERY, len(communes)))
    return WhatIf(on, on, province, _rows(sums), income=income)


def communes_of(province: str, area_ids: frozenset[int] | None = None, units: _Units | None = None) -> list[int]:
    """The communes (of every map) of ``province``, within ``area_ids`` when given: what the gap is read by."""
    units = units or _Units.read()
    code = int(province)
    return sorted(pk for pk, (_parent, level, _code) in map_tree().units.items() if level in COMMUNE_LEVELS
                  and pk < len(units.province) and units.province[pk] == code and (area_ids is None or pk in area_ids))


def population(province: str, area_ids: frozenset[int] | None = None) -> int:
    """How many people the registry has in those communes: what says whether the page prices the gap itself."""
    return int(Person.objects.filter(area_id__in=communes_of(province, area_ids)).count())


@dataclass(frozen=True)
class _Joining:
    """How everyone joins: on the day, at the VSI income, for the months, from the VSI age; both sides."""

    on: date
    income: int
    months: int
    vsi_min_age: int
    cap: int  # the months of state VSI support a person may have
    sides: tuple[ParameterSet, ParameterSet]

    def price(self, people: list[Person], units: _Units, sums: _Sums) -> None:
        """Add one chunk of the gap population, priced as if each joined (module docstring), to ``sums``."""
        on, income, months, vsi_min_age, cap, sides = (self.on, self.income, self.months, self.vsi_min_age, self.cap,
                                                       self.sides)
        day = np.datetime64(on, "D")
        ids = [p.pk for p in people]
        adults = [p for p in people if p.date_of_birth is not None and _age(p.date_of_birth, on) >= vsi_min_age]
        if adults:
            groups = derived_groups_of(adults, on)
            used = dict(Enrollment.objects.filter(person_id__in=[p.pk for p in adults], scheme=Scheme.VSI,
                                                  status=EnrollmentStatus.PAID)
                        .values("person_id").annotate(n=Sum("supported_months")).values_list("person_id", "n"))
            area = np.array([p.area_id for p in adults], dtype=np.int64)
            key, row_province = units.of(area)
            quoted = [batch.vsi_regular(np.full(len(adults), day), np.full(len(adults), income, dtype=np.int64),
                                        np.full(len(adults), months, dtype=np.int64),
                                        np.array([batch.group_mask(groups[p.pk]) for p in adults], dtype=np.int64),
                                        np.array([min(used.get(p.pk) or 0, cap) for p in adults], dtype=np.int64),
                                        params, row_province) for params in sides]
            sums.add(key, np.full(len(adults), on.year), Priced(
                (quoted[0].state_support, quoted[1].state_support), (quoted[0].local_support, quoted[1].local_support),
                (quoted[0].payable, quoted[1].payable), (quoted[0].error != 0) | (quoted[1].error != 0)),
                np.ones(len(adults), dtype=np.int64))
        statuses = poverty_statuses_on(ids, on)
        household = {p.pk: p.household_id for p in people}  # type: ignore[attr-defined]
        joined = dict(HiCardLine.objects.filter(
            enrollment__household_id__in={h for h in household.values() if h is not None},
            enrollment__status=EnrollmentStatus.PAID, enrollment__quoted_on__year=on.year, rank__gt=0)
            .values("enrollment__household_id").annotate(n=Count("person_id", distinct=True))
            .values_list("enrollment__household_id", "n"))
        ranks, group_index = [], []
        for p in people:
            group = GROUP_OF_STATUS.get(statuses.get(p.pk, ""), household_hi.HOUSEHOLD)
            group_index.append(batch.HI_GROUPS.index(group))
            if group != household_hi.HOUSEHOLD:
                ranks.append(0)
                continue
            h = household[p.pk]
            if h is None:
                ranks.append(1)
                continue
            joined[h] = joined.get(h, 0) + 1
            ranks.append(joined[h])
        area = np.array([p.area_id for p in people], dtype=np.int64)
        key, row_province = units.of(area)
        cards = [batch.household_hi_members(np.full(len(people), day), np.array(ranks, dtype=np.int64),
                                            np.full(len(people), months, dtype=np.int64), params,
                                            np.array(group_index, dtype=np.int64), row_province) for params in sides]
        sums.add(key, np.full(len(people), on.year), Priced(
            (cards[0].state_support, cards[1].state_support), (cards[0].local_support, cards[1].local_support),
            (cards[0].amount, cards[1].amount), (cards[0].error != 0) | (cards[1].error != 0)),
            np.ones(len(people), dtype=np.int64))
