"""The people import's PostgreSQL path: the validated rows are COPYed into a temporary staging table as
they are read (memory stays flat whatever the file's size), and the checks that need the whole file —
a citizen ID or SI code repeated, a household without its head row — and every write are set-based SQL
over that table: matching people already registered, new people, households with their codes,
memberships and one audit entry per record, each one ``INSERT … SELECT``.

The rules are those of ``registry.imports`` (``_households`` and ``_write``, the path SQLite keeps);
tests/registry run both. Row numbers (``n``) are the validation's (the first data row is 2); ``line``
and ``sheet`` are where the row is in the file, for the problems.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from django.db import connection
from django.utils.translation import gettext_lazy

log = logging.getLogger(__name__)  # each step's seconds at DEBUG (bench/import_people.py prints them)

# A large load drops a table's secondary indexes that check nothing (the people's trigram GIN index and
# plain b-trees, the audit entries' b-trees: not the primary key, not the unique ones, not behind a
# constraint) and builds them again once after its insert: maintaining them row by row cost 3-7 times
# more than building them from scratch (bench/import_people.py, 200,000 rows: people 16.4 s maintained,
# 2.2 + 2.7 s dropped and rebuilt; audit entries 26.3 s, 3.8 + 1.3 s; docs/performance.md). "Large":
# more new rows than REBUILD_ABOVE and at least as many as the table already holds (the planner's
# estimate), since a rebuild sorts the whole table: the audit table grows with every write of the
# application, and rebuilding its indexes over a long history would cost more than the load saves.
# Dropping an index locks its table (ACCESS EXCLUSIVE) to the commit, which a load this large wants anyway.
REBUILD_ABOVE = 50_000
TRIGRAM_INDEX = "person_folded_name_trgm"

STAGED_COLUMNS = ("n", "line", "sheet", "head", "full_name", "folded_name", "date_of_birth", "birth_precision",
                  "sex", "ethnicity", "citizen_id", "si_code", "phone", "area_id", "address", "relationship",
                  "residence_code", "is_head", "masked_id", "masked_phone", "run0", "part0")

_CREATE = """
CREATE TEMPORARY TABLE import_rows (
    n integer NOT NULL, line integer NOT NULL, sheet text, head text NOT NULL, full_name text NOT NULL,
    folded_name text NOT NULL, date_of_birth date NOT NULL, birth_precision text NOT NULL, sex text NOT NULL,
    ethnicity text NOT NULL, citizen_id text, si_code text, phone text NOT NULL, area_id integer NOT NULL,
    address text NOT NULL, relationship text NOT NULL, residence_code text NOT NULL, is_head boolean NOT NULL,
    masked_id text, masked_phone text, run0 integer NOT NULL, part0 integer NOT NULL
) ON COMMIT DROP
"""

# The file's own checks, in _households' order: a citizen ID seen on an earlier row refuses the later
# ones; then an SI code seen on an earlier (not refused) row; then households are the runs of
# consecutive kept rows with one commune and head's name, a second head row starting a new household
# (``part``), and a run without a head row is refused whole.
_CHECK = """
CREATE TEMPORARY TABLE import_checked ON COMMIT DROP AS
WITH by_id AS (
    SELECT *, citizen_id IS NOT NULL AND n > min(n) OVER (PARTITION BY citizen_id) AS id_twice FROM import_rows
), by_si AS (
    SELECT *, NOT id_twice AND si_code IS NOT NULL
              AND n > min(n) FILTER (WHERE NOT id_twice) OVER (PARTITION BY si_code) AS si_twice
    FROM by_id
), kept AS (
    SELECT *, CASE WHEN (area_id, head) IS DISTINCT FROM (lag(area_id) OVER w, lag(head) OVER w)
                   THEN 1 ELSE 0 END AS starts
    FROM by_si WHERE NOT id_twice AND NOT si_twice WINDOW w AS (ORDER BY n)
), runs AS (
    SELECT *, sum(starts) OVER (ORDER BY n) AS run FROM kept
), parts AS (
    SELECT *, greatest(sum(is_head::int) OVER (PARTITION BY run ORDER BY n), 1) AS part,
           bool_or(is_head) OVER (PARTITION BY run) AS has_head
    FROM runs
)
SELECT b.*, p.run, p.part, coalesce(p.has_head, false) AS has_head
FROM by_si b LEFT JOIN parts p USING (n)
"""

# Whether a citizen ID or an SI code is on two staged rows (hash aggregates: no sort of the rows).
_REPEATS = """
SELECT EXISTS (SELECT FROM import_rows WHERE citizen_id IS NOT NULL GROUP BY citizen_id HAVING count(*) > 1)
    OR EXISTS (SELECT FROM import_rows WHERE si_code IS NOT NULL GROUP BY si_code HAVING count(*) > 1)
