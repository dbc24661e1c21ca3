"""Reads of people and households, always through the user's scope, with identifiers masked."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

from ansinh.lib.errors import DomainError
from ansinh.lib.identifiers import mask_citizen_id, mask_phone, normalize_phone
from ansinh.lib.text import fold
from ansinh.org.scope import Scope, not_found
from ansinh.registry.models import Household, HouseholdPoverty, Membership, Person

PAGE_SIZE = 20


def people(scope: Scope) -> QuerySet[Person]:
    return Person.objects.filter(scope.areas_q()).select_related("area")


def households(scope: Scope) -> QuerySet[Household]:
    return Household.objects.filter(scope.areas_q()).select_related("area", "head")


def search_filter(text: str) -> Q:
    """A citizen ID (12 digits), a phone, or a name ignoring case and diacritics."""
    text = text.strip()
    if re.fullmatch(r"\d{12}", text):
        return Q(citizen_id=text)
    if re.fullmatch(r"[+\d][\d\s.\-]{8,}", text):
        try:
            return Q(phone=normalize_phone(text))
        except DomainError:
            pass
    return Q(folded_name__contains=fold(text))


def search_people(scope: Scope, text: str, page: int = 1) -> Page[Person]:
    found = people(scope).filter(search_filter(text)) if text.strip() else people(scope).none()
    return Paginator(found.order_by("folded_name", "pk"), PAGE_SIZE).get_page(page)


def person(scope: Scope, person_id: int) -> Person:
    found = people(scope).filter(pk=person_id).first()
    if found is None:
        raise not_found()
    return found


def shown_citizen_id(scope: Scope, p: Person) -> str:
    if not p.citizen_id:
        return ""
    return p.citizen_id if scope.sees_full_identifiers else mask_citizen_id(p.citizen_id)


def shown_phone(scope: Scope, p: Person) -> str:
    if not p.phone:
        return ""
    return p.phone if scope.sees_full_identifiers else mask_phone(p.phone)


@dataclass(frozen=True)
class HouseholdCard:
    household: Household
    members: list[Membership]
    former_members: list[Membership]
    poverty: list[HouseholdPoverty]

    def status_on(self, on: date) -> str:
        for record in self.poverty:
            if record.valid_from <= on and (record.valid_to is None or record.valid_to >= on):
                return record.status
        return "none"


def household_card(scope: Scope, household_id: int) -> HouseholdCard:
    household = households(scope).filter(pk=household_id).first()
    if household is None:
        raise not_found()
    memberships = list(household.memberships.select_related("person").order_by("valid_from", "pk"))
    return HouseholdCard(
        household=household,
        members=[m for m in memberships if m.valid_to is None],
        former_members=[m for m in memberships if m.valid_to is not None],
        poverty=list(household.poverty_statuses.all()),
    )


def households_of(scope: Scope, person_id: int) -> QuerySet[Household]:
    return households(scope).filter(memberships__person_id=person_id, memberships__valid_to__isnull=True)
