"""The cheaper path of ``POST /api/v1/sync`` (issue 16's throughput, docs/performance.md "Offline sync").

It answers what ``services.apply_batch`` (the per-operation path, the reference) answers and writes what
it writes: the scope read once per batch, the op ids of the batch looked up in one query (replays), and
the batch's payments written set-based — their enrolments locked, rechecked (``recheck_vsi_terms``, the
bulk form of the payment's recheck under the person's lock, ADR 0007), the payments, the terms marked
paid, the receipts with the numbers of the device's block, the bulk listeners (facts, attribution:
``BULK_PAYMENT_LISTENERS``, as the statement import uses them), the client refs, the operations and
their flags, a fixed number of statements for any number of payments.

The client UUIDs the batch names are looked up in one query too: those without a ``ClientRef`` are
not looked up again by the operation that claims them (``operations.Context.fresh``).

A payment waits for the set-based write only while nothing that follows it in the batch could read what
it writes: the kinds of ``COMMUTES`` decide (a registration commutes; an enrolment commutes unless it is
for a person with a waiting payment); any other kind, and any payment that is not plain (its enrolment
not made earlier in this batch, the same person, term or number twice), writes the waiting payments first
and goes by the per-operation path. Inside the set-based write, a payment the per-operation path would
refuse or flag differently (a key or number already used, a number outside the block, a term no longer
pending or outdated) is left out and goes by the per-operation path after it; anything unexpected rolls
the set-based write back and all its payments go by the per-operation path."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from ansinh.enrollment.models import Enrollment, EnrollmentStatus, Scheme
from ansinh.enrollment.services import recheck_vsi_terms
from ansinh.fieldsync import operations, services
from ansinh.fieldsync.models import ClientRef, Device, Flag, OpStatus, ReceiptBlock, SyncOperation
from ansinh.lib.amount_words import amount_in_words
from ansinh.lib.errors import DomainError
from ansinh.org.scope import Scope, scope_for
from ansinh.payments import rights
from ansinh.payments.models import Payer, Payment, PaymentMethod, Receipt
from ansinh.payments.services import BULK_PAYMENT_LISTENERS


@dataclass
class Waiting:
    """A payment admitted to the set-based write: its place in the batch and what it names."""

    index: int
    raw: dict[str, Any]
    client_id: uuid.UUID
    enrolment_id: int
    person_id: int
    amount: int
    number: str


@dataclass
class Batch:
    device: Device
    scope: Scope
    batch_id: uuid.UUID
    results: list[dict[str, Any] | None]
    people: dict[str, int] = field(default_factory=dict)  # client UUID → person, made in this batch
    enrolments: dict[str, tuple[int, int | None]] = field(default_factory=dict)  # → (term, person)
    waiting: list[Waiting] = field(default_factory=list)
    fresh: set[uuid.UUID] = field(default_factory=set)  # operations.Context.fresh

    def named(self, raw: dict[str, Any]) -> None:
        """An operation went: the UUIDs it names are no longer known to be free."""
        self.fresh.difference_update(_uuids(raw))

    def names_waiting(self, raw: dict[str, Any]) -> bool:
        """Whether an operation names a client UUID of a waiting payment (it would meet its claim)."""
        ids = {str(w.client_id) for w in self.waiting}
        data = raw.get("data") or {}
        return any(isinstance(v, str) and v in ids for v in data.values())


def _uuids(raw: dict[str, Any]) -> set[uuid.UUID]:
    """The client UUIDs an operation's data names (at its top level, where every kind puts them)."""
    found = set()
    for value in (raw.get("data") or {}).values():
        values = value if isinstance(value, list) else [value]
        for one in values:
            if isinstance(one, str) and len(one) == 36:
                with contextlib.suppress(ValueError):
                    found.add(uuid.UUID(one))
    return found


def _registration(batch: Batch, raw: dict[str, Any]) -> bool:
    return not batch.names_waiting(raw)


def _enrolment(batch: Batch, raw: dict[str, Any]) -> bool:
    """A quote reads the person's paid months: not for a person with a waiting payment (or unknown)."""
    person = batch.people.get(str((raw.get("data") or {}).get("person_id")))
    return person is not None and person not in {w.person_id for w in batch.waiting} and not batch.names_waiting(raw)


# Kinds that may run while payments wait for the set-based write (they read nothing a payment writes);
# a kind not named here (a new one included) writes the waiting payments first: safe by default.
COMMUTES: dict[str, Callable[[Batch, dict[str, Any]], bool]] = {
    "register_household": _registration, "register_person": _registration, "enrol_vsi": _enrolment,
}


def _digits(given: Any) -> int | None:
    """The number a receipt's text names whatever the series (two texts of one number are one)."""
    tail = given.rsplit("-", 1)[-1] if isinstance(given, str) else ""
    return int(tail) if tail.isdigit() and len(tail) <= 9 else None


