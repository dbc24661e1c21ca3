"""Recording money: one transaction per payment, idempotent by key, exact to the đồng, with a
receipt number from the collector's pool allocated under a row lock (no gap, no duplicate)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connection, transaction
from django.db.models import Field, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ansinh.config.prepared import Prepared
from ansinh.enrollment.models import Enrollment, EnrollmentStatus
from ansinh.enrollment.services import recheck_before_payment
from ansinh.lib.amount_words import amount_in_words
from ansinh.lib.errors import DomainError, ErrorCode, invalid_input
from ansinh.lib.money import format_vnd
from ansinh.org.queries import collectors
from ansinh.org.scope import Scope, not_found
from ansinh.payments import rights
from ansinh.payments.models import (
    AMOUNT_MAX,
    EARLIEST_DAY,
    KEY_MAX_LENGTH,
    Payer,
    Payment,
    PaymentMethod,
    Receipt,
    ReceiptPool,
    Remittance,
    RemittanceKind,
    ReversalRequest,
    ReversalStatus,
    Sponsor,
)
from ansinh.registry.audit import audit

# Read models kept in step with every payment written here (a term or a reversal), inside the same
# transaction: the reports app registers the dashboards' facts (ADR 0006). Called explicitly by the
# two writers below rather than by a model signal, so what runs on a payment is visible here.
PAYMENT_LISTENERS: list[Callable[[Payment], None]] = []

# The same read models kept in step with many payments written at once, in the same transaction (the
# set-based bank-statement matching, payments/statement_bulk.py): each listener gets the new payments
# and brings its read model to what the single listeners above would have made of them, through the
# set-based form of its single listener (reports: the payments' deltas added to their cells on PostgreSQL,
# the days' refresh elsewhere; campaigns: the refresh of the running campaigns' attribution).
BULK_PAYMENT_LISTENERS: list[Callable[[list[Payment]], None]] = []
# The same, given the new payments' ids (new payments, no reversal): the set-based writer on PostgreSQL
# makes no ``Payment`` objects (statement_bulk's SQL path); each listener reads what it needs by the ids.
BULK_PAYMENT_ID_LISTENERS: list[Callable[[list[int]], None]] = []

# Checks another app may add on a payment's time, run inside the transaction before anything is
# written: the reports app refuses a backdate into a frozen period (its model stays in reports; the
# check comes down to payments the same way the listeners do, so payments imports nothing above it).
PAYMENT_GUARDS: list[Callable[[datetime], None]] = []


def _announce(payment: Payment) -> None:
    for listener in PAYMENT_LISTENERS:
        listener(payment)


def _actor_id(actor: AbstractBaseUser | None) -> int | None:
    return actor.pk if actor is not None and actor.is_authenticated else None


def _conflict() -> DomainError:
    """A key already used for another request, or by someone else: nothing of that request is told."""
    return DomainError(ErrorCode.IDEMPOTENCY_CONFLICT,
                       _("Mã chống trùng (Idempotency-Key) này đã được dùng cho một yêu cầu khác."),
                       "This idempotency key was used for another request.")


def _clean_key(value: str) -> str:
    key = value.strip()
    if not key:
        raise invalid_input(_("Thiếu mã chống trùng (Idempotency-Key)."), "Missing key.", field="key")
    if len(key) > KEY_MAX_LENGTH:
        raise invalid_input(_("Mã chống trùng dài tối đa {KEY_MAX_LENGTH} ký tự.").format(
                                KEY_MAX_LENGTH=KEY_MAX_LENGTH), "The key is too long.", field="key")
    return key


def _replay(actor: AbstractBaseUser | None, key: str, enrollment_id: int, amount: int) -> Payment | None:
    """The payment this actor already recorded under this key, if the request is the same one. Keys
    are the actor's: another user's key is a conflict, never their payment."""
    found = Payment.objects.filter(idempotency_key=key).select_related("receipt", "receipt__pool").first()
    if found is not None and (found.recorded_by_id != _actor_id(actor) or found.reverses_id is not None
                              or found.enrollment_id != enrollment_id or found.amount != amount):
        raise _conflict()
    return found


def _guard(at: datetime) -> None:
    for guard in PAYMENT_GUARDS:
        guard(at)


def issue_receipt(payment: Payment) -> Receipt:
    """The next number of the collector's active pool. One ``UPDATE … RETURNING`` claims the number and
    takes the pool's row lock, held until the commit; on PostgreSQL the receipt row is written by the
    same statement. The caller takes it last, so the lock is held for as short a time as possible."""
    pool_table, receipt_table = ReceiptPool._meta.db_table, Receipt._meta.db_table
    claim = (f"UPDATE {pool_table} SET next_number = next_number + 1 WHERE id = (SELECT id FROM {pool_table} "
             "WHERE collector_id = %s AND active = %s ORDER BY id LIMIT 1) AND next_number <= last_number "
             "RETURNING id, series, next_number - 1 AS number")
    words = amount_in_words(payment.amount)
    issued = connection.ops.adapt_datetimefield_value(payment.paid_at)  # as the ORM stores it (SQLite: UTC text)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH claimed AS ({claim}) INSERT INTO {receipt_table} "
                "(payment_id, pool_id, number, amount, amount_words, issued_at) "
                "SELECT %s, id, number, %s, %s, %s FROM claimed RETURNING id, pool_id, number, "
                "(SELECT series FROM claimed)",
                [payment.collector_id, True, payment.pk, payment.amount, words, issued])
            row = cursor.fetchone()
        else:
            cursor.execute(claim, [payment.collector_id, True])
            claimed = cursor.fetchone()
            row = None
            if claimed is not None:
                cursor.execute(f"INSERT INTO {receipt_table} (payment_id, pool_id, number, amount, amount_words, "
                               "issued_at) VALUES (%s, %s, %s, %s, %s, %s) RETURNING id",
                               [payment.pk, claimed[0], claimed[2], payment.amount, words, issued])
                row = (cursor.fetchone()[0], claimed[0], claimed[2], claimed[1])
    if row is None:
        raise DomainError(ErrorCode.NO_RECEIPT_POOL,
                          _("{name} chưa có quyển biên lai còn số; hãy khai báo quyển mới.").format(
                              name=payment.collector.name),
                          "The collector has no receipt numbers left.")
    pool = ReceiptPool(pk=row[1], collector_id=payment.collector_id, series=row[3], active=True)
    receipt = Receipt(pk=row[0], payment=payment, pool=pool, number=row[2], amount=payment.amount,
                      amount_words=words, issued_at=payment.paid_at)
    receipt._state.adding, receipt._state.db = False, connection.alias
    pool._state.adding, pool._state.db = False, connection.alias
    return receipt


@dataclass(frozen=True)
class Proposal:
    """What a client may propose about a payment; the server checks each against scope and records."""

    agent_id: int | None = None
    collection_point_id: int | None = None
    backdated_to: datetime | None = None  # a manager's earlier time, with its reason
    backdate_reason: str = ""
    # Offline collection (fieldsync): the money was already taken, so an amount that differs from the
    # term's is recorded as collected (the caller flags it), and the receipt carries the number the
    # device printed from its reserved block (pool id, number) instead of the pool's next one.
    collected_offline: bool = False
    receipt_number: tuple[int, int] | None = None


def record_payment(actor: AbstractBaseUser | None, scope: Scope, enrollment_id: int, *, amount: int, method: str,
                   idempotency_key: str, paid_at: datetime | None = None, agent_id: int | None = None,
                   sponsor_id: int | None = None, collection_point_id: int | None = None,
                   backdated_to: datetime | None = None, backdate_reason: str = "") -> Payment:
    """Record the payment of a pending enrollment and issue its receipt. The same key again returns
    the first payment; a concurrent duplicate waits for the enrolment's lock and gets it too.

    ``paid_at`` is the server's clock (left out by the API and the pages: now; server code such as the
    demo's scenario and tests pass theirs). What a client proposes — another agent, a collection
    point, an earlier time — is checked by ``rights``: a manager's agent in scope, the agent's own
    point, a manager's backdate with a reason, never in the future, before the enrolment, or into a
    period a payment guard refuses (reports: frozen periods)."""
    key = _clean_key(idempotency_key)
    proposal = Proposal(agent_id, collection_point_id, backdated_to, backdate_reason)
    try:
        return _record(actor, scope, enrollment_id, amount, method, key, paid_at or timezone.now(), sponsor_id,
                       proposal)
    except IntegrityError:  # the key was taken meanwhile (by this request's twin, or for another one)
        replay = _replay(actor, key, enrollment_id, amount)
        if replay is None:
            raise
        return replay


# The enrolment locked (only its row: ``OF`` self) with its calculation and whether the key is already
# used: compiled once (the payment path's CPU, issue 14), run with each payment's values.
_LOCKED = Prepared(
    lambda pk, key: Enrollment.objects.select_for_update(of=("self",)).select_related("calculation")
    .annotate(key_used=Subquery(Payment.objects.filter(idempotency_key=key).values("pk")[:1])).filter(pk=pk)[:1],
    pk=-990_001, key="prepared:sample-key")


@cache
def _insert_sql(vendor: str) -> tuple[str, tuple[Field[Any, Any], ...]]:
    """The payment's ``INSERT`` as ``Payment.objects.create`` would write it, built once; on PostgreSQL
    preceded by the enrolment's ``UPDATE … SET status`` in a data-modifying CTE of the same statement."""
    q = connection.ops.quote_name
    fields = tuple(f for f in Payment._meta.concrete_fields if not f.primary_key)
    insert = (f"INSERT INTO {q(Payment._meta.db_table)} ({', '.join(q(f.column) for f in fields)}) "
              f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {q('id')}")
    if vendor == "postgresql":
        insert = f"WITH paid AS (UPDATE {q(Enrollment._meta.db_table)} SET status = %s WHERE id = %s) {insert}"
    return insert, fields


def _insert_paid(payment: Payment) -> None:
    """Write a new payment and mark its enrolment paid: one statement on PostgreSQL, two on SQLite
    (no data-modifying CTEs). A duplicate key raises IntegrityError, as ``create`` would."""
    sql, fields = _insert_sql(connection.vendor)
    values = [f.get_db_prep_save(f.pre_save(payment, True), connection) for f in fields]
    enrollment = payment.enrollment
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(sql, [EnrollmentStatus.PAID.value, enrollment.pk, *values])
        else:
            cursor.execute(sql, values)
        payment.pk = cursor.fetchone()[0]
        if connection.vendor != "postgresql":
            cursor.execute(f"UPDATE {connection.ops.quote_name(Enrollment._meta.db_table)} SET status = %s "
                           "WHERE id = %s", [EnrollmentStatus.PAID.value, enrollment.pk])
    payment._state.adding, payment._state.db = False, connection.alias
    enrollment.status = EnrollmentStatus.PAID


@transaction.atomic
def _record(actor: AbstractBaseUser | None, scope: Scope, enrollment_id: int, amount: int, method: str, key: str,
            now: datetime, sponsor_id: int | None, proposal: Proposal) -> Payment:
    """Eight statements on PostgreSQL (tests/payments/test_query_budget.py): the enrolment locked, with
    its calculation and whether the key is already used; the person locked, then read with what the recheck
    needs; the agent with its collector and points; the payment with the enrolment's status; the listeners'
    single upserts (facts, attribution); the receipt. The reads are compiled once (``Prepared``)."""
    enrollment = _LOCKED.first(pk=enrollment_id, key=key)
    # The same key again returns the first payment. A concurrent request with the same key waited for
    # the lock above and sees the enrolment paid (the row is re-read after the wait; the subquery's
    # snapshot is not), so it looks again with a fresh statement.
    if enrollment is not None and (enrollment.key_used is not None  # type: ignore[attr-defined]
                                   or enrollment.status != EnrollmentStatus.PENDING):
        replay = _replay(actor, key, enrollment_id, amount)
        if replay is not None:
            return replay
    if enrollment is None or not scope.has_area(enrollment.area_id):
        raise not_found()
    scope.require_write(enrollment.area_id)
    if enrollment.status != EnrollmentStatus.PENDING:
        raise DomainError(ErrorCode.ALREADY_PAID, _("Khoản này đã được thu hoặc đã huỷ."), "Not pending.")
    recheck_before_payment(enrollment)  # support cap and groups again, under the person's lock (ADR 0007)
    if amount != enrollment.payable and not proposal.collected_offline:
        raise DomainError(ErrorCode.WRONG_AMOUNT,
                          _("Số tiền thu {value} khác số phải đóng {value2}.").format(
                              value=format_vnd(amount), value2=format_vnd(enrollment.payable)),
                          "The amount differs from the amount due.", field="amount")
    if method not in PaymentMethod.values:
        raise DomainError(ErrorCode.INVALID_INPUT, _("Hình thức thu phải là tiền mặt hoặc chuyển khoản."),
                          "Unknown method.", field="method")
    sponsor = Sponsor.objects.filter(pk=sponsor_id).first() if sponsor_id else None
    if sponsor_id and sponsor is None:
        raise not_found()
    paid_at, backdate_reason = rights.payment_time(scope, enrollment, now, proposal.backdated_to,
                                                   proposal.backdate_reason)
    if backdate_reason:
        _guard(paid_at)
    agent = rights.acting_agent(actor, scope, proposal.agent_id, timezone.localdate(paid_at),
                                proposal.collection_point_id)
    point_id = rights.collection_point(agent, proposal.collection_point_id)
    # A duplicate key raises IntegrityError here and rolls the whole transaction back; the caller replays.
    payment = Payment(
        enrollment=enrollment, amount=amount, method=method, payer=Payer.SPONSOR if sponsor else Payer.PARTICIPANT,
        sponsor=sponsor, agent=agent, collector=agent.collector, collection_point_id=point_id,
        recorded_by=actor if _actor_id(actor) else None, paid_at=paid_at, backdate_reason=backdate_reason,
        idempotency_key=key)
    _insert_paid(payment)  # and the enrolment's status: paid (on PostgreSQL, the same statement)
    _announce(payment)
    if proposal.receipt_number is None:
        issue_receipt(payment)  # the pool's row lock is taken last, so it is held only until the commit below
    else:
        issue_numbered_receipt(payment, *proposal.receipt_number)
    return payment


def issue_numbered_receipt(payment: Payment, pool_id: int, number: int) -> Receipt:
    """The receipt of a number already reserved from the pool (a device's block, fieldsync): the pool
    is not advanced again; the unique (pool, number) constraint refuses a number used twice."""
    return Receipt.objects.create(payment=payment, pool_id=pool_id, number=number, amount=payment.amount,
                                  amount_words=amount_in_words(payment.amount), issued_at=payment.paid_at)


def record_collected_payment(actor: AbstractBaseUser | None, scope: Scope, enrollment_id: int, *, amount: int,
                             idempotency_key: str, receipt: tuple[int, int], paid_at: datetime | None = None,
                             collection_point_id: int | None = None) -> Payment:
    """Cash an agent collected offline, with the receipt number the device gave (fieldsync). Like
    :func:`record_payment` (same checks, same listeners, same key semantics) except that the amount is
    recorded as collected even when it differs from the term's: collected money is never rejected."""
    key = _clean_key(idempotency_key)
    proposal = Proposal(None, collection_point_id, collected_offline=True, receipt_number=receipt)
    try:
        return _record(actor, scope, enrollment_id, amount, PaymentMethod.CASH, key, paid_at or timezone.now(),
                       None, proposal)
    except IntegrityError:
        replay = _replay(actor, key, enrollment_id, amount)
        if replay is None:
            raise
        return replay


def _original(scope: Scope, payment_id: int) -> Payment:
    """A payment (not a reversal) of the reader's scope, locked; the reader must be able to write there."""
    original = (Payment.objects.select_for_update(of=("self",)).select_related("enrollment")
                .filter(pk=payment_id, reverses__isnull=True).first())
    if original is None or not scope.has_area(original.enrollment.area_id):
        raise not_found()
    scope.require_write(original.enrollment.area_id)
    return original


def _reason(reason: str, message: str = gettext_lazy("Ghi lý do huỷ khoản thu.")) -> str:
    if not reason.strip():
        raise DomainError(ErrorCode.INVALID_INPUT, message, "A reason is required.", field="reason")
    return reason.strip()


def _write_reversal(actor: AbstractBaseUser | None, original: Payment, reason: str, key: str,
                    at: datetime) -> Payment:
    """The reversing entry (negative amount) and the term's cancellation; the listeners (dashboards'
    facts, campaign attribution) follow in the same transaction."""
    try:
        with transaction.atomic():  # the key taken meanwhile by another request: a conflict, not a 500
            reversal = Payment.objects.create(
                enrollment=original.enrollment, amount=-original.amount, method=original.method,
                payer=original.payer, sponsor=original.sponsor, agent=original.agent, collector=original.collector,
                collection_point=original.collection_point, paid_at=at, idempotency_key=key,
                recorded_by=actor if _actor_id(actor) else None, reverses=original, reason=reason)
    except IntegrityError:
        raise _conflict() from None
    _announce(reversal)
    Enrollment.objects.filter(pk=original.enrollment_id).update(status=EnrollmentStatus.CANCELLED)
    return reversal


@transaction.atomic
def reverse_payment(actor: AbstractBaseUser | None, scope: Scope, payment_id: int, reason: str,
                    idempotency_key: str, at: datetime) -> Payment:
    """A manager's reversal, with its reason: a reversing entry (negative amount); the enrollment is
    cancelled; a request waiting for the payment is answered by it. An agent asks instead
    (:func:`request_reversal`). The same key again returns the reversal; a key used for anything else
    is a conflict."""
    key = _clean_key(idempotency_key)
    original = _original(scope, payment_id)
    if not rights.is_money_manager(scope):
        raise DomainError(ErrorCode.FORBIDDEN, _("Nhân viên thu không tự huỷ khoản thu: hãy gửi đề nghị huỷ để cán bộ "
                          "quản lý duyệt."), "Only a manager reverses a payment; an agent requests it.")
    reason = _reason(reason)
    used = Payment.objects.filter(idempotency_key=key).first()
    if used is not None:
        if used.reverses_id == original.pk and used.recorded_by_id == _actor_id(actor):
            return used
        raise _conflict()
    if hasattr(original, "reversal"):
        return original.reversal
    reversal = _write_reversal(actor, original, reason, key, at)
    ReversalRequest.objects.filter(payment=original, status=ReversalStatus.PENDING).update(
        status=ReversalStatus.APPROVED, decided_by=actor if _actor_id(actor) else None, decided_at=at,
        decision_reason=_("Quản lý huỷ trực tiếp: {reason}").format(reason=reason)[:300], reversal=reversal)
    audit(actor, "reverse", "payment", original.pk, original.enrollment.area_id,
          {"reason": ("", reason), "reversal": (None, reversal.pk)})
    return reversal


def _request_replay(actor: AbstractBaseUser | None, key: str, payment_id: int, reason: str) -> ReversalRequest | None:
    found = ReversalRequest.objects.filter(idempotency_key=key).first()
    if found is not None and (found.requested_by_id != _actor_id(actor) or found.payment_id != payment_id
                              or found.reason != reason.strip()):
        raise _conflict()
    return found


@transaction.atomic
def request_reversal(actor: AbstractBaseUser | None, scope: Scope, payment_id: int, reason: str,
                     idempotency_key: str) -> ReversalRequest:
    """An agent's request to cancel a payment, with its reason: nothing of the money changes until a
    manager approves it (:func:`decide_reversal`). One request of a payment waits at a time; the same
    key again returns the request. Managers reverse directly (:func:`reverse_payment`)."""
    key = _clean_key(idempotency_key)
    original = _original(scope, payment_id)
    replay = _request_replay(actor, key, original.pk, reason)
    if replay is not None:
        return replay
    if rights.is_money_manager(scope):
        raise DomainError(ErrorCode.FORBIDDEN,
                          _("Cán bộ quản lý huỷ khoản thu trực tiếp (kèm lý do), không cần đề nghị."),
                          "A manager reverses directly.")
    if _actor_id(actor) is None:
        raise DomainError(ErrorCode.FORBIDDEN, _("Cần đăng nhập để đề nghị huỷ."), "A request needs a user.")
    reason = _reason(reason, _("Ghi lý do đề nghị huỷ khoản thu."))
    if hasattr(original, "reversal"):
        raise DomainError(ErrorCode.ALREADY_PAID, _("Khoản thu này đã được huỷ."), "Already reversed.")
    if ReversalRequest.objects.filter(payment=original, status=ReversalStatus.PENDING).exists():
        raise DomainError(ErrorCode.IDEMPOTENCY_CONFLICT, _("Khoản thu này đã có đề nghị huỷ đang chờ quản lý duyệt."),
                          "A request is already waiting.")
    try:
        with transaction.atomic():
            found = ReversalRequest.objects.create(payment=original, requested_by=actor, reason=reason,
                                                   idempotency_key=key)
    except IntegrityError:
        replay = _request_replay(actor, key, original.pk, reason)
        if replay is None:
            raise DomainError(ErrorCode.IDEMPOTENCY_CONFLICT, _("Khoản thu này đã có đề nghị huỷ đang chờ quản lý "
                              "duyệt."), "A request is already waiting.") from None
        return replay
    audit(actor, "rev_ask", "payment", original.pk, original.enrollment.area_id,
          {"reason": ("", reason), "request": (None, found.pk)})
    return found


@transaction.atomic
def decide_reversal(actor: AbstractBaseUser | None, scope: Scope, request_id: int, approve: bool,
                    reason: str = "") -> ReversalRequest:
    """A manager approves (the reversing payment is written now, by the manager, with the agent's
    reason) or refuses (with a reason; the payment stays) an agent's request. Deciding the same way
    again returns the request; the other way is a conflict."""
    asked = ReversalRequest.objects.filter(pk=request_id).values_list("payment_id", flat=True).first()
    if asked is None:
        raise not_found()
    original = Payment.objects.select_for_update(of=("self",)).select_related("enrollment").get(pk=asked)
    if not scope.has_area(original.enrollment.area_id):
        raise not_found()
    scope.require_write(original.enrollment.area_id)
    if not rights.is_money_manager(scope):
        raise DomainError(ErrorCode.FORBIDDEN, _("Chỉ cán bộ quản lý duyệt hoặc từ chối đề nghị huỷ khoản thu."),
                          "Only a manager decides a reversal request.")
    found = ReversalRequest.objects.select_for_update().get(pk=request_id)
    if found.requested_by_id == _actor_id(actor):
        raise DomainError(ErrorCode.FORBIDDEN, _("Không tự duyệt đề nghị của chính mình."), "Not one's own request.")
    wanted = ReversalStatus.APPROVED if approve else ReversalStatus.REFUSED
    if found.status != ReversalStatus.PENDING:
        if found.status == wanted:
            return found
        raise DomainError(ErrorCode.IDEMPOTENCY_CONFLICT,
                          _("Đề nghị này đã được xử lý: {value}.").format(
                              value=ReversalStatus(found.status).label.lower()),
                          "The request was already decided.")
    note = reason.strip() if approve else _reason(reason, _("Ghi lý do từ chối đề nghị huỷ."))
    now = timezone.now()
    if approve:
        found.reversal = getattr(original, "reversal", None) or _write_reversal(
            actor, original, found.reason, f"reversal-request-{found.pk}", now)
    found.status, found.decided_by, found.decided_at, found.decision_reason = wanted, actor, now, note
    found.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "reversal"])
    audit(actor, "rev_ok" if approve else "rev_no", "payment", original.pk, original.enrollment.area_id,
          {"status": (ReversalStatus.PENDING.value, wanted.value), "reason": ("", note), "request": (None, found.pk)})
    return found


