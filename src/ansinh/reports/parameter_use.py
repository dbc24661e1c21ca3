"""Which stored calculations a parameter value entered (issue 19 §6: the parameter browser "shows which
quotes a change affects"): for each (parameter, effective date), how many calculation records used it
and how many of those are enrolments. Counted from the records' own list of used parameters, the
same list a receipt is explained by; only counts leave here, never a record or a person."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count

from ansinh.enrollment.models import CalculationRecord

KEY = "reports:parameter_use"
SECONDS = 300  # counts, not money: a few minutes old is fine, and the scan is not repeated per visitor


@dataclass(frozen=True)
class Use:
    calculations: int
    enrollments: int


def parameter_use() -> dict[tuple[str, str], Use]:
    """(parameter name, effective date ISO) → how many calculation records and enrolments used it."""
    found: dict[tuple[str, str], Use] | None = cache.get(KEY)
    if found is not None:
        return found
    calculations: Counter[tuple[str, str]] = Counter()
    enrollments: Counter[tuple[str, str]] = Counter()
    # Grouped in the database by the whole list: quotes computed under the same parameters share one
    # list, so a province's millions of records come back as a few hundred rows.
    lists = (CalculationRecord.objects.order_by().values("parameters")
             .annotate(records=Count("id"), enrolled=Count("enrollment")))
    for row in lists.iterator(chunk_size=1000):
        keys = {(p.get("name", ""), p.get("effective", "")) for p in row["parameters"] or () if isinstance(p, dict)}
        for key in keys:
            calculations[key] += row["records"]
            enrollments[key] += row["enrolled"]
    found = {key: Use(n, enrollments[key]) for key, n in calculations.items()}
    cache.set(KEY, found, SECONDS)
    return found