def _admit(batch: Batch, index: int, raw: dict[str, Any]) -> Waiting | None:
    """A plain payment: its term made earlier in this batch, person, term, number and id not waiting."""
    data = raw.get("data") or {}
    try:
        client_id = operations._uuid(data, "payment_id")
        amount = operations._int(data, "amount")
    except DomainError:
        return None
    made = batch.enrolments.get(str(data.get("enrolment_id")))
    number = _digits(data.get("receipt_number"))
    if made is None or made[1] is None or number is None or not isinstance(data.get("receipt_number"), str):
        return None
    if any(w.enrolment_id == made[0] or w.person_id == made[1] or _digits(w.number) == number
           or w.client_id == client_id for w in batch.waiting):
        return None
    return Waiting(index, raw, client_id, made[0], made[1], amount, data["receipt_number"])


def _remember(batch: Batch, raw: dict[str, Any], answer: dict[str, Any]) -> None:
    """What an operation applied by the per-operation path made, for the operations after it."""
    if answer["status"] not in (OpStatus.APPLIED, OpStatus.FLAGGED) or answer["server_id"] is None:
        return
    data = raw.get("data") or {}
    if raw["type"] == "register_person":
        batch.people[str(data.get("person_id"))] = int(answer["server_id"])
    elif raw["type"] == "enrol_vsi":
        batch.enrolments[str(data.get("enrolment_id"))] = (int(answer["server_id"]),
                                                           batch.people.get(str(data.get("person_id"))))


class _Fallback(Exception):
    """The set-based write met something it does not decide: its payments go one by one."""


def _block_of(blocks: list[ReceiptBlock], given: str) -> tuple[ReceiptBlock, int] | None:
    """``operations._receipt``'s search, over the blocks read once."""
    for block in blocks:
        number = operations._number(block, given)
        if number is not None and block.first_number <= number <= block.last_number:
            return block, number
    return None


def _write(batch: Batch, waiting: list[Waiting]) -> list[Waiting]:
    """The set-based payments; returns those left to the per-operation path."""
    device, scope, now = batch.device, batch.scope, timezone.now()
    actor = device.user
    taken = set(ClientRef.objects.filter(client_id__in=[w.client_id for w in waiting]).values_list("client_id",
                                                                                                   flat=True))
    keys = {w.index: operations.payment_key(w.client_id) for w in waiting}
    used_keys = set(Payment.objects.filter(idempotency_key__in=keys.values()).values_list("idempotency_key", flat=True))
    terms = {t.pk: t for t in Enrollment.objects.select_for_update(of=("self",)).select_related("calculation")
             .filter(pk__in=[w.enrolment_id for w in waiting]).order_by("pk")}
    blocks = list(ReceiptBlock.objects.select_related("pool").filter(device=device, voided_at__isnull=True))
    slow: list[Waiting] = []
    fast: list[tuple[Waiting, operations.Context, Enrollment, ReceiptBlock, int]] = []
    for w in waiting:
        term = terms.get(w.enrolment_id)
        found = _block_of(blocks, w.number)
        if (w.client_id in taken or keys[w.index] in used_keys or term is None or found is None
                or term.status != EnrollmentStatus.PENDING or term.scheme != Scheme.VSI
                or term.person_id != w.person_id or not scope.has_area(term.area_id)
                or not scope.can_write):
            slow.append(w)
            continue
        ctx = operations.Context(device=device, actor=actor, scope=scope, now=now, creates=w.client_id,
                                 area_id=term.area_id)
        fast.append((w, ctx, term, *found))
    if fast:
        used = set(Receipt.objects.filter(pool_id__in={b.pool_id for _w, _c, _t, b, _n in fast},
                                          number__in=[n for *_rest, n in fast]).values_list("pool_id", "number"))
        refused = recheck_vsi_terms([t for _w, _c, t, _b, _n in fast])  # the people locked, as one by one
        slow += [w for w, _c, t, b, n in fast if (b.pool_id, n) in used or t.pk in refused]
        fast = [row for row in fast if (row[3].pool_id, row[4]) not in used and row[2].pk not in refused]
    if not fast:
        return slow
    agents: dict[int | None, Any] = {}
    payments: list[Payment] = []
    for w, ctx, term, block, _number in fast:
        data = w.raw.get("data") or {}
        operations.check_clock(ctx, operations.parse_time(w.raw.get("device_time")))
        operations.flag_payment(ctx, data, w.amount, term.payable, block)
        point = operations.collection_point_of(data)
        if point not in agents:  # the agent's checks raise DomainError: all go one by one
            agents[point] = rights.acting_agent(actor, scope, None, timezone.localdate(now), point)
        agent = agents[point]
        paid_at, _reason = rights.payment_time(scope, term, now, None, "")
        payments.append(Payment(
            enrollment=term, amount=w.amount, method=PaymentMethod.CASH, payer=Payer.PARTICIPANT, sponsor=None,
            agent=agent, collector=agent.collector, collection_point_id=rights.collection_point(agent, point),
            recorded_by=actor if actor.is_authenticated else None, paid_at=paid_at, backdate_reason="",
            idempotency_key=keys[w.index]))
    Payment.objects.bulk_create(payments)
    Enrollment.objects.filter(pk__in=[p.enrollment_id for p in payments]).update(status=EnrollmentStatus.PAID)
    for payment in payments:
        payment.enrollment.status = EnrollmentStatus.PAID
    for listener in BULK_PAYMENT_LISTENERS:
        listener(payments)
    words = {amount: amount_in_words(amount) for amount in {p.amount for p in payments}}
    Receipt.objects.bulk_create(Receipt(payment=p, pool_id=row[3].pool_id, number=row[4], amount=p.amount,
                                        amount_words=words[p.amount], issued_at=p.paid_at)
                                for p, row in zip(payments, fast, strict=True))
    ClientRef.objects.bulk_create(ClientRef(client_id=w.client_id, kind="payment", object_id=p.pk, device=device)
                                  for p, (w, *_rest) in zip(payments, fast, strict=True))
    stored = SyncOperation.objects.bulk_create(SyncOperation(
        op_id=w.raw["id"], device=device, batch_id=batch.batch_id, kind="payment",
        status=OpStatus.FLAGGED if ctx.flags else OpStatus.APPLIED, server_id=str(p.pk), error="",
        creates=w.client_id, device_time=operations.parse_time(w.raw.get("device_time")), data=w.raw.get("data") or {})
        for p, (w, ctx, *_rest) in zip(payments, fast, strict=True))
    Flag.objects.bulk_create(Flag(operation=op, kind=kind, detail=detail[:500], area_id=ctx.area_id, **amounts)
                             for op, (_w, ctx, *_rest) in zip(stored, fast, strict=True)
                             for kind, detail, amounts in ctx.flags)
    for op, p, (w, ctx, *_rest) in zip(stored, payments, fast, strict=True):
        batch.results[w.index] = {"id": str(op.op_id), "status": op.status, "server_id": str(p.pk), "error": None,
                                  "flags": [{"kind": k, "detail": d} for k, d, _unused in ctx.flags]}
    return slow


