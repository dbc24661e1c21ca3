"""Registry API: people, households, memberships and poverty status — scoped and audited by the
services; personal fields as the field policy (org/fields.py) serves them, full values only through
the audited ``reveal``."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from ansinh.lib.dates import DAY, parse_birth
from ansinh.lib.text import ADDRESS_MAX, NAME_MAX
from ansinh.org.fields import PersonalField, sees_plain, served
from ansinh.org.scope import Scope, scope_for
from ansinh.registry import lookups, other_coverage, queries, services, support
from ansinh.registry.ethnicities import UNKNOWN
from ansinh.registry.models import Membership, Person, SupportChangeRequest, SupportChangeStatus

router = Router(tags=["registry"])
# Bounds in the schema (so the OpenAPI documents them); the services check the content (lib.text,
# lib.identifiers). Identifiers get some room for the spaces and "+84" people type.
ID_MAX = 20
MAX_PAGE = 10_000


class RevealField(StrEnum):
    CITIZEN_ID = "citizen_id"
    PHONE = "phone"
    SI_CODE = "si_code"


class PersonIn(Schema):
    full_name: str = Field(max_length=NAME_MAX)
    # "dd/mm/yyyy" or ISO, "mm/yyyy" when only month and year are known, "yyyy" when only the year is
    date_of_birth: str = Field(max_length=10)
    sex: str = Field(max_length=6)
    area_code: str = Field(max_length=10)
    ethnicity: str = Field(UNKNOWN, max_length=2)
    citizen_id: str | None = Field(None, max_length=ID_MAX)
    si_code: str | None = Field(None, max_length=ID_MAX)
    phone: str = Field("", max_length=ID_MAX)
    address_detail: str = Field("", max_length=ADDRESS_MAX)
    confirm_probable_duplicate: bool = False
    # an update that moves the person in or out of the ethnic-minority group needs its decision
    # (registry.support): from an agent it waits for a manager's approval
    decision_number: str = Field("", max_length=support.NUMBER_MAX)
    decision_date: date | None = None
    document_note: str = Field("", max_length=support.NOTE_MAX)


class PersonOut(Schema):
    """Personal fields as the field policy serves them to the caller: masked unless its role sees
    them plain (the birth date is then the year only); full identifiers only through ``reveal``."""

    id: int
    full_name: str
    date_of_birth: date | str  # a date when recorded to the day, else as recorded ("1965", "03/1965")
    birth_precision: str
    sex: str
    ethnicity: str
    citizen_id: str
    si_code: str
    phone: str
    area_code: str
    address_detail: str


class PeoplePage(Schema):
    items: list[PersonOut]
    count: int
    page: int
    pages: int
    notice: str = ""  # e.g. "Đã có hồ sơ ở địa bàn khác — liên hệ quản lý"
    elsewhere: bool = False


class LocateIn(Schema):
    citizen_id: str


class Located(Schema):
    found: bool
    area_code: str | None
    area_name: str | None


class HouseholdIn(Schema):
    head: PersonIn
    joined: date
    address_detail: str = Field("", max_length=ADDRESS_MAX)


class MemberIn(Schema):
    # a relationship value (wife, husband, child, father, …) or the residence database's MoiQuanHe code ("01")
    relationship: str = Field(max_length=12)
    joined: date
    person_id: int | None = None
    person: PersonIn | None = None


class MembershipOut(Schema):
    id: int
    person: PersonOut
    relationship: str
    relationship_name: str
    relationship_code: str
    valid_from: date
    valid_to: date | None


class PovertyIn(Schema):
    """A new status with its decision: an agent's waits for a manager (202), a manager's is applied (201)."""

    status: str = Field(max_length=20)
    valid_from: date
    decision_number: str = Field("", max_length=support.NUMBER_MAX)
    decision_date: date | None = None
    document: str = Field("", max_length=support.NOTE_MAX)  # a note on the document


class IslandIn(Schema):
    island: bool
    decision_number: str = Field(max_length=support.NUMBER_MAX)
    decision_date: date
    document: str = Field("", max_length=support.NOTE_MAX)


class OtherCoverageIn(Schema):
    """A coverage through another group (``kind``: compulsory_si, poor_hi, child_under_6, student, pensioner,
    armed_forces, other), where the fact comes from, and its dates (``valid_to`` when known)."""

    kind: str = Field(max_length=20)
    source: str = Field(max_length=other_coverage.SOURCE_MAX)
    valid_from: date
    valid_to: date | None = None


class OtherCoverageOut(Schema):
    id: int
    person_id: int
    kind: str
    source: str
    valid_from: date
    valid_to: date | None


class SupportRequestOut(Schema):
    id: int
    person_id: int | None
    household_id: int | None
    area_code: str
    field: str
    old_value: str
    new_value: str
    valid_from: date | None
    decision_number: str
    decision_date: date | None  # none: a new person's ethnicity entered without its document
    note: str
    status: str
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    refusal_reason: str


class DecisionIn(Schema):
    approve: bool
    reason: str = Field("", max_length=support.NOTE_MAX)


class PovertyOut(Schema):
    status: str
    valid_from: date
    valid_to: date | None
    document: str


class HouseholdOut(Schema):
    id: int
    code: str
    area_code: str
    address_detail: str
    members: list[MembershipOut]
    poverty: list[PovertyOut]


class HouseholdPatch(Schema):
    address_detail: str = Field(max_length=ADDRESS_MAX)


class EndIn(Schema):
    left: date


def _document(body: PersonIn) -> support.Document:
    """The decision sent with a person (registry.support): needed for an ethnicity change into or out of a
    minority; an agent's new person of a minority may carry it for the manager who approves."""
    return support.Document(body.decision_number, body.decision_date, body.document_note)


