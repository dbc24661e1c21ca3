"""Recording money: one transaction per payment, idempotent by key, exact to the đồng, with a
receipt number from the collector's pool allocated under a row lock (no gap, no duplicate)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from num2words import num2words

from ansinh.enrollment.models import Enrollment, EnrollmentStatus
from ansinh.enrollment.services import recheck_before_payment
from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.lib.money import format_vnd
from ansinh.org.models import Agent, OrgUnit
from ansinh.org.queries import org_units
from ansinh.org.scope import Scope, not_found
from ansinh.payments.models import (
    Payer,
    Payment,
    PaymentMethod,
    Receipt,
    ReceiptPool,
    Remittance,
    RemittanceKind,
    Sponsor,
)

# Read models kept in step with every payment written here (a term or a reversal), inside the same
# transaction: the reports app registers the dashboards' facts (ADR 0006). Called explicitly by the
# two writers below rather than by a model signal, so what runs on a payment is visible here.
PAYMENT_LISTENERS: list[Callable[[Payment], None]] = []


def _announce(payment: Payment) -> None:
    for listener in PAYMENT_LISTENERS:
        listener(payment)


def amount_in_words(amount: int) -> str:
    """``231000`` → ``"Hai trăm ba mươi mốt nghìn đồng"``."""
    words = num2words(abs(amount), lang="vi")
    return ("Âm " if amount < 0 else "") + words[0].upper() + words[1:] + " đồng"


def _replay(key: str, enrollment_id: int, amount: int) -> Payment | None:
    """The payment already recorded under this key, if the request is the same one."""
    found = Payment.objects.filter(idempotency_key=key).select_related("receipt").first()
    if found is not None and (found.enrollment_id != enrollment_id or found.amount != amount):
        raise DomainError(ErrorCode.IDEMPOTENCY_CONFLICT,
                          "Mã chống trùng (Idempotency-Key) này đã dùng cho một khoản thu khác.",
                          "This idempotency key was used for a different payment.")
    return found


def _agent_for(actor: AbstractBaseUser | None, agent_id: int | None) -> Agent:
    agent = (Agent.objects.filter(pk=agent_id).first() if agent_id
             else Agent.objects.filter(user=actor).first() if actor is not None and actor.is_authenticated else None)
    if agent is None:
        raise DomainError(ErrorCode.INVALID_INPUT, "Cần chọn nhân viên thu (tài khoản này không gắn với đại lý thu).",
                          "An agent is required.", field="agent")
    return agent


def issue_receipt(payment: Payment) -> Receipt:
    """The next number of the collector's active pool; the pool row stays locked until commit."""
    pool = (ReceiptPool.objects.select_for_update().filter(collector=payment.collector, active=True)
            .order_by("pk").first())
    if pool is None or pool.next_number > pool.last_number:
        raise DomainError(ErrorCode.NO_RECEIPT_POOL,
                          f"{payment.collector.name} chưa có quyển biên lai còn số; hãy khai báo quyển mới.",
                          "The collector has no receipt numbers left.")
    number = pool.next_number
    pool.next_number += 1
    pool.save(update_fields=["next_number"])
    return Receipt.objects.create(payment=payment, pool=pool, number=number, amount=payment.amount,
                                  amount_words=amount_in_words(payment.amount), issued_at=payment.paid_at)


def record_payment(actor: AbstractBaseUser | None, scope: Scope, enrollment_id: int, *, amount: int, method: str,
                   idempotency_key: str, paid_at: datetime, agent_id: int | None = None, sponsor_id: int | None = None,
                   collection_point_id: int | None = None) -> Payment:
    """Record the payment of a pending enrollment and issue its receipt. The same key again returns
    the first payment; a concurrent duplicate loses the race on the key's unique constraint."""
    key = idempotency_key.strip()
    if not key:
        raise DomainError(ErrorCode.INVALID_INPUT, "Thiếu mã chống trùng (Idempotency-Key).", "Missing key.")
    replay = _replay(key, enrollment_id, amount)
    if replay is not None:
        return replay
    try:
        return _record(actor, scope, enrollment_id, amount, method, key, paid_at, agent_id, sponsor_id,
                       collection_point_id)
    except IntegrityError:
        replay = _replay(key, enrollment_id, amount)
        if replay is None:
            raise
        return replay