def _flush(batch: Batch) -> None:
    """The waiting payments: set-based, then those it left, one by one (they are independent)."""
    waiting, batch.waiting = batch.waiting, []
    if not waiting:
        return
    try:
        with transaction.atomic():
            slow = _write(batch, waiting)
    except (_Fallback, IntegrityError, DomainError):
        for w in waiting:
            batch.results[w.index] = None
        slow = waiting
    for w in slow:
        batch.results[w.index] = services.apply_one(batch.device, batch.scope, batch.batch_id, w.raw)


def _replay(op: SyncOperation) -> dict[str, Any]:
    flags = [{"kind": f.kind, "detail": f.detail} for f in sorted(op.flags.all(), key=lambda f: f.pk)]
    return {"id": str(op.op_id), "status": "replayed", "server_id": op.server_id or None, "error": op.error or None,
            "flags": flags}


def _op_id(raw: dict[str, Any]) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(raw["id"]))
    except (KeyError, ValueError):
        return None


def apply_batch(device: Device, batch_id: uuid.UUID, operations_in: list[dict[str, Any]]) -> dict[str, Any]:
    """``services.apply_batch``'s answers and writes, cheaper (the module's docstring)."""
    batch = Batch(device, scope_for(device.user), batch_id, [None] * len(operations_in))
    ids = [i for i in (_op_id(raw) for raw in operations_in) if i is not None]
    known = {op.op_id: op for op in SyncOperation.objects.filter(op_id__in=ids).prefetch_related("flags")}
    seen: set[uuid.UUID] = set()
    named = set().union(*(_uuids(raw) for raw in operations_in)) if operations_in else set()
    batch.fresh = named - set(ClientRef.objects.filter(client_id__in=named).values_list("client_id", flat=True))
    for index, raw in enumerate(operations_in):
        op_id = _op_id(raw)
        if op_id is None or op_id in seen:  # the same op twice in one batch: the second is a replay
            _flush(batch)
            batch.results[index] = services.apply_one(device, batch.scope, batch_id, raw)
            batch.named(raw)
            continue
        seen.add(op_id)
        first = known.get(op_id)
        if first is not None:  # what services.apply_one answers for an op id already stored
            batch.results[index] = _replay(first) if first.device_id == device.pk else services.apply_one(
                device, batch.scope, batch_id, raw)
            batch.named(raw)
            continue
        if raw.get("type") == "payment" and (admitted := _admit(batch, index, raw)) is not None:
            batch.waiting.append(admitted)
            batch.named(raw)
            continue
        commutes = COMMUTES.get(raw.get("type"))  # type: ignore[arg-type]
        if commutes is None or not commutes(batch, raw):
            _flush(batch)
        answer = services.apply_one(device, batch.scope, batch_id, raw, unseen=True, fresh=batch.fresh)
        batch.named(raw)
        batch.results[index] = answer
        _remember(batch, raw, answer)
    _flush(batch)
    Device.objects.filter(pk=device.pk).update(last_sync_at=timezone.now())
    return {"batch_id": str(batch_id), "results": batch.results}
