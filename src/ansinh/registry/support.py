"""Maker-checker on the facts that unlock voluntary-SI support (issue 18): a household's poverty status,
a person's ethnicity (minority or not) and island residence decide the tier (DOMAIN.md §3.1: up to
50 % of the state and the province's top-up). An agent's change is a request, with its document
(decision number and date), that a manager of the area approves or refuses; the stored value, and so
every amount quoted from it, moves only on approval. A manager's own change is applied at once and
recorded as an approved request all the same. The requester never decides their own request.

``registry.services`` calls :func:`request_change` from its scoped writers; this module does not
import it (it is below ``services``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.lib.errors import DomainError, ErrorCode, invalid_input
from ansinh.lib.text import clean_text
from ansinh.org.models import Role
from ansinh.org.scope import Scope, not_found
from ansinh.registry.audit import audit
from ansinh.registry.ethnicities import KINH, UNKNOWN
from ansinh.registry.models import (
    AuditEntry,
    Household,
    HouseholdPoverty,
    Person,
    SupportChangeRequest,
    SupportChangeStatus,
    SupportField,
)

# Who checks: the managers of an area (the same roles that decide a payment's reversal request).
CHECKERS = frozenset({Role.PROVINCE_ADMIN, Role.OFFICE_MANAGER, Role.COLLECTOR_MANAGER})
NUMBER_MAX, NOTE_MAX = 100, 300
ENTITY = "support_req"  # the audit trail's entity of a request (AuditEntry.entity, 20 characters)


def is_checker(scope: Scope) -> bool:
    return scope.role in CHECKERS and scope.can_write


@dataclass(frozen=True)
class Document:
    """The decision that certifies the change: its number and date (required), and a note."""

    number: str = ""
    on: date | None = None
    note: str = ""

    @property
    def text(self) -> str:
        """As a poverty status's certifying document is stored (the same whatever the user's language):
        "QĐ 12/QĐ-UBND, 05/01/2026"."""
        shown = f"{self.number}, {self.on:%d/%m/%Y}" if self.on else self.number
        return f"{shown}; {self.note}" if self.note else shown


def clean_document(document: Document | None, *, required: bool = True) -> Document:
    """The document checked; when not ``required`` (a registration's ethnicity, read from the papers the
    manager checks) an empty one is accepted as it is."""
    document = document or Document()
    if not required and not (document.number.strip() or document.on or document.note.strip()):
        return Document()
    number = clean_text(document.number, "decision_number", NUMBER_MAX, _("Số quyết định"))
    if not number:
        raise invalid_input(_("Đề nghị thay đổi đối tượng hỗ trợ cần số quyết định (hoặc văn bản) công nhận."),
                            "A decision number is required.", field="decision_number")
    if document.on is None:
        raise invalid_input(_("Cần ghi ngày của quyết định (văn bản) công nhận."), "A decision date is required.",
                            field="decision_date")
    if document.on > timezone.localdate():
        raise invalid_input(_("Ngày quyết định không được ở tương lai."), "The decision date is in the future.",
                            field="decision_date")
    note = clean_text(document.note, "document_note", NOTE_MAX, _("Ghi chú về văn bản"))
    return Document(number, document.on, note)


def minority(ethnicity: str) -> bool:
    """Whether an ethnicity derives the ethnic-minority group (enrollment.services._groups)."""
    return ethnicity not in (KINH, UNKNOWN)


def _refuse_second(subject: str) -> DomainError:
    return DomainError(ErrorCode.IDEMPOTENCY_CONFLICT,
                       _("{subject} đã có một đề nghị thay đổi nội dung này đang chờ quản lý duyệt; chờ quyết định "
                         "trước khi gửi đề nghị mới.").format(subject=subject),
                       "A request for this field is already waiting for a manager.")


def request_change(actor: AbstractBaseUser | None, scope: Scope, field: SupportField, new_value: str,
                   document: Document | None, *, person: Person | None = None, household: Household | None = None,
                   valid_from: date | None = None, registering: bool = False) -> SupportChangeRequest:
    """Inside the caller's transaction, the subject (person or household) locked and in the writer's
    scope: a request of ``field`` → ``new_value``. A checker's is applied now and recorded as approved;
    an agent's waits and nothing else changes. A ``registering`` request (a new person's ethnicity) may
    come without its document."""
    if actor is None or not actor.is_authenticated:
        raise DomainError(ErrorCode.FORBIDDEN, _("Cần đăng nhập để đề nghị thay đổi."), "A request needs a user.")
    document = clean_document(document, required=not registering)
    subject = person if person is not None else household
    assert subject is not None
    pending = SupportChangeRequest.objects.filter(field=field, status=SupportChangeStatus.PENDING)
    if pending.filter(person=person, household=household).exists():
        raise _refuse_second(str(subject))
    old = _current(field, person, household)
    try:
        with transaction.atomic():
            found = SupportChangeRequest.objects.create(
                person=person, household=household, area_id=subject.area_id, field=field, old_value=old,
                new_value=new_value, valid_from=valid_from, decision_number=document.number,
                decision_date=document.on, note=document.note, requested_by=actor)
    except IntegrityError:  # a concurrent request of the same subject and field won the race
        raise _refuse_second(str(subject)) from None
    audit(actor, "sup_ask", ENTITY, found.pk, found.area_id, _details(found))
    if is_checker(scope):
        _apply(actor, found)
        _close(actor, found, SupportChangeStatus.APPROVED, "")
    return found


def withheld(scope: Scope, ethnicity: str) -> bool:
    """Whether a new person's ethnicity waits for a manager: an agent's that derives the ethnic-minority
    group. The person is saved as "not known" (``UNKNOWN``) with a pending request of the value entered;
    a checker's registration is saved as entered (audited with the record)."""
    return minority(ethnicity) and not is_checker(scope)


