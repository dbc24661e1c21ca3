"""Reads of the money trail: payments in scope, daily reconciliation, commission statements, and the
rows of the lists handed to BHXH (D05-TS for voluntary SI, form No. 4 for household HI)."""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Prefetch, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.areas.queries import ancestors
from ansinh.enrollment.models import Enrollment, EnrollmentStatus, HiCardLine, Scheme
from ansinh.enrollment.references import reference_for
from ansinh.lib import vietqr
from ansinh.lib.errors import invalid_input
from ansinh.lib.money import round_vnd
from ansinh.lib.periods import require_order
from ansinh.org.fields import PersonalField, exported
from ansinh.org.models import Agent
from ansinh.org.queries import agents as org_agents
from ansinh.org.scope import Scope, not_found
from ansinh.payments.models import (
    EARLIEST_DAY,
    CollectorAccount,
    CommissionRate,
    Payer,
    Payment,
    PaymentMethod,
    Receipt,
    Remittance,
    RemittanceKind,
    ReversalRequest,
    ReversalStatus,
)
from ansinh.rules.params import default_parameters


def payments(scope: Scope) -> QuerySet[Payment]:
    return (Payment.objects.filter(scope.areas_q("enrollment__area"))
            .select_related("enrollment", "enrollment__person", "enrollment__household", "agent", "receipt",
                            "receipt__pool", "sponsor", "reverses__receipt__pool"))


PERIOD_MAX_DAYS = 366  # a year, leap or not: longer periods are asked for one year at a time
GRACE_DAYS_MAX = 60


def require_period(start: date, end: date) -> None:
    """A period of the money pages: ordered, at most a year, between 1900 and a year from today."""
    require_order(start, end)
    if (end - start).days + 1 > PERIOD_MAX_DAYS:
        raise invalid_input(_("Kỳ xem dài tối đa {PERIOD_MAX_DAYS} ngày; hãy chia thành nhiều kỳ.").format(
                                PERIOD_MAX_DAYS=PERIOD_MAX_DAYS),
                            "The period is longer than a year.", field="end")
    last = timezone.localdate() + timedelta(days=PERIOD_MAX_DAYS)
    if start < EARLIEST_DAY or end > last:
        raise invalid_input(_("Ngày ngoài khoảng cho phép ({EARLIEST_DAY:%d/%m/%Y} – {last:%d/%m/%Y}).").format(
                                EARLIEST_DAY=EARLIEST_DAY, last=last),
                            "The date is out of bounds.", field="start")


def enrollment_to_pay(scope: Scope, enrollment_id: int) -> Enrollment:
    """An enrolment of the reader's scope, for the pay screen (anyone else's is "not found")."""
    found = (Enrollment.objects.select_related("person", "household")
             .filter(scope.areas_q(), pk=enrollment_id).first())
    if found is None:
        raise not_found()
    return found


def receipt(scope: Scope, receipt_id: int) -> Receipt:
    # Everything the C45-BB receipt prints, in one query (payments/documents.receipt_document).
    found = (Receipt.objects.select_related("pool", "payment__enrollment__person__area",
                                            "payment__enrollment__calculation", "payment__collector",
                                            "payment__agent", "payment__sponsor")
             .filter(scope.areas_q("payment__enrollment__area"), pk=receipt_id).first())
    if found is None:
        raise not_found()
    return found


def reversal_requests(scope: Scope, status: str = ReversalStatus.PENDING) -> QuerySet[ReversalRequest]:
    """Agents' requests to cancel a payment of the reader's scope (the managers' queue), oldest first."""
    return (ReversalRequest.objects.filter(scope.areas_q("payment__enrollment__area"), status=status)
            .select_related("payment__receipt__pool", "payment__agent", "payment__enrollment__person",
                            "payment__enrollment__household", "requested_by").order_by("created_at", "pk"))


def last_reversal_request(payment: Payment) -> ReversalRequest | None:
    """The latest request to cancel this payment (waiting, approved or refused), for its receipt page."""
    return (ReversalRequest.objects.filter(payment=payment).select_related("requested_by", "decided_by")
            .order_by("-created_at", "-pk").first())


@dataclass(frozen=True)
class ReconciliationRow:
    """One agent's cash on one day: ``opening`` held at the start of the day (everything collected
    before it, minus everything handed over before it), ``collected`` and ``remitted`` that day,
    ``outstanding`` held at the end of the day (opening + collected − remitted) and, of it, ``overdue``:
    cash collected more than the contract's grace days before that day and still not handed over
    (handovers pay the oldest cash first; cash of a day D is due by the end of D + grace days)."""

    day: date
    agent: Agent
    collected: int
    # None when the agent also collected outside the reader's scope: an agent's handovers cover all
    # their cash and cannot be split by area, so neither they nor what is held are shown.
    remitted: int | None
    outstanding: int | None
    overdue: int | None
    opening: int | None = None


