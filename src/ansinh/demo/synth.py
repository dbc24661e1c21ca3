"""A synthetic province for benchmarks: `ansinh demo synth --people N`.

By default Nghệ An's size: ~3.4 million people in ~1 million households, ~1,000 agents and
~5 million payments over the last 4 years, on the real map of each payment's day (a payment of 2023
is recorded on the commune of 2023, so history across the 07/2025 change is real). Amounts come
from the rules in force on the day. Voluntary-SI participants pay every 1, 3, 6 or 12 months from a
start month until they stop; households buy a 12-month HI card some years and renew others; a few
payments are reversed. People are fictional ("… (giả lập)"), with no citizen ID or phone.

What it leaves out, because the dashboards do not read it: receipts, campaigns and VSI plans.
It writes in chunks of households, each chunk in its own transaction (PostgreSQL COPY through
`registry.bulk.insert`), then refreshes the facts in one pass.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from ansinh.areas import queries as areas
from ansinh.areas.models import AdministrativeUnit, Succession
from ansinh.demo.seed_campaign import GIVEN, SURNAMES
from ansinh.enrollment.models import CalculationRecord, Enrollment, EnrollmentStatus, HiCardLine, Scheme
from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.lib.periods import add_months, end_of_term
from ansinh.lib.text import fold
from ansinh.org.models import Agent, OrgKind, OrgUnit
from ansinh.payments.models import Payment
from ansinh.registry.bulk import analyze, app_models, insert
from ansinh.registry.models import Household, Membership, Person, Relationship
from ansinh.reports.services import refresh_all
from ansinh.rules import household_hi, vsi
from ansinh.rules.params import UsedParameters, default_parameters

TZ = timezone.get_default_timezone()
PROVINCE = "40"
PEOPLE = 3_400_000
PEOPLE_PER_HOUSEHOLD = 3.4
AGENTS = 1_000
VSI_SHARE = 0.08  # of adults 18–58: ~140,000 participants, ~3.9 million payments (the rest are household HI)
HI_FIRST, HI_RENEW = 0.25, 0.75  # chance a household buys a card in a year: first time / after a paid year
REVERSED = 0.003
CHUNK = 10_000  # households per transaction
SYN = "SYN"


@dataclass
class SynthResult:
    people: int = 0
    households: int = 0
    agents: int = 0
    payments: int = 0
    facts: int = 0


@dataclass
class _Map:
    """Each commune of today, and the unit it was on the map of an earlier day."""

    communes: list[AdministrativeUnit]
    change_dates: list[date]
    on_era: dict[tuple[int, int], int] = field(default_factory=dict)

    def unit(self, commune_id: int, day: date) -> int:
        return self.on_era[(commune_id, bisect.bisect_right(self.change_dates, day))]


def _map(start: date, today: date) -> _Map:
    province = areas.unit_on(PROVINCE, today)
    if province is None:
        raise DomainError(ErrorCode.INVALID_INPUT, "Chưa có bản đồ hành chính tỉnh Nghệ An (chạy migrate).",
                          "No map of province 40.")
    communes = list(areas.communes(today, areas.subtree_ids([province.pk])).order_by("code"))
    changes = sorted(set(Succession.objects.filter(date__gt=start, date__lte=today).values_list("date", flat=True)))
    found = _Map(communes, changes)
    eras = [change - timedelta(days=1) for change in changes] + [today]
    for commune in communes:
        for era, day in enumerate(eras):
            earlier = areas.remap(commune, day)  # its predecessors on that day (itself if unchanged)
            found.on_era[(commune.pk, era)] = earlier[commune.pk % len(earlier)].pk if earlier else commune.pk
    return found


class _Rules:
    """Quotes cached per distinct input: a province has few distinct amounts."""

    def __init__(self) -> None:
        self.params = default_parameters()
        self.vsi: dict[tuple[date, int, int, str], tuple[vsi.VsiQuote, dict[str, Any], dict[str, Any]]] = {}
        self.hi: dict[tuple[date, int, date | None], tuple[household_hi.HiQuote, dict[str, Any], dict[str, Any]]] = {}

    def income(self, month: date, steps: int) -> int:
        floor, _, step = vsi.income_bounds(UsedParameters(self.params, month))
        return int(floor + steps * step)

    def vsi_quote(self, month: date, steps: int, months: int,
                  group: str) -> tuple[vsi.VsiQuote, dict[str, Any], dict[str, Any]]:
        key = (month, steps, months, group)
        if key not in self.vsi:
            income = self.income(month, steps)
            quote = vsi.quote(vsi.VsiQuoteInput(on=month, income=income, months=months,
                                                groups=frozenset([group] if group else [])), self.params)
            inputs = {"on": month.isoformat(), "income": income, "months": months, "groups": [group] if group else []}
            self.vsi[key] = (quote, inputs, quote.as_dict())
        return self.vsi[key]

    def hi_quote(self, day: date, size: int, previous_end: date | None = None
                 ) -> tuple[household_hi.HiQuote, dict[str, Any], dict[str, Any]]:
        key = (day, size, previous_end)
        if key not in self.hi:
            # A renewal continues the previous card (as enrollment.services.quote_hi does): one live card
            # per member and day is a database constraint (ADR 0007).
            quote = household_hi.quote(household_hi.HiQuoteInput(
                on=day, members=tuple(household_hi.HiMember() for _ in range(size)), months=12,
                previous_card_end=previous_end), self.params)
            self.hi[key] = (quote, {"on": day.isoformat(), "members": size, "months": 12}, quote.as_dict())
        return self.hi[key]


def synthesize(people: int = PEOPLE, *, seed: int = 2022, today: date | None = None,
               progress: Callable[[int], None] | None = None) -> SynthResult:
    """Generate the synthetic province into the configured database; ``progress`` gets people written."""
    if people < 10:
        raise DomainError(ErrorCode.INVALID_INPUT, "Cần ít nhất 10 người để giả lập một tỉnh.", "people < 10",
                          field="people")
    if Household.objects.filter(code__startswith=f"{SYN}-").exists():
        raise DomainError(ErrorCode.INVALID_INPUT, "Cơ sở dữ liệu đã có tỉnh giả lập; dùng một cơ sở dữ liệu mới.",
                          "Synthetic data already present.")
    today = today or timezone.localdate()
    start = date(today.year - 4, today.month, 1)
    rng = random.Random(seed)
    the_map = _map(start, today)
    agents = _organisation(the_map, max(1, round(AGENTS * people / PEOPLE)), start)
    result = SynthResult(agents=sum(len(a) for a in agents.values()))
    households = max(1, round(people / PEOPLE_PER_HOUSEHOLD))
    if connection.vendor == "postgresql":  # the bulk of it in SQL: minutes instead of hours (issue 14)
        from ansinh.demo import synth_sql

        sizes = _sizes(rng, households, people)
        result.people, result.households = people, households
        result.payments = synth_sql.generate(sizes, the_map, agents, _Rules(), seed=seed, start=start,
                                             last=today - timedelta(days=1))
        if progress:
            progress(people)
    else:
        _python(rng, the_map, agents, start, today, people, households, result, progress)
    result.facts = refresh_all()
    analyze(app_models("registry", "enrollment", "payments", "reports", "org"))  # the planner sees the new rows
    return result


def _python(rng: random.Random, the_map: _Map, agents: dict[int, list[tuple[int, int]]], start: date, today: date,
            people: int, households: int, result: SynthResult, progress: Callable[[int], None] | None) -> None:
    """Row by row in Python, a chunk of households per transaction: for small sizes and SQLite."""
    writer = _Writer(rng, the_map, agents, _Rules(), start, today - timedelta(days=1))
    made = 0
    for first in range(0, households, CHUNK):
        count = min(CHUNK, households - first)
        last_chunk = first + count == households
        sizes = _sizes(rng, count, people - made if last_chunk else round(count * PEOPLE_PER_HOUSEHOLD))
        with transaction.atomic():
            payments = writer.chunk(first, sizes)
        made += sum(sizes)
        result.people, result.households, result.payments = made, first + count, result.payments + payments
        if progress:
            progress(sum(sizes))


def _sizes(rng: random.Random, households: int, people: int) -> list[int]:
    """``households`` sizes of 1 to 8 that add up to ``people``."""
    people = max(people, households)
    sizes = [1] * households
    for _ in range(people - households):
        i = rng.randrange(households)
        while sizes[i] >= 8:
            i = (i + 1) % households
        sizes[i] += 1
    return sizes


def _organisation(the_map: _Map, count: int, start: date) -> dict[int, list[tuple[int, int]]]:
    """The provincial post office, one collection point per commune, ``count`` agents spread over
    them; returns, per commune of today, its (agent, collection point) pairs."""
    post, _ = OrgUnit.objects.get_or_create(code="BD40", defaults={"name": "Bưu điện tỉnh Nghệ An",
                                                                   "kind": OrgKind.COLLECTOR})
    found: dict[int, list[tuple[int, int]]] = {}
    for i, commune in enumerate(the_map.communes):
        point = OrgUnit.objects.create(code=f"{SYN}-P{commune.code}", name=f"Điểm thu {commune.name} (giả lập)",
                                       kind=OrgKind.COLLECTION_POINT, parent=post)
        point.areas.set([commune])
        share = count // len(the_map.communes) + (1 if i < count % len(the_map.communes) else 0)
        found[commune.pk] = []
        for _ in range(max(1, share)):
            n = sum(len(v) for v in found.values()) + 1
            agent = Agent.objects.create(code=f"{SYN}-A{n:05d}", name=f"Nhân viên thu {n} (giả lập)", collector=post,
                                         active_from=start)
            agent.areas.set([commune])
            agent.collection_points.set([point])
            found[commune.pk].append((agent.pk, point.pk))
    return found


class _Writer:
    def __init__(self, rng: random.Random, the_map: _Map, agents: dict[int, list[tuple[int, int]]], rules: _Rules,
                 start: date, last: date) -> None:
        self.rng, self.map, self.agents, self.rules = rng, the_map, agents, rules
        self.start, self.last = start, last
        self.post_id = OrgUnit.objects.get(code="BD40").pk
        self.now = timezone.now()

    def chunk(self, first: int, sizes: list[int]) -> int:
        rng = self.rng
        homes = [self.map.communes[rng.randrange(len(self.map.communes))].pk for _ in sizes]
        people_rows: list[tuple[Any, ...]] = []
        for size, home in zip(sizes, homes, strict=True):
            for _ in range(size):
                sex = rng.choice(("male", "female"))
                name = f"{rng.choice(SURNAMES)} {'Văn' if sex == 'male' else 'Thị'} {rng.choice(GIVEN)} (giả lập)"
                born = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 365 * 80))
                people_rows.append((name, fold(name), born, sex, "01", None, None, "", home, "", self.now, self.now))
        person_ids = insert(Person, ("full_name", "folded_name", "date_of_birth", "sex", "ethnicity", "citizen_id",
                                     "si_code", "phone", "area_id", "address_detail", "created_at", "updated_at"),
                            people_rows)
        members: list[list[int]] = []
        at = 0
        for size in sizes:
            members.append(person_ids[at:at + size])
            at += size
        household_ids = insert(Household, ("code", "head_id", "area_id", "address_detail", "created_at"),
                               [(f"{SYN}-{first + i + 1:07d}", m[0], home, "", self.now)
                                for i, (m, home) in enumerate(zip(members, homes, strict=True))])
        insert(Membership, ("household_id", "person_id", "relationship", "valid_from", "valid_to"),
               [(h, p, Relationship.HEAD if j == 0 else Relationship.OTHER, self.start, None)
                for h, m in zip(household_ids, members, strict=True) for j, p in enumerate(m)])
        terms: list[tuple[dict[str, Any], list[tuple[Any, ...]], tuple[int, int], datetime]] = []
        for household, m, home in zip(household_ids, members, homes, strict=True):
            self._household_terms(terms, household, m, home)
        for person, born, home in ((p, row[2], row[8]) for p, row in zip(person_ids, people_rows, strict=True)):
            if 18 <= self.start.year - born.year <= 58 and rng.random() < VSI_SHARE:
                self._vsi_terms(terms, person, home)
        return self._write(terms)

    def _pay_day(self, month: date) -> datetime:
        day = min(month + timedelta(days=self.rng.randrange(0, 28)), self.last)
        return datetime.combine(day, time(self.rng.randrange(7, 18), self.rng.randrange(60)), tzinfo=TZ)

    def _collector(self, home: int) -> tuple[int, int]:
        return self.rng.choice(self.agents[home])

    def _household_terms(self, terms: list[Any], household: int, member_ids: list[int], home: int) -> None:
        rng = self.rng
        paid_before, month = False, add_months(self.start, rng.randrange(12))
        previous_end: date | None = None
        while month <= self.last:
            if rng.random() < (HI_RENEW if paid_before else HI_FIRST):
                paid_at = self._pay_day(month)
                quote, inputs, result = self.rules.hi_quote(paid_at.date(), len(member_ids), previous_end)
                previous_end = quote.card.valid_to
                row = {"scheme": Scheme.HOUSEHOLD_HI, "person_id": None, "household_id": household,
                       "area_id": self.map.unit(home, paid_at.date()), "is_renewal": paid_before,
                       "quoted_on": paid_at.date(), "period_start": quote.card.valid_from,
                       "period_end": quote.card.valid_to, "months": 12,
                       "income": None, "support_groups": [], "supported_months": 0, "gross": quote.total,
                       "state_support": 0, "local_support": 0, "payable": quote.total,
                       "_calc": (inputs, result)}
                lines = [(p, m.rank or 0, m.factor, m.monthly, m.amount, quote.card.valid_from, quote.card.valid_to)
                         for p, m in zip(member_ids, quote.members, strict=True)]
                terms.append((row, lines, self._collector(home), paid_at))
                paid_before = True
            else:
                paid_before = False
            month = add_months(month, 12)

    def _vsi_terms(self, terms: list[Any], person: int, home: int) -> None:
        rng = self.rng
        every = rng.choice((1, 1, 1, 1, 1, 3, 6, 12))
        month = add_months(self.start, rng.randrange(24))
        stop = add_months(month, rng.randrange(12, 96))
        steps = rng.choice((0, 0, 0, 5, 10))
        group = rng.choices(("", "poor", "near_poor"), weights=(8, 1, 1))[0]
        renewal = False
        while month <= min(stop, self.last):
            quote, inputs, result = self.rules.vsi_quote(month, steps, every, group)
            paid_at = self._pay_day(month)
            row = {"scheme": Scheme.VSI, "person_id": person, "household_id": None,
                   "area_id": self.map.unit(home, paid_at.date()), "is_renewal": renewal, "quoted_on": month,
                   "period_start": month, "period_end": end_of_term(month, every), "months": every,
                   "income": inputs["income"],
                   "support_groups": inputs["groups"],
                   "supported_months": quote.supported_months, "gross": quote.gross,
                   "state_support": quote.state_support, "local_support": quote.local_support,
                   "payable": quote.payable, "_calc": (inputs, result)}
            terms.append((row, [], self._collector(home), paid_at))
            renewal, month = True, add_months(month, every)

    def _write(self, terms: list[tuple[dict[str, Any], list[tuple[Any, ...]], tuple[int, int], datetime]]) -> int:
        if not terms:
            return 0
        rng = self.rng
        calc_ids = insert(CalculationRecord, ("scheme", "computed_on", "inputs", "result", "parameters", "created_at"),
                          [(row["scheme"], row["quoted_on"], *row["_calc"], [], self.now) for row, *_ in terms])
        reversed_ = {i for i in range(len(terms)) if rng.random() < REVERSED}
        columns = [c for c in terms[0][0] if not c.startswith("_")]
        enrollment_ids = insert(
            Enrollment, (*columns, "method", "calculation_id", "status", "created_by_id", "created_at"),
            [(*(row[c] for c in columns), "regular", calc,
              EnrollmentStatus.CANCELLED if i in reversed_ else EnrollmentStatus.PAID, None, self.now)
             for i, ((row, *_), calc) in enumerate(zip(terms, calc_ids, strict=True))])
        insert(HiCardLine, ("enrollment_id", "person_id", "rank", "factor", "monthly", "amount", "valid_from",
                            "valid_to", "initial_clinic", "card_kind"),
               [(e, *line, "", "electronic") for e, (_, lines, *_) in zip(enrollment_ids, terms, strict=True)
                for line in lines])
        payment_columns = ("enrollment_id", "amount", "method", "payer", "sponsor_id", "agent_id", "collector_id",
                           "collection_point_id", "recorded_by_id", "paid_at", "idempotency_key", "reverses_id",
                           "reason", "backdate_reason", "bhxh_confirmation", "created_at")
        payment_ids = insert(Payment, payment_columns, [
            (e, row["payable"], "cash", "participant", None, agent, self.post_id, point, None, paid_at,
             f"{SYN}-{e}", None, "", "", "", self.now)
            for e, (row, _, (agent, point), paid_at) in zip(enrollment_ids, terms, strict=True)])
        insert(Payment, payment_columns, [
            (enrollment_ids[i], -terms[i][0]["payable"], "cash", "participant", None, terms[i][2][0], self.post_id,
             terms[i][2][1], None, min(terms[i][3] + timedelta(days=1), self.now), f"{SYN}-{enrollment_ids[i]}-r",
             payment_ids[i], "Thu nhầm (giả lập)", "", "", self.now) for i in sorted(reversed_)])
        return len(payment_ids) + len(reversed_)
