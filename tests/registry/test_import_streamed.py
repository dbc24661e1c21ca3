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
from tests.builders import COMMUNE_X, Personas, person_data, personas
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


def _indexes(table: str) -> dict[str, tuple[int, str]]:
    """``table``'s indexes: name → (oid, definition)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname, c.oid, pg_get_indexdef(c.oid) FROM pg_index i JOIN pg_class c "
                       "ON c.oid = i.indexrelid WHERE i.indrelid = %s::regclass", [table])
        return {name: (oid, definition) for name, oid, definition in cursor.fetchall()}


def _foreign_keys() -> set[tuple[str, str, str]]:
    """The foreign keys of the registry's people, households and memberships: (table, name, definition)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                       "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])",
                       [["registry_person", "registry_household", "registry_membership"]])
        return set(cursor.fetchall())


def test_a_large_load_rebuilds_the_secondary_indexes_and_the_import_is_whole(
        who: Personas, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ansinh.registry import services

    # a household written earlier in the same transaction: its keys' checks are pending when the load starts
    services.create_household(who.agent, who.scope(who.agent), person_data(citizen_id=None), ON)
    if connection.vendor == "postgresql":
        monkeypatch.setattr(staging, "_large", lambda cursor, table, rows: True)  # every load counts as large
        people_indexes, audit_indexes = _indexes("registry_person"), _indexes("registry_auditentry")
        keys = _foreign_keys()
        assert len(keys) >= 5  # a person's commune; a household's head and commune; a membership's two
    before = totals()
    report = import_people(write_csv(tmp_path, [*GOOD, *_households(60)]), who.agent, who.scope(who.agent), ON)
    assert report.written and not report.problems
    assert report.people_created == 64 and report.households_created == 62
    assert totals()[0] == before[0] + 64
    if connection.vendor == "postgresql":
        assert _foreign_keys() == keys  # the keys between the import's tables dropped, checked and added again
    assert AuditEntry.objects.filter(entity="person").count() >= 64
    assert Person.objects.filter(folded_name__contains="ho van ab").count() == 1
    if connection.vendor == "postgresql":
        for table, indexes in (("registry_person", people_indexes), ("registry_auditentry", audit_indexes)):
            after = _indexes(table)
            # the same indexes, defined alike; the ones that check nothing built anew, the others kept
            assert {name: d for name, (_, d) in after.items()} == {name: d for name, (_, d) in indexes.items()}
            rebuilt = {name for name in after if after[name][0] != indexes[name][0]}
            assert rebuilt and all("UNIQUE" not in after[name][1] for name in rebuilt)
            assert f"{table}_pkey" not in rebuilt
        assert staging.TRIGRAM_INDEX in _indexes("registry_person")
        assert AuditEntry.objects.filter(entity="person", entity_id__in=Person.objects.filter(
            folded_name__contains="ho van ab").values("pk")).count() == 1  # found through the rebuilt index
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM registry_person WHERE folded_name % 'ho van abb'")
            assert cursor.fetchone()[0] >= 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the staged path is PostgreSQL's")
def test_a_load_is_large_above_the_threshold_and_the_rows_already_there(
        who: Personas, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import_people(write_csv(tmp_path, GOOD), who.agent, who.scope(who.agent), ON)  # ends with ANALYZE
    there = Person.objects.count()
    monkeypatch.setattr(staging, "REBUILD_ABOVE", 0)
    with connection.cursor() as cursor:
        assert staging._large(cursor, "registry_person", there)
        assert not staging._large(cursor, "registry_person", there - 1)  # fewer new rows than the table holds
        monkeypatch.setattr(staging, "REBUILD_ABOVE", there)
        assert not staging._large(cursor, "registry_person", there)  # not above the threshold


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the staged path is PostgreSQL's")
def test_the_checks_without_repeats_give_the_windows_table_and_the_same_report(
        who: Personas, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a file repeating no citizen ID or SI code: a second head row in one run (a second household), a
    # run without its head row, a bad row between two rows of one household; checked by the runs the
    # reading counted (_CHECK_KEPT) and by the windows (_CHECK), the same staged table and report
    rows = [*GOOD, ["Trần Thị Cúc", "Trần Thị Cúc", "1971-01-20", "nữ", "", "chủ hộ", "", COMMUNE_X, "Khối 8"],
            ["Hồ Văn Z", "Hồ Thị Y", "01/01/1990", "Nữ", "", "Vợ", "", COMMUNE_X, "Xóm 2"],
            ["Hồ Văn Z", "Hồ Thị X", "31/02/1990", "Nữ", "", "Con", "", COMMUNE_X, "Xóm 2"],
            ["Hồ Văn Z", "Hồ Văn W", "01/01/2010", "Nam", "", "Con", "", COMMUNE_X, "Xóm 2"],
            *_households(3)]
    check = staging.check
    seen: list[list[tuple[object, ...]]] = []

    def recorded() -> list[tuple[int, int, str | None, str, str]]:
        problems = check()
        with connection.cursor() as cursor:
            cursor.execute("SELECT n, id_twice, si_twice, run, part, has_head FROM import_checked ORDER BY n")
            seen.append(cursor.fetchall())
        return problems

    monkeypatch.setattr(staging, "check", recorded)
    reports = []
    for statement in (staging._CHECK_KEPT, staging._CHECK):
        monkeypatch.setattr(staging, "_CHECK_KEPT", statement)
        report = import_people(write_csv(tmp_path, rows), who.agent, who.scope(who.agent), ON, dry_run=True)
        reports.append((report.rows, report.valid_rows, [(p.row, p.column, p.reason) for p in report.problems]))
    assert seen[0] == seen[1] and len(seen[0]) == len(rows) - 1
    assert {part for *_, part, _has in seen[0]} == {1, 2} and not all(has for *_, has in seen[0])
    assert reports[0] == reports[1] and {column for _, column, _ in reports[0][2]} == {"date_of_birth", "head"}

