"""``ansinh payments import-statement``: the same matching from the command line, here or by the worker."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult
from typer.testing import CliRunner

from ansinh.cli import app
from ansinh.enrollment.references import reference_for
from ansinh.jobs.worker import serve
from ansinh.payments.models import ImportStatus, Payment, PaymentMethod, StatementImport, StatementLine
from tests.builders import personas
from tests.payments.statement_builders import BOOKED, money_setup, pending_terms, write_statement

pytestmark = pytest.mark.django_db(transaction=True)
runner = CliRunner()


@pytest.fixture
def media(settings: Any, tmp_path: Path, nghe_an_map: Any) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


def test_the_command_matches_a_statement_and_a_second_run_changes_nothing(media: Path) -> None:
    who = personas()
    post, _manager = money_setup(who)
    term = pending_terms(who, 1)[0]
    path = write_statement(media, [(BOOKED, "FT1", term.payable, reference_for(term.pk)),
                                   (BOOKED, "FT2", 77_000, "khong ma")])
    first = runner.invoke(app, ["payments", "import-statement", str(path), "--collector", post.code])
    assert first.exit_code == 0, first.output
    assert "khớp, đã ghi khoản thu: 1" in first.output and "không rõ mã thanh toán: 1" in first.output
    second = runner.invoke(app, ["payments", "import-statement", str(path), "--collector", post.code])
    assert "đã nhập trước đây (không đổi gì): 2" in second.output
    assert Payment.objects.filter(method=PaymentMethod.BANK_TRANSFER).count() == 1
    assert StatementLine.objects.count() == 2


def test_with_queue_the_worker_runs_the_import_as_a_job(media: Path) -> None:
    who = personas()
    post, _manager = money_setup(who)
    term = pending_terms(who, 1)[0]
    path = write_statement(media, [(BOOKED, "FT1", term.payable, reference_for(term.pk))])
    queued = runner.invoke(app, ["payments", "import-statement", str(path), "--collector", post.code, "--queue"])
    assert queued.exit_code == 0, queued.output
    assert StatementImport.objects.get().status == ImportStatus.RUNNING and not Payment.objects.exists()
    serve(lambda: False, burst=True)
    assert StatementImport.objects.get().status == ImportStatus.DONE
    assert Payment.objects.get().enrollment_id == term.pk
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_an_unknown_collector_is_refused_with_exit_code_2(media: Path) -> None:
    path = write_statement(media, [(BOOKED, "FT1", 1000, "x")])
    result = runner.invoke(app, ["payments", "import-statement", str(path), "--collector", "KHONG-CO"])
    assert result.exit_code == 2 and not StatementImport.objects.exists()
