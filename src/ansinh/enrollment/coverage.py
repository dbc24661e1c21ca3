"""Who is covered on a day, and who is not (issue 18, "coverage gaps"): one status per person of the
registry in the given communes, worked out by the database in one statement (``EXISTS`` and scalar
subqueries per person; no query per row).

- ``covered``: a paid VSI term whose months take in the day, or a paid household-HI card valid on it.
  A pending (unpaid) or cancelled term covers nothing.
- ``covered_elsewhere``: not covered here, but an ``OtherCoverage`` (compulsory SI, HI the state pays,
  pupils, pensioners…) in force on the day: not to be visited for nothing.
- ``lapsed``: was covered here before the day and is no longer (``last_covered`` is the last day of the
  last term or card; ``lapsed_since`` the day after).
- ``never_covered``: no paid term or card ending before the day, and nothing elsewhere.

The registry's people of a commune on a day: ``Person.area`` is the commune, born by the day, and not
gone: someone whose every household membership ended before the day left the household (moved away),
while someone in no household at all is counted as an individual. This module sits in ``enrollment``
because it reads the terms and cards; it is below ``campaigns`` (the visit lists) and ``reports``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connection
from django.db.models import Case, CharField, DateField, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Greatest

from ansinh.enrollment.models import Enrollment, EnrollmentStatus, HiCardLine, Scheme
from ansinh.registry.models import Membership, OtherCoverage, Person
from ansinh.registry.other_coverage import live_q

NEVER_COVERED, LAPSED, COVERED_ELSEWHERE, COVERED = "never_covered", "lapsed", "covered_elsewhere", "covered"
STATUSES = (NEVER_COVERED, LAPSED, COVERED_ELSEWHERE, COVERED)
GAPS = (NEVER_COVERED, LAPSED, COVERED_ELSEWHERE)  # everyone not covered here
PER_PAGE_MAX = 500


def registry_people(commune_ids: Iterable[int], on: date) -> QuerySet[Person]:
    """The people of the registry in these communes on ``on`` (see the module's docstring)."""
    memberships = Membership.objects.filter(person=OuterRef("pk"))
    still_in = memberships.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
    ended = memberships.filter(valid_to__lt=on)
    return Person.objects.filter(area_id__in=list(commune_ids), date_of_birth__lte=on).filter(
        Exists(still_in) | ~Exists(ended)
    )


def _paid_vsi() -> QuerySet[Enrollment]:
    return Enrollment.objects.filter(person=OuterRef("pk"), scheme=Scheme.VSI, status=EnrollmentStatus.PAID)


def _paid_cards() -> QuerySet[HiCardLine]:
    return HiCardLine.objects.filter(person=OuterRef("pk"), enrollment__status=EnrollmentStatus.PAID)


def with_status(people: QuerySet[Person], on: date) -> QuerySet[Person]:
    """``people`` annotated for ``on``: ``vsi_live``, ``hi_live``, ``elsewhere`` (booleans), ``last_covered``
    (the last day of cover ended before ``on``, or None), ``coverage`` (one of STATUSES) and
    ``household_id`` (the household the person belongs to on the day, or None). Filter or count it freely:
    it stays one statement."""
    vsi_live = Exists(_paid_vsi().filter(period_start__lte=on, period_end__gte=on))
    hi_live = Exists(_paid_cards().filter(valid_from__lte=on, valid_to__gte=on))
    elsewhere = Exists(OtherCoverage.objects.filter(live_q(on), person=OuterRef("pk")))
    last_vsi = Subquery(
        _paid_vsi().filter(period_end__lt=on).order_by("-period_end").values("period_end")[:1], output_field=DateField()
    )
    last_card = Subquery(
        _paid_cards().filter(valid_to__lt=on).order_by("-valid_to").values("valid_to")[:1], output_field=DateField()
    )
    member_of = (
        Membership.objects.filter(person=OuterRef("pk"), valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .order_by("-valid_from")
        .values("household_id")[:1]
    )
    return people.annotate(
        vsi_live=vsi_live,
        hi_live=hi_live,
        elsewhere=elsewhere,
        last_vsi=last_vsi,
        last_card=last_card,
    ).annotate(
        # GREATEST of two where either may be NULL: PostgreSQL skips a NULL, SQLite's MAX returns NULL
        last_covered=Case(
            When(last_vsi__isnull=True, then="last_card"),
            When(last_card__isnull=True, then="last_vsi"),
            default=Greatest("last_vsi", "last_card"),
            output_field=DateField(),
        ),
        coverage=Case(
            When(Q(vsi_live=True) | Q(hi_live=True), then=Value(COVERED)),
            When(elsewhere=True, then=Value(COVERED_ELSEWHERE)),
            When(Q(last_vsi__isnull=False) | Q(last_card__isnull=False), then=Value(LAPSED)),
            default=Value(NEVER_COVERED),
            output_field=CharField(),
        ),
        household_id=Subquery(member_of),
    )


def statuses(commune_ids: Iterable[int], on: date) -> QuerySet[Person]:
    """Every person of the registry in these communes on ``on``, with their status (``with_status``)."""
    return with_status(registry_people(commune_ids, on), on)


def status_of(people: QuerySet[Person], on: date) -> dict[int, GapRow]:
    """These people's own statuses on ``on`` by id, wherever they are registered (a household member
    registered in another commune keeps theirs), in one statement."""
    return {p.pk: GapRow(p, p.coverage, p.last_covered, p.household_id) for p in with_status(people, on)}


@dataclass(frozen=True)
class GapRow:
    person: Person
    status: str
    last_covered: date | None  # lapsed: the last day of the last term or card
    household_id: int | None

    @property
    def lapsed_since(self) -> date | None:
        """The first day without cover, for the lapsed."""
        return self.last_covered + timedelta(days=1) if self.last_covered else None


@dataclass(frozen=True)
class GapPage:
    rows: list[GapRow]
    total: int
    page: int
    per_page: int
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def gaps(
    commune_ids: Collection[int], on: date, *, only: Collection[str] = GAPS, page: int = 1, per_page: int = 50
) -> GapPage:
    """The people of these communes not covered here on ``on`` (``only`` the given statuses), by commune
    and name, one page of them. Two queries whatever the page: the count and the page."""
    per_page = max(1, min(per_page, PER_PAGE_MAX))
    found = statuses(commune_ids, on).filter(coverage__in=list(only))
    total = found.count()
    page = max(1, min(page, max(1, -(-total // per_page))))
    start = (page - 1) * per_page
    rows = [
        GapRow(p, p.coverage, p.last_covered, p.household_id)
        for p in found.select_related("area").order_by("area__name", "folded_name", "pk")[start : start + per_page]
    ]
    return GapPage(rows, total, page, per_page)


@dataclass(frozen=True)
class CommuneCounts:
    population: int = 0  # the registry's people of the commune on the day
    covered_vsi: int = 0
    covered_hi: int = 0
    covered: int = 0  # either scheme
    covered_elsewhere: int = 0
    lapsed: int = 0
    never_covered: int = 0


# Per person, each source of cover summed once (derived tables grouped by person, joined to the people):
# linear in the tables' sizes, where the per-person subqueries of ``with_status`` took > 10 s for the
# demo's province on SQLite. The same rules as ``registry_people`` and ``with_status``. The tables are
# named from the models (``_counts_sql``), so a renamed table cannot leave a stale name here.
_COUNTS = """
SELECT p.area_id, COUNT(*),
  SUM(COALESCE(v.live, 0)), SUM(COALESCE(c.live, 0)),
  SUM(CASE WHEN COALESCE(v.live, 0) = 1 OR COALESCE(c.live, 0) = 1 THEN 1 ELSE 0 END),
  SUM(CASE WHEN COALESCE(v.live, 0) = 0 AND COALESCE(c.live, 0) = 0 AND o.person_id IS NOT NULL THEN 1 ELSE 0 END),
  SUM(CASE WHEN COALESCE(v.live, 0) = 0 AND COALESCE(c.live, 0) = 0 AND o.person_id IS NULL
            AND (COALESCE(v.ended, 0) = 1 OR COALESCE(c.ended, 0) = 1) THEN 1 ELSE 0 END)
FROM {person} p
LEFT JOIN (SELECT person_id,
                  MAX(CASE WHEN valid_to IS NULL OR valid_to >= %(on)s THEN 1 ELSE 0 END) AS still_in,
                  MAX(CASE WHEN valid_to < %(on)s THEN 1 ELSE 0 END) AS ended
           FROM {membership} GROUP BY person_id) m ON m.person_id = p.id
LEFT JOIN (SELECT person_id,
                  MAX(CASE WHEN period_start <= %(on)s AND period_end >= %(on)s THEN 1 ELSE 0 END) AS live,
                  MAX(CASE WHEN period_end < %(on)s THEN 1 ELSE 0 END) AS ended
           FROM {enrollment} WHERE scheme = %(vsi)s AND status = %(paid)s GROUP BY person_id) v
       ON v.person_id = p.id
LEFT JOIN (SELECT l.person_id,
                  MAX(CASE WHEN l.valid_from <= %(on)s AND l.valid_to >= %(on)s THEN 1 ELSE 0 END) AS live,
                  MAX(CASE WHEN l.valid_to < %(on)s THEN 1 ELSE 0 END) AS ended
           FROM {hicardline} l JOIN {enrollment} e ON e.id = l.enrollment_id
           WHERE e.status = %(paid)s GROUP BY l.person_id) c ON c.person_id = p.id
LEFT JOIN (SELECT DISTINCT person_id FROM {othercoverage}
           WHERE valid_from <= %(on)s AND (valid_to IS NULL OR valid_to >= %(on)s)) o ON o.person_id = p.id
WHERE p.area_id IN ({communes}) AND p.date_of_birth <= %(on)s
  AND (COALESCE(m.still_in, 0) = 1 OR COALESCE(m.ended, 0) = 0)
GROUP BY p.area_id
"""


def _counts_sql(communes: int) -> str:
    tables = {model.__name__.lower(): connection.ops.quote_name(model._meta.db_table)
              for model in (Person, Membership, Enrollment, HiCardLine, OtherCoverage)}
    return _COUNTS.format(communes=", ".join(f"%(a{i})s" for i in range(communes)), **tables)


def counts(commune_ids: Iterable[int], on: date) -> dict[int, CommuneCounts]:
    """Per commune (by area id): the registry's population on ``on`` and how many are in each status,
    counted by the database in one grouped statement (tests/registry/test_coverage_gaps.py checks it
    against ``statuses``)."""
    communes = [int(pk) for pk in commune_ids]
    if not communes:  # no commune in scope: nothing to count
        return {}
    params: dict[str, object] = {"on": on, "vsi": Scheme.VSI.value, "paid": EnrollmentStatus.PAID.value}
    params.update({f"a{i}": pk for i, pk in enumerate(communes)})
    sql = _counts_sql(len(communes))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    result = {}
    for area_id, population, vsi, hi, covered, elsewhere, lapsed in found:
        population, covered = int(population), int(covered or 0)
        elsewhere, lapsed = int(elsewhere or 0), int(lapsed or 0)
        result[area_id] = CommuneCounts(population=population, covered_vsi=int(vsi or 0), covered_hi=int(hi or 0),
                                        covered=covered, covered_elsewhere=elsewhere, lapsed=lapsed,
                                        never_covered=population - covered - elsewhere - lapsed)
    return result
