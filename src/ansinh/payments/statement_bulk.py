"""The set-based path of bank-statement matching: a chunk of credits in one transaction, with a fixed
number of statements whatever its size (the per-credit path through ``record_payment`` costs about
ten statements a credit; docs/performance.md).

It makes what the per-credit path (``statements.match_credit``) would make, by the same pieces: the
verdict (``statements.verdict``), the agent (``statements.enrollment_agent``'s rule), the recheck of the
amounts (``enrollment.services.recheck_vsi_terms``, the bulk form of ``recheck_before_payment``), the
payment's fields and key, the receipts (numbers claimed from the pool in one ``UPDATE``), and the read
models (``BULK_PAYMENT_LISTENERS``: facts and attribution). A credit goes this way only when nothing
else in the chunk touches its terms or its person (so the order of the chunk cannot change its
outcome) and it is a voluntary-SI term; any other credit, and a whole chunk that meets anything
unexpected (a key taken, a pool running out), goes through the per-credit path."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.enrollment.models import Enrollment, EnrollmentStatus, Scheme
from ansinh.enrollment.references import enrollment_ids_in
from ansinh.enrollment.services import recheck_vsi_terms
from ansinh.lib.amount_words import amount_in_words
from ansinh.lib.errors import DomainError
from ansinh.org.models import Agent
from ansinh.org.scope import Scope
from ansinh.payments.models import (
    ImportStatus,
    LineOutcome,
    Payer,
    Payment,
    PaymentMethod,
    Receipt,
    ReceiptPool,
    Resolution,
    StatementImport,
    StatementLine,
)
from ansinh.payments.services import BULK_PAYMENT_LISTENERS
from ansinh.payments.statement_files import Credit, credits
from ansinh.payments.statements import (
    PROGRESS_EVERY,
    Verdict,
    key_of,
    match_credit,
    served_areas,
    statement_dir,
    verdict,
)
from ansinh.registry.bulk import analyze

CHUNK = 5000  # credits per transaction: the read models are brought up to date once per chunk
# What an import writes, analysed after its first chunk and at its end: with statistics from before
# (no paid term, say), PostgreSQL walked every paid term for each person's supported months.
WRITTEN = (Enrollment, Payment, Receipt, StatementLine)


class _Fallback(Exception):
    """The chunk met something the set-based path does not decide: the per-credit path does it."""


class _Agents:
    """The collector's agents, read once: who is credited with a term on a day (the rule of
    ``statements.enrollment_agent``) and the agent's only collection point (``rights.collection_point``)."""

    def __init__(self, collector_id: int) -> None:
        found = (Agent.objects.filter(collector_id=collector_id).order_by("pk")
                 .annotate(point_count=Count("collection_points"), any_point=Max("collection_points")))
        self.agents = list(found)
        self.by_user = {a.user_id: a for a in reversed(self.agents) if a.user_id is not None}
        served: dict[int, list[Agent]] = {}
        through = Agent.areas.through.objects.filter(agent__collector_id=collector_id).order_by("agent_id")
        index = {a.pk: a for a in self.agents}
        for agent_id, area_id in through.values_list("agent_id", "administrativeunit_id"):
            served.setdefault(area_id, []).append(index[agent_id])
        self.by_area = served

    @staticmethod
    def _active(agent: Agent, day: date) -> bool:
        return agent.active_from <= day and (agent.active_to is None or agent.active_to >= day)

    def of(self, term: Enrollment, day: date) -> Agent | None:
        own = self.by_user.get(term.created_by_id) if term.created_by_id else None
        if own is not None and self._active(own, day):
            return own
        return next((a for a in self.by_area.get(term.area_id, []) if self._active(a, day)), None)

    @staticmethod
    def point(agent: Agent) -> int | None:
        return agent.any_point if agent.point_count == 1 else None  # type: ignore[attr-defined, no-any-return]


def _independent(fresh: list[Credit], refs: list[list[int]], found: dict[int, Enrollment]) -> list[bool]:
    """Which credits touch terms and people no other credit of the chunk touches."""
    term_uses = Counter(i for r in refs for i in set(r))
    person_uses = Counter(p for r in refs for p in {found[i].person_id for i in r if i in found} if p is not None)
    return [all(term_uses[i] == 1 for i in r)
            and all(person_uses[found[i].person_id] == 1 for i in r if i in found and found[i].person_id is not None)
            for r in refs]


def _claim_numbers(collector_id: int, count: int) -> tuple[ReceiptPool, int]:
    """``count`` consecutive numbers of the collector's active pool, in one ``UPDATE … RETURNING`` (the
    pool's row lock held until the commit, as ``issue_receipt`` holds it)."""
    table = ReceiptPool._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET next_number = next_number + %s WHERE id = (SELECT id FROM {table} "
                       "WHERE collector_id = %s AND active = %s ORDER BY id LIMIT 1) "
                       "AND next_number + %s - 1 <= last_number RETURNING id, series, next_number - %s",
                       [count, collector_id, True, count, count])
        row = cursor.fetchone()
    if row is None:
        raise _Fallback
    return ReceiptPool(pk=row[0], collector_id=collector_id, series=row[1], active=True), int(row[2])


