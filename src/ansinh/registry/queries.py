"""Reads of people and households, always through the user's scope. Identifier look-ups (which are
audited and rate limited) go through ``lookups``; these reads never show a personal field."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import BooleanField, F, FloatField, Func, Q, QuerySet, Value

from ansinh.lib.errors import DomainError
from ansinh.lib.identifiers import normalize_phone
from ansinh.lib.text import fold
from ansinh.org.fields import PersonalField
from ansinh.org.scope import Scope, not_found
from ansinh.registry.models import Household, HouseholdPoverty, Membership, Person

PAGE_SIZE = 20


def people(scope: Scope) -> QuerySet[Person]:
    return Person.objects.filter(scope.areas_q()).select_related("area")


def households(scope: Scope) -> QuerySet[Household]:
    return Household.objects.filter(scope.areas_q()).select_related("area", "head")


# Something that looks like an attempt at an identifier: a masked pattern, or a run of digits.
_ID_LIKE = re.compile(r"[\d*]{6,}|\*")


@dataclass(frozen=True)
class Identifier:
    """What a search text names: a full citizen ID, a phone, or a partial identifier (which matches
    nothing: a masked ID must not be completed by searching)."""

    by: PersonalField | None  # None: partial
    value: str


def identifier_in(text: str) -> Identifier | None:
    """The identifier a search text names, or None for a name."""
    text = text.strip()
    if re.fullmatch(r"\d{12}", text):
        return Identifier(PersonalField.CITIZEN_ID, text)
    if re.fullmatch(r"[+\d][\d\s.\-]{8,}", text):
        try:
            return Identifier(PersonalField.PHONE, normalize_phone(text))
        except DomainError:
            pass
    if _ID_LIKE.search(text.replace(" ", "")):
        return Identifier(None, text)
    return None


def by_name(scope: Scope, text: str, page: int = 1) -> Page[Person]:
    """People in scope found by name, ignoring case and diacritics, one page (two queries: the count
    and the page, whatever the page holds). On PostgreSQL, by trigram similarity too (pg_trgm, the
    GIN index of registry migration 0002): a misspelt or shortened name ("nguyen hung", "Nguyen Van
    Hungg") finds Nguyễn Văn Hùng, the closest first. Elsewhere (SQLite), every word of the text
    must appear in the folded name, in any order."""
    folded = fold(text)
    if not folded:
        return paged(people(scope).none(), page)
    words = Q()
    for word in folded.split():
        words &= Q(folded_name__contains=word)
    if connection.vendor != "postgresql":
        return paged(people(scope).filter(words), page)
    # ``%`` is pg_trgm's similarity operator (threshold pg_trgm.similarity_threshold, 0.3), which the
    # index serves; "%%" because Django formats the SQL with its parameters.
    similar = Func(F("folded_name"), Value(folded), function="", arg_joiner=" %% ", output_field=BooleanField())
    rank = Func(F("folded_name"), Value(folded), function="similarity", output_field=FloatField())
    found = people(scope).filter(Q(similar) | words).annotate(rank=rank)
    return Paginator(found.order_by("-rank", "folded_name", "pk"), PAGE_SIZE).get_page(page)


def paged(found: QuerySet[Person], page: int) -> Page[Person]:
    return Paginator(found.order_by("folded_name", "pk"), PAGE_SIZE).get_page(page)


def person(scope: Scope, person_id: int) -> Person:
    found = people(scope).filter(pk=person_id).first()
    if found is None:
        raise not_found()
    return found


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


def households_of_people(scope: Scope, person_ids: list[int]) -> dict[int, list[Household]]:
    """households_of for a page of people in one query (a search page must not cost a query per row)."""
    found: dict[int, list[Household]] = {person_id: [] for person_id in person_ids}
    rows = (households(scope).filter(memberships__person_id__in=person_ids, memberships__valid_to__isnull=True)
            .annotate(member_id=F("memberships__person_id")).order_by("code", "pk"))
    for household in rows:
        found[household.member_id].append(household)
    return found
