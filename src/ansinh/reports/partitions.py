"""Monthly declarative partitions of the two tables that grow with every payment, for a national
deployment on PostgreSQL (`ansinh db partition`; docs/adr/0015-national-shape.md).

- ``payments_payment`` by ``paid_at`` (a month of Asia/Ho_Chi_Minh time per partition);
- ``reports_fact`` by ``day``.

PostgreSQL requires every primary key and unique constraint of a partitioned table to include the
partition key, and a foreign key to point at such a constraint. So the conversion:

- makes the primary keys ``(id, paid_at)`` and ``(id, day)`` (ids still come from one sequence, so an
  id stays unique; Django still reads and writes by ``id``);
- keeps ``one_fact_per_cell`` as it is (it contains ``day``), so the payment listener's
  ``ON CONFLICT ON CONSTRAINT one_fact_per_cell`` works unchanged on the partitioned table;
- moves what must stay unique across months — a payment's id, its idempotency key, the payment a
  reversal reverses — to ``payments_payment_ref``, a plain table filled by a trigger on each insert
  into the payments: a duplicate key raises the same unique violation (``IntegrityError``) the
  services already answer with a replay; the foreign keys that pointed at payments (receipts,
  reversal requests, a reversal's ``reverses``) point at it instead, with the same names;
- recreates every other index, check and outgoing foreign key under its own name, and adds one index
  per lookup column the dropped unique constraints used to serve (key, ``reverses_id``).

Everything runs in one transaction under an exclusive lock; a table already partitioned only gets
its missing months (``ahead`` months past today, and a default partition for anything else).
Payments are append-only, so the reference table needs no delete trigger; load demo data (whose SQL
path skips triggers) before converting, never after.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction
from django.utils.translation import gettext as _

from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.payments.models import KEY_MAX_LENGTH

REF = "payments_payment_ref"
ZONE = "+07"  # Asia/Ho_Chi_Minh has no daylight saving: a month starts at 00:00+07


@dataclass(frozen=True)
class Table:
    name: str
    key: str
    timestamp: bool  # the key is a timestamptz (else a date)


PAYMENTS = Table("payments_payment", "paid_at", timestamp=True)
FACTS = Table("reports_fact", "day", timestamp=False)
TABLES = (PAYMENTS, FACTS)


def _month(day: date, months: int = 0) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _bound(table: Table, month: date) -> str:
    return f"'{month.isoformat()} 00:00{ZONE}'" if table.timestamp else f"'{month.isoformat()}'"


def is_partitioned(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [name])
        row = cursor.fetchone()
    return row is not None and row[0] == "p"


def partitions(name: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                       "WHERE i.inhparent = to_regclass(%s) ORDER BY 1", [name])
        return [r[0] for r in cursor.fetchall()]


def require_postgresql(vendor: str) -> None:
    """Partitions are PostgreSQL's: any other engine is refused with a clear message."""
    if vendor != "postgresql":
        raise DomainError(ErrorCode.INVALID_INPUT, _("Chia phân vùng theo tháng chỉ dùng với PostgreSQL."),
                          "Monthly partitions need PostgreSQL.")


@transaction.atomic
def partition(today: date, ahead: int = 12) -> list[str]:
    """Convert both tables (or add their missing months); returns what was done, one line each."""
    require_postgresql(connection.vendor)
    done = []
    for table in TABLES:
        if not is_partitioned(table.name):
            _convert(table, today, ahead)
            done.append(_("{name}: đã chia theo tháng ({value} phân vùng)").format(
                            name=table.name, value=len(partitions(table.name))))
        added = _add_months(table, _first_month(table, today), _month(today, ahead))
        done.append(_("{name}: thêm {added} tháng").format(name=table.name, added=added))
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table.name}")
    return done


def _first_month(table: Table, today: date) -> date:
    with connection.cursor() as cursor:
        key = f"({table.key} AT TIME ZONE 'Asia/Ho_Chi_Minh')::date" if table.timestamp else table.key
        cursor.execute(f"SELECT min({key}) FROM {table.name}")
        first = cursor.fetchone()[0]
    return _month(first or today)


def _add_months(table: Table, first: date, last: date) -> int:
    existing = set(partitions(table.name))
    added, month = 0, first
    with connection.cursor() as cursor:
        while month <= last:
            name = f"{table.name}_p{month:%Y%m}"
            if name not in existing:
                try:
                    with transaction.atomic():
                        cursor.execute(f"CREATE TABLE {name} PARTITION OF {table.name} FOR VALUES FROM "
                                       f"({_bound(table, month)}) TO ({_bound(table, _month(month, 1))})")
                except Exception as error:  # rows of that month already in the default partition
                    raise DomainError(
                        ErrorCode.INVALID_INPUT,
                        _("Không tạo được phân vùng {name}: phân vùng mặc định đã có dòng của tháng đó "
                          "({error}).").format(
                            name=name, error=error),
                        f"Cannot create {name}: the default partition holds rows of that month.") from error
                added += 1
            month = _month(month, 1)
        if f"{table.name}_default" not in existing:
            cursor.execute(f"CREATE TABLE {table.name}_default PARTITION OF {table.name} DEFAULT")
    return added


