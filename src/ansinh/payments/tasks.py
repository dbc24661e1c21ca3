"""The payments app's long work on the job queue (docs/adr/0014-job-queue.md): matching a bank
statement (payments/statements.py). The web page and ``ansinh payments import-statement --queue``
enqueue it in the same transaction as the import's record; the worker runs it with its progress."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from ansinh.jobs.worker import when_given_up
from ansinh.org.scope import Scope, scope_for, system_scope
from ansinh.payments import statement_bulk, statements
from ansinh.payments.models import ImportStatus, StatementImport


def run(statement_id: int, progress: Callable[[int, int], None] | None = None) -> StatementImport:
    """The import's matching, with its uploader's scope (an operator's command: every area)."""
    user_id = StatementImport.objects.filter(pk=statement_id).values_list("user_id", flat=True).first()
    actor = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    return statement_bulk.run_import(statement_id, actor, scope_for(actor) if actor else system_scope(),
                                 progress)


@task()
def import_statement(statement_id: int) -> str:
    """The queue's job: match the statement's credits (run again after a killed worker, it skips the
    lines already written)."""
    return str(run(statement_id).status)


def _given_up(statement_id: int) -> None:
    StatementImport.objects.filter(pk=statement_id, status=ImportStatus.RUNNING).update(
        status=ImportStatus.FAILED, error=_("Việc đối chiếu bị gián đoạn nhiều lần; hãy tải sao kê lên lại."),
        finished_at=timezone.now())


when_given_up(import_statement, _given_up)


def start(actor: AbstractBaseUser | None, scope: Scope, collector_id: int, upload: UploadedFile | Path,
          columns: str = "", *, background: bool = True,
          progress: Callable[[int, int], None] | None = None) -> StatementImport:
    """Check and keep the file, then enqueue its matching with the import's record (one transaction:
    the record and its job, or neither); without ``background``, match it here (the command line)."""
    with transaction.atomic():
        statement = statements.start_import(actor, scope, collector_id, upload, columns)
        if background:
            import_statement.enqueue(statement.pk)
            return statement
    return run(statement.pk, progress)