@dataclass(frozen=True)
class AgentPeriod:
    """One agent over the whole period, with the same meanings as a day's row: held on the eve of the
    period's first day, collected and handed over in the period, held at its end, and overdue at its end."""

    agent: Agent
    opening: int | None
    collected: int
    remitted: int | None
    closing: int | None
    overdue: int | None


def reconciliation(scope: Scope, start: date, end: date, grace_days: int = 1) -> list[ReconciliationRow]:
    """Per day and agent: cash collected in the reader's scope, remitted to the collector, held at the
    start and at the end of the day, and held for longer than ``grace_days`` (the contract's remittance
    delay). Grouped queries, whatever the period."""
    return reconciliation_with_summary(scope, start, end, grace_days)[0]


def reconciliation_with_summary(scope: Scope, start: date, end: date,
                                grace_days: int = 1) -> tuple[list[ReconciliationRow], list[AgentPeriod]]:
    """The day rows of :func:`reconciliation` and, per agent, the period as a whole."""
    require_period(start, end)
    if not 0 <= grace_days <= GRACE_DAYS_MAX:
        raise invalid_input(_("Số ngày được giữ tiền phải từ 0 đến {GRACE_DAYS_MAX}.").format(
                                GRACE_DAYS_MAX=GRACE_DAYS_MAX), "Grace days out of bounds.",
                            field="grace_days")
    in_scope = Payment.objects.filter(scope.areas_q("enrollment__area"), method=PaymentMethod.CASH,
                                      agent__isnull=False)
    agents = list(Agent.objects.filter(pk__in=in_scope.values("agent_id").distinct()).order_by("code"))
    partial = set(Payment.objects.filter(agent__in=agents, method=PaymentMethod.CASH)
                  .exclude(scope.areas_q("enrollment__area")).values_list("agent_id", flat=True).distinct())
    cash = (in_scope.annotate(day=TruncDate("paid_at", tzinfo=timezone.get_default_timezone())).filter(day__lte=end)
            .values_list("agent_id", "day").annotate(total=Sum("amount")))
    sent = (Remittance.objects.filter(agent__in=[a for a in agents if a.pk not in partial],
                                      kind=RemittanceKind.AGENT_TO_COLLECTOR, remitted_on__lte=end)
            .values_list("agent_id", "remitted_on").annotate(total=Sum("amount")))
    daily_in, daily_out = _running(cash), _running(sent)
    rows: list[ReconciliationRow] = []
    summary: list[AgentPeriod] = []
    eve = start - timedelta(days=1)
    for agent in agents:
        ins, outs = daily_in.get(agent.pk, _Running()), daily_out.get(agent.pk, _Running())
        collected = ins.until(end) - ins.until(eve)
        if agent.pk in partial:
            rows.extend(ReconciliationRow(day, agent, ins.on(day), None, None, None)
                        for day in ins.days if start <= day <= end and ins.on(day))
            if collected:
                summary.append(AgentPeriod(agent, None, collected, None, None, None))
            continue
        days = sorted({d for d in (*ins.days, *outs.days) if start <= d <= end} | {end})
        for day in days:
            rows.extend(_held(day, agent, ins, outs, end, grace_days))
        opening = ins.until(eve) - outs.until(eve)
        remitted = outs.until(end) - outs.until(eve)
        closing = ins.until(end) - outs.until(end)
        if opening or collected or remitted or closing:
            summary.append(AgentPeriod(agent, opening, collected, remitted, closing,
                                       _overdue(end, ins, outs, grace_days)))
    return rows, summary


def _overdue(day: date, ins: _Running, outs: _Running, grace_days: int) -> int:
    """Held at the end of ``day`` although due: cash collected on a day D is due by the end of D + grace
    days, so what was collected up to ``day`` − grace and is still not handed over is overdue."""
    return max(0, ins.until(day - timedelta(days=grace_days)) - outs.until(day))


