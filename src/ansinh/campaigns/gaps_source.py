"""Who had no cover on a day, as the visit lists read it: one status per person of the given communes
(never covered, lapsed since a day, covered elsewhere, covered). A placeholder until the registry's
coverage-gap query lands (issue 18): a live term here is a paid VSI term or a paid household-HI card
over the day; other coverage is not known to it yet."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from ansinh.enrollment.models import Enrollment, EnrollmentStatus, HiCardLine, Scheme
from ansinh.registry.models import Membership

STATUSES = ("never_covered", "lapsed", "covered_elsewhere", "covered")


def statuses(commune_ids: Iterable[int], on: date) -> dict[int, tuple[str, date | None]]:
    """Each member's status on ``on`` (a household's members in these communes), with the day a lapse
    began (the day after the last cover ended). Two queries."""
    people = (
        Membership.objects.filter(household__area_id__in=list(commune_ids), valid_from__lte=on)
        .exclude(valid_to__lt=on)
        .values("person_id")
    )
    terms = [
        *Enrollment.objects.filter(person_id__in=people, scheme=Scheme.VSI, status=EnrollmentStatus.PAID).values_list(
            "person_id", "period_start", "period_end"
        ),
        *HiCardLine.objects.filter(person_id__in=people, enrollment__status=EnrollmentStatus.PAID).values_list(
            "person_id", "valid_from", "valid_to"
        ),
    ]
    found: dict[int, tuple[str, date | None]] = {}
    for person_id, start, end in terms:
        if start is None or end is None or start > on:
            continue
        if end >= on:
            found[person_id] = ("covered", None)
        elif found.get(person_id, ("", None))[0] != "covered":
            since = found.get(person_id, ("", None))[1]
            found[person_id] = ("lapsed", max(since, end + timedelta(days=1)) if since else end + timedelta(days=1))
    return found