@transaction.atomic
def _record(actor: AbstractBaseUser | None, scope: Scope, enrollment_id: int, amount: int, method: str, key: str,
            paid_at: datetime, agent_id: int | None, sponsor_id: int | None,
            collection_point_id: int | None) -> Payment:
    enrollment = Enrollment.objects.select_for_update().filter(pk=enrollment_id).first()
    if enrollment is None or not scope.has_area(enrollment.area_id):
        raise not_found()
    scope.require_write(enrollment.area_id)
    if enrollment.status != EnrollmentStatus.PENDING:
        raise DomainError(ErrorCode.ALREADY_PAID, "Khoản này đã được thu hoặc đã huỷ.", "Not pending.")
    recheck_before_payment(enrollment)  # support cap and groups again, under the person's lock (ADR 0007)
    if amount != enrollment.payable:
        raise DomainError(ErrorCode.WRONG_AMOUNT,
                          f"Số tiền thu {format_vnd(amount)} khác số phải đóng {format_vnd(enrollment.payable)}.",
                          "The amount differs from the amount due.", field="amount")
    if method not in PaymentMethod.values:
        raise DomainError(ErrorCode.INVALID_INPUT, "Hình thức thu phải là tiền mặt hoặc chuyển khoản.",
                          "Unknown method.", field="method")
    sponsor = Sponsor.objects.filter(pk=sponsor_id).first() if sponsor_id else None
    if sponsor_id and sponsor is None:
        raise not_found()
    agent = _agent_for(actor, agent_id)
    point = OrgUnit.objects.filter(pk=collection_point_id).first() if collection_point_id else None
    with transaction.atomic():  # a duplicate key rolls back to here, and the caller replays
        payment = Payment.objects.create(
            enrollment=enrollment, amount=amount, method=method, payer=Payer.SPONSOR if sponsor else Payer.PARTICIPANT,
            sponsor=sponsor, agent=agent, collector=agent.collector, collection_point=point,
            recorded_by=actor if actor is not None and actor.is_authenticated else None, paid_at=paid_at,
            idempotency_key=key)
    _announce(payment)
    issue_receipt(payment)
    enrollment.status = EnrollmentStatus.PAID
    enrollment.save(update_fields=["status"])
    return payment


@transaction.atomic
def reverse_payment(actor: AbstractBaseUser | None, scope: Scope, payment_id: int, reason: str,
                    idempotency_key: str, at: datetime) -> Payment:
    """A reversing entry (negative amount) with its reason; the enrollment is cancelled."""
    original = Payment.objects.select_for_update().filter(pk=payment_id, reverses__isnull=True).first()
    if original is None or not scope.has_area(original.enrollment.area_id):
        raise not_found()
    scope.require_write(original.enrollment.area_id)
    if not reason.strip():
        raise DomainError(ErrorCode.INVALID_INPUT, "Ghi lý do huỷ khoản thu.", "A reason is required.", field="reason")
    if hasattr(original, "reversal"):
        return original.reversal
    reversal = Payment.objects.create(
        enrollment=original.enrollment, amount=-original.amount, method=original.method, payer=original.payer,
        sponsor=original.sponsor, agent=original.agent, collector=original.collector,
        collection_point=original.collection_point, paid_at=at, idempotency_key=idempotency_key.strip(),
        recorded_by=actor if actor is not None and actor.is_authenticated else None, reverses=original,
        reason=reason.strip())
    _announce(reversal)
    Enrollment.objects.filter(pk=original.enrollment_id).update(status=EnrollmentStatus.CANCELLED)
    return reversal


@transaction.atomic
def record_remittance(actor: AbstractBaseUser | None, scope: Scope, *, kind: str, collector_id: int, amount: int,
                      on: date, idempotency_key: str, agent_id: int | None = None, reference: str = "") -> Remittance:
    collector = org_units(scope).filter(pk=collector_id).first()
    if collector is None:
        raise not_found()
    if not scope.can_write:
        raise DomainError(ErrorCode.FORBIDDEN, "Vai trò của bạn không được ghi nộp tiền.", "Forbidden.")
    found = Remittance.objects.filter(idempotency_key=idempotency_key).first()
    if found is not None:
        return found
    if kind not in RemittanceKind.values:
        raise DomainError(ErrorCode.INVALID_INPUT, "Loại nộp tiền không hợp lệ.", "Unknown kind.", field="kind")
    if kind == RemittanceKind.AGENT_TO_COLLECTOR and not Agent.objects.filter(pk=agent_id,
                                                                              collector=collector).exists():
        raise DomainError(ErrorCode.INVALID_INPUT, "Chọn nhân viên thu của đơn vị này.", "Unknown agent.",
                          field="agent")
    if amount <= 0:
        raise DomainError(ErrorCode.INVALID_INPUT, "Số tiền nộp phải lớn hơn 0.", "Amount must be positive.",
                          field="amount")
    return Remittance.objects.create(kind=kind, agent_id=agent_id, collector=collector, amount=amount,
                                     remitted_on=on, reference=reference.strip(), idempotency_key=idempotency_key,
                                     recorded_by=actor if actor is not None and actor.is_authenticated else None)
