"""The demo the test modules get (``demo_data``) is written back from a snapshot of ``load_demo()``
(tests/demo_snapshot.py): table by table, the restored rows are the rows the loader writes."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction

from ansinh.demo.services import load_demo
from tests import demo_snapshot

pytestmark = pytest.mark.django_db


def _contents() -> dict[str, list[tuple[Any, ...]]]:
    quote = connection.ops.quote_name
    out = {}
    with connection.cursor() as cursor:
        for model in demo_snapshot.models():
            columns = ", ".join(quote(field.column) for field in model._meta.concrete_fields)
            table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
            cursor.execute(f"SELECT {columns} FROM {table} ORDER BY {pk}")
            out[model._meta.db_table] = cursor.fetchall()
    return out


def test_a_restored_demo_is_table_by_table_what_the_loader_writes() -> None:
    before = demo_snapshot.keys()
    with transaction.atomic():
        load_demo()
        loaded = _contents()
        rows = demo_snapshot.capture(before)
        transaction.set_rollback(True)
    assert _contents() != loaded  # the control: the load was rolled back
    assert {"registry_person", "payments_payment", "reports_fact", "auth_user"} <= {t.name for t in rows}
    with transaction.atomic():
        demo_snapshot.restore(rows)
        restored = _contents()
        transaction.set_rollback(True)
    assert [name for name in loaded if restored[name] != loaded[name]] == []