def _held(day: date, agent: Agent, ins: _Running, outs: _Running, end: date,
          grace_days: int) -> list[ReconciliationRow]:
    """The day's row of an agent wholly in scope: on days with money moving, and on the period's last
    day when cash is still held (where the agent stands at the end)."""
    collected, remitted = ins.on(day), outs.on(day)
    total_in, total_out = ins.until(day), outs.until(day)
    if not (collected or remitted or (day == end and total_in - total_out)):
        return []
    opening = total_in - total_out - collected + remitted
    return [ReconciliationRow(day, agent, collected, remitted, total_in - total_out,
                              _overdue(day, ins, outs, grace_days), opening)]


@dataclass
class _Running:
    """One agent's daily amounts, and their running total up to a day."""

    days: list[date] = field(default_factory=list)
    totals: list[int] = field(default_factory=list)  # cumulative, in step with ``days``

    def on(self, day: date) -> int:
        i = bisect.bisect_left(self.days, day)
        found = i < len(self.days) and self.days[i] == day
        return self.until(day) - (self.totals[i - 1] if i else 0) if found else 0

    def until(self, day: date) -> int:
        i = bisect.bisect_right(self.days, day)
        return self.totals[i - 1] if i else 0


def _running(grouped: Any) -> dict[int, _Running]:
    found: dict[int, _Running] = {}
    for agent_id, day, total in sorted(grouped, key=lambda r: (r[0], r[1])):
        running = found.setdefault(agent_id, _Running())
        running.days.append(day)
        running.totals.append((running.totals[-1] if running.totals else 0) + int(total))
    return found


@dataclass(frozen=True)
class CommissionLine:
    scheme: str
    is_renewal: bool
    method: str
    collected: int
    rate: Decimal | None  # None: no rate configured for that day — the statement asks for one
    commission: int | None
    example_rate: bool


def _rates(first: date, last: date) -> list[CommissionRate]:
    """The rates that may apply between two days, loaded once (not one query per payment)."""
    return list(CommissionRate.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=first),
                                              valid_from__lte=last).order_by("valid_from"))


def _lines(paid: Any, rates: list[CommissionRate]) -> list[CommissionLine]:
    """Payments by scheme × new/renewal × method, times the contract rate in force on each payment day."""
    sums: dict[tuple[str, bool, str], list[Any]] = defaultdict(lambda: [0, Decimal(0), False, False])
    for p in paid:
        key = (p.enrollment.scheme, p.enrollment.is_renewal, p.method)
        day = timezone.localdate(p.paid_at)
        rate = next((r for r in rates if (r.scheme, r.is_renewal, r.method) == key and r.valid_from <= day
                     and (r.valid_to is None or r.valid_to >= day)), None)
        line = sums[key]
        line[0] += p.amount
        if rate is None:
            line[3] = True
        else:
            line[1] += rate.rate * p.amount
            line[2] = line[2] or rate.is_example
    return [CommissionLine(scheme, renewal, method, total, None if missing else (pay / total if total else Decimal(0)),
                           None if missing else round_vnd(pay), example)
            for (scheme, renewal, method), (total, pay, example, missing) in sorted(sums.items())]


def commission_statement(scope: Scope, agent: Agent, month: date) -> list[CommissionLine]:
    """The agent's collections in the reader's scope in ``month`` by scheme × new/renewal × method,
    times the contract rate in force on each payment day."""
    first = month.replace(day=1)
    require_period(first, first)
    after = (first + timedelta(days=32)).replace(day=1)
    paid = Payment.objects.filter(scope.areas_q("enrollment__area"), agent=agent, paid_at__date__gte=first,
                                  paid_at__date__lt=after).select_related("enrollment")
    return _lines(paid, _rates(first, after - timedelta(days=1)))


def agent_commission(scope: Scope, agent_code: str, month: date) -> list[CommissionLine]:
    """One agent of the reader's scope, by code (anyone else's is "not found")."""
    agent = org_agents(scope).filter(code=agent_code).first()
    if agent is None:
        raise not_found()
    return commission_statement(scope, agent, month)


def _total(values: list[int | None]) -> int | None:
    return None if any(v is None for v in values) else sum(v or 0 for v in values)


@dataclass(frozen=True)
class MonthStatement:
    """One agent's commission for one calendar month of the period (``first``–``last``: the part of the
    month inside the period, so a period starting on the 15th counts from the 15th)."""

    agent: Agent
    month: date  # the month's first day
    first: date
    last: date
    lines: list[CommissionLine]

    @property
    def whole_month(self) -> bool:
        return self.first.day == 1 and (self.last + timedelta(days=1)).day == 1

    @property
    def collected(self) -> int:
        return sum(line.collected for line in self.lines)

    @property
    def commission(self) -> int | None:
        """The month's commission; None while a line has no contract rate (it is not guessed)."""
        return _total([line.commission for line in self.lines])