def hold_imported(actor: AbstractBaseUser | None, scope: Scope, since: datetime) -> int:
    """After an import by ``actor``, in its transaction: the people it registered since ``since`` (its own
    audit entries) with a minority ethnicity, when the importer is not a checker, are saved as "not
    known", each with a pending request of the ethnicity read (``withheld``). Returns how many."""
    if is_checker(scope):
        return 0
    who = actor.pk if actor is not None and actor.is_authenticated else None  # none: request_change refuses
    made = AuditEntry.objects.filter(actor_id=who, action="create", entity="person", at__gte=since)
    held = list(Person.objects.select_for_update().filter(pk__in=made.values("entity_id"))
                .exclude(ethnicity__in=(KINH, UNKNOWN)).order_by("pk"))
    for person in held:
        wanted, person.ethnicity = person.ethnicity, UNKNOWN
        person.save(update_fields=["ethnicity", "updated_at"])
        request_change(actor, scope, SupportField.ETHNICITY, wanted, None, person=person, registering=True)
    return len(held)


def _current(field: str, person: Person | None, household: Household | None) -> str:
    if field == SupportField.POVERTY:
        assert household is not None
        open_status = household.poverty_statuses.filter(valid_to__isnull=True).order_by("-valid_from").first()
        return open_status.status if open_status else ""
    assert person is not None
    return person.ethnicity if field == SupportField.ETHNICITY else _flag(person.island_resident)


def _flag(value: bool) -> str:
    return "yes" if value else "no"


def _details(found: SupportChangeRequest) -> dict[str, Any]:
    subject = ("person", found.person_id) if found.person_id else ("household", found.household_id)
    return {subject[0]: (None, subject[1]), "field": (None, found.field),
            "value": (found.old_value, found.new_value), "decision": (None, found.decision_number),
            "decision_date": (None, found.decision_date)}


def _apply(actor: AbstractBaseUser | None, found: SupportChangeRequest) -> None:
    """Write the requested value (the subject's row locked by the caller)."""
    if found.field == SupportField.POVERTY:
        assert found.household is not None and found.valid_from is not None
        apply_poverty(actor, found.household, found.new_value, found.valid_from,
                      Document(found.decision_number, found.decision_date, found.note).text)
        return
    person = found.person
    assert person is not None
    name, value = (("ethnicity", found.new_value) if found.field == SupportField.ETHNICITY
                   else ("island_resident", found.new_value == "yes"))
    old = getattr(person, name)
    if old != value:
        setattr(person, name, value)
        person.save(update_fields=[name, "updated_at"])
        audit(actor, "update", "person", person.pk, person.area_id, {name: (old, value)})


def check_poverty_start(household: Household, valid_from: date) -> HouseholdPoverty | None:
    """The status in force, refusing a new one that would not start after it."""
    open_status = household.poverty_statuses.filter(valid_to__isnull=True).first()
    if open_status is not None and valid_from <= open_status.valid_from:
        raise invalid_input(_("Ngày hiệu lực phải sau tình trạng hiện tại."), "Must start after the current status.")
    return open_status


