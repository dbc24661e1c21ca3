"""The synthetic province's bulk in SQL on PostgreSQL (`generate_series`, `INSERT … SELECT`): people,
households, terms and payments are drawn by the database; Python computes only the distinct
amounts, once per (day or month, term), with the rules, and joins them in as small temporary tables.

Same shape as the Python path of `demo.synth` (same shares and chances); the random numbers are
PostgreSQL's (`setseed`). A household HI card continues the previous one as the rules say
(`household_hi.card_validity` on the day with the previous card's end): its amounts do not depend on
the previous card (quoted once per day and size), its card dates are computed per distinct (day,
previous end), one year of the chain at a time.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import date, timedelta
from itertools import product
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import timezone

from ansinh.demo.seed_campaign import GIVEN, SURNAMES
from ansinh.enrollment.models import EnrollmentStatus
from ansinh.lib.periods import add_months
from ansinh.lib.text import fold
from ansinh.org.models import OrgUnit
from ansinh.registry.models import Relationship

if TYPE_CHECKING:
    from ansinh.demo.synth import _Map, _Rules

log = logging.getLogger(__name__)
TABLES = ["registry_person", "registry_household", "registry_membership", "enrollment_calculationrecord",
          "enrollment_enrollment", "enrollment_hicardline", "payments_payment"]
YEARS = 5  # a household's chances to buy a card: the start year and up to 4 renewals
NO_CARD = date(1, 1, 1)  # stands for "no previous card" in the card table's key


# This transaction's settings: index rebuilds and the sorts of the whole-table statements in memory,
# and no JIT compilation (the planner's cost of these statements triggers it; the people import measured
# ~2 s of compiling per statement, docs/performance.md). bench/synth.py measures them against none.
# A calculation record's JSON is ~2 KB, over the TOAST threshold: each of ~5 million is compressed, with lz4
# rather than the server's default pglz (the slowest statement of the synth, 72.6 s at full size with pglz).
SETTINGS = ("SET LOCAL maintenance_work_mem = '256MB'", "SET LOCAL work_mem = '256MB'", "SET LOCAL jit = off",
            "SET LOCAL default_toast_compression = 'lz4'")


def generate(sizes: list[int], the_map: _Map, agents: dict[int, list[tuple[int, int]]], rules: _Rules, *,
             seed: int, start: date, last: date) -> int:
    """Write people, households, terms, card lines and payments in one transaction; returns payments."""
    from ansinh.demo import synth

    last_m = (last.year - start.year) * 12 + last.month - start.month  # month index of the last day
    with transaction.atomic(), connection.cursor() as raw:
        cur = _Timed(raw)
        now = timezone.now()
        cur.execute("SELECT current_setting('is_superuser') = 'on'")
        if cur.fetchone()[0]:
            # The rows are consistent by construction: skip the per-row foreign-key triggers, which
            # otherwise queue ~15 million deferred checks for the commit, and the card lines' `live`
            # trigger (set below as it would: not live when the term is cancelled). Superuser only;
            # this transaction only.
            cur.execute("SET LOCAL session_replication_role = replica")
        post_id = OrgUnit.objects.get(code="BD40").pk
        cur.execute("SELECT setseed(%s)", [(seed % 2_000_000) / 1_000_000 - 1])
        cur.execute("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")
        lz4 = bool(cur.fetchone()[0])  # a server built without lz4 keeps its pglz
        for setting in SETTINGS:
            if lz4 or "lz4" not in setting:
                cur.execute(setting)
        rebuild = _drop_indexes(cur, TABLES)
        _lookups(cur, the_map, agents)
        people, households = sum(sizes), len(sizes)
        pbase, hbase = _reserve(cur, "registry_person", people), _reserve(cur, "registry_household", households)
        cur.execute("""CREATE TEMP TABLE syn_hh ON COMMIT DROP AS
            SELECT s.i, s.size, s.first, c.id AS home FROM (
              SELECT ord::int AS i, size, (sum(size) OVER (ORDER BY ord) - size)::int AS first,
                     floor(random() * %s)::int AS ci
              FROM unnest(%s::int[]) WITH ORDINALITY AS u(size, ord)) s JOIN syn_commune c ON c.idx = s.ci""",
                    [len(the_map.communes), sizes])
        names = len(SURNAMES) * len(GIVEN)
        cur.execute("""INSERT INTO registry_person (id, full_name, folded_name, date_of_birth, sex, ethnicity,
                citizen_id, si_code, phone, area_id, address_detail, created_at, updated_at)
            WITH p AS MATERIALIZED (
              SELECT %(pbase)s + h.first + j AS id, h.home, CASE WHEN random() < 0.5 THEN 'male' ELSE 'female' END
                     AS sex, floor(random() * %(names)s)::int AS k,
                     DATE '1940-01-01' + floor(random() * 29200)::int AS born
              FROM syn_hh h CROSS JOIN generate_series(0, h.size - 1) j)
            SELECT p.id, n.name, n.folded, p.born, p.sex, '01', NULL, NULL, '', p.home, '', %(now)s, %(now)s
            FROM p JOIN syn_name n ON n.sex = p.sex AND n.k = p.k""", {"pbase": pbase, "names": names, "now": now})
        cur.execute("""INSERT INTO registry_household (id, code, head_id, area_id, address_detail, created_at)
            SELECT %(hbase)s + i - 1, 'SYN-' || lpad(i::text, 7, '0'), %(pbase)s + first, home, '', %(now)s
            FROM syn_hh""", {"hbase": hbase, "pbase": pbase, "now": now})
        cur.execute("""INSERT INTO registry_membership (household_id, person_id, relationship, valid_from, valid_to)
            SELECT %(hbase)s + h.i - 1, %(pbase)s + h.first + j,
                   CASE WHEN j = 0 THEN %(head)s ELSE %(other)s END, %(start)s, NULL
            FROM syn_hh h CROSS JOIN generate_series(0, h.size - 1) j""",
                    {"hbase": hbase, "pbase": pbase, "head": Relationship.HEAD, "other": Relationship.OTHER,
                     "start": start})
        _vsi_terms(cur, rules, start, last, last_m, pbase)
        _hi_terms(cur, rules, start, last, last_m, hbase)
        payments = _write(cur, start, last, now, post_id, synth.REVERSED)
        for statement in rebuild:  # one sorted build each, and the constraints checked over all rows
            cur.execute(statement)
        return payments


class _Timed:
    """The cursor, logging each statement's time (``ansinh.demo.synth_sql`` at INFO)."""

    def __init__(self, cursor: Any) -> None:
        self.cursor_ = cursor
        self.cursor = cursor.cursor

    def execute(self, sql: str, params: Any = None) -> None:
        began = time.perf_counter()
        self.cursor_.execute(sql, params)
        log.info("%.1f s  %s", time.perf_counter() - began, " ".join(sql.split())[:70])

    def fetchone(self) -> Any:
        return self.cursor_.fetchone()

    def fetchall(self) -> Any:
        return self.cursor_.fetchall()