def _data(scope: Scope, body: PersonIn) -> services.PersonData:
    born, precision = parse_birth(body.date_of_birth)
    return services.PersonData(
        full_name=body.full_name, date_of_birth=born, birth_precision=precision, sex=body.sex,
        area_id=services.commune_in_scope(scope, body.area_code), ethnicity=body.ethnicity,
        citizen_id=body.citizen_id, si_code=body.si_code, phone=body.phone, address_detail=body.address_detail,
    )


def _request_out(r: SupportChangeRequest) -> dict[str, Any]:
    return {"id": r.pk, "person_id": r.person_id, "household_id": r.household_id, "area_code": r.area.code,
            "field": r.field, "old_value": r.old_value, "new_value": r.new_value, "valid_from": r.valid_from,
            "decision_number": r.decision_number, "decision_date": r.decision_date, "note": r.note,
            "status": r.status, "requested_by": r.requested_by.get_username(), "requested_at": r.requested_at,
            "decided_by": r.decided_by.get_username() if r.decided_by else None, "decided_at": r.decided_at,
            "refusal_reason": r.refusal_reason}


def _person_out(scope: Scope, p: Person) -> dict[str, Any]:
    personal = {f.value: served(scope, f, getattr(p, f.value)) for f in PersonalField}
    if p.birth_precision != DAY and sees_plain(scope, PersonalField.BIRTH_DATE):
        personal[PersonalField.BIRTH_DATE.value] = p.birth_shown
    personal["birth_precision"] = p.birth_precision
    return {"id": p.pk, "full_name": p.full_name, "sex": p.sex, "ethnicity": p.ethnicity, "area_code": p.area.code,
            **personal}


def _household_out(scope: Scope, household_id: int) -> dict[str, Any]:
    card = queries.household_card(scope, household_id)
    return {
        "id": card.household.pk, "code": card.household.code, "area_code": card.household.area.code,
        "address_detail": card.household.address_detail,
        "members": [{"id": m.pk, "person": _person_out(scope, m.person), **_relation(m),
                     "valid_from": m.valid_from, "valid_to": m.valid_to} for m in card.members + card.former_members],
        "poverty": [{"status": p.status, "valid_from": p.valid_from, "valid_to": p.valid_to, "document": p.document}
                    for p in card.poverty],
    }


@router.get("/people", response=PeoplePage, summary="Search by name (ignoring diacritics), citizen ID or phone")
def search_people(request: HttpRequest, q: str = Query(..., max_length=NAME_MAX),
                  page: int = Query(1, ge=1, le=MAX_PAGE)) -> dict[str, Any]:
    """A search by citizen ID or phone is an audited look-up, limited per user per hour (429 beyond)."""
    scope = scope_for(request.user)
    found = lookups.search_people(request.user, scope, q, page)
    return {"items": [_person_out(scope, p) for p in found.page], "count": found.page.paginator.count,
            "page": found.page.number, "pages": found.page.paginator.num_pages, "notice": found.notice,
            "elsewhere": found.elsewhere}


@router.post("/people", response={201: PersonOut})
def create_person(request: HttpRequest, body: PersonIn) -> Status[dict[str, Any]]:
    scope = scope_for(request.user)
    person = services.create_person(request.user, scope, _data(scope, body), body.confirm_probable_duplicate,
                                    _document(body))
    return Status(201, _person_out(scope, person))


@router.get("/people/{person_id}", response=PersonOut)
def get_person(request: HttpRequest, person_id: int) -> dict[str, Any]:
    scope = scope_for(request.user)
    return _person_out(scope, queries.person(scope, person_id))


@router.put("/people/{person_id}", response=PersonOut)
def update_person(request: HttpRequest, person_id: int, body: PersonIn) -> dict[str, Any]:
    scope = scope_for(request.user)
    document = _document(body)
    person = services.update_person(request.user, scope, person_id, _data(scope, body), document=document)
    return _person_out(scope, person)


@router.delete("/people/{person_id}", response={204: None})
def delete_person(request: HttpRequest, person_id: int) -> Status[None]:
    services.delete_person(request.user, scope_for(request.user), person_id)
    return Status(204, None)


@router.post("/people/{person_id}/reveal", response=dict[str, str],
             summary="The full value of one personal field: citizen_id (default), phone or si_code (audited)")
def reveal(request: HttpRequest, person_id: int, field: RevealField = RevealField.CITIZEN_ID) -> dict[str, str]:
    wanted = PersonalField(field.value)
    return {wanted.value: services.reveal(request.user, scope_for(request.user), person_id, wanted)}