@dataclass(frozen=True)
class CommissionReport:
    start: date
    end: date
    months: list[date]  # every calendar month the period touches, in order
    statements: list[MonthStatement]  # per agent (by code) and month, only where money was collected

    @property
    def active_months(self) -> set[date]:
        """The months with at least one statement (the page says so of the others)."""
        return {s.month for s in self.statements}

    @property
    def collected(self) -> int:
        return sum(s.collected for s in self.statements)

    @property
    def commission(self) -> int | None:
        return _total([s.commission for s in self.statements])


def _months(start: date, end: date) -> list[date]:
    found, month = [], start.replace(day=1)
    while month <= end:
        found.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return found


def commission_statements(scope: Scope, start: date, end: date) -> CommissionReport:
    """Every month of the period, per agent with payments in the reader's scope: the lines of each month
    (the days of the month inside the period) and their totals. One query for the payments, one for the
    rates, whatever the number of months and agents."""
    require_period(start, end)
    paid = (Payment.objects.filter(scope.areas_q("enrollment__area"), agent__isnull=False,
                                   paid_at__date__gte=start, paid_at__date__lte=end)
            .select_related("enrollment", "agent"))
    grouped: dict[tuple[str, date], list[Payment]] = defaultdict(list)
    agents: dict[str, Agent] = {}
    for p in paid:
        assert p.agent is not None
        agents[p.agent.code] = p.agent
        grouped[(p.agent.code, timezone.localdate(p.paid_at).replace(day=1))].append(p)
    rates = _rates(start, end)
    statements = []
    for code, month in sorted(grouped):
        after = (month + timedelta(days=32)).replace(day=1)
        statements.append(MonthStatement(agents[code], month, max(month, start), min(after - timedelta(days=1), end),
                                         _lines(grouped[(code, month)], rates)))
    return CommissionReport(start, end, _months(start, end), statements)


def _listed(scope: Scope, collector_id: int, scheme: str, start: date, end: date) -> QuerySet[Payment]:
    """A collector's payments of one scheme in a period, neither reversed nor reversals."""
    return payments(scope).filter(collector_id=collector_id, enrollment__scheme=scheme, reverses__isnull=True,
                                  reversal__isnull=True, paid_at__date__gte=start, paid_at__date__lte=end)


def d05_count(scope: Scope, collector_id: int, start: date, end: date) -> int:
    return _listed(scope, collector_id, Scheme.VSI, start, end).count()


def d05_rows(scope: Scope, collector_id: int, start: date, end: date) -> Iterator[dict[str, Any]]:
    """Voluntary-SI payments of a collector in a period, in the columns of list D05-TS, read in chunks;
    identifiers full or masked as the field policy exports them to this scope (the caller audits)."""
    paid = (_listed(scope, collector_id, Scheme.VSI, start, end)
            .select_related("enrollment__person__area", "receipt__pool", "agent").order_by("paid_at", "pk"))
    for p in paid.iterator(chunk_size=2000):
        e, person = p.enrollment, p.enrollment.person
        assert person is not None
        sponsored = p.payer == Payer.SPONSOR
        address = exported(scope, PersonalField.ADDRESS, person.address_detail)
        yield {
            "name": person.full_name, "si_code": exported(scope, PersonalField.SI_CODE, person.si_code),
            "citizen_id": exported(scope, PersonalField.CITIZEN_ID, person.citizen_id),
            "address": f"{address}, {person.area.name}".strip(", "),
            "receipt_date": timezone.localdate(p.paid_at), "receipt_number": p.receipt.serial,
            "income": e.income, "months": e.months, "from_month": e.period_start, "due": e.gross,
            "paid": 0 if sponsored else p.amount, "state_support": e.state_support, "local_support": e.local_support,
            "other_support": p.amount if sponsored else 0, "staff_code": p.agent.code if p.agent else "",
        }


def d05_form_count(scope: Scope, collector_id: int, start: date, end: date) -> int:
    """The rows of D05-TS: every voluntary-SI payment of the period, reversals included (II Giảm)."""
    return payments(scope).filter(collector_id=collector_id, enrollment__scheme=Scheme.VSI, paid_at__date__gte=start,
                                  paid_at__date__lte=end).count()


