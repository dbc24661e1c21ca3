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

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from ansinh.enrollment.models import HiCardLine, Scheme
from ansinh.lib.money import round_vnd
from ansinh.org.fields import PersonalField, exported
from ansinh.org.models import Agent
from ansinh.org.scope import Scope
from ansinh.payments.models import CommissionRate, Payer, Payment, PaymentMethod, Remittance, RemittanceKind
from ansinh.rules.params import default_parameters


def payments(scope: Scope) -> QuerySet[Payment]:
    return (Payment.objects.filter(scope.areas_q("enrollment__area"))
            .select_related("enrollment", "enrollment__person", "enrollment__household", "agent", "receipt",
                            "receipt__pool", "sponsor"))


@dataclass(frozen=True)
class ReconciliationRow:
    day: date
    agent: Agent
    collected: int
    remitted: int
    outstanding: int
    overdue: int


def reconciliation(scope: Scope, start: date, end: date, grace_days: int = 1) -> list[ReconciliationRow]:
    """Per day and agent: cash collected, remitted to the collector, still held, and held for longer
    than ``grace_days`` (the contract's remittance delay). Two grouped queries, whatever the period."""
    agent_ids = (Payment.objects.filter(scope.areas_q("enrollment__area"), method=PaymentMethod.CASH,
                                        agent__isnull=False).values("agent_id").distinct())
    agents = list(Agent.objects.filter(pk__in=agent_ids).order_by("code"))
    cash = (Payment.objects.filter(agent__in=agents, method=PaymentMethod.CASH)
            .annotate(day=TruncDate("paid_at", tzinfo=timezone.get_default_timezone())).filter(day__lte=end)
            .values_list("agent_id", "day").annotate(total=Sum("amount")))
    sent = (Remittance.objects.filter(agent__in=agents, kind=RemittanceKind.AGENT_TO_COLLECTOR, remitted_on__lte=end)
            .values_list("agent_id", "remitted_on").annotate(total=Sum("amount")))
    daily_in, daily_out = _running(cash), _running(sent)
    rows = []
    for agent in agents:
        ins, outs = daily_in.get(agent.pk, _Running()), daily_out.get(agent.pk, _Running())
        day = start
        while day <= end:
            collected, remitted = ins.on(day), outs.on(day)
            total_in, total_out = ins.until(day), outs.until(day)
            # Days with money moving, and the period's last day (where the agent stands now).
            if collected or remitted or (day == end and total_in - total_out):
                old_in = ins.until(day - timedelta(days=grace_days))
                rows.append(ReconciliationRow(day, agent, collected, remitted, total_in - total_out,
                                              max(0, old_in - total_out)))
            day += timedelta(days=1)
    return rows


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


def commission_statement(agent: Agent, month: date) -> list[CommissionLine]:
    """The agent's collections in ``month`` by scheme × new/renewal × method, times the contract rate
    in force on each payment day."""
    first = month.replace(day=1)
    after = (first + timedelta(days=32)).replace(day=1)
    sums: dict[tuple[str, bool, str], list[Any]] = defaultdict(lambda: [0, Decimal(0), False, False])
    # The rates that may apply this month, loaded once (not one query per payment).
    rates = list(CommissionRate.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=first),
                                               valid_from__lt=after).order_by("valid_from"))
    for p in Payment.objects.filter(agent=agent, paid_at__date__gte=first, paid_at__date__lt=after).select_related(
            "enrollment"):
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
            .select_related("enrollment__person__area", "receipt__pool", "collector").order_by("paid_at", "pk"))
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
            "other_support": p.amount if sponsored else 0, "collector_code": p.collector.code,
        }


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