"""

# _CHECK when no row is refused by it (no citizen ID or SI code twice, the common case): every staged
# row is kept, so the runs and parts are those the reading counted as the rows came in file order
# (``run0``, ``part0``: the same rule as _CHECK's windows over consecutive rows) and a run has a head
# when any of its rows is one: the same table as _CHECK without sorting the rows four times.
_CHECK_KEPT = """
CREATE TEMPORARY TABLE import_checked ON COMMIT DROP AS
SELECT r.*, false AS id_twice, false AS si_twice, r.run0::bigint AS run, r.part0::bigint AS part,
       h.run0 IS NOT NULL AS has_head
FROM import_rows r LEFT JOIN (SELECT DISTINCT run0 FROM import_rows WHERE is_head) h USING (run0)
"""

_PROBLEMS = """
SELECT n, line, sheet, column_name, reason, head FROM (
    SELECT n, line, sheet, 'citizen_id' AS column_name, 'id_twice' AS reason, NULL AS head
    FROM import_checked WHERE id_twice
    UNION ALL
    SELECT n, line, sheet, 'si_code', 'si_twice', NULL FROM import_checked WHERE si_twice
    UNION ALL
    SELECT n, line, sheet, 'head', 'no_head', head
    FROM import_checked WHERE run IS NOT NULL AND NOT has_head
) problems ORDER BY n
"""
# The reasons of _PROBLEMS by code, in the language shown (the same words as imports.py's).
_REASONS = {"id_twice": gettext_lazy("số định danh đã có ở dòng trước"),
            "si_twice": gettext_lazy("mã số BHXH đã có ở dòng trước"),
            "no_head": gettext_lazy("hộ «{head}» không có dòng chủ hộ")}

# The kept rows with their person: one registered with the row's citizen ID (a row without one: the
# same folded name, date of birth and commune), else with its SI code; else an earlier row of the file
# without citizen ID naming the same person (``same_as``); else a new person, its id from the sequence.
_PEOPLE = """
CREATE TEMPORARY TABLE import_valid ON COMMIT DROP AS
WITH matched AS (
    SELECT c.*, coalesce(CASE WHEN c.citizen_id IS NOT NULL THEN by_id.id ELSE by_key.id END, by_si.id) AS found
    FROM import_checked c
    LEFT JOIN registry_person by_id ON by_id.citizen_id = c.citizen_id
    LEFT JOIN LATERAL (
        SELECT min(p.id) AS id FROM registry_person p
        WHERE c.citizen_id IS NULL AND p.folded_name = c.folded_name AND p.date_of_birth = c.date_of_birth
          AND p.area_id = c.area_id
    ) by_key ON true
    LEFT JOIN registry_person by_si ON by_si.si_code = c.si_code
    WHERE c.has_head
), unmatched AS (
    SELECT *, CASE WHEN found IS NULL AND citizen_id IS NULL
                        AND n > min(n) OVER (PARTITION BY found IS NULL, folded_name, date_of_birth, area_id)
                   THEN min(n) OVER (PARTITION BY found IS NULL, folded_name, date_of_birth, area_id) END AS same_as
    FROM matched
)
SELECT *, found IS NULL AND same_as IS NULL AS new_person,
       CASE WHEN found IS NULL AND same_as IS NULL THEN nextval(pg_get_serial_sequence('registry_person', 'id'))
            ELSE found END AS person_id
FROM unmatched
"""

_SAME_AS = """
UPDATE import_valid v SET person_id = first.person_id FROM import_valid first
WHERE v.same_as IS NOT NULL AND first.n = v.same_as
"""

_INSERT_PEOPLE = """
INSERT INTO registry_person (id, full_name, folded_name, date_of_birth, birth_precision, sex, ethnicity, citizen_id,
                             si_code, phone, area_id, address_detail, created_at, updated_at)
