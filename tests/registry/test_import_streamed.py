"""The people import as a stream (PostgreSQL: rows COPYed to a staging table as they are read): a file
that turns unreadable after its first rows is refused whole, the progress callback hears every row, and
the trigram index dropped and rebuilt for a large load is there again afterwards."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.db import connection

from ansinh.lib.errors import DomainError
from ansinh.registry import staging
from ansinh.registry.imports import import_people
from ansinh.registry.models import AuditEntry, Person
from tests.builders import COMMUNE_X, Personas, personas
from tests.registry.test_import_people import GOOD, HEADER, ON, totals, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def who() -> Personas:
    return personas()


def _households(count: int) -> list[list[str]]:
    """``count`` one-person households with distinct heads (no citizen ID: no check digits to build)."""
    return [[f"Hồ Văn {chr(65 + i // 26)}{chr(65 + i % 26)}", f"Hồ Văn {chr(65 + i // 26)}{chr(65 + i % 26)}",
             f"{1 + i % 28:02d}/01/1980", "Nam", "", "Chủ hộ", "", COMMUNE_X, "Xóm 1"] for i in range(count)]


def test_a_file_unreadable_after_its_first_rows_is_refused_and_writes_nothing(who: Personas, tmp_path: Path) -> None:
    path = tmp_path / "ho.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([HEADER, *_households(200)])
    with path.open("ab") as handle:  # past the header search's 30 lines and the reader's first buffer
        handle.write(b"\xff\xfe broken,,,\n" * 3)
    before = totals()
    with pytest.raises(DomainError) as refused:
        import_people(path, who.agent, who.scope(who.agent), ON)
    assert "UTF-8" in refused.value.message
    assert totals() == before


def test_the_progress_callback_hears_every_row(who: Personas, tmp_path: Path) -> None:
    heard: list[int] = []
    report = import_people(write_csv(tmp_path, GOOD), who.agent, who.scope(who.agent), ON, progress=heard.append)
    assert report.written
    assert sum(heard) == len(GOOD) == report.rows


def test_a_large_load_rebuilds_the_trigram_index_and_the_import_is_whole(
        who: Personas, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(staging, "TRIGRAM_REBUILD_ABOVE", 0)  # every load counts as large
    before = totals()
    report = import_people(write_csv(tmp_path, [*GOOD, *_households(60)]), who.agent, who.scope(who.agent), ON)
    assert report.written and not report.problems
    assert report.people_created == 64 and report.households_created == 62
    assert totals()[0] == before[0] + 64
    assert AuditEntry.objects.filter(entity="person").count() >= 64
    assert Person.objects.filter(folded_name__contains="ho van ab").count() == 1
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [staging.TRIGRAM_INDEX])
            assert "gin_trgm_ops" in cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM registry_person WHERE folded_name % 'ho van abb'")
            assert cursor.fetchone()[0] >= 1