def _line(statement: StatementImport, credit: Credit, found: Verdict, outcome: str, detail: str,
          payment: Payment | None) -> StatementLine:
    return StatementLine(collector_id=statement.collector_id, statement=statement,
                         transaction_id=credit.transaction_id, booked_at=credit.booked_at, amount=credit.amount,
                         description=credit.description, enrollment=found.enrollment, outcome=outcome,
                         detail=detail, payment=payment, resolution=Resolution.AUTO if payment else Resolution.OPEN)


def _write(actor: AbstractBaseUser | None, statement: StatementImport, agents: _Agents,
           rows: list[tuple[Credit, Verdict]]) -> Counter[str]:
    """The chunk's set-based credits: their recheck, payments, the terms paid, receipts, read models
    and lines. Raises ``_Fallback`` (and the caller rolls back) on anything it does not decide."""
    counts: Counter[str] = Counter()
    matched = [(c, v) for c, v in rows if v.outcome == LineOutcome.MATCHED]
    refused = recheck_vsi_terms([v.enrollment for _, v in matched])  # type: ignore[misc]
    recorder = actor if actor is not None and actor.is_authenticated else None
    payments: list[Payment] = []
    lines: list[StatementLine] = []
    for credit, found in rows:
        outcome, detail, payment = str(found.outcome), found.detail, None
        if found.outcome == LineOutcome.MATCHED:
            term = found.enrollment
            assert term is not None
            agent = agents.of(term, timezone.localdate(credit.booked_at))
            error = refused.get(term.pk)
            if agent is None:
                outcome, detail = LineOutcome.REFUSED, _("Đơn vị không có nhân viên thu phụ trách xã của khoản này.")
            elif error is not None:
                outcome, detail = LineOutcome.REFUSED, error.message[:300]
            else:
                payment = Payment(enrollment=term, amount=credit.amount, method=PaymentMethod.BANK_TRANSFER,
                                  payer=Payer.PARTICIPANT, agent=agent, collector_id=agent.collector_id,
                                  collection_point_id=agents.point(agent), recorded_by=recorder,
                                  paid_at=credit.booked_at,
                                  idempotency_key=key_of(statement.collector_id, credit.transaction_id))
                payments.append(payment)
        counts[outcome] += 1
        lines.append(_line(statement, credit, found, outcome, detail, payment))
    fast = connection.vendor == "postgresql"
    if payments:
        if fast:  # a key already taken: IntegrityError, the caller falls back
            ids = _insert(Payment, payments, ("enrollment_id", "amount", "agent_id", "collector_id",
                                              "collection_point_id", "paid_at", "idempotency_key"))
            for payment, pk in zip(payments, ids, strict=True):
                payment.pk = pk
            _set_paid([p.enrollment_id for p in payments])
        else:
            Payment.objects.bulk_create(payments)
            Enrollment.objects.filter(pk__in=[p.enrollment_id for p in payments]).update(status=EnrollmentStatus.PAID)
        pool, first = _claim_numbers(statement.collector_id, len(payments))
        words = {amount: amount_in_words(amount) for amount in {p.amount for p in payments}}
        receipts = [Receipt(payment=p, pool=pool, number=first + n, amount=p.amount, amount_words=words[p.amount],
                            issued_at=p.paid_at) for n, p in enumerate(payments)]
        if fast:
            _insert(Receipt, receipts, ("payment_id", "number", "amount", "amount_words", "issued_at"), returning=False)
        else:
            Receipt.objects.bulk_create(receipts)
        for listener in BULK_PAYMENT_LISTENERS:
            listener(payments)
    if fast:
        for line in lines:  # the payments' ids came after the lines were made
            line.payment_id = line.payment.pk if line.payment is not None else None
        _insert(StatementLine, lines, ("transaction_id", "booked_at", "amount", "description", "enrollment_id",
                                       "outcome", "detail", "payment_id", "resolution"), returning=False)
    else:
        StatementLine.objects.bulk_create(lines)
    return counts


def _insert(model: type[Model], objects: list[Any], varying: tuple[str, ...], *, returning: bool = True) -> list[int]:
    """PostgreSQL: ``objects`` (unsaved, of one model) in one ``INSERT … SELECT … FROM unnest(…)``: an
    array parameter per ``varying`` attname, and for every other column the first object's value,
    which the chunk's objects share. What ``bulk_create`` writes, without compiling a ``VALUES`` list
    of thousands of rows; the new ids in the objects' order when ``returning``."""
    if not objects:
        return []
    q = connection.ops.quote_name
    first = objects[0]
    columns, selected, constants = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(q(field.column))
        if field.attname in varying:
            selected.append(f"v.{q(field.attname)}")
        else:
            selected.append(f"CAST(%s AS {field.db_type(connection)})")
            constants.append(field.get_db_prep_save(field.pre_save(first, add=True), connection))  # auto_now_add too
    arrays = ", ".join(f"CAST(%s AS {model._meta.get_field(name).db_type(connection)}[])" for name in varying)
    sql = (f"INSERT INTO {q(model._meta.db_table)} ({', '.join(columns)}) SELECT {', '.join(selected)} "
           f"FROM unnest({arrays}) WITH ORDINALITY AS v({', '.join(q(n) for n in varying)}, n) ORDER BY v.n"
           + (" RETURNING id" if returning else ""))
    with connection.cursor() as cursor:
        cursor.execute(sql, [*constants, *([getattr(o, name) for o in objects] for name in varying)])
        return [row[0] for row in cursor.fetchall()] if returning else []