@router.post("/citizen-ids/locate", response=Located,
             summary="Which commune holds a citizen ID (managers only; audited, limited per hour)")
def locate(request: HttpRequest, body: LocateIn) -> dict[str, Any]:
    area = lookups.locate_citizen_id(request.user, scope_for(request.user), body.citizen_id)
    if area is None:
        return {"found": False, "area_code": None, "area_name": None}
    return {"found": True, "area_code": area.code, "area_name": area.name}


@router.post("/households", response={201: HouseholdOut})
def create_household(request: HttpRequest, body: HouseholdIn) -> Status[dict[str, Any]]:
    scope = scope_for(request.user)
    household = services.create_household(request.user, scope, _data(scope, body.head), body.joined,
                                          body.address_detail,
                                          confirm_probable_duplicate=body.head.confirm_probable_duplicate,
                                          document=_document(body.head))
    return Status(201, _household_out(scope, household.pk))


@router.get("/households/{household_id}", response=HouseholdOut)
def get_household(request: HttpRequest, household_id: int) -> dict[str, Any]:
    return _household_out(scope_for(request.user), household_id)


@router.patch("/households/{household_id}", response=HouseholdOut)
def update_household(request: HttpRequest, household_id: int, body: HouseholdPatch) -> dict[str, Any]:
    scope = scope_for(request.user)
    services.update_household(request.user, scope, household_id, body.address_detail)
    return _household_out(scope, household_id)


@router.post("/households/{household_id}/members", response={201: HouseholdOut})
def add_member(request: HttpRequest, household_id: int, body: MemberIn) -> Status[dict[str, Any]]:
    scope = scope_for(request.user)
    new_person = _data(scope, body.person) if body.person else None
    confirm = bool(body.person and body.person.confirm_probable_duplicate)
    services.add_member(request.user, scope, household_id, body.relationship, body.joined,
                        person_id=body.person_id, new_person=new_person, confirm_probable_duplicate=confirm,
                        document=_document(body.person) if body.person else None)
    return Status(201, _household_out(scope, household_id))


@router.post("/memberships/{membership_id}/end", response=MembershipOut)
def end_membership(request: HttpRequest, membership_id: int, body: EndIn) -> dict[str, Any]:
    scope = scope_for(request.user)
    m = services.end_membership(request.user, scope, membership_id, body.left)
    return {"id": m.pk, "person": _person_out(scope, m.person), **_relation(m),
            "valid_from": m.valid_from, "valid_to": m.valid_to}


def _relation(m: Membership) -> dict[str, str]:
    return {"relationship": m.relationship, "relationship_name": m.get_relationship_display(),
            "relationship_code": m.residence_code}


@router.post("/households/{household_id}/poverty", response={201: HouseholdOut, 202: SupportRequestOut},
             summary="A new poverty status with its decision: a manager's is applied (201), an agent's waits (202)")
def set_poverty(request: HttpRequest, household_id: int, body: PovertyIn) -> Status[dict[str, Any]]:
    scope = scope_for(request.user)
    asked = services.request_poverty_change(request.user, scope, household_id, body.status, body.valid_from,
                                            support.Document(body.decision_number, body.decision_date, body.document))
    if asked.status == SupportChangeStatus.PENDING:
        return Status(202, _request_out(asked))
    return Status(201, _household_out(scope, household_id))


@router.post("/people/{person_id}/island", response=SupportRequestOut,
             summary="Island residence with its decision: a manager's is applied, an agent's waits for approval")
def set_island(request: HttpRequest, person_id: int, body: IslandIn) -> dict[str, Any]:
    asked = services.request_island_change(request.user, scope_for(request.user), person_id, body.island,
                                           support.Document(body.decision_number, body.decision_date, body.document))
    return _request_out(asked)


@router.get("/support-requests", response=list[SupportRequestOut],
            summary="Requests to change what unlocks support, waiting in the caller's scope (oldest first)")
def support_requests(request: HttpRequest) -> list[dict[str, Any]]:
    return [_request_out(r) for r in support.queue(scope_for(request.user))[:200]]


@router.post("/support-requests/{support_request_id}/decide", response=SupportRequestOut,
             summary="A manager approves or refuses (with a reason) another user's request")
def decide_support_request(request: HttpRequest, support_request_id: int, body: DecisionIn) -> dict[str, Any]:
    decided = support.decide(request.user, scope_for(request.user), support_request_id, body.approve, body.reason)
    return _request_out(decided)


@router.post("/people/{person_id}/other-coverage", response={201: OtherCoverageOut},
             summary="Record a coverage through another group (the coverage-gap lists count the person as covered "
                     "elsewhere while it is in force)")
def add_other_coverage(request: HttpRequest, person_id: int, body: OtherCoverageIn) -> Status[dict[str, Any]]:
    found = other_coverage.add(request.user, scope_for(request.user), person_id, body.kind, body.source,
                               body.valid_from, body.valid_to)
    return Status(201, {"id": found.pk, "person_id": found.person_id, "kind": found.kind, "source": found.source,
                        "valid_from": found.valid_from, "valid_to": found.valid_to})
