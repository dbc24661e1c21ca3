"""Search without an oracle. A search by name reads the scope; a search by identifier (citizen ID,
phone, or anything that looks like part of one) is an audited look-up taken from the user's hourly
allowance, and it answers only within the scope: a citizen ID registered elsewhere is reported as
"a record exists elsewhere", with no name and no id. A masked ID ("040******123") or a partial one
matches nothing, so a masked value cannot be completed by guessing the hidden digits.

Managers resolve "elsewhere" with ``locate_citizen_id``: which area holds the record (audited).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.paginator import Page
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ansinh.areas.models import AdministrativeUnit
from ansinh.lib.errors import DomainError, ErrorCode, invalid_input
from ansinh.org.fields import PersonalField, may_locate
from ansinh.org.scope import Scope
from ansinh.registry import queries
from ansinh.registry.audit import audit_read, masked_query, take_lookup
from ansinh.registry.models import Person
from ansinh.registry.services import ELSEWHERE

FULL_ID_NEEDED = gettext_lazy("Tìm theo số định danh cần đủ 12 chữ số (không tìm theo số đã che hoặc một phần số).")


@dataclass(frozen=True)
class SearchResult:
    page: Page[Person]
    notice: str = ""  # said instead of, or beside, the results
    elsewhere: bool = False  # the citizen ID is registered outside the scope


def search_people(actor: AbstractBaseUser | None, scope: Scope, text: str, page: int = 1) -> SearchResult:
    identifier = queries.identifier_in(text)
    if identifier is None:
        return SearchResult(queries.by_name(scope, text, page))
    with transaction.atomic():
        take_lookup(actor)
        return _look_up(actor, scope, identifier, page)


def _look_up(actor: AbstractBaseUser | None, scope: Scope, identifier: queries.Identifier, page: int) -> SearchResult:
    nobody = queries.people(scope).none()
    if identifier.by is None:
        _audit(actor, None, {"by": "partial", "query": "*" * len(identifier.value), "result": "refused"})
        return SearchResult(queries.paged(nobody, page), str(FULL_ID_NEEDED))
    query = masked_query(identifier.by, identifier.value)
    if identifier.by is PersonalField.PHONE:
        found = queries.people(scope).filter(phone=identifier.value)
        _audit(actor, None, {"by": "phone", "query": query, "result": f"{found.count()} in_scope"})
        return SearchResult(queries.paged(found, page))
    holder = Person.objects.filter(citizen_id=identifier.value).first()
    if holder is None:
        _audit(actor, None, {"by": "citizen_id", "query": query, "result": "none"})
        return SearchResult(queries.paged(nobody, page))
    inside = scope.has_area(holder.area_id)
    _audit(actor, holder, {"by": "citizen_id", "query": query, "result": "in_scope" if inside else "elsewhere"})
    if not inside:
        return SearchResult(queries.paged(nobody, page), str(ELSEWHERE), elsewhere=True)
    return SearchResult(queries.paged(queries.people(scope).filter(pk=holder.pk), page))


def _audit(actor: AbstractBaseUser | None, holder: Person | None, details: dict[str, str]) -> None:
    audit_read(actor, "lookup", "person", holder.pk if holder else 0, holder.area_id if holder else None,
               {**details, "why": "search"})


@transaction.atomic
def locate_citizen_id(actor: AbstractBaseUser | None, scope: Scope, citizen_id: str) -> AdministrativeUnit | None:
    """The commune whose records hold this citizen ID (None: nobody has it), for the managers the
    field policy names; never the person's name. Audited and taken from the hourly allowance."""
    if not may_locate(scope):
        raise DomainError(ErrorCode.FORBIDDEN, _("Chỉ quản trị tỉnh và quản lý BHXH cơ sở được tra địa bàn của hồ sơ."),
                          "Only province admins and office managers locate records.")
    identifier = queries.identifier_in(citizen_id)
    if identifier is None or identifier.by is not PersonalField.CITIZEN_ID:
        raise invalid_input(FULL_ID_NEEDED, "A full 12-digit citizen ID is needed.", field="citizen_id")
    take_lookup(actor)
    holder = Person.objects.select_related("area__parent").filter(citizen_id=identifier.value).first()
    audit_read(actor, "locate", "person", holder.pk if holder else 0, holder.area_id if holder else None,
               {"by": "citizen_id", "query": masked_query(PersonalField.CITIZEN_ID, identifier.value),
                "result": holder.area.code if holder else "none", "why": "resolve_duplicate"})
    return holder.area if holder else None
