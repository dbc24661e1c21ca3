"""Retries with backoff (in this process; tests/jobs/test_worker_processes.py runs real workers): a job
that raises waits BACKOFF_SECONDS × 2^(attempt−1) and is tried again; after MAX_ATTEMPTS it is failed for
good and its task's give-up hook runs. Schedules: the worker that moves a schedule's next run forward is
the only one that enqueues it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ansinh.jobs import worker
from ansinh.jobs.models import Lease, Schedule
from ansinh.jobs.schedules import SCHEDULES, daily_at, every
from tests.jobs import tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def quick(settings: Any) -> None:
    settings.ANSINH_JOBS = {**settings.ANSINH_JOBS, "MAX_ATTEMPTS": 3, "BACKOFF_SECONDS": 30,
                            "BACKOFF_MAX_SECONDS": 45}


def _due_now() -> None:
    """The backoff has passed (moved back instead of waited for)."""
    DBTaskResult.objects.update(run_after=timezone.now() - timedelta(seconds=1))


def test_a_failing_job_is_retried_after_a_growing_wait_and_succeeds(quick: None, tmp_path: Path) -> None:
    log = tmp_path / "log"
    tasks.fails_until.enqueue(3, str(log))
    before = timezone.now()
    assert worker.drain() == 1  # the first attempt fails
    result = DBTaskResult.objects.get()
    assert result.status == TaskResultStatus.READY
    assert timedelta(seconds=29) <= result.run_after - before <= timedelta(seconds=35)
    assert worker.drain() == 0  # not before its backoff
    _due_now()
    before = timezone.now()
    assert worker.drain() == 1  # the second fails: twice the wait, capped at 45 s
    result.refresh_from_db()
    assert timedelta(seconds=44) <= result.run_after - before <= timedelta(seconds=50)
    assert "failure 2" in Lease.objects.get().last_error
    _due_now()
    assert worker.drain() == 1
    result.refresh_from_db()
    assert result.status == TaskResultStatus.SUCCESSFUL and result.return_value == "ok"
    assert Lease.objects.get().attempts == 3 and log.read_text().count("start") == 3
    assert worker.backoff(1) == timedelta(seconds=30) and worker.backoff(5) == timedelta(seconds=45)


def test_after_the_last_attempt_the_job_is_failed_and_its_hook_runs(quick: None, tmp_path: Path) -> None:
    log = str(tmp_path / "log")
    tasks.GIVEN_UP.clear()
    tasks.fails_until.enqueue(10, log)
    for _ in range(3):
        _due_now()
        assert worker.drain() == 1
    result = DBTaskResult.objects.get()
    assert result.status == TaskResultStatus.FAILED and "failure 3" in result.traceback
    assert [(10, log)] == tasks.GIVEN_UP
    _due_now()
    assert worker.drain() == 0  # never tried again


def test_a_schedule_is_enqueued_once_per_period_whichever_worker_asks() -> None:
    now = timezone.now()
    worker.ensure_schedules(now)
    worker.ensure_schedules(now)  # a second worker starting: the rows exist once
    assert set(Schedule.objects.values_list("name", flat=True)) == {p.name for p in SCHEDULES}
    Schedule.objects.filter(name="export-sweep").update(next_run_at=now - timedelta(seconds=1))
    assert worker.enqueue_due(now) == ["export-sweep"]
    assert worker.enqueue_due(now) == []  # the other worker, same period: nothing
    assert DBTaskResult.objects.get().task_path == "ansinh.reports.jobs.sweep_exports"
    row = Schedule.objects.get(name="export-sweep")
    assert now < row.next_run_at <= now + timedelta(hours=1) and row.next_run_at.minute == 0


def test_the_periods_fall_on_their_local_hour() -> None:
    at = timezone.make_aware(timezone.datetime(2025, 8, 1, 0, 30))  # Asia/Ho_Chi_Minh
    assert timezone.localtime(daily_at(1)(at)).hour == 1 and daily_at(1)(at).date() == at.date()
    later = daily_at(1)(at + timedelta(hours=1))
    assert timezone.localtime(later).date() == at.date() + timedelta(days=1)
    assert every(timedelta(hours=1))(at) == at + timedelta(minutes=30)


def test_the_results_of_jobs_finished_a_month_ago_are_pruned(tmp_path: Path) -> None:
    log = str(tmp_path / "log")
    for _ in range(2):
        tasks.fails_until.enqueue(1, log)
    assert worker.drain() == 2
    old = DBTaskResult.objects.order_by("enqueued_at").first()
    assert old is not None
    DBTaskResult.objects.filter(pk=old.pk).update(finished_at=timezone.now() - timedelta(days=31))
    worker.prune.enqueue()
    assert worker.drain() == 1
    assert DBTaskResult.objects.count() == 2 and not DBTaskResult.objects.filter(pk=old.pk).exists()
    assert Lease.objects.count() == 2  # the pruned job's lease went with it
