"""Tasks the queue's tests enqueue (importable by the worker subprocesses: they run with the repository
root on their path). Each is idempotent as the product's jobs are, and logs every attempt to a file."""

from __future__ import annotations

import time
from pathlib import Path

from django.db.models import F
from django_tasks import task

from ansinh.jobs.worker import when_given_up
from ansinh.reports.models import ExportJob, ExportStatus


def _log(path: str, line: str) -> None:
    with Path(path).open("a", encoding="utf-8") as log:
        log.write(line + "\n")


@task()
def effect_then_wait(job_id: int, seconds: float, log: str) -> int:
    """Count once on the export record (only while it is running: a second run finds it done), then
    wait: a worker killed during the wait has made the effect but not recorded the job's success."""
    _log(log, "start")
    changed = ExportJob.objects.filter(pk=job_id, status=ExportStatus.RUNNING).update(
        status=ExportStatus.DONE, done=F("done") + 1)
    _log(log, f"effect {changed}")
    if changed:
        time.sleep(seconds)
    return changed


@task()
def fails_until(attempt: int, log: str) -> str:
    """Raise on the first ``attempt - 1`` runs, succeed on the ``attempt``-th."""
    _log(log, "start")
    runs = len(Path(log).read_text(encoding="utf-8").splitlines())
    if runs < attempt:
        raise RuntimeError(f"failure {runs}")
    return "ok"


GIVEN_UP: list[tuple[int, str]] = []
when_given_up(fails_until, lambda attempt, log: GIVEN_UP.append((attempt, log)))
