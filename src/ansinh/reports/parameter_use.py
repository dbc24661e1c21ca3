"""Which stored calculations a parameter value entered (issue 19 §6: the parameter browser "shows which
quotes a change affects"): for each (parameter, effective date), how many calculation records used it
and how many of those are enrolments. Counted from the records' own list of used parameters, the
same list a receipt is explained by; only counts leave here, never a record or a person."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.core.cache import cache

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
    rows = CalculationRecord.objects.values_list("parameters", "enrollment__id").order_by()
    for used, enrollment in rows.iterator(chunk_size=5000):
        keys = {(p.get("name", ""), p.get("effective", "")) for p in used or () if isinstance(p, dict)}
        calculations.update(keys)
        if enrollment is not None:
            enrollments.update(keys)
    found = {key: Use(n, enrollments[key]) for key, n in calculations.items()}
    cache.set(KEY, found, SECONDS)
    return found
