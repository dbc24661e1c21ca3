"""Who had no cover on a day, as the visit lists read it: the registry's coverage-gap query
(enrollment.coverage: covered, covered elsewhere, lapsed since, never covered), as a map of each
person's status and the first day of a lapse. One statement."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from ansinh.enrollment import coverage

STATUSES = (coverage.NEVER_COVERED, coverage.LAPSED, coverage.COVERED_ELSEWHERE, coverage.COVERED)


def statuses(commune_ids: Iterable[int], on: date) -> dict[int, tuple[str, date | None]]:
    """Each registry person's status on ``on`` in these communes, with the day a lapse began (the day
    after the last cover ended). Someone the query does not count there (living elsewhere) is left out."""
    rows = coverage.statuses(list(commune_ids), on).values_list("pk", "coverage", "last_covered")
    return {
        pk: (status, last + timedelta(days=1) if status == coverage.LAPSED and last else None)
        for pk, status, last in rows
    }