SELECT person_id, full_name, folded_name, date_of_birth, birth_precision, sex, ethnicity, citizen_id, si_code, phone,
       area_id, address, %(now)s, %(now)s
FROM import_valid WHERE new_person ORDER BY n
"""

# The households: one per group, keyed by its head row's person; a head who already heads a household
# keeps it, and the first group of a head without one makes it (its commune and address: the group's
# first row).
_GROUPS = """
CREATE TEMPORARY TABLE import_groups ON COMMIT DROP AS
WITH groups AS (
    SELECT run, part, min(n) AS first_n, min(person_id) FILTER (WHERE is_head) AS head_id
    FROM import_valid GROUP BY run, part
)
SELECT g.*, f.area_id, f.address, h.id AS existing_id,
       h.id IS NULL AND g.first_n = min(g.first_n) OVER (PARTITION BY g.head_id) AS makes_household
FROM groups g
JOIN import_valid f ON f.n = g.first_n
LEFT JOIN LATERAL (SELECT min(id) AS id FROM registry_household WHERE head_id = g.head_id) h ON true
"""

_NEW_HOUSEHOLDS_BY_AREA = """
SELECT area_id, count(*) FROM import_groups WHERE makes_household GROUP BY area_id ORDER BY area_id
"""

_CODES = "CREATE TEMPORARY TABLE import_codes (area_id integer, ordinal integer, code text) ON COMMIT DROP"

_HOUSEHOLD_IDS = """
CREATE TEMPORARY TABLE import_households ON COMMIT DROP AS
SELECT g.run, g.part, g.head_id, g.area_id, g.first_n, c.code,
       nextval(pg_get_serial_sequence('registry_household', 'id')) AS id, g.address
FROM (SELECT *, row_number() OVER (PARTITION BY area_id ORDER BY first_n) AS ordinal
      FROM import_groups WHERE makes_household) g
JOIN import_codes c ON c.area_id = g.area_id AND c.ordinal = g.ordinal
"""

_INSERT_HOUSEHOLDS = """
INSERT INTO registry_household (id, code, head_id, area_id, address_detail, created_at)
SELECT id, code, head_id, area_id, address, %(now)s FROM import_households ORDER BY first_n
"""

# Memberships: each row's (household, person) unless already open or earlier in the file.
_MEMBERSHIPS = """
CREATE TEMPORARY TABLE import_memberships ON COMMIT DROP AS
SELECT nextval(pg_get_serial_sequence('registry_membership', 'id')) AS id, pair.* FROM (
    SELECT DISTINCT ON (household_id, v.person_id) coalesce(g.existing_id, h.id) AS household_id, v.person_id,
           v.relationship, v.residence_code, v.area_id, v.n
    FROM import_valid v
    JOIN import_groups g USING (run, part)
    LEFT JOIN import_households h ON h.head_id = g.head_id
    ORDER BY household_id, v.person_id, v.n
) pair
WHERE NOT EXISTS (SELECT FROM registry_membership m WHERE m.household_id = pair.household_id
                  AND m.person_id = pair.person_id AND m.valid_to IS NULL)
"""

_INSERT_MEMBERSHIPS = """
INSERT INTO registry_membership (id, household_id, person_id, relationship, valid_from, valid_to, residence_code)
SELECT id, household_id, person_id, relationship, %(on)s, NULL, residence_code FROM import_memberships ORDER BY n
"""

# One audit entry per person, household and membership, in that order and each in row order (the ids
# as the in-memory path gives them): three statements rather than one sorted UNION, whose sort of every
# entry's jsonb spilled to disk at 1,000,000 rows (66.9 s for 2.3 million entries).
_AUDIT_INSERT = "INSERT INTO registry_auditentry (actor_id, at, action, entity, entity_id, area_id, changes) "
_AUDIT = (
    _AUDIT_INSERT + """
SELECT %(who)s, %(now)s, 'create', 'person', person_id, area_id,
       jsonb_build_object('full_name', jsonb_build_array(NULL, full_name),
                          'citizen_id', jsonb_build_array(NULL, masked_id),
                          'phone', jsonb_build_array(NULL, masked_phone),
                          'import', '[null, true]'::jsonb)
FROM import_valid WHERE new_person ORDER BY n""",
    _AUDIT_INSERT + """