def _remittance_replay(actor: AbstractBaseUser | None, key: str, wanted: dict[str, Any]) -> Remittance | None:
    found = Remittance.objects.filter(idempotency_key=key).first()
    if found is not None and (found.recorded_by_id != _actor_id(actor)
                              or any(getattr(found, name) != value for name, value in wanted.items())):
        raise _conflict()
    return found


@transaction.atomic
def record_remittance(actor: AbstractBaseUser | None, scope: Scope, *, kind: str, collector_id: int, amount: int,
                      on: date, idempotency_key: str, agent_id: int | None = None, reference: str = "") -> Remittance:
    """Cash handed over by an agent, or sent by the collector to BHXH (who may: ``rights``). The same
    key and body again return the first; the same key with another body is a conflict."""
    key = _clean_key(idempotency_key)
    scope.require_writer()
    collector = collectors(actor, scope).filter(pk=collector_id).first()  # an agent's own collector too
    if collector is None:
        raise not_found()
    if kind not in RemittanceKind.values:
        raise invalid_input(_("Loại nộp tiền không hợp lệ."), "Unknown kind.", field="kind")
    agent = rights.remitting_agent(actor, scope, kind, collector, agent_id)
    if not 0 < amount <= AMOUNT_MAX:
        raise invalid_input(_("Số tiền nộp phải lớn hơn 0 và không quá {value}.").format(
                                value=format_vnd(AMOUNT_MAX)),
                            "The amount is out of bounds.", field="amount")
    if not EARLIEST_DAY <= on <= timezone.localdate():
        raise invalid_input(_("Ngày nộp phải từ 01/01/1900 đến hôm nay."), "The day is out of bounds.", field="on")
    wanted = {"kind": kind, "agent_id": agent.pk if agent else None, "collector_id": collector.pk, "amount": amount,
              "remitted_on": on, "reference": reference.strip()}
    found = _remittance_replay(actor, key, wanted)
    if found is not None:
        return found
    try:
        with transaction.atomic():  # a concurrent request with the key rolls back to here
            return Remittance.objects.create(**wanted, idempotency_key=key,
                                             recorded_by=actor if _actor_id(actor) else None)
    except IntegrityError:
        found = _remittance_replay(actor, key, wanted)
        if found is None:
            raise
        return found
