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
unexpected (a key taken, a pool running out), goes through the per-credit path.

On PostgreSQL the chunk is judged and written in SQL (``_sql_chunk``): the credits ``COPY``-ed into a
temporary table, the verdict, the independence and the agent computed there by joins, the recheck
grouped by what quotes a term (``recheck_vsi_grouped``), and each table written by one
``INSERT … SELECT`` / ``UPDATE … FROM``; no model object per credit (``BULK_PAYMENT_ID_LISTENERS``
get the new payments' ids). SQLite keeps the objects' path (``_write``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Model
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.enrollment.models import Enrollment, EnrollmentStatus, Scheme
from ansinh.enrollment.references import enrollment_ids_in
from ansinh.enrollment.services import recheck_vsi_grouped, recheck_vsi_terms
from ansinh.lib.amount_words import amount_in_words
from ansinh.lib.errors import DomainError
from ansinh.lib.money import format_vnd
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
from ansinh.payments.services import BULK_PAYMENT_ID_LISTENERS, BULK_PAYMENT_LISTENERS
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
from ansinh.registry import bulk
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
    if payments:
        Payment.objects.bulk_create(payments)
        Enrollment.objects.filter(pk__in=[p.enrollment_id for p in payments]).update(status=EnrollmentStatus.PAID)
        pool, first = _claim_numbers(statement.collector_id, len(payments))
        words = {amount: amount_in_words(amount) for amount in {p.amount for p in payments}}
        Receipt.objects.bulk_create([Receipt(payment=p, pool=pool, number=first + n, amount=p.amount,
                                             amount_words=words[p.amount], issued_at=p.paid_at)
                                     for n, p in enumerate(payments)])
        for listener in BULK_PAYMENT_LISTENERS:
            listener(payments)
    StatementLine.objects.bulk_create(lines)
    return counts


CREDITS = "statement_credit"  # the chunk's credits and their verdicts (a temporary table of the session)


def _credits_table(cursor: Any) -> None:
    cursor.execute(f"""CREATE TEMPORARY TABLE IF NOT EXISTS {CREDITS} (
        n integer PRIMARY KEY, transaction_id varchar(60) NOT NULL, booked_at timestamptz NOT NULL,
        amount bigint NOT NULL, description text NOT NULL, refs bigint[] NOT NULL,
        known boolean NOT NULL DEFAULT false, alone boolean NOT NULL DEFAULT true,
        term_id bigint, status varchar(20), payable bigint, scheme varchar(20), person_id bigint,
        created_by_id bigint, area_id bigint, people bigint[], outcome varchar(20),
        detail varchar(300) NOT NULL DEFAULT '',
        agent_id bigint, point_id bigint, payment_id bigint, ok boolean NOT NULL DEFAULT false)""")
    cursor.execute(f"TRUNCATE {CREDITS}")


def _judge_in_sql(cursor: Any, statement: StatementImport, served: frozenset[int], chunk: list[Credit]) -> None:
    """The chunk's credits ``COPY``-ed into ``CREDITS`` and judged there: known lines, the verdict
    (``statements.verdict``'s rule), which credits are alone in the chunk (``_independent``), and the
    agent and collection point (``_Agents``' rule). Per-credit work in Python: the reference parse."""
    q = connection.ops.quote_name
    terms, lines = q(Enrollment._meta.db_table), q(StatementLine._meta.db_table)
    agents, agent_areas = q(Agent._meta.db_table), q(Agent.areas.through._meta.db_table)
    agent_points = q(Agent.collection_points.through._meta.db_table)
    _credits_table(cursor)
    with cursor.cursor.copy(f"COPY {CREDITS} (n, transaction_id, booked_at, amount, description, refs) "
                            "FROM STDIN") as copy:
        for n, credit in enumerate(chunk):
            copy.write_row((n, credit.transaction_id, credit.booked_at, credit.amount, credit.description,
                            enrollment_ids_in(credit.description)))
    cursor.execute(f"ANALYZE {CREDITS}")
    args = {"collector": statement.collector_id, "served": sorted(served), "pending": EnrollmentStatus.PENDING.value,
            "tz": settings.TIME_ZONE}
    # known: written by an earlier import, or repeated earlier in the chunk
    cursor.execute(f"""UPDATE {CREDITS} c SET known = true WHERE EXISTS (SELECT 1 FROM {lines} l
        WHERE l.collector_id = %(collector)s AND l.transaction_id = c.transaction_id)""", args)
    cursor.execute(f"""UPDATE {CREDITS} c SET known = true FROM (SELECT n, ROW_NUMBER() OVER (
        PARTITION BY transaction_id ORDER BY n) AS k FROM {CREDITS}) d WHERE d.n = c.n AND d.k > 1""")
    # the verdict's term: the first pending one of the exact amount, else the first pending, else the first
    cursor.execute(f"""UPDATE {CREDITS} c SET term_id = v.id, status = v.status, payable = v.payable,
        scheme = v.scheme, person_id = v.person_id, created_by_id = v.created_by_id, area_id = v.area_id
        FROM (SELECT DISTINCT ON (c.n) c.n, e.id, e.status, e.payable, e.scheme, e.person_id, e.created_by_id,
                     e.area_id
              FROM {CREDITS} c CROSS JOIN LATERAL unnest(c.refs) WITH ORDINALITY AS r(id, o)
              JOIN {terms} e ON e.id = r.id AND e.area_id = ANY(%(served)s)
              WHERE NOT c.known
              ORDER BY c.n, (e.status = %(pending)s AND e.payable = c.amount) DESC, (e.status = %(pending)s) DESC,
                       r.o) v
        WHERE v.n = c.n""", args)
    cursor.execute(f"""UPDATE {CREDITS} SET outcome = CASE
        WHEN cardinality(refs) = 0 OR term_id IS NULL THEN %(unknown)s
        WHEN status <> %(pending)s THEN %(already)s
        WHEN amount < payable THEN %(under)s WHEN amount > payable THEN %(over)s ELSE %(matched)s END
        WHERE NOT known""", {**args, "unknown": LineOutcome.UNKNOWN.value, "already": LineOutcome.ALREADY_PAID.value,
                             "under": LineOutcome.UNDERPAID.value, "over": LineOutcome.OVERPAID.value,
                             "matched": LineOutcome.MATCHED.value})
    # alone: no other fresh credit names one of its terms, or (through a term found) one of its people;
    # the people looked up term by term (by the primary key: joined as a set, the planner scanned the
    # whole enrolment table at a million terms)
    cursor.execute(f"""UPDATE {CREDITS} c SET people = ARRAY(SELECT DISTINCT e.person_id FROM unnest(c.refs) AS x(id)
        JOIN {terms} e ON e.id = x.id WHERE e.area_id = ANY(%(served)s) AND e.person_id IS NOT NULL)
        WHERE NOT c.known AND cardinality(c.refs) > 0""", args)
    cursor.execute(f"""WITH r AS (SELECT c.n, x.id FROM {CREDITS} c, unnest(c.refs) AS x(id) WHERE NOT c.known),
        shared_terms AS (SELECT id FROM r GROUP BY id HAVING COUNT(*) > 1),
        p AS (SELECT c.n, x.person_id FROM {CREDITS} c, unnest(c.people) AS x(person_id) WHERE NOT c.known),
        shared_people AS (SELECT person_id FROM p GROUP BY person_id HAVING COUNT(*) > 1)
        UPDATE {CREDITS} SET alone = false
        WHERE n IN (SELECT n FROM r WHERE id IN (SELECT id FROM shared_terms))
           OR n IN (SELECT n FROM p WHERE person_id IN (SELECT person_id FROM shared_people))""", args)
    # the agent: the collector's agent who recorded the term (its lowest id for that user) if active on
    # the bank's day, else the lowest-id active agent serving the term's commune; its only point
    active = "a.active_from <= {day} AND (a.active_to IS NULL OR a.active_to >= {day})"
    day = "(c.booked_at AT TIME ZONE %(tz)s)::date"
    cursor.execute(f"""UPDATE {CREDITS} c SET agent_id = COALESCE(
            (SELECT a.id FROM (SELECT * FROM {agents} o WHERE o.collector_id = %(collector)s
                               AND o.user_id = c.created_by_id ORDER BY o.id LIMIT 1) a
             WHERE {active.format(day=day)}),
            (SELECT a.id FROM {agents} a JOIN {agent_areas} aa ON aa.agent_id = a.id
             WHERE a.collector_id = %(collector)s AND aa.administrativeunit_id = c.area_id
             AND {active.format(day=day)} ORDER BY a.id LIMIT 1))
        WHERE c.outcome = %(matched)s AND NOT c.known AND c.alone AND c.scheme = %(vsi)s""",
                   {**args, "matched": LineOutcome.MATCHED.value, "vsi": Scheme.VSI.value})
    cursor.execute(f"""UPDATE {CREDITS} c SET point_id = (SELECT CASE WHEN COUNT(*) = 1 THEN MAX(p.orgunit_id) END
        FROM {agent_points} p WHERE p.agent_id = c.agent_id) WHERE c.agent_id IS NOT NULL""")
    cursor.execute(f"ANALYZE {CREDITS}")  # the verdicts' columns, for the writes' joins


def _sql_chunk(actor: AbstractBaseUser | None, statement: StatementImport, served: frozenset[int],
               chunk: list[Credit]) -> tuple[Counter[str], list[Credit]]:
    """PostgreSQL: the chunk judged and written in SQL (``_judge_in_sql``, then one statement per table
    written: payments, receipts, the terms paid, lines; the read models by ids). Returns the outcomes
    of what it wrote, and the credits it leaves to the per-credit path (all the fresh ones when it met
    something it does not decide). The same outcome, credit for credit, as ``_write``."""
    counts: Counter[str] = Counter()
    matched, vsi = LineOutcome.MATCHED.value, Scheme.VSI.value
    with transaction.atomic():
        bulk.no_jit()
        with connection.cursor() as cursor:
            _judge_in_sql(cursor, statement, served, chunk)
            cursor.execute(f"SELECT n, known, alone AND (outcome <> %s OR scheme = %s) FROM {CREDITS} ORDER BY n",
                           [matched, vsi])
            judged = cursor.fetchall()
        fresh = [chunk[n] for n, known, _ in judged if not known]
        slow = [chunk[n] for n, known, set_based in judged if not known and not set_based]
        counts["known"] += len(chunk) - len(fresh)
        try:
            with transaction.atomic():
                counts += _sql_write(actor, statement)
        except (_Fallback, IntegrityError):
            return Counter(known=counts["known"]), fresh
    return counts, slow


def _sql_write(actor: AbstractBaseUser | None, statement: StatementImport) -> Counter[str]:
    q = connection.ops.quote_name
    matched, vsi = LineOutcome.MATCHED.value, Scheme.VSI.value
    set_based = f"NOT known AND alone AND (outcome <> '{matched}' OR scheme = '{vsi}')"
    terms = q(Enrollment._meta.db_table)
    with connection.cursor() as cursor:
        # details: the verdict's, and the refusals (no agent; the recheck's)
        cursor.execute(f"SELECT DISTINCT payable, amount FROM {CREDITS} WHERE {set_based} AND outcome IN (%s, %s)",
                       [LineOutcome.UNDERPAID.value, LineOutcome.OVERPAID.value])
        pairs = cursor.fetchall()
        shown = [_("Phải đóng {due}, chuyển {paid}.").format(due=format_vnd(due), paid=format_vnd(paid))
                 for due, paid in pairs]
        cursor.execute(f"""UPDATE {CREDITS} c SET detail = CASE
            WHEN c.outcome = %(unknown)s AND cardinality(c.refs) = 0 THEN %(no_ref)s
            WHEN c.outcome = %(unknown)s THEN %(elsewhere)s
            WHEN c.outcome = %(already)s THEN %(already_detail)s
            WHEN c.outcome IN (%(under)s, %(over)s) THEN (SELECT d.shown FROM unnest(%(dues)s::bigint[],
                %(paids)s::bigint[], %(shown)s::text[]) AS d(due, paid, shown)
                WHERE d.due = c.payable AND d.paid = c.amount)
            WHEN c.outcome = %(matched)s AND c.agent_id IS NULL THEN %(no_agent)s
            ELSE '' END,
            outcome = CASE WHEN c.outcome = %(matched)s AND c.agent_id IS NULL THEN %(refused)s ELSE c.outcome END
            WHERE {set_based}""",
                       {"unknown": LineOutcome.UNKNOWN.value, "already": LineOutcome.ALREADY_PAID.value,
                        "under": LineOutcome.UNDERPAID.value, "over": LineOutcome.OVERPAID.value, "matched": matched,
                        "refused": LineOutcome.REFUSED.value,
                        "no_ref": _("Nội dung chuyển khoản không có mã thanh toán."),
                        "elsewhere": _("Mã thanh toán không thuộc đơn vị này."),
                        "already_detail": _("Khoản này đã được thu hoặc đã huỷ."),
                        "no_agent": _("Đơn vị không có nhân viên thu phụ trách xã của khoản này."),
                        "dues": [d for d, _p in pairs], "paids": [p for _d, p in pairs], "shown": shown})
        refused = recheck_vsi_grouped(Enrollment.objects.filter(pk__in=RawSQL(
            f"SELECT term_id FROM {CREDITS} WHERE {set_based} AND outcome = %s", [matched])))
        if refused:
            cursor.execute(f"""UPDATE {CREDITS} c SET outcome = %s, detail = r.detail
                FROM unnest(%s::bigint[], %s::text[]) AS r(id, detail) WHERE c.term_id = r.id AND {set_based}
                AND c.outcome = %s""", [LineOutcome.REFUSED.value, list(refused),
                                        [e.message[:300] for e in refused.values()], matched])
        cursor.execute(f"UPDATE {CREDITS} SET ok = true WHERE {set_based} AND outcome = %s RETURNING amount", [matched])
        amounts = [row[0] for row in cursor.fetchall()]
        if amounts:
            recorder = actor if actor is not None and actor.is_authenticated else None
            template = Payment(amount=0, method=PaymentMethod.BANK_TRANSFER, payer=Payer.PARTICIPANT,
                               collector_id=statement.collector_id, recorded_by=recorder)
            # the payments' ids drawn first, in the credits' order: the lines and receipts name them
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                           [Payment._meta.db_table, len(amounts)])
            drawn = sorted(row[0] for row in cursor.fetchall())
            cursor.execute(f"""UPDATE {CREDITS} c SET payment_id = d.id
                FROM (SELECT n, ROW_NUMBER() OVER (ORDER BY n) AS k FROM {CREDITS} WHERE ok) r
                JOIN unnest(%s::bigint[]) WITH ORDINALITY AS d(id, k) ON d.k = r.k WHERE r.n = c.n""", [drawn])
            _insert_from(cursor, Payment, template, {
                "id": "payment_id", "enrollment_id": "term_id", "amount": "amount", "agent_id": "agent_id",
                "collection_point_id": "point_id", "paid_at": "booked_at",
                "idempotency_key": f"'bank:{int(statement.collector_id)}:' || transaction_id"},
                f"{CREDITS} WHERE ok ORDER BY n")
            cursor.execute(f"UPDATE {terms} e SET status = %s FROM {CREDITS} c WHERE c.ok AND e.id = c.term_id",
                           [EnrollmentStatus.PAID.value])
            pool, first = _claim_numbers(statement.collector_id, len(amounts))
            distinct = sorted(set(amounts))
            words = [amount_in_words(a) for a in distinct]
            _insert_from(cursor, Receipt, Receipt(pool=pool, number=0, amount=0, amount_words=""), {
                "payment_id": "c.payment_id", "number": f"{int(first)} + (ROW_NUMBER() OVER (ORDER BY c.n)) - 1",
                "amount": "c.amount", "amount_words": "w.words", "issued_at": "c.booked_at"},
                f"{CREDITS} c JOIN unnest(%s::bigint[], %s::text[]) AS w(amount, words) ON w.amount = c.amount "
                "WHERE c.ok ORDER BY c.n", params=[distinct, words])
            cursor.execute(f"SELECT payment_id FROM {CREDITS} WHERE ok ORDER BY n")
            ids = [row[0] for row in cursor.fetchall()]
            for listener in BULK_PAYMENT_ID_LISTENERS:
                listener(ids)
        line = StatementLine(collector_id=statement.collector_id, statement=statement, transaction_id="",
                             booked_at=timezone.now(), amount=1, description="", outcome="", detail="")
        _insert_from(cursor, StatementLine, line, {
            "transaction_id": "transaction_id", "booked_at": "booked_at", "amount": "amount",
            "description": "description", "enrollment_id": "term_id", "outcome": "outcome", "detail": "detail",
            "payment_id": "payment_id",
            "resolution": f"CASE WHEN ok THEN '{Resolution.AUTO.value}' ELSE '{Resolution.OPEN.value}' END"},
            f"{CREDITS} WHERE {set_based} ORDER BY n")
        cursor.execute(f"SELECT outcome, COUNT(*) FROM {CREDITS} WHERE {set_based} GROUP BY outcome")
        counts: Counter[str] = Counter(dict(cursor.fetchall()))
    return counts


def _insert_from(cursor: Any, model: type[Model], template: Model, varying: dict[str, str], source: str, *,
                 params: list[Any] | None = None) -> None:
    """``INSERT INTO model SELECT … FROM source``: the ``varying`` attnames as SQL expressions over the
    source, every other column the template's value (``pre_save``: ``auto_now_add`` too); the primary
    key only when it is given among ``varying``."""
    q = connection.ops.quote_name
    columns, selected, constants = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key and field.attname not in varying:
            continue
        columns.append(q(field.column))
        if field.attname in varying:
            selected.append(f"CAST({varying[field.attname]} AS {field.db_type(connection)})")
        else:
            selected.append(f"CAST(%s AS {field.db_type(connection)})")
            constants.append(field.get_db_prep_save(field.pre_save(template, add=True), connection))
    insert = (f"INSERT INTO {q(model._meta.db_table)} ({', '.join(columns)}) SELECT {', '.join(selected)} "
              f"FROM {source}")
    cursor.execute(insert, [*constants, *(params or [])])


def match_chunk(actor: AbstractBaseUser | None, scope: Scope, statement: StatementImport, served: frozenset[int],
                chunk: list[Credit], agents: _Agents | None = None) -> Counter[str]:
    """A chunk of credits: outcomes counted as ``match_credit`` counts them ("known" for lines already
    imported, or repeated in the chunk)."""
    if connection.vendor == "postgresql":
        decided, left = _sql_chunk(actor, statement, served, chunk)
        for credit in left:  # in the file's order, one transaction each
            decided[match_credit(actor, scope, statement, served, credit)] += 1
        return decided
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
