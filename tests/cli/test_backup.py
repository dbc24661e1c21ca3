"""`ansinh backup` / `ansinh restore` (issue 15): a backup restored into a new database passes
`ansinh check integrity` and gives the dashboards' figures of the original; a damaged archive or a
target that already holds data is refused before anything is written."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.models import Sum
from typer.testing import CliRunner

from ansinh.cli import app
from ansinh.enrollment import services as enrolling
from ansinh.payments import services as paying
from ansinh.registry import services as registry
from ansinh.reports.models import Fact
from tests.builders import Personas, field_setup, person_data, personas

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("nghe_an_map")]
AT = datetime(2025, 8, 1, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
ROOT = Path(__file__).resolve().parents[2]
FIGURES = ("from django.db.models import Sum; from ansinh.reports.models import Fact; "
           "print(Fact.objects.aggregate(a=Sum('amount'), p=Sum('people')))")


def _three_payments() -> None:
    who: Personas = personas()
    field_setup(who)
    scope = who.scope(who.agent)
    for i in range(3):
        person = registry.create_person(who.agent, scope, person_data(
            full_name=f"Người Sao Lưu {i}", citizen_id=f"040085{i + 70:06d}", phone=""))
        offer = enrolling.quote_vsi(scope, person.pk, date(2025, 8, 1), 1_500_000, 1)
        enrollment = enrolling.enroll_vsi(who.agent, scope, offer)
        paying.record_payment(who.agent, scope, enrollment.pk, amount=offer.quote.payable, method="cash",
                              idempotency_key=f"backup-{i}", paid_at=AT)


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[str]:
    """A new, empty database of the suite's engine, as an operator would create for a restore."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"ansinh_restore_{uuid.uuid4().hex[:8]}"
    host = connection.settings_dict
    base = f"postgres://{host['USER']}@{host['HOST'] or '127.0.0.1'}:{host['PORT'] or 5432}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _ansinh(args: list[str], database_url: str, media: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "DATABASE_URL": database_url,
           "SECRET_KEY": "test-only", "DJANGO_SETTINGS_MODULE": "ansinh.config.settings",
           "ANSINH_PRIVATE_DIR": str(media)}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_a_backup_restores_into_a_new_database_with_the_same_figures(
        tmp_path: Path, empty_database: str, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "private"
    (settings.MEDIA_ROOT / "exports").mkdir(parents=True)
    (settings.MEDIA_ROOT / "exports" / "job-1.xlsx").write_bytes(b"an export")
    _three_payments()
    original = Fact.objects.aggregate(a=Sum("amount"), p=Sum("people"))
    assert original["p"] == 3
    archive = tmp_path / "ansinh.tar.gz"
    made = CliRunner().invoke(app, ["backup", str(archive)])
    assert made.exit_code == 0, made.output
    assert "Đã sao lưu" in made.output
    with tarfile.open(archive) as opened:
        names = opened.getnames()
    assert "manifest.json" in names and any(n.startswith("database.") for n in names)

    media = tmp_path / "restored-private"
    restored = _ansinh(["-m", "ansinh.cli", "restore", str(archive)], empty_database, media)
    assert restored.returncode == 0, restored.stderr
    assert "số dòng khớp bản gốc" in restored.stdout
    assert (media / "exports" / "job-1.xlsx").read_bytes() == b"an export"
    checked = _ansinh(["-m", "ansinh.cli", "check", "integrity"], empty_database, media)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "0 vấn đề" in checked.stdout
    figures = _ansinh(["-c", f"import django; django.setup(); {FIGURES}"], empty_database, media)
    assert figures.stdout.strip() == str(original), figures.stderr


def test_a_damaged_archive_or_a_database_with_data_is_refused(tmp_path: Path) -> None:
    _three_payments()
    archive = tmp_path / "ansinh.tar.gz"
    assert CliRunner().invoke(app, ["backup", str(archive)]).exit_code == 0
    again = CliRunner().invoke(app, ["backup", str(archive)])
    assert again.exit_code == 2 and "đã có" in again.output  # never overwrites a backup

    into_live = CliRunner().invoke(app, ["restore", str(archive)])  # the suite's database has tables
    assert into_live.exit_code == 2 and "đã có bảng" in into_live.output

    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member)
            assert data is not None
            content = data.read()
            if member.name.startswith("database."):
                content = content[:-10] + b"0123456789"
            member.size = len(content)
            target.addfile(member, io.BytesIO(content))
    refused = CliRunner().invoke(app, ["restore", str(damaged)])
    assert refused.exit_code == 2 and "bị hỏng" in refused.output
