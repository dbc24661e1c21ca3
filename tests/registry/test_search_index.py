"""On PostgreSQL, name search is backed by a trigram index on the folded name."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_the_folded_name_has_a_trigram_index_on_postgresql() -> None:
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'person_folded_name_trgm'")
            assert cursor.fetchall() == []  # SQLite has no trigram index; the migration skips it
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'person_folded_name_trgm'")
        (definition,) = cursor.fetchone()
    assert "gin" in definition and "gin_trgm_ops" in definition and "folded_name" in definition
