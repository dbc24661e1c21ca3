"""The worker (``ansinh worker``): claims the queue's jobs one at a time and runs them, with what the
library's own ``db_worker`` lacks (docs/adr/0014-job-queue.md):

- a **lease**: a claimed job is held for ``LEASE_SECONDS``, renewed by a heartbeat while it runs. A
  worker killed mid-job (SIGKILL, a power cut) stops renewing it; once the lease has expired, any
  worker puts the job back in the queue. Jobs are written to be idempotent, so the second run of a job
  whose first run was cut short has the effect of one;
- **retries with backoff**: a job that raises is run again after ``BACKOFF_SECONDS`` × 2^(attempt−1)
  (capped at ``BACKOFF_MAX_SECONDS``), up to ``MAX_ATTEMPTS`` attempts; then it is failed for good and the
  task's ``give_up`` hook (if any) records that where its user sees it;
- **periodic jobs** (jobs/schedules.py): each schedule is one row; the worker that moves its next run
  forward with a compare-and-set enqueues that run, so two workers never both do.

The claim runs in an exclusive transaction on SQLite and with ``SELECT … FOR UPDATE SKIP LOCKED`` on
PostgreSQL (the library's), so two workers never claim the same job.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from traceback import format_exception
from typing import Any

from django.conf import settings
from django.db import (
    DatabaseError,
    IntegrityError,
    OperationalError,
    close_old_connections,
    connection,
    transaction,
)
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from ansinh.jobs.models import Lease, Schedule
from ansinh.jobs.schedules import SCHEDULES

log = logging.getLogger("ansinh.jobs")
GIVE_UP: dict[str, Callable[..., None]] = {}  # task path → what to record when its last attempt failed


def when_given_up(task: Any, hook: Callable[..., None]) -> None:
    """Register ``hook(*args, **kwargs)`` to run (in the worker) when ``task`` fails for good."""
    GIVE_UP[task.module_path] = hook


def option(name: str) -> float:
    return float(settings.ANSINH_JOBS[name])


def backoff(attempts: int) -> timedelta:
    """The wait before attempt ``attempts + 1``: doubling from the base, capped."""
    return timedelta(seconds=min(option("BACKOFF_SECONDS") * 2 ** max(attempts - 1, 0),
                                 option("BACKOFF_MAX_SECONDS")))


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


def _locked(error: OperationalError) -> bool:
    return connection.vendor == "sqlite" and is_locked_database_exception(error)


def ensure_schedules(now: datetime) -> None:
    for periodic in SCHEDULES:
        if not Schedule.objects.filter(name=periodic.name).exists():
            try:
                with transaction.atomic():
                    Schedule.objects.create(name=periodic.name, next_run_at=periodic.following(now))
            except IntegrityError:
                pass  # another worker created it first


def enqueue_due(now: datetime) -> list[str]:
    """Enqueue the run of every schedule whose time has come; returns the names this worker won."""
    won = []
    for periodic in SCHEDULES:
        row = Schedule.objects.filter(name=periodic.name, next_run_at__lte=now).first()
        if row is None:
            continue
        with transaction.atomic():  # the move forward and the job are committed together, or neither
            moved = Schedule.objects.filter(name=row.name, next_run_at=row.next_run_at).update(
                next_run_at=periodic.following(now), last_run_at=now)
            if moved:
                import_string(periodic.task).enqueue()
                won.append(periodic.name)
    return won


def recover(now: datetime) -> int:
    """Put back (or give up) the running jobs whose worker stopped renewing their lease."""
    count = 0
    with exclusive_transaction():
        abandoned = (Lease.objects.select_for_update(skip_locked=True, of=("self",))
                     .filter(expires_at__lt=now, result__status=TaskResultStatus.RUNNING).select_related("result"))
        for lease in abandoned:
            log.warning("job %s (%s) abandoned by %s; its lease expired", lease.pk, lease.result.task_path,
                        lease.worker)
            _failed(lease.result, lease, "Worker stopped before the job finished (lease expired).", now)
            count += 1
    return count


def claim(worker: str, now: datetime) -> DBTaskResult | None:
    with exclusive_transaction():
        result = DBTaskResult.objects.ready().get_locked()
        if result is None:
            return None
        result.claim(worker)
        lease, _ = Lease.objects.get_or_create(result=result)
        lease.attempts += 1
        lease.expires_at, lease.worker = now + timedelta(seconds=option("LEASE_SECONDS")), worker
        lease.save(update_fields=["attempts", "expires_at", "worker"])
    return result


def _failed(result: DBTaskResult, lease: Lease, error: str, now: datetime) -> None:
    """After an attempt failed: the job waits for its backoff and is tried again, or, after the last
    attempt, is failed for good and the task's ``give_up`` hook runs."""
    lease.last_error, lease.expires_at = error[-4000:], None
    lease.save(update_fields=["last_error", "expires_at"])
    if lease.attempts < option("MAX_ATTEMPTS"):
        result.status, result.run_after = TaskResultStatus.READY, now + backoff(lease.attempts)
        result.save(update_fields=["status", "run_after"])
        return
    result.status, result.finished_at = TaskResultStatus.FAILED, now
    result.exception_class_path, result.traceback = "ansinh.jobs.GaveUp", error
    result.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
    try:
        import_string(result.task_path)  # its module registers the hook
    except ImportError:
        log.error("job %s: no task %s", result.pk, result.task_path)
    hook = GIVE_UP.get(result.task_path)
    if hook is not None:
        hook(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])


