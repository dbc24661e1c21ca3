"""The demo's rows, captured once per test process and written back for each module that asks for the
demo (``demo_data``), instead of running ``load_demo()`` again: the loader goes through the services
(quotes, receipts, facts) and took 10–80 s a module, the rows go back in about a second.

What is captured is what ``load_demo()`` added to the tables (rows whose key was not there before), as
the database stores it: PostgreSQL's ``COPY`` text, SQLite's raw values. A snapshot is valid only over
the map it was taken on (the demo's rows point at its units), so it is keyed by the map's fingerprint;
after a transactional test reloaded the map with new keys, the next module takes a new snapshot.
``tests/demo/test_demo_snapshot.py`` checks that a restore writes, table by table, what the loader writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max, Min

from ansinh.areas.models import AdministrativeUnit


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    pk: str
    rows: Any  # bytes of COPY text (PostgreSQL) or a list of tuples (SQLite)


def models() -> list[Any]:
    """The project's tables in an order that inserts each row after the rows it points at, as far as
    the foreign keys allow (the database checks them at the commit, but a few triggers read the parent
    row: enrollment_hicardline's ``live``)."""
    pending = [m for m in apps.get_models(include_auto_created=True) if m._meta.managed and not m._meta.proxy]
    parents = {m: {f.related_model for f in m._meta.concrete_fields if f.is_relation} - {m} for m in pending}
    ordered: list[Any] = []
    while pending:
        ready = [m for m in pending if not parents[m] - set(ordered)] or pending[:1]  # a cycle: take one
        ordered += ready
        pending = [m for m in pending if m not in ready]
    return ordered


MAP_MODELS = ("areas.AdministrativeUnit", "areas.Succession")


def capture_all(labels: tuple[str, ...]) -> list[Table]:
    """Every row of the given models' tables (the map), in insertion order."""
    wanted = {apps.get_model(label)._meta.db_table for label in labels}
    return capture({name: (set() if name in wanted else rows) for name, rows in keys().items()})


def map_fingerprint() -> tuple[Any, ...]:
    found = AdministrativeUnit.objects.aggregate(low=Min("pk"), high=Max("pk"))
    return found["low"], found["high"], AdministrativeUnit.objects.count()


def keys() -> dict[str, set[Any]]:
    """Each table's keys, before the loader runs."""
    out = {}
    with connection.cursor() as cursor:
        for model in models():
            quote = connection.ops.quote_name
            cursor.execute(f"SELECT {quote(model._meta.pk.column)} FROM {quote(model._meta.db_table)}")
            out[model._meta.db_table] = {row[0] for row in cursor.fetchall()}
    return out


def capture(before: dict[str, set[Any]]) -> list[Table]:
    """The rows added since ``before``, table by table, in insertion order."""
    quote = connection.ops.quote_name
    tables = []
    with connection.cursor() as cursor:
        for model in models():
            name, pk = model._meta.db_table, model._meta.pk.column
            columns = tuple(field.column for field in model._meta.concrete_fields)
            cursor.execute(f"SELECT {quote(pk)} FROM {quote(name)}")
            added = sorted({row[0] for row in cursor.fetchall()} - before[name])
            if not added:
                continue
            column_list = ", ".join(quote(c) for c in columns)
            if connection.vendor == "postgresql":
                with connection.connection.cursor() as pg, pg.copy(  # psycopg 3
                        f"COPY (SELECT {column_list} FROM {quote(name)} WHERE {quote(pk)} = ANY(%s) "
                        f"ORDER BY {quote(pk)}) TO STDOUT", (added,)) as copy:
                    rows: Any = b"".join(bytes(chunk) for chunk in copy)
            else:
                marks = ", ".join("?" for _ in added) if len(added) < 900 else None
                if marks:
                    cursor.execute(f"SELECT {column_list} FROM {quote(name)} WHERE {quote(pk)} IN ({marks}) "
                                   f"ORDER BY {quote(pk)}", added)
                    rows = cursor.fetchall()
                else:
                    wanted = set(added)
                    cursor.execute(f"SELECT {column_list} FROM {quote(name)} ORDER BY {quote(pk)}")
                    rows = [row for row in cursor.fetchall() if row[columns.index(pk)] in wanted]
            tables.append(Table(name, columns, pk, rows))
    return tables


def restore(tables: list[Table]) -> None:
    """Write the captured rows back (inside the caller's transaction), then move each table's key
    sequence past them (PostgreSQL; SQLite's AUTOINCREMENT follows the inserted keys by itself)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in tables:
            column_list = ", ".join(quote(c) for c in table.columns)
            if connection.vendor == "postgresql":
                with connection.connection.cursor() as pg, pg.copy(
                        f"COPY {quote(table.name)} ({column_list}) FROM STDIN") as copy:
                    copy.write(table.rows)
            else:
                marks = ", ".join("?" for _ in table.columns)
                cursor.executemany(f"INSERT INTO {quote(table.name)} ({column_list}) VALUES ({marks})", table.rows)
        if connection.vendor == "postgresql":
            restored = {table.name for table in tables}
            for statement in connection.ops.sequence_reset_sql(
                    no_style(), [m for m in models() if m._meta.db_table in restored]):
                cursor.execute(statement)