def apply_poverty(actor: AbstractBaseUser | None, household: Household, status: str, valid_from: date,
                  document: str) -> HouseholdPoverty:
    """A new status from ``valid_from``; the status in force until then ends the day before."""
    open_status = check_poverty_start(household, valid_from)
    if open_status is not None:
        open_status.valid_to = valid_from - timedelta(days=1)
        open_status.save(update_fields=["valid_to"])
    record = HouseholdPoverty.objects.create(household=household, status=status, valid_from=valid_from,
                                             document=document.strip())
    audit(actor, "create", "poverty", record.pk, household.area_id,
          {"status": (open_status.status if open_status else None, status), "valid_from": (None, valid_from)})
    return record


def _close(actor: AbstractBaseUser | None, found: SupportChangeRequest, status: SupportChangeStatus,
           reason: str) -> None:
    found.status, found.decided_by, found.decided_at, found.refusal_reason = status, actor, timezone.now(), reason
    found.save(update_fields=["status", "decided_by", "decided_at", "refusal_reason"])
    names = {"requested_by": (None, found.requested_by.get_username()),
             "decided_by": (None, actor.get_username() if actor is not None else "")}
    audit(actor, "sup_ok" if status == SupportChangeStatus.APPROVED else "sup_no", ENTITY, found.pk, found.area_id,
          {**_details(found), "status": (SupportChangeStatus.PENDING.value, status.value), **names,
           **({"reason": ("", reason)} if reason else {})})


@transaction.atomic
def decide(actor: AbstractBaseUser | None, scope: Scope, request_id: int, approve: bool,
           reason: str = "") -> SupportChangeRequest:
    """A manager of the request's area approves (the value is written now) or refuses it (with a
    reason; nothing changes). Out of scope: 404; not a manager, or the requester: 403. Deciding the
    same way again returns the request; the other way is a conflict."""
    area_id = SupportChangeRequest.objects.filter(pk=request_id).values_list("area_id", flat=True).first()
    if area_id is None or not scope.has_area(area_id):
        raise not_found()
    scope.require_write(area_id)
    if not is_checker(scope):
        raise DomainError(ErrorCode.FORBIDDEN, _("Chỉ cán bộ quản lý duyệt hoặc từ chối đề nghị thay đổi đối tượng "
                                                 "hỗ trợ."), "Only a manager decides a support change request.")
    found = SupportChangeRequest.objects.select_related("requested_by").get(pk=request_id)
    # the subject first, then the request: the same order as a new request's writer
    if found.person_id is not None:
        found.person = Person.objects.select_for_update().get(pk=found.person_id)
    else:
        found.household = Household.objects.select_for_update().get(pk=found.household_id)
    found = _locked(found)
    if actor is not None and found.requested_by_id == actor.pk:
        raise DomainError(ErrorCode.FORBIDDEN, _("Không tự duyệt đề nghị của chính mình: cần một cán bộ quản lý "
                                                 "khác."), "Not one's own request.")
    wanted = SupportChangeStatus.APPROVED if approve else SupportChangeStatus.REFUSED
    if found.status != SupportChangeStatus.PENDING:
        if found.status == wanted:
            return found
        raise DomainError(ErrorCode.IDEMPOTENCY_CONFLICT, _("Đề nghị này đã được xử lý: {value}.").format(
            value=SupportChangeStatus(found.status).label.lower()), "The request was already decided.")
    note = clean_text(reason, "reason", NOTE_MAX, _("Lý do"))
    if not approve and not note:
        raise invalid_input(_("Ghi lý do từ chối đề nghị."), "Give the reason of the refusal.", field="reason")
    if approve:
        _apply(actor, found)
    _close(actor, found, wanted, "" if approve else note)
    return found


def _locked(found: SupportChangeRequest) -> SupportChangeRequest:
    again = SupportChangeRequest.objects.select_for_update().select_related("requested_by").get(pk=found.pk)
    again.person, again.household = found.person, found.household
    return again


def queue(scope: Scope, status: str = SupportChangeStatus.PENDING) -> QuerySet[SupportChangeRequest]:
    """The requests of the reader's scope (the managers' queue), oldest first."""
    return (SupportChangeRequest.objects.filter(scope.areas_q(), status=status)
            .select_related("person", "household", "area", "requested_by").order_by("requested_at", "pk"))


def pending_of_person(scope: Scope, person: Person) -> list[SupportChangeRequest]:
    """What waits for a manager about this person: their own requests and their households' (one query)."""
    if not scope.has_area(person.area_id):
        return []
    households = person.memberships.filter(valid_to__isnull=True).values("household_id")
    return list(SupportChangeRequest.objects.filter(status=SupportChangeStatus.PENDING)
                .filter(Q(person=person) | Q(household_id__in=households)).order_by("requested_at", "pk"))