SELECT %(who)s, %(now)s, 'create', 'household', id, area_id,
       jsonb_build_object('code', jsonb_build_array(NULL, code), 'import', '[null, true]'::jsonb)
FROM import_households ORDER BY first_n""",
    _AUDIT_INSERT + """
SELECT %(who)s, %(now)s, 'create', 'membership', id, area_id,
       jsonb_build_object('household', jsonb_build_array(NULL, household_id),
                          'person', jsonb_build_array(NULL, person_id),
                          'relationship', jsonb_build_array(NULL, relationship), 'import', '[null, true]'::jsonb)
FROM import_memberships ORDER BY n""",
)

_DROP = "DROP TABLE IF EXISTS import_rows, import_checked, import_valid, import_groups, import_codes, " \
        "import_households, import_memberships"


@contextmanager
def _step(name: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    log.debug("%s %.2f", name, time.perf_counter() - start)


def create() -> None:
    with connection.cursor() as cursor:
        # the planner's cost for these whole-table statements triggers JIT compilation, which took ~2 s
        # per statement (most of the statement) at 50,000 rows: off for the import's transaction
        cursor.execute("SET LOCAL jit = off")
        # the whole-file checks sort the staged rows several times, the index rebuild sorts the names:
        # in memory rather than in temporary files (this transaction only, as demo synth does)
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute(_DROP)
        cursor.execute(_CREATE)


def copy_rows(rows: Iterable[Sequence[Any]]) -> None:
    """COPY ``rows`` (values in STAGED_COLUMNS' order) into the staging table as they come."""
    with _step("read, validate and COPY to staging"), connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY import_rows ({', '.join(STAGED_COLUMNS)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def check() -> list[tuple[int, int, str | None, str, str]]:
    """The whole-file problems as (n, line, sheet, column, reason), in row order."""
    with _step("whole-file checks"), connection.cursor() as cursor:
        cursor.execute("ANALYZE import_rows")  # autovacuum never analyses temporary tables
        cursor.execute(_REPEATS)
        cursor.execute(_CHECK if cursor.fetchone()[0] else _CHECK_KEPT)
        cursor.execute(_PROBLEMS)
        return [(n, line, sheet, column, str(_REASONS[reason]).format(head=head))
                for n, line, sheet, column, reason, head in cursor.fetchall()]


def valid_rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM import_checked WHERE has_head")
        return int(cursor.fetchone()[0])


def write(actor_id: int | None, now: datetime, on: date,
          reserve: Callable[[int, int], list[str]]) -> tuple[int, int, int]:
    """Write the staged import; ``reserve(area id, count)`` gives the new households' codes (the
    communes' locked counters, registry.codes), called in area order. Returns (people, households,
    memberships) created."""
    with connection.cursor() as cursor:
        with _step("people matched"):
            cursor.execute(_PEOPLE)
            cursor.execute(_SAME_AS)
            cursor.execute("SELECT count(*) FROM import_valid WHERE new_person")
            people = int(cursor.fetchone()[0])
        large = _large(cursor, "registry_person", people)
        # the keys between the import's own tables, checked once over each table at the end instead of one
        # deferred query per row at commit
        keys = _drop_inner_foreign_keys(cursor) if large else []
        rebuilt = _drop_secondary_indexes(cursor, "registry_person") if large else []
        with _step("people inserted"):
            cursor.execute(_INSERT_PEOPLE, {"now": now})
        if rebuilt:
            with _step("people's indexes rebuilt"), _checks_run(cursor, ("registry_person",)):
                for definition in rebuilt:  # CREATE INDEX, like ALTER TABLE, refuses pending trigger events
                    cursor.execute(definition)
        with _step("households"):
            cursor.execute(_GROUPS)
            cursor.execute(_NEW_HOUSEHOLDS_BY_AREA)
            needed = cursor.fetchall()
            cursor.execute(_CODES)
            for area_id, count in needed:  # reserve queries: one COPY per commune, after its codes
                drawn = reserve(area_id, count)
                with cursor.cursor.copy("COPY import_codes (area_id, ordinal, code) FROM STDIN") as copy:
                    for ordinal, code in enumerate(drawn, start=1):
                        copy.write_row((area_id, ordinal, code))
            cursor.execute(_HOUSEHOLD_IDS)
            cursor.execute(_INSERT_HOUSEHOLDS, {"now": now})
            households = cursor.rowcount
        with _step("memberships"):
            cursor.execute(_MEMBERSHIPS)
            cursor.execute(_INSERT_MEMBERSHIPS, {"on": on})
            memberships = cursor.rowcount
        if keys:
            # the kept keys' checks of the rows just written run first (pending trigger events)
            with _step("inner foreign keys checked"), _checks_run(cursor, INNER_KEYS + INNER_TARGETS):
                for definition in keys:  # ALTER TABLE … ADD CONSTRAINT: one join over the table, every row
                    cursor.execute(definition)
        large = _large(cursor, "registry_auditentry", people + households + memberships)
        rebuilt = _drop_secondary_indexes(cursor, "registry_auditentry") if large else []
        with _step("audit entries"):
            for statement in _AUDIT:
                cursor.execute(statement, {"who": actor_id, "now": now})
        if rebuilt:  # the audit table has no foreign keys, so no pending trigger events to run first
            with _step("audit indexes rebuilt"):
                for definition in rebuilt:
                    cursor.execute(definition)
    return people, households, memberships


def drop() -> None:
    with connection.cursor() as cursor:
        cursor.execute(_DROP)


def _large(cursor: Any, table: str, rows: int) -> bool:
    """Whether inserting ``rows`` into ``table`` is a load for which its indexes are rebuilt."""
    if rows <= REBUILD_ABOVE:
        return False
    # the planner's estimate of the rows already there (-1: never analysed) is enough to weigh against
    cursor.execute("SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = %s::regclass", [table])
    return rows >= cursor.fetchone()[0]


# Keys from a table the import writes to another it writes: a household's head, a membership's household and
# person. Dropping a foreign key locks the referenced table too (ACCESS EXCLUSIVE, to the commit), so the keys
# to the communes stay (every request reads the map) and are checked row by row.
INNER_KEYS = ("registry_household", "registry_membership")
INNER_TARGETS = ("registry_person", "registry_household")


def _drop_inner_foreign_keys(cursor: Any) -> list[str]:
    """Drop the foreign keys between the import's tables (``INNER_KEYS`` → ``INNER_TARGETS``) and return the
    statements that add them again as they were."""
    cursor.execute("""
        SELECT quote_ident(conname), conrelid::regclass::text, pg_get_constraintdef(oid)
        FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) AND confrelid = ANY(%s::regclass[])
        ORDER BY conrelid, conname""", [list(INNER_KEYS), list(INNER_TARGETS)])
    keys = cursor.fetchall()
    with _checks_run(cursor, INNER_KEYS + INNER_TARGETS):  # rows written earlier in the transaction
        for name, table, _definition in keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    return [f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}" for name, table, definition in keys]


@contextmanager
def _checks_run(cursor: Any, tables: tuple[str, ...]) -> Iterator[None]:
    """The deferred foreign-key checks pending on ``tables`` run now, and are deferred again after the block: a
    table with pending trigger events cannot be altered (the checks would have run at the commit anyway)."""
    def deferred_keys() -> str | None:  # read again after the block: it may have dropped or added keys
        cursor.execute("SELECT string_agg(quote_ident(conname), ', ') FROM pg_constraint WHERE contype = 'f' "
                       "AND conrelid = ANY(%s::regclass[]) AND condeferrable AND condeferred", [list(tables)])
        return cursor.fetchone()[0]

    if names := deferred_keys():
        cursor.execute(f"SET CONSTRAINTS {names} IMMEDIATE")
    yield
    if names := deferred_keys():
        cursor.execute(f"SET CONSTRAINTS {names} DEFERRED")


def _drop_secondary_indexes(cursor: Any, table: str) -> list[str]:
    """Drop ``table``'s indexes that enforce nothing (not the primary key, not unique, not behind a
    constraint) and return their definitions, to build them again after a large insert."""
    cursor.execute("""
        SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE i.indrelid = %s::regclass AND NOT i.indisunique AND NOT i.indisprimary
          AND NOT EXISTS (SELECT FROM pg_constraint k WHERE k.conindid = i.indexrelid)
        ORDER BY c.relname""", [table])
    indexes = cursor.fetchall()
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    return [definition for _name, definition in indexes]