def _set_paid(term_ids: list[int]) -> None:
    """PostgreSQL: the chunk's paid terms, by one array parameter (not thousands of literals)."""
    table = connection.ops.quote_name(Enrollment._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET status = %s WHERE id = ANY(%s)", [EnrollmentStatus.PAID.value, term_ids])


def match_chunk(actor: AbstractBaseUser | None, scope: Scope, statement: StatementImport, served: frozenset[int],
                chunk: list[Credit], agents: _Agents | None = None) -> Counter[str]:
    """A chunk of credits: outcomes counted as ``match_credit`` counts them ("known" for lines already
    imported, or repeated in the chunk)."""
    collector_id = statement.collector_id
    known = set(StatementLine.objects.filter(collector_id=collector_id,
                                             transaction_id__in=[c.transaction_id for c in chunk])
                .values_list("transaction_id", flat=True))
    counts: Counter[str] = Counter()
    fresh: list[Credit] = []
    for credit in chunk:
        if credit.transaction_id in known:
            counts["known"] += 1
            continue
        known.add(credit.transaction_id)
        fresh.append(credit)
    refs = [enrollment_ids_in(c.description) for c in fresh]
    found = {e.pk: e for e in Enrollment.objects.filter(pk__in={i for r in refs for i in r}, area_id__in=served)
             .select_related("calculation").defer("calculation__result", "calculation__parameters")}
    alone = _independent(fresh, refs, found)
    rows: list[tuple[Credit, Verdict]] = []
    slow: list[Credit] = []
    for credit, ids, single in zip(fresh, refs, alone, strict=True):
        judged = verdict(credit.amount, ids, found)
        term = judged.enrollment
        if single and (judged.outcome != LineOutcome.MATCHED or (term is not None and term.scheme == Scheme.VSI)):
            rows.append((credit, judged))
        else:
            slow.append(credit)
    try:
        with transaction.atomic():
            counts += _write(actor, statement, agents or _Agents(collector_id), rows)
    except (_Fallback, IntegrityError):
        slow = fresh
    for credit in slow:  # in the file's order, one transaction each
        counts[match_credit(actor, scope, statement, served, credit)] += 1
    return counts


def _step(actor: AbstractBaseUser | None, scope: Scope, statement: StatementImport, served: frozenset[int],
          batch: list[Credit], chunk: int, counts: Counter[str], done: int,
          progress: Callable[[int, int], None] | None) -> int:
    if chunk:
        counts += match_chunk(actor, scope, statement, served, batch)
        if not done:  # the first chunk moved the terms' statuses: the planner learns it (ARCHITECTURE)
            analyze(WRITTEN)
    else:
        counts.update(match_credit(actor, scope, statement, served, credit) for credit in batch)
    done += len(batch)
    StatementImport.objects.filter(pk=statement.pk).update(done=done, counts=dict(counts))
    if progress is not None:
        progress(done, statement.total)
    return done


def run_import(statement_id: int, actor: AbstractBaseUser | None, scope: Scope,
               progress: Callable[[int, int], None] | None = None, chunk: int = CHUNK) -> StatementImport:
    """Match every credit of the import's file (the job's body; run again after a killed worker, the
    lines already written are known and skipped). Set-based by chunks of ``chunk`` credits (0: each
    credit through the per-credit path, the baseline of bench/statement.py); the progress is saved
    after each chunk."""
    statement = StatementImport.objects.select_related("collector").filter(pk=statement_id).first()
    if statement is None or statement.status != ImportStatus.RUNNING:
        return statement  # type: ignore[return-value]
    served = served_areas(statement.collector, scope)
    counts: Counter[str] = Counter()
    try:
        done, batch = 0, []
        for credit in credits(statement_dir() / statement.stored_as, statement.columns):
            batch.append(credit)
            if len(batch) >= (chunk or PROGRESS_EVERY):
                done = _step(actor, scope, statement, served, batch, chunk, counts, done, progress)
                batch = []
        _step(actor, scope, statement, served, batch, chunk, counts, done, progress)
        analyze(WRITTEN)  # a bulk writer ends with ANALYZE of what it touched
    except (DomainError, OSError) as error:
        message = error.message if isinstance(error, DomainError) else _("Không đọc được tệp sao kê.")
        StatementImport.objects.filter(pk=statement.pk).update(status=ImportStatus.FAILED, error=message[:300],
                                                               finished_at=timezone.now())
    else:
        StatementImport.objects.filter(pk=statement.pk, status=ImportStatus.RUNNING).update(
            status=ImportStatus.DONE, done=sum(counts.values()), counts=dict(counts), finished_at=timezone.now())
    return StatementImport.objects.get(pk=statement.pk)