def d03_form_count(scope: Scope, collector_id: int, start: date, end: date) -> int:
    """The rows of D03-TS: one per member card of each household-HI payment, reversals included."""
    paid = payments(scope).filter(collector_id=collector_id, enrollment__scheme=Scheme.HOUSEHOLD_HI,
                                  paid_at__date__gte=start, paid_at__date__lte=end)
    return HiCardLine.objects.filter(enrollment__payments__in=paid).count()


def hi_list_count(scope: Scope, collector_id: int, start: date, end: date) -> int:
    paid = _listed(scope, collector_id, Scheme.HOUSEHOLD_HI, start, end)
    return HiCardLine.objects.filter(enrollment__payments__in=paid).count()


def hi_list_rows(scope: Scope, collector_id: int, start: date, end: date) -> Iterator[dict[str, Any]]:
    """Household-HI members paid through a collector in a period, in the columns of Decree 188/2025
    form No. 4, read in chunks."""
    paid = (_listed(scope, collector_id, Scheme.HOUSEHOLD_HI, start, end).select_related("enrollment__household")
            .prefetch_related(Prefetch("enrollment__hi_lines", HiCardLine.objects.select_related("person")
                                       .order_by("rank")),
                              "enrollment__household__memberships").order_by("paid_at", "pk"))
    for p in paid.iterator(chunk_size=1000):
        base = default_parameters().at("base_salary", p.enrollment.quoted_on).value
        household = p.enrollment.household
        relations = {m.person_id: m.relationship for m in household.memberships.all()} if household else {}
        for line in p.enrollment.hi_lines.all():
            yield {
                "name": line.person.full_name, "hi_code": exported(scope, PersonalField.SI_CODE, line.person.si_code),
                "citizen_id": exported(scope, PersonalField.CITIZEN_ID, line.person.citizen_id),
                "date_of_birth": exported(scope, PersonalField.BIRTH_DATE, line.person.date_of_birth),
                "initial_clinic": line.initial_clinic, "base_salary": base,
                "relationship": "head" if household and line.person_id == household.head_id
                else relations.get(line.person_id, ""),
                "support_percent": 0, "card_kind": line.card_kind, "months": p.enrollment.months,
                "rank": line.rank, "amount": line.amount, "valid_from": line.valid_from, "valid_to": line.valid_to,
            }


def person_history(scope: Scope, person_id: int) -> list[Enrollment]:
    """A person's terms, newest first: VSI terms of their own and the household-HI terms that carry
    their card, each with its payments and receipts (the person page's history, issue 13 #15).
    Two queries whatever the rows: the terms, then their payments."""
    return list(Enrollment.objects.filter(scope.areas_q("area"))
                .filter(Q(person_id=person_id) | Q(hi_lines__person_id=person_id)).distinct()
                .select_related("household").order_by("-period_start", "-pk")
                .prefetch_related(Prefetch("payments", Payment.objects.select_related("receipt__pool")
                                           .order_by("paid_at", "pk")))[:50])


@dataclass(frozen=True)
class TransferRequest:
    """What the VietQR code of a pending term asks: the collector's account, the exact amount, the reference."""

    account: CollectorAccount
    amount: int
    reference: str
    payload: str


def transfer_request(enrollment: Enrollment, user: AbstractBaseUser | AnonymousUser | None = None
                     ) -> TransferRequest | None:
    """The VietQR of a pending term, or None (paid, or no account). The account is the user's own
    collector's when the user is an agent (the payment will be booked to it), else the account of the
    collector serving the enrolment's commune, the nearest first (commune, then district, then province).
    An agent whose collector has no account gets no code: money sent to another collector's account
    would not be the agent's payment."""
    if enrollment.status != EnrollmentStatus.PENDING or enrollment.payable <= 0:
        return None
    account, signed_in = None, user is not None and user.is_authenticated
    if signed_in:
        account = CollectorAccount.objects.filter(collector__agents__user=user).select_related("collector").first()
    if account is None and not (signed_in and Agent.objects.filter(user=user).exists()):
        chain = [enrollment.area_id, *(a.pk for a in ancestors(enrollment.area))]
        found = {a.collector_id: a for a in CollectorAccount.objects.filter(collector__areas__in=chain)
                 .select_related("collector").prefetch_related("collector__areas")}
        ranked = sorted(found.values(), key=lambda a: min(chain.index(x.pk) for x in a.collector.areas.all()
                                                            if x.pk in chain))
        account = ranked[0] if ranked else None
    if account is None:
        return None
    reference = reference_for(enrollment.pk)
    text = vietqr.payload(vietqr.Transfer(account.bank_bin, account.account_number, enrollment.payable, reference))
    return TransferRequest(account, enrollment.payable, reference, text)
