"""Coverage through another group (issue 18): compulsory SI, HI the state pays (poor households,
children under 6), pupils and students, pensioners, the armed forces… Staff record it, with its
source and dates, so that the coverage-gap lists (``enrollment.coverage``) count the person as
"covered elsewhere" and nobody is visited for nothing. A record is ended, never deleted.

Every change: the person in the writer's scope (else 404), a read-only role refused (403), the input
checked before anything is written, one transaction, one audit entry."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.lib.errors import invalid_input
from ansinh.lib.text import clean_text
from ansinh.org.scope import Scope, not_found
from ansinh.registry.audit import audit
from ansinh.registry.models import OtherCoverage, OtherCoverageKind, Person

ENTITY = "other_cov"  # AuditEntry.entity (20 characters at most)
SOURCE_MAX = 200
# A start may be recorded ahead (a card issued for next month), not years ahead: a typo, most likely.
AHEAD = timedelta(days=366)


def live_q(on: date, prefix: str = "") -> Q:
    """Rows (``prefix`` the path to an OtherCoverage) in force on ``on``: started, not ended before."""
    return Q(**{f"{prefix}valid_from__lte": on}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": on})
    )


def of_person(scope: Scope, person_id: int) -> QuerySet[OtherCoverage]:
    """A person's records, the latest first (404 outside the scope)."""
    if not Person.objects.filter(scope.areas_q(), pk=person_id).exists():
        raise not_found()
    return (
        OtherCoverage.objects.filter(person_id=person_id).select_related("recorded_by").order_by("-valid_from", "-pk")
    )


def _person(scope: Scope, person_id: int) -> Person:
    person = Person.objects.select_for_update().filter(scope.areas_q(), pk=person_id).first()
    if person is None:
        raise not_found()
    scope.require_writer()
    return person


def _check_dates(valid_from: date, valid_to: date | None) -> None:
    if valid_from > timezone.localdate() + AHEAD:
        raise invalid_input(
            _("Ngày bắt đầu quá xa trong tương lai (tối đa một năm tới)."),
            "The start is more than a year ahead.",
            field="valid_from",
        )
    if valid_to is not None and valid_to < valid_from:
        raise invalid_input(
            _("Ngày kết thúc không được trước ngày bắt đầu."), "The end is before the start.", field="valid_to"
        )


@transaction.atomic
def add(
    actor: AbstractBaseUser | None,
    scope: Scope,
    person_id: int,
    kind: str,
    source: str,
    valid_from: date,
    valid_to: date | None = None,
) -> OtherCoverage:
    """Record a coverage through another group from ``valid_from`` (to ``valid_to``, if known)."""
    if kind not in OtherCoverageKind.values:
        raise invalid_input(_("Loại bảo hiểm không hợp lệ."), "Unknown coverage kind.", field="kind")
    source = clean_text(source, "source", SOURCE_MAX, _("Nguồn thông tin"), required=True)
    _check_dates(valid_from, valid_to)
    person = _person(scope, person_id)
    overlapping = OtherCoverage.objects.filter(person=person, kind=kind).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from)
    )
    if valid_to is not None:
        overlapping = overlapping.filter(valid_from__lte=valid_to)
    if overlapping.exists():
        raise invalid_input(
            _("Người này đã có bảo hiểm loại này trong khoảng thời gian đó; kết thúc bản ghi cũ trước."),
            "An overlapping record of this kind exists.",
            field="valid_from",
        )
    found = OtherCoverage.objects.create(
        person=person,
        kind=kind,
        source=source,
        valid_from=valid_from,
        valid_to=valid_to,
        recorded_by=actor if actor and actor.is_authenticated else None,
    )
    audit(
        actor,
        "create",
        ENTITY,
        found.pk,
        person.area_id,
        {
            "person": (None, person.pk),
            "kind": (None, kind),
            "source": (None, source),
            "valid_from": (None, valid_from),
            "valid_to": (None, valid_to),
        },
    )
    return found


@transaction.atomic
def end(actor: AbstractBaseUser | None, scope: Scope, coverage_id: int, valid_to: date) -> OtherCoverage:
    """End an open record on ``valid_to`` (its last day)."""
    found = (
        OtherCoverage.objects.select_for_update()
        .filter(pk=coverage_id, person__in=Person.objects.filter(scope.areas_q()))
        .select_related("person")
        .first()
    )
    if found is None:
        raise not_found()
    _person(scope, found.person_id)
    if found.valid_to is not None:
        raise invalid_input(
            _("Bản ghi này đã kết thúc ngày {day}.").format(day=f"{found.valid_to:%d/%m/%Y}"),
            "This record has already ended.",
            field="valid_to",
        )
    _check_dates(found.valid_from, valid_to)
    found.valid_to = valid_to
    found.save(update_fields=["valid_to"])
    audit(actor, "update", ENTITY, found.pk, found.person.area_id, {"valid_to": (None, valid_to)})
    return found