def _drop_indexes(cur: Any, tables: list[str]) -> list[str]:
    """Drop the secondary indexes and the exclusion constraints of ``tables`` (kept: primary keys and
    the unique constraints other tables' foreign keys rely on); returns the statements that rebuild
    them as they were. Maintaining a trigram GIN and two GiST exclusion indexes row by row costs most
    of a bulk load; one build after it is several times cheaper."""
    cur.execute("""SELECT c.conname, c.conrelid::regclass::text, pg_get_constraintdef(c.oid) FROM pg_constraint c
                   WHERE c.contype = 'x' AND c.conrelid = ANY(%s::regclass[]) ORDER BY c.oid""", [tables])
    constraints = cur.fetchall()
    cur.execute("""SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
                   WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
                     AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
                   ORDER BY i.indexrelid""", [tables])
    indexes = cur.fetchall()
    quote = connection.ops.quote_name
    for name, table, _ in constraints:
        cur.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
    for name, _ in indexes:
        cur.execute(f"DROP INDEX {name}")
    return ([definition for _, definition in indexes]
            + [f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}"
               for name, table, definition in constraints])


def _reserve(cur: Any, table: str, count: int) -> int:
    """The first of ``count`` consecutive ids taken from ``table``'s sequence."""
    cur.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
    first = int(cur.fetchone()[0])
    if count > 1:
        cur.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, first + count - 1])
    return first


