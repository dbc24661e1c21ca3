"""Leads found again: a lead (someone advised, recorded by name) is linked to the registry's person
when an agent registers or finds them and saves a term for them, or when the lead is recorded for
someone already registered. The match is the registry's own: the same phone number (normalised, an
equality on the stored value, never shown), or the same folded name and birth date in the same
commune. Only an unambiguous match links: a lead matching two people stays unlinked. Writes happen
inside the writer's transaction; the funnel (analytics.funnel) follows the links."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.db.models.functions import Coalesce

from ansinh.campaigns.models import Lead
from ansinh.campaigns.queries import forget_board
from ansinh.enrollment.models import Enrollment, Scheme
from ansinh.lib.text import fold
from ansinh.registry.models import Person

_PERSON_FIELDS = ("pk", "phone", "folded_name", "date_of_birth", "area_id", "area__parent_id")


def _matches(lead: Any, person: dict[str, Any]) -> bool:
    if lead.phone and lead.phone == person["phone"]:
        return True
    return (lead.date_of_birth is not None and lead.date_of_birth == person["date_of_birth"]
            and fold(lead.full_name) == person["folded_name"]
            and lead.lead_area in (person["area_id"], person["area__parent_id"]))


def link_enrollment(enrollment: Enrollment) -> int:
    """Link the unlinked leads of the campaigns running on the term's quote day to the people the
    term covers; returns how many were linked. An enrollment listener (apps.py)."""
    if enrollment.scheme == Scheme.VSI:
        people = Person.objects.filter(pk=enrollment.person_id)
    else:
        people = Person.objects.filter(hi_lines__enrollment=enrollment)
    found = list(people.values(*_PERSON_FIELDS))
    phones = {p["phone"] for p in found if p["phone"]}
    births = {p["date_of_birth"] for p in found if p["date_of_birth"]}
    if not found or not (phones or births):
        return 0
    return _link(Lead.objects.filter(campaign__starts_on__lte=enrollment.quoted_on,
                                     campaign__ends_on__gte=enrollment.quoted_on,
                                     consulted_on__lte=enrollment.quoted_on)
                 .filter(Q(phone__in=phones) | Q(date_of_birth__in=births)), found)


def link_lead(lead: Lead) -> None:
    """A lead recorded for someone already registered: linked at once if exactly one person matches."""
    if not lead.phone and lead.date_of_birth is None:
        return
    people = Person.objects.filter(Q(phone=lead.phone) if lead.phone else Q(pk__in=[]))
    if lead.date_of_birth is not None:
        people = people | Person.objects.filter(date_of_birth=lead.date_of_birth, folded_name=fold(lead.full_name))
    if _link(Lead.objects.filter(pk=lead.pk), list(people.values(*_PERSON_FIELDS)[:20])):
        lead.refresh_from_db(fields=["person"])


def _link(leads: Any, people: list[dict[str, Any]]) -> int:
    candidates = leads.filter(person__isnull=True).annotate(
        lead_area=Coalesce("session__area_id", "team__site__area_id"))
    linked, campaigns = 0, set()
    for lead in candidates:
        matching = [p for p in people if _matches(lead, p)]
        if len(matching) == 1:
            Lead.objects.filter(pk=lead.pk, person__isnull=True).update(person_id=matching[0]["pk"])
            linked, campaigns = linked + 1, campaigns | {lead.campaign_id}
    forget_board(campaigns)
    return linked

