"""Enrollment API: save a quoted term (pending until paid), and the due list."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema, Status

from ansinh.enrollment import queries, services
from ansinh.enrollment.models import CardKind, Enrollment, HiCardLine, Scheme
from ansinh.enrollment.once import KEY_MAX_LENGTH
from ansinh.lib.bounds import MAX_INCOME, MAX_MEMBERS, MAX_MONTHS
from ansinh.lib.i18n import N_
from ansinh.lib.text import TEXT_MAX
from ansinh.org.scope import scope_for
from ansinh.registry.models import PovertyStatus
from ansinh.rules.household_hi import GROUP_LABELS
from ansinh.rules.vsi import Method

router = Router(tags=["enrollment"])

# Required: a retry with the same key returns the first term; the same key for another request is a 409.
KEY = Header(..., alias="Idempotency-Key", min_length=1, max_length=KEY_MAX_LENGTH,
             description="Unique per request and per user; a replay returns the first enrollment.")


Id = Annotated[int, Field(ge=1, le=2**63 - 1)]  # a bigint primary key: beyond it PostgreSQL would refuse with a 500


class VsiIn(Schema):
    person_id: Id
    on: date
    income: int = Field(ge=0, le=MAX_INCOME)
    months: int = Field(ge=1, le=MAX_MONTHS)
    method: Method = Method.REGULAR
    groups_override: list[Annotated[str, Field(max_length=20)]] | None = Field(None, max_length=20)
    override_reason: str = Field("", max_length=TEXT_MAX)
    rate: Decimal | None = Field(None, ge=0, le=1)


class HiIn(Schema):
    household_id: Id
    on: date
    members: list[Id] = Field(max_length=MAX_MEMBERS)  # the quote is built per member: bounded like /quotes/hi
    months: int = Field(ge=1, le=12)
    initial_clinic: str = ""
    card_kind: CardKind = CardKind.ELECTRONIC
    as_household: list[Id] = Field(default_factory=list, max_length=MAX_MEMBERS,
                                   description=N_("Members of a near-poor household who choose to join as a household "
                                               "(from 01/07/2025, Luật 51/2024); refused otherwise."))


class HiLineOut(Schema):
    person_id: int
    full_name: str
    group: str
    group_label: str
    rank: int | None
    gross: int
    state_support: int
    local_support: int
    payable: int
    valid_from: date
    valid_to: date


class NoticeOut(Schema):
    code: str
    message: str


class EnrollmentOut(Schema):
    id: int
    scheme: str
    status: str
    period_start: date
    months: int
    gross: int
    state_support: int
    local_support: int
    payable: int
    support_groups: list[str]
    members: list[HiLineOut] = Field(default_factory=list, description="Household HI: each card with its group "
                                                                       "and the state's and the province's shares.")
    notices: list[NoticeOut] = Field(default_factory=list)
    poverty_document: str | None = Field(None, description="The poverty status and document the groups come from.")
    parameters: list[dict[str, Any]] = Field(default_factory=list)


class DueOut(Schema):
    kind: str
    label: str
    person_id: int | None
    household_id: int | None
    due_date: date
    amount_now: int | None
    note: str
    deadline: date | None = None  # VSI: the method's last day to pay the period (art. 36(3))
    deadline_note: str = ""  # VSI: why there is no deadline, when there is none


def _line_out(line: HiCardLine) -> dict[str, Any]:
    return {"person_id": line.person_id, "full_name": line.person.full_name, "group": line.group,
            "group_label": GROUP_LABELS.get(line.group, line.group), "rank": line.rank or None, "gross": line.gross,
            "state_support": line.state_support, "local_support": line.local_support, "payable": line.amount,
            "valid_from": line.valid_from, "valid_to": line.valid_to}


def _poverty_document(e: Enrollment) -> str | None:
    poverty = (e.calculation.inputs or {}).get("poverty")
    if not poverty:
        return None
    label = dict(PovertyStatus.choices).get(poverty["status"], poverty["status"])
    return f"{label}: {poverty['document'] or _('chưa ghi văn bản công nhận')}"


def enrollment_out(e: Enrollment) -> dict[str, Any]:
    lines = (e.hi_lines.select_related("person").order_by("pk") if e.scheme == Scheme.HOUSEHOLD_HI else [])
    return {"id": e.pk, "scheme": e.scheme, "status": e.status, "period_start": e.period_start, "months": e.months,
            "gross": e.gross, "state_support": e.state_support, "local_support": e.local_support, "payable": e.payable,
            "support_groups": e.support_groups, "members": [_line_out(line) for line in lines],
            "notices": [{"code": n["code"], "message": n["message"]}
                        for n in (e.calculation.result or {}).get("notices", [])],
            "poverty_document": _poverty_document(e) if e.scheme == Scheme.HOUSEHOLD_HI else None,
            "parameters": e.calculation.parameters}


@router.post("/enrollments/vsi", response={201: EnrollmentOut}, summary="Quote and save a voluntary-SI term")
def enroll_vsi(request: HttpRequest, body: VsiIn, idempotency_key: str = KEY) -> Status[dict[str, Any]]:
    scope = scope_for(request.user)
    groups = services.check_groups(body.groups_override) if body.groups_override is not None else None
    offer = services.quote_vsi(scope, body.person_id, body.on, body.income, body.months, body.method, groups,
                               body.override_reason, body.rate)
    return Status(201, enrollment_out(services.enroll_vsi(request.user, scope, offer,
                                                          idempotency_key=idempotency_key)))


@router.post("/enrollments/hi", response={201: EnrollmentOut}, summary="Quote and save a household-HI term")
def enroll_hi(request: HttpRequest, body: HiIn, idempotency_key: str = KEY) -> Status[dict[str, Any]]:
    scope = scope_for(request.user)
    offer = services.quote_hi(scope, body.household_id, body.members, body.on, body.months, body.as_household)
    return Status(201, enrollment_out(services.enroll_hi(request.user, scope, offer, body.initial_clinic,
                                                         body.card_kind, idempotency_key=idempotency_key)))


@router.post("/enrollments/{enrollment_id}/cancel", response={200: EnrollmentOut},
             summary="Cancel a term nobody has paid, freeing its months or days (idempotent)")
def cancel(request: HttpRequest, enrollment_id: int) -> dict[str, Any]:
    return enrollment_out(services.cancel_pending(request.user, scope_for(request.user), enrollment_id))


@router.get("/due-list", response=list[DueOut], summary="Payments due, cards ending, lapses, with the amount now")
def due_list(request: HttpRequest, days: int = Query(30, ge=1, le=queries.DUE_DAYS_MAX),
             on: date | None = None) -> list[dict[str, Any]]:
    items = queries.due_list(scope_for(request.user), on or timezone.localdate(), days)
    return [{"kind": i.kind, "label": i.label, "person_id": i.person.pk if i.person else None,
             "household_id": i.household.pk if i.household else None, "due_date": i.due_date,
             "amount_now": i.amount_now, "note": i.note, "deadline": i.deadline,
             "deadline_note": i.deadline_note} for i in items]
