"""Payments API. Writes carry an ``Idempotency-Key`` header: a repeat returns the first result."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Header, Router, Schema, Status

from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.org.models import Agent
from ansinh.org.scope import not_found, scope_for
from ansinh.payments import queries, services
from ansinh.payments.models import Payment, PaymentMethod, Receipt

router = Router(tags=["payments"])


class PaymentIn(Schema):
    enrollment_id: int
    amount: int
    method: PaymentMethod = PaymentMethod.CASH
    sponsor_id: int | None = None
    agent_id: int | None = None
    collection_point_id: int | None = None
    paid_at: datetime | None = None


class ReceiptOut(Schema):
    id: int
    serial: str
    amount: int
    amount_words: str
    issued_at: datetime


class PaymentOut(Schema):
    id: int
    enrollment_id: int
    amount: int
    method: str
    payer: str
    paid_at: datetime
    receipt: ReceiptOut | None


class ReverseIn(Schema):
    reason: str


class RemittanceIn(Schema):
    kind: str
    collector_id: int
    amount: int
    on: date
    agent_id: int | None = None
    reference: str = ""


class ReconciliationOut(Schema):
    day: date
    agent_code: str
    collected: int
    remitted: int
    outstanding: int
    overdue: int


class CommissionOut(Schema):
    scheme: str
    is_renewal: bool
    method: str
    collected: int
    commission: int | None
    example_rate: bool


def _key(value: str | None) -> str:
    if not value:
        raise DomainError(ErrorCode.INVALID_INPUT, "Thiếu tiêu đề Idempotency-Key.", "Idempotency-Key is required.")
    return value


def receipt_out(r: Receipt) -> dict[str, Any]:
    return {"id": r.pk, "serial": r.serial, "amount": r.amount, "amount_words": r.amount_words,
            "issued_at": r.issued_at}


def payment_out(p: Payment) -> dict[str, Any]:
    receipt = getattr(p, "receipt", None)
    return {"id": p.pk, "enrollment_id": p.enrollment_id, "amount": p.amount, "method": p.method, "payer": p.payer,
            "paid_at": p.paid_at, "receipt": receipt_out(receipt) if receipt else None}


@router.post("/payments", response={201: PaymentOut}, summary="Record a payment and issue its receipt")
def record(request: HttpRequest, body: PaymentIn,
           idempotency_key: str | None = Header(None, alias="Idempotency-Key")) -> Status[dict[str, Any]]:
    payment = services.record_payment(
        request.user, scope_for(request.user), body.enrollment_id, amount=body.amount, method=body.method,
        idempotency_key=_key(idempotency_key), paid_at=body.paid_at or timezone.now(), agent_id=body.agent_id,
        sponsor_id=body.sponsor_id, collection_point_id=body.collection_point_id)
    return Status(201, payment_out(payment))


@router.post("/payments/{payment_id}/reverse", response={201: PaymentOut}, summary="Reverse a payment")
def reverse(request: HttpRequest, payment_id: int, body: ReverseIn,
            idempotency_key: str | None = Header(None, alias="Idempotency-Key")) -> Status[dict[str, Any]]:
    reversal = services.reverse_payment(request.user, scope_for(request.user), payment_id, body.reason,
                                        _key(idempotency_key), timezone.now())
    return Status(201, payment_out(reversal))


@router.get("/receipts/{receipt_id}", response=ReceiptOut)
def receipt(request: HttpRequest, receipt_id: int) -> dict[str, Any]:
    found = Receipt.objects.select_related("pool", "payment__enrollment").filter(pk=receipt_id).first()
    if found is None or not scope_for(request.user).has_area(found.payment.enrollment.area_id):
        raise not_found()
    return receipt_out(found)


@router.post("/remittances", response={201: dict}, summary="Cash handed over by an agent, or sent to BHXH")
def remit(request: HttpRequest, body: RemittanceIn,
          idempotency_key: str | None = Header(None, alias="Idempotency-Key")) -> Status[dict[str, Any]]:
    found = services.record_remittance(request.user, scope_for(request.user), kind=body.kind,
                                       collector_id=body.collector_id, amount=body.amount, on=body.on,
                                       idempotency_key=_key(idempotency_key), agent_id=body.agent_id,
                                       reference=body.reference)
    return Status(201, {"id": found.pk, "amount": found.amount, "remitted_on": found.remitted_on.isoformat()})


@router.get("/reconciliation", response=list[ReconciliationOut])
def reconciliation(request: HttpRequest, start: date, end: date, grace_days: int = 1) -> list[dict[str, Any]]:
    rows = queries.reconciliation(scope_for(request.user), start, end, grace_days)
    return [{"day": r.day, "agent_code": r.agent.code, "collected": r.collected, "remitted": r.remitted,
             "outstanding": r.outstanding, "overdue": r.overdue} for r in rows]


@router.get("/commission", response=list[CommissionOut])
def commission(request: HttpRequest, agent: str, month: date) -> list[dict[str, Any]]:
    scope = scope_for(request.user)
    found = Agent.objects.filter(code=agent).first()
    if found is None or not (found.collector_id in scope.org_ids or found.areas.filter(pk__in=scope.area_ids).exists()
                             or found.collector.areas.filter(pk__in=scope.area_ids).exists()):
        raise not_found()
    return [{"scheme": line.scheme, "is_renewal": line.is_renewal, "method": line.method,
             "collected": line.collected, "commission": line.commission, "example_rate": line.example_rate}
            for line in queries.commission_statement(found, month)]