def _convert(table: Table, today: date, ahead: int) -> None:
    name, key = table.name, table.key
    with connection.cursor() as cursor:
        # Deferred foreign-key checks still pending in this transaction would forbid dropping the old table.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"LOCK TABLE {name} IN ACCESS EXCLUSIVE MODE")
        cursor.execute("SELECT conname, contype, pg_get_constraintdef(oid), "
                       "array(SELECT attname FROM pg_attribute WHERE attrelid = conrelid AND attnum = ANY(conkey)) "
                       "FROM pg_constraint WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'f')", [name])
        own = cursor.fetchall()
        cursor.execute("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                       "WHERE confrelid = %s::regclass AND conrelid <> confrelid AND contype = 'f'", [name])
        incoming = cursor.fetchall()
        cursor.execute("SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = %s::regclass AND "
                       "indexrelid NOT IN (SELECT conindid FROM pg_constraint WHERE conrelid = %s::regclass)",
                       [name, name])
        indexes = [r[0] for r in cursor.fetchall()]
        cursor.execute("SELECT coalesce(max(id), 0) FROM " + name)
        last_id = cursor.fetchone()[0]

        cursor.execute(f"CREATE TABLE {name}_new (LIKE {name} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
                       f"INCLUDING STORAGE) PARTITION BY RANGE ({key})")
        cursor.execute(f"ALTER TABLE {name} RENAME TO {name}_old")
        cursor.execute(f"ALTER TABLE {name}_new RENAME TO {name}")
        _add_months(table, _first_month_of(cursor, f"{name}_old", table, today), _month(today, ahead))
        cursor.execute(f"INSERT INTO {name} SELECT * FROM {name}_old")
        if table is PAYMENTS:
            _reference_table(cursor)
        cursor.execute(f"DROP TABLE {name}_old CASCADE")  # its identity sequence and the incoming FKs

        cursor.execute(f"CREATE SEQUENCE {name}_id_seq AS bigint OWNED BY {name}.id")
        cursor.execute(f"SELECT setval('{name}_id_seq', %s, %s)", [max(last_id, 1), last_id > 0])
        cursor.execute(f"ALTER TABLE {name} ALTER COLUMN id SET DEFAULT nextval('{name}_id_seq')")
        for conname, kind, definition, columns in own:
            if kind == "p":
                cursor.execute(f"ALTER TABLE {name} ADD CONSTRAINT {conname} PRIMARY KEY (id, {key})")
            elif kind == "u" and key in columns:
                cursor.execute(f"ALTER TABLE {name} ADD CONSTRAINT {conname} {definition}")
            elif kind == "u" and table is PAYMENTS:
                cursor.execute(f"CREATE INDEX {conname}_lookup ON {name} ({', '.join(columns)})")  # now in REF
            elif kind == "u":
                raise DomainError(ErrorCode.INVALID_INPUT, _("{name}.{conname} không chứa khoá phân vùng.").format(
                                                               name=name, conname=conname),
                                  f"{name}.{conname} lacks the partition key.")
            elif f"REFERENCES {name}(" in definition:  # a reversal's link to what it reverses
                cursor.execute(f"ALTER TABLE {name} ADD CONSTRAINT {conname} "
                               f"{definition.replace(f'REFERENCES {name}(', f'REFERENCES {REF}(')}")
            else:
                cursor.execute(f"ALTER TABLE {name} ADD CONSTRAINT {conname} {definition}")
        for definition in indexes:
            cursor.execute(definition)
        for other, conname, definition in incoming:
            if table is not PAYMENTS:
                raise DomainError(ErrorCode.INVALID_INPUT, _("{other}.{conname} trỏ vào {name}.").format(
                                                               other=other, conname=conname, name=name),
                                  f"{other}.{conname} references {name}.")
            cursor.execute(f"ALTER TABLE {other} ADD CONSTRAINT {conname} "
                           f"{definition.replace(f'REFERENCES {name}(', f'REFERENCES {REF}(')}")


def _first_month_of(cursor: object, source: str, table: Table, today: date) -> date:
    key = f"({table.key} AT TIME ZONE 'Asia/Ho_Chi_Minh')::date" if table.timestamp else table.key
    cursor.execute(f"SELECT min({key}) FROM {source}")  # type: ignore[attr-defined]
    first = cursor.fetchone()[0]  # type: ignore[attr-defined]
    return _month(first or today)


def _reference_table(cursor: object) -> None:
    """What must stay unique across months, filled from the payments and then by a trigger."""
    run = cursor.execute  # type: ignore[attr-defined]
    run(f"CREATE TABLE {REF} (id bigint PRIMARY KEY, paid_at timestamptz NOT NULL, "
        f"idempotency_key varchar({KEY_MAX_LENGTH}) NOT NULL CONSTRAINT payment_ref_key_unique UNIQUE, "
        f"reverses_id bigint CONSTRAINT payment_ref_reverses_unique UNIQUE)")
    run(f"INSERT INTO {REF} SELECT id, paid_at, idempotency_key, reverses_id FROM payments_payment")
    run(f"""CREATE FUNCTION payments_payment_ref_insert() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO {REF} (id, paid_at, idempotency_key, reverses_id)
            VALUES (NEW.id, NEW.paid_at, NEW.idempotency_key, NEW.reverses_id);
            RETURN NULL;
        END $$""")
    run("CREATE TRIGGER payments_payment_ref AFTER INSERT ON payments_payment "
        "FOR EACH ROW EXECUTE FUNCTION payments_payment_ref_insert()")
