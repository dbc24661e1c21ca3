"""Payments API. Writes carry an ``Idempotency-Key`` header: a repeat returns the first result."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Header, Query, Router, Schema, Status

from ansinh.lib.i18n import N_
from ansinh.org.scope import scope_for
from ansinh.payments import queries, services
from ansinh.payments.models import (
    AMOUNT_MAX,
    KEY_MAX_LENGTH,
    Payment,
    PaymentMethod,
    Receipt,
    RemittanceKind,
    ReversalRequest,
)

router = Router(tags=["payments"])
Amount = Annotated[int, Field(ge=0, le=AMOUNT_MAX)]
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
KEY = Header(..., alias="Idempotency-Key", min_length=1, max_length=KEY_MAX_LENGTH,
             description="Chosen by the client (at most 100 characters); your own repeat returns the first result, "
                         "a key used for another request or by someone else is refused (409).")
MANAGERS = N_("quản lý (quản lý BHXH cơ sở, quản lý tổ chức dịch vụ thu, quản trị tỉnh)")
# Error responses (the one {"error": ...} shape) are declared for every operation by api/errors.py.


class PaymentIn(Schema):
    enrollment_id: Id
    amount: Amount
    method: PaymentMethod = PaymentMethod.CASH
    sponsor_id: Id | None = None
    agent_id: Id | None = Field(None, description=(
        N_("Chỉ dành cho {MANAGERS}: nhân viên thu trong phạm vi của mình. Mặc định: nhân viên thu gắn với tài "
           "khoản; nhân viên thu đề nghị người khác bị từ chối (403).").format(MANAGERS=MANAGERS)))
    collection_point_id: Id | None = Field(None, description=(
        N_("Một điểm thu của nhân viên thu đó; mặc định: điểm thu duy nhất của nhân viên (nếu chỉ có một).")))
    paid_at: datetime | None = Field(None, description=(
        N_("Chỉ dành cho {MANAGERS}, kèm backdate_reason: ghi lùi thời điểm thu — không ở tương lai, không trước "
           "khi lập hồ sơ, không vào kỳ đã khoá sổ. Mặc định và với mọi vai trò khác: giờ của máy chủ.").format(
            MANAGERS=MANAGERS)))
    backdate_reason: str = Field("", max_length=300,
                                 description=N_("Lý do ghi lùi thời điểm thu (bắt buộc khi có paid_at)."))


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
    reason: str = Field(max_length=300)


class ReversalRequestOut(Schema):
    id: int
    payment_id: int
    status: str = Field(description=N_("pending (chờ duyệt), approved (đã huỷ khoản thu), refused (bị từ chối)"))
    reason: str
    decision_reason: str
    reversal_id: int | None


class DecisionIn(Schema):
    approve: bool
    reason: str = Field("", max_length=300, description=N_("Bắt buộc khi từ chối."))


class RemittanceIn(Schema):
    kind: RemittanceKind
    collector_id: Id
    amount: Annotated[int, Field(ge=1, le=AMOUNT_MAX)]
    on: date
    agent_id: Id | None = Field(None, description=(
        N_("Nhân viên nộp tiền (agent_to_collector): nhân viên thu chỉ ghi cho chính mình (mặc định); cán bộ "
           "tổ chức dịch vụ thu ghi cho nhân viên của đơn vị. collector_to_bhxh: chỉ cán bộ của tổ chức đó, không "
           "ghi nhân viên.")))
    reference: str = Field("", max_length=100)


class RemittanceOut(Schema):
    id: int
    amount: int
    remitted_on: date


class ReconciliationOut(Schema):
    day: date
    agent_code: str
    opening: int | None = Field(description="held at the start of the day (collected before it, not handed over)")
    collected: int = Field(description="cash collected that day in your scope")
    remitted: int | None = Field(description="handed over that day; null: the agent also collected outside your scope")
    outstanding: int | None = Field(description="held at the end of the day: opening + collected − remitted")
    overdue: int | None = Field(description="of what is held, cash collected more than grace_days ago")


class CommissionOut(Schema):
    scheme: str
    is_renewal: bool
    method: str
    collected: int
    commission: int | None
    example_rate: bool


def receipt_out(r: Receipt) -> dict[str, Any]:
    return {"id": r.pk, "serial": r.serial, "amount": r.amount, "amount_words": r.amount_words,
            "issued_at": r.issued_at}


def payment_out(p: Payment) -> dict[str, Any]:
    receipt = getattr(p, "receipt", None)
    return {"id": p.pk, "enrollment_id": p.enrollment_id, "amount": p.amount, "method": p.method, "payer": p.payer,
            "paid_at": p.paid_at, "receipt": receipt_out(receipt) if receipt else None}


@router.post("/payments", response={201: PaymentOut}, summary="Record a payment and issue its receipt")
def record(request: HttpRequest, body: PaymentIn, idempotency_key: str = KEY) -> Status[dict[str, Any]]:
    payment = services.record_payment(
        request.user, scope_for(request.user), body.enrollment_id, amount=body.amount, method=body.method,
        idempotency_key=idempotency_key, agent_id=body.agent_id, sponsor_id=body.sponsor_id,
        collection_point_id=body.collection_point_id, backdated_to=body.paid_at, backdate_reason=body.backdate_reason)
    return Status(201, payment_out(payment))


@router.post("/payments/{payment_id}/reverse", response={201: PaymentOut},
             summary=f"Reverse a payment at once, with a reason: {MANAGERS} (an agent sends a reversal request)")
def reverse(request: HttpRequest, payment_id: Id, body: ReverseIn,
            idempotency_key: str = KEY) -> Status[dict[str, Any]]:
    reversal = services.reverse_payment(request.user, scope_for(request.user), payment_id, body.reason,
                                        idempotency_key, timezone.now())
    return Status(201, payment_out(reversal))


def request_out(r: ReversalRequest) -> dict[str, Any]:
    return {"id": r.pk, "payment_id": r.payment_id, "status": r.status, "reason": r.reason,
            "decision_reason": r.decision_reason, "reversal_id": r.reversal_id}


@router.post("/payments/{payment_id}/reversal-request", response={201: ReversalRequestOut},
             summary="An agent asks a manager to reverse a payment (nothing changes until approved)")
def request_reversal(request: HttpRequest, payment_id: Id, body: ReverseIn,
                     idempotency_key: str = KEY) -> Status[dict[str, Any]]:
    found = services.request_reversal(request.user, scope_for(request.user), payment_id, body.reason,
                                      idempotency_key)
    return Status(201, request_out(found))


@router.post("/reversal-requests/{request_id}/decision", response={200: ReversalRequestOut},
             summary=f"Approve (the payment is reversed) or refuse an agent's request: {MANAGERS}")
def decide_reversal(request: HttpRequest, request_id: Id, body: DecisionIn) -> dict[str, Any]:
    return request_out(services.decide_reversal(request.user, scope_for(request.user), request_id, body.approve,
                                                body.reason))


@router.get("/receipts/{receipt_id}", response={200: ReceiptOut})
def receipt(request: HttpRequest, receipt_id: Id) -> dict[str, Any]:
    return receipt_out(queries.receipt(scope_for(request.user), receipt_id))


@router.post("/remittances", response={201: RemittanceOut},
             summary="Cash handed over by an agent, or sent to BHXH")
def remit(request: HttpRequest, body: RemittanceIn, idempotency_key: str = KEY) -> Status[dict[str, Any]]:
    found = services.record_remittance(request.user, scope_for(request.user), kind=body.kind,
                                       collector_id=body.collector_id, amount=body.amount, on=body.on,
                                       idempotency_key=idempotency_key, agent_id=body.agent_id,
                                       reference=body.reference)
    return Status(201, {"id": found.pk, "amount": found.amount, "remitted_on": found.remitted_on})


@router.get("/reconciliation", response={200: list[ReconciliationOut]},
            summary="Cash per day and agent in your scope (a period of at most 366 days)")
def reconciliation(request: HttpRequest, start: date, end: date,
                   grace_days: int = Query(1, ge=0, le=queries.GRACE_DAYS_MAX)) -> list[dict[str, Any]]:
    rows = queries.reconciliation(scope_for(request.user), start, end, grace_days)
    return [{"day": r.day, "agent_code": r.agent.code, "opening": r.opening, "collected": r.collected,
             "remitted": r.remitted, "outstanding": r.outstanding, "overdue": r.overdue} for r in rows]


@router.get("/commission", response={200: list[CommissionOut]},
            summary="An agent's commission for a month, from the payments in your scope")
def commission(request: HttpRequest, month: date, agent: str = Query(..., max_length=20)) -> list[dict[str, Any]]:
    return [{"scheme": line.scheme, "is_renewal": line.is_renewal, "method": line.method,
             "collected": line.collected, "commission": line.commission, "example_rate": line.example_rate}
            for line in queries.agent_commission(scope_for(request.user), agent, month)]