def _values(cur: Any, table: str, columns: str, rows: list[tuple[Any, ...]]) -> None:
    """A small temporary table of ``rows`` (COPY)."""
    cur.execute(f"CREATE TEMP TABLE {table} ({columns}) ON COMMIT DROP")
    with cur.cursor.copy(f"COPY {table} FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    cur.execute(f"ANALYZE {table}")


def _lookups(cur: Any, the_map: _Map, agents: dict[int, list[tuple[int, int]]]) -> None:
    _values(cur, "syn_commune", "idx int PRIMARY KEY, id int, n int",
            [(i, c.pk, len(agents[c.pk])) for i, c in enumerate(the_map.communes)])
    _values(cur, "syn_agent", "commune_id int, k int, agent_id int, point_id int, PRIMARY KEY (commune_id, k)",
            [(c, k, a, p) for c, pairs in agents.items() for k, (a, p) in enumerate(pairs)])
    # Era e of a commune covers the days d with bisect_right(change_dates, d) == e (synth._Map.unit).
    bounds = [date.min, *the_map.change_dates, date.max]
    _values(cur, "syn_era", "commune_id int, d_from date, d_to date, unit_id int",
            [(commune, bounds[era], bounds[era + 1], unit) for (commune, era), unit in the_map.on_era.items()])
    rows = []
    for sex, middle in (("male", "Văn"), ("female", "Thị")):
        for k, (surname, given) in enumerate(product(SURNAMES, GIVEN)):
            name = f"{surname} {middle} {given} (giả lập)"
            rows.append((sex, k, name, fold(name)))
    _values(cur, "syn_name", "sex text, k int, name text, folded text, PRIMARY KEY (sex, k)", rows)


def _vsi_terms(cur: Any, rules: _Rules, start: date, last: date, last_m: int, pbase: int) -> None:
    """Adults 18–58 at the start, VSI_SHARE of them, each paying every 1/3/6/12 months from a start
    month until they stop; amounts from the rules of the term's first month."""
    from ansinh.demo import synth

    quotes = []
    for m, steps, every, group in product(range(last_m + 1), (0, 5, 10), (1, 3, 6, 12), ("", "poor", "near_poor")):
        month = add_months(start, m)
        quote, inputs, result = rules.vsi_quote(month, steps, every, group)
        quotes.append((m, steps, every, group, inputs["income"], json.dumps(inputs["groups"]),
                       quote.supported_months, quote.gross, quote.state_support, quote.local_support, quote.payable,
                       add_months(month, every) - timedelta(days=1), json.dumps(inputs),
                       json.dumps(result, default=str)))
    _values(cur, "syn_q_vsi", "m int, steps int, every int, grp text, income bigint, groups jsonb, supported int, "
            "gross bigint, state_support bigint, local_support bigint, payable bigint, period_end date, "
            "inputs jsonb, result jsonb, PRIMARY KEY (m, steps, every, grp)", quotes)
    cur.execute("""CREATE TEMP TABLE syn_vsi ON COMMIT DROP AS
        WITH who AS MATERIALIZED (
          SELECT p.id, p.area_id AS home,
                 (ARRAY[1, 1, 1, 1, 1, 3, 6, 12])[1 + floor(random() * 8)::int] AS every,
                 floor(random() * 24)::int AS first_m, 12 + floor(random() * 84)::int AS span,
                 (ARRAY[0, 0, 0, 5, 10])[1 + floor(random() * 5)::int] AS steps, random() AS g
          FROM registry_person p
          WHERE p.id >= %(pbase)s AND extract(year FROM p.date_of_birth) BETWEEN %(y58)s AND %(y18)s
            AND random() < %(share)s)
        SELECT w.id AS person_id, w.home, w.every, w.steps,
               CASE WHEN w.g < 0.8 THEN '' WHEN w.g < 0.9 THEN 'poor' ELSE 'near_poor' END AS grp,
               m, m > w.first_m AS renewal
        FROM who w CROSS JOIN generate_series(w.first_m, least(w.first_m + w.span, %(last_m)s), w.every) m""",
                {"pbase": pbase, "y58": start.year - 58, "y18": start.year - 18, "share": synth.VSI_SHARE,
                 "last_m": last_m})


def _hi_terms(cur: Any, rules: _Rules, start: date, last: date, last_m: int, hbase: int) -> None:
    """Each household, from a month of the first year, buys a 12-month card in a year with HI_FIRST
    (after a year without) or HI_RENEW (after a paid year); the chain of paid years is drawn as one of
    the 2**YEARS patterns with its probability."""
    from ansinh.demo import synth

    patterns, low = [], 0.0
    for paid in product((False, True), repeat=YEARS):
        chance, before = 1.0, False
        for year in paid:
            p = synth.HI_RENEW if before else synth.HI_FIRST
            chance *= p if year else 1 - p
            before = year
        patterns.append((low, low + chance, list(paid)))
        low += chance
    patterns[-1] = (patterns[-1][0], 2.0, patterns[-1][2])  # rounding: every draw in [0, 1) finds one
    _values(cur, "syn_pattern", "lo float8, hi float8, paid bool[]", patterns)
    cur.execute("""CREATE TEMP TABLE syn_hi ON COMMIT DROP AS
        WITH h AS MATERIALIZED (SELECT i, size, home, floor(random() * 12)::int AS o, random() AS r FROM syn_hh)
        SELECT %(hbase)s + h.i - 1 AS household_id, h.size, h.home, y, h.o + 12 * y AS m,
               y > 0 AND pt.paid[y] AS renewal,
               least(%(start)s::date + make_interval(months => h.o + 12 * y)
                     + make_interval(days => floor(random() * 28)::int), %(last)s::date)::date AS day,
               NULL::date AS prev_end, NULL::int AS card_id, NULL::date AS valid_from, NULL::date AS valid_to
        FROM h JOIN syn_pattern pt ON h.r >= pt.lo AND h.r < pt.hi CROSS JOIN generate_series(0, %(years)s - 1) y
        WHERE pt.paid[y + 1] AND h.o + 12 * y <= %(last_m)s""",
                {"hbase": hbase, "start": start, "last": last, "years": YEARS, "last_m": last_m})
    cur.execute("CREATE INDEX ON syn_hi (y, household_id)")
    cur.execute("ANALYZE syn_hi")
    # Amounts: once per (day, size); a renewal's amounts are the same (only the card dates move).
    cur.execute("SELECT DISTINCT day, size FROM syn_hi")
    quotes, lines = [], []
    for day, size in cur.fetchall():
        quote, inputs, result = rules.hi_quote(day, size)
        quotes.append((day, size, quote.total, json.dumps(inputs), json.dumps(result, default=str)))
        lines += [(day, size, j, m.rank or 0, m.factor, m.monthly, m.amount) for j, m in enumerate(quote.members)]
    _values(cur, "syn_q_hi", "day date, size int, total bigint, inputs jsonb, result jsonb, PRIMARY KEY (day, size)",
            quotes)
    _values(cur, "syn_q_hi_line", "day date, size int, j int, rank int, factor numeric, monthly bigint, "
            "amount bigint, PRIMARY KEY (day, size, j)", lines)
    # Card dates, one year of the chain at a time: a renewal continues the previous year's card. The
    # card and the parameters it used (waiting days, lapse rule) per (day, previous end), from a
    # one-member quote; the members' amounts above do not depend on it.
    cur.execute("""CREATE TEMP TABLE syn_card (id int PRIMARY KEY, day date, prev date, valid_from date,
                   valid_to date, card jsonb, parameters jsonb, UNIQUE (day, prev)) ON COMMIT DROP""")
    cards: set[tuple[date, date | None]] = set()
    for year in range(YEARS):
        if year:
            cur.execute("""UPDATE syn_hi c SET prev_end = p.valid_to FROM syn_hi p
                           WHERE c.y = %s AND c.renewal AND p.y = %s AND p.household_id = c.household_id""",
                        [year, year - 1])
        cur.execute("SELECT DISTINCT day, prev_end FROM syn_hi WHERE y = %s", [year])
        rows = []
        for day, previous in cur.fetchall():
            if (day, previous) in cards:
                continue
            cards.add((day, previous))
            quote, _, result = rules.hi_quote(day, 1, previous)
            rows.append((len(cards), day, previous or NO_CARD, quote.card.valid_from, quote.card.valid_to,
                         json.dumps(result["card"]), json.dumps(result["parameters"], default=str)))
        with cur.cursor.copy("COPY syn_card FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cur.execute("ANALYZE syn_card")
        cur.execute("""UPDATE syn_hi c SET card_id = k.id, valid_from = k.valid_from, valid_to = k.valid_to
                       FROM syn_card k WHERE c.y = %s AND k.day = c.day AND k.prev = coalesce(c.prev_end, %s)""",
                    [year, NO_CARD])


def _write(cur: Any, start: date, last: date, now: Any, post_id: int, reversed_share: float) -> int:
    """One staging table of every term (its ids reserved), then calculation records, terms, card lines
    and payments, each in one INSERT … SELECT."""
    tz = timezone.get_default_timezone_name()
    cur.execute("""CREATE TEMP TABLE syn_term ON COMMIT DROP AS
        SELECT row_number() OVER () AS n, t.* FROM (
          SELECT 'vsi' AS scheme, v.person_id, NULL::int AS household_id, v.home, v.m, v.steps, v.every, v.grp,
                 NULL::date AS day, NULL::int AS size, NULL::int AS card_id, NULL::date AS valid_from,
                 NULL::date AS valid_to,
                 v.renewal, (%(start)s::date + make_interval(months => v.m))::date AS month
          FROM syn_vsi v
          UNION ALL
          SELECT 'household_hi', NULL, h.household_id, h.home, h.m, NULL, 12, NULL, h.day, h.size, h.card_id,
                 h.valid_from,
                 h.valid_to, h.renewal, NULL
          FROM syn_hi h) t""", {"start": start})
    cur.execute("SELECT count(*) FROM syn_term")
    terms = int(cur.fetchone()[0])
    if not terms:
        return 0
    cur.execute("""ALTER TABLE syn_term ADD COLUMN paid_at timestamptz, ADD COLUMN agent_k float8,
                                        ADD COLUMN reversed bool""")
    cur.execute("""UPDATE syn_term SET
        paid_at = (least(coalesce(day, month + floor(random() * 28)::int), %(last)s::date)
                   + make_time(7 + floor(random() * 11)::int, floor(random() * 60)::int, 0)) AT TIME ZONE %(tz)s,
        agent_k = random(), reversed = random() < %(rev)s""", {"last": last, "tz": tz, "rev": reversed_share})
    cbase, ebase = _reserve(cur, "enrollment_calculationrecord", terms), _reserve(cur, "enrollment_enrollment", terms)
    cur.execute("""INSERT INTO enrollment_calculationrecord (id, scheme, computed_on, inputs, result, parameters,
                                                             created_at)
        SELECT %(cbase)s + t.n - 1, t.scheme, coalesce(t.day, t.month), coalesce(v.inputs, h.inputs),
               coalesce(v.result, h.result || jsonb_build_object('card', k.card, 'parameters', k.parameters)),
               '[]'::jsonb, %(now)s
        FROM syn_term t LEFT JOIN syn_q_vsi v ON t.scheme = 'vsi' AND (v.m, v.steps, v.every, v.grp) =
                                                                    (t.m, t.steps, t.every, t.grp)
                        LEFT JOIN syn_q_hi h ON t.scheme = 'household_hi' AND (h.day, h.size) = (t.day, t.size)
                        LEFT JOIN syn_card k ON k.id = t.card_id""",
                {"cbase": cbase, "now": now})
    cur.execute("""INSERT INTO enrollment_enrollment (id, scheme, person_id, household_id, area_id, is_renewal,
            quoted_on, period_start, period_end, months, income, support_groups, supported_months, gross,
            state_support, local_support, payable, method, calculation_id, status, created_by_id, created_at)
        SELECT %(ebase)s + t.n - 1, t.scheme, t.person_id, t.household_id, e.unit_id, t.renewal,
               coalesce(t.day, t.month), coalesce(t.valid_from, t.month), coalesce(t.valid_to, v.period_end),
               t.every, v.income, coalesce(v.groups, '[]'::jsonb), coalesce(v.supported, 0),
               coalesce(v.gross, h.total), coalesce(v.state_support, 0), coalesce(v.local_support, 0),
               coalesce(v.payable, h.total), 'regular', %(cbase)s + t.n - 1,
               CASE WHEN t.reversed THEN %(cancelled)s ELSE %(paid)s END, NULL, %(now)s
        FROM syn_term t
        JOIN syn_era e ON e.commune_id = t.home AND (t.paid_at AT TIME ZONE %(tz)s)::date >= e.d_from
                      AND (t.paid_at AT TIME ZONE %(tz)s)::date < e.d_to
        LEFT JOIN syn_q_vsi v ON t.scheme = 'vsi' AND (v.m, v.steps, v.every, v.grp) = (t.m, t.steps, t.every, t.grp)
        LEFT JOIN syn_q_hi h ON t.scheme = 'household_hi' AND (h.day, h.size) = (t.day, t.size)""",
                {"ebase": ebase, "cbase": cbase, "now": now, "tz": tz, "cancelled": EnrollmentStatus.CANCELLED,
                 "paid": EnrollmentStatus.PAID})
    # every synthetic household is charged as a household (no poverty status): its gross is what it pays
    cur.execute("""INSERT INTO enrollment_hicardline (enrollment_id, person_id, rank, factor, monthly, amount,
                                                      "group", gross, state_support, local_support,
                                                      valid_from, valid_to, initial_clinic, card_kind, live)
        SELECT %(ebase)s + t.n - 1, hh.head_id + l.j, l.rank, l.factor, l.monthly, l.amount,
               'household', l.amount, 0, 0, t.valid_from, t.valid_to, '', 'electronic', NOT t.reversed
        FROM syn_term t JOIN registry_household hh ON hh.id = t.household_id
        JOIN syn_q_hi_line l ON (l.day, l.size) = (t.day, t.size)
        WHERE t.scheme = 'household_hi'""", {"ebase": ebase})
    cur.execute("""CREATE TEMP TABLE syn_pay ON COMMIT DROP AS
        SELECT t.n, t.paid_at, t.reversed, a.agent_id, a.point_id, coalesce(v.payable, h.total) AS amount
        FROM syn_term t JOIN syn_commune c ON c.id = t.home
        JOIN syn_agent a ON a.commune_id = t.home AND a.k = floor(t.agent_k * c.n)::int
        LEFT JOIN syn_q_vsi v ON t.scheme = 'vsi' AND (v.m, v.steps, v.every, v.grp) = (t.m, t.steps, t.every, t.grp)
        LEFT JOIN syn_q_hi h ON t.scheme = 'household_hi' AND (h.day, h.size) = (t.day, t.size)""")
    pay_base = _reserve(cur, "payments_payment", terms)
    columns = """enrollment_id, amount, method, payer, sponsor_id, agent_id, collector_id, collection_point_id,
                 recorded_by_id, paid_at, idempotency_key, reverses_id, reason, backdate_reason, bhxh_confirmation,
                 created_at"""
    cur.execute(f"""INSERT INTO payments_payment (id, {columns})
        SELECT %(pay)s + p.n - 1, %(ebase)s + p.n - 1, p.amount, 'cash', 'participant', NULL, p.agent_id, %(post)s,
               p.point_id, NULL, p.paid_at, 'SYN-' || (%(ebase)s + p.n - 1), NULL, '', '', '', %(now)s
        FROM syn_pay p""", {"pay": pay_base, "ebase": ebase, "post": post_id, "now": now})
    cur.execute(f"""INSERT INTO payments_payment ({columns})
        SELECT %(ebase)s + p.n - 1, -p.amount, 'cash', 'participant', NULL, p.agent_id, %(post)s, p.point_id, NULL,
               least(p.paid_at + interval '1 day', %(now)s), 'SYN-' || (%(ebase)s + p.n - 1) || '-r',
               %(pay)s + p.n - 1, 'Thu nhầm (giả lập)', '', '', %(now)s
        FROM syn_pay p WHERE p.reversed""", {"pay": pay_base, "ebase": ebase, "post": post_id, "now": now})
    cur.execute("SELECT count(*) FROM syn_pay WHERE reversed")
    return terms + int(cur.fetchone()[0])
