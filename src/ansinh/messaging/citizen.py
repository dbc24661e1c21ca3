"""The citizen's own page (/tra-cuu/, issue 17 §5): a one-time code to the phone on record, then the
person's coverage. No account: the code proves the person holds the phone the agent recorded.

- ``ask_code``: the same work and the same answer whether the citizen ID and date of birth match
  someone or not (a code is drawn, hashed, stored and "sent" to nobody), so the page never tells
  whether an ID exists. The code is 6 digits, kept only as an HMAC (SECRET_KEY), valid 5 minutes,
  3 tries, used once.
- ``check_code``: the person's id for a right code, else None (wrong, expired, used up, or nobody).
- ``coverage``: what the page shows, read for one person only.
Every step writes an audit entry (registry.audit); the views keep the result in a short session.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Sum

from ansinh.enrollment.models import Enrollment, EnrollmentStatus, HiCardLine, Scheme
from ansinh.enrollment.references import reference_for
from ansinh.messaging.gateways import Outgoing, gateway
from ansinh.org.fields import PersonalField, mask
from ansinh.payments.models import Payment
from ansinh.payments.queries import TransferRequest, transfer_request
from ansinh.registry.audit import audit_read
from ansinh.registry.models import CitizenCode, Membership, Person

CODE_LIFETIME = timedelta(minutes=5)
CODE_TRIES = 3
NOBODY = 0  # the audit's entity id when no person matched


def _hash(code_id: int, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{code_id}:{code}".encode(), hashlib.sha256).hexdigest()


def ask_code(citizen_id: str, born: date, now: datetime) -> int:
    """The new code's id (the session keeps it); a text goes to the phone on record if any."""
    person = Person.objects.filter(citizen_id=citizen_id, date_of_birth=born).only("id", "phone", "area_id").first()
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        row = CitizenCode.objects.create(person=person, code_hash="", created_at=now, expires_at=now + CODE_LIFETIME)
        CitizenCode.objects.filter(pk=row.pk).update(code_hash=_hash(row.pk, code))
        audit_read(None, "cit_ask", "person", person.pk if person else NOBODY, person.area_id if person else None,
                   {"code": row.pk})
    text = f"Ma tra cuu BHXH, BHYT cua ban: {code}. Ma co hieu luc 5 phut. Khong dua ma nay cho ai."
    message = Outgoing(key=f"citizen-code-{row.pk}", phone=person.phone if person else "", text=text)
    if person is not None and person.phone:
        gateway("sms").send(message)
    else:
        json.dumps(asdict(message))  # the same work as a message written, to nobody
    return row.pk


def check_code(code_id: int, entered: str, now: datetime) -> int | None:
    with transaction.atomic():
        row = CitizenCode.objects.select_for_update().filter(pk=code_id).first()
        if row is None or row.used_at is not None or row.expires_at <= now or row.tries >= CODE_TRIES:
            return None
        right = hmac.compare_digest(row.code_hash, _hash(row.pk, entered.strip()))
        if right:
            row.used_at = now
        else:
            row.tries += 1
        row.save(update_fields=["used_at", "tries"])
        person_id = row.person_id if right else None
        audit_read(None, "cit_code", "person", row.person_id or NOBODY, None, {"code": row.pk, "right": right})
    return person_id


@dataclass(frozen=True)
class Card:
    name: str
    valid_from: date
    valid_to: date


@dataclass(frozen=True)
class Due:
    label: str
    enrollment_id: int
    amount: int
    reference: str
    transfer: TransferRequest | None  # its VietQR, when a collector serving the commune has an account


@dataclass(frozen=True)
class Receipt:
    serial: str
    amount: int
    paid_at: datetime
    scheme: str


@dataclass(frozen=True)
class Coverage:
    name: str
    phone: str  # masked
    vsi_months_paid: int
    vsi_paid_to: date | None
    cards: list[Card]
    dues: list[Due]
    agent_name: str
    agent_phone: str
    receipts: list[Receipt]


def _household_id(person_id: int, on: date) -> int | None:
    found = (Membership.objects.filter(person_id=person_id, valid_from__lte=on)
             .exclude(valid_to__lt=on).values_list("household_id", flat=True).first())
    return found


def coverage(person_id: int, on: date) -> Coverage:
    """Everything the citizen's page shows, for one person and the household he belongs to on ``on``."""
    person = Person.objects.get(pk=person_id)
    household_id = _household_id(person_id, on)
    mine = Enrollment.objects.filter(scheme=Scheme.VSI, person_id=person_id)
    if household_id is not None:
        mine = mine | Enrollment.objects.filter(scheme=Scheme.HOUSEHOLD_HI, household_id=household_id)
    paid_vsi = mine.filter(scheme=Scheme.VSI, status=EnrollmentStatus.PAID)
    totals = paid_vsi.aggregate(months=Sum("months"))
    last_vsi = paid_vsi.order_by("-period_end").values_list("period_end", flat=True).first()
    cards = [Card(line.person.full_name, line.valid_from, line.valid_to) for line in
             HiCardLine.objects.filter(enrollment__household_id=household_id, enrollment__status=EnrollmentStatus.PAID)
             .select_related("person").order_by("person__full_name", "-valid_to")] if household_id else []
    payments = list(Payment.objects.filter(enrollment__in=mine, reverses__isnull=True, reversal__isnull=True)
                    .select_related("receipt__pool", "agent", "enrollment")
                    .order_by("-paid_at"))
    dues = [Due(e.get_scheme_display(), e.pk, e.payable, reference_for(e.pk), transfer_request(e))
            for e in mine.filter(status=EnrollmentStatus.PENDING, payable__gt=0).order_by("period_start")]
    agent = next((p.agent for p in payments if p.agent is not None), None)
    receipts = [Receipt(p.receipt.serial, p.amount, p.paid_at,
                        p.enrollment.get_scheme_display()) for p in payments if hasattr(p, "receipt")]
    return Coverage(name=person.full_name, phone=mask(PersonalField.PHONE, person.phone) if person.phone else "",
                    vsi_months_paid=totals["months"] or 0, vsi_paid_to=last_vsi, cards=cards, dues=dues,
                    agent_name=agent.name if agent else "", agent_phone=agent.phone if agent else "",
                    receipts=receipts)