def _heartbeat(result_id: Any, worker: str, done: threading.Event) -> None:
    """Renew the lease while the job runs (a thread of the worker process, never of the web)."""
    try:
        while not done.wait(option("HEARTBEAT_SECONDS")):
            try:
                Lease.objects.filter(pk=result_id, worker=worker).update(
                    expires_at=timezone.now() + timedelta(seconds=option("LEASE_SECONDS")))
            except OperationalError as error:
                if not _locked(error):
                    raise
    finally:
        connection.close()


def run(result: DBTaskResult, worker: str) -> bool:
    """Run one claimed job; True when it succeeded."""
    done = threading.Event()
    beat = threading.Thread(target=_heartbeat, args=(result.pk, worker, done), daemon=True,
                            name=f"lease-{result.pk}")
    beat.start()
    try:
        value = result.task.call(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])
    except Exception as error:
        done.set()
        beat.join()
        log.exception("job %s (%s) failed", result.pk, result.task_path)
        with transaction.atomic():
            _failed(result, Lease.objects.get(pk=result.pk), "".join(format_exception(error)), timezone.now())
        return False
    done.set()
    beat.join()
    with transaction.atomic():
        result.set_successful(value)
        Lease.objects.filter(pk=result.pk).update(expires_at=None)
    return True


_recovered_at: datetime | None = None


def step(worker: str, *, schedules: bool = True) -> bool:
    """One turn of the loop: due schedules, abandoned jobs, then one job. True when a job was run."""
    global _recovered_at
    now = timezone.now()
    try:
        if schedules:
            enqueue_due(now)
        if _recovered_at is None or (now - _recovered_at).total_seconds() >= option("HEARTBEAT_SECONDS"):
            recover(now)  # a write transaction: once per heartbeat period is soon enough
            _recovered_at = now
        result = claim(worker, now)
    except OperationalError as error:
        if _locked(error):  # SQLite: another worker holds the write lock; try again next turn
            return False
        raise
    if result is None:
        return False
    run(result, worker)
    return True


def drain(worker: str = "inline", *, limit: int = 1000) -> int:
    """Run every job due now, here (tests, and ``ansinh worker --burst``); returns how many were run."""
    count = 0
    while count < limit and step(worker, schedules=False):
        count += 1
    return count


def serve(stopping: Callable[[], bool], *, worker: str | None = None, burst: bool = False) -> None:
    name = worker or worker_name()
    ensure_schedules(timezone.now())
    log.info("worker %s started", name)
    while not stopping():
        close_old_connections()
        try:
            ran = step(name)
        except DatabaseError:  # the database restarted or refused: wait, reconnect, go on
            log.exception("worker %s: database error; retrying", name)
            connection.close()
            ran = False
        if burst and not ran:
            break
        if not ran:
            time.sleep(option("POLL_SECONDS"))
    log.info("worker %s stopped", name)


KEPT_RESULTS = timedelta(days=30)


@task()
def prune() -> int:
    """Periodic (nightly): delete the results of jobs finished more than ``KEPT_RESULTS`` ago (their
    leases go with them); returns how many."""
    old = DBTaskResult.objects.finished().filter(finished_at__lt=timezone.now() - KEPT_RESULTS)
    return int(DBTaskResult.objects.filter(pk__in=old.values("pk")).delete()[1].get(DBTaskResult._meta.label, 0))
