"""Fast inserts for imports: PostgreSQL COPY with ids drawn from the table's sequence first (so the
caller can link rows without a round trip per row); other databases use bulk_create."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.apps import apps
from django.db import connection
from django.db.models import Model


def insert(model: type[Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[int]:
    """Insert ``rows`` (values in the order of ``columns``, attribute names such as ``area_id``; JSON
    columns as dicts or lists, kept alive by the caller for the call: equal objects are written once);
    returns their new primary keys in order. Must run inside the caller's transaction."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        created = model._default_manager.bulk_create([model(**dict(zip(columns, row, strict=True))) for row in rows],
                                                     batch_size=2000)
        return [obj.pk for obj in created]
    table = model._meta.db_table
    quote = connection.ops.quote_name
    dumped: dict[int, str] = {}  # callers pass the same JSON values again and again
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                       [table, len(rows)])
        ids = [row[0] for row in cursor.fetchall()]
        names = ", ".join(quote(c) for c in ("id", *columns))
        with cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
            for pk, row in zip(ids, rows, strict=True):
                copy.write_row((pk, *(_json(value, dumped) if isinstance(value, dict | list) else value
                                      for value in row)))
    return ids


def _json(value: dict[str, Any] | list[Any], dumped: dict[int, str]) -> str:
    key = id(value)
    if key not in dumped:
        dumped[key] = json.dumps(value, default=str)
    return dumped[key]


def lookup(model: type[Model], column: str, values: Sequence[Any], fields: Sequence[str]) -> list[tuple[Any, ...]]:
    """``fields`` of the rows whose ``column`` is one of ``values``. On PostgreSQL one ``= ANY(array)``
    query (an IN list of 100,000 placeholders is slow to build and to plan); elsewhere in chunks."""
    if not values:
        return []
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(quote(f) for f in fields)} FROM {quote(model._meta.db_table)} "
                           f"WHERE {quote(column)} = ANY(%s)", [list(values)])
            return [tuple(row) for row in cursor.fetchall()]
    found: list[tuple[Any, ...]] = []
    for start in range(0, len(values), 900):  # SQLite's limit on query parameters
        chunk = values[start:start + 900]
        found += list(model._default_manager.filter(**{f"{column}__in": chunk}).values_list(*fields))
    return found


JIT = False  # bench/synth.py --server-defaults: as the server sets it


def no_jit() -> None:
    """Turn PostgreSQL's JIT off for the current transaction: a bulk writer's whole-table statements
    cost enough to trigger it, and compiling took ~2 s per statement (docs/performance.md)."""
    if connection.vendor == "postgresql" and not JIT:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")


def analyze(models: Iterable[type[Model]]) -> None:
    """Refresh the planner's statistics of the tables a bulk writer touched (ARCHITECTURE: bulk writers
    end with ANALYZE), so a freshly loaded database does not plan nested loops over millions of rows.
    Cheap: PostgreSQL samples at most 300 × default_statistics_target rows per table."""
    tables = sorted({model._meta.db_table for model in models})
    if not tables:
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {', '.join(quote(t) for t in tables)}")
        elif connection.vendor == "sqlite":
            for table in tables:
                cursor.execute(f"ANALYZE {quote(table)}")


def app_models(*labels: str) -> list[type[Model]]:
    """The concrete models of these apps (for ``analyze`` after a load that touches most of them)."""
    return [m for label in labels for m in apps.get_app_config(label).get_models()
            if m._meta.managed and not m._meta.proxy]
