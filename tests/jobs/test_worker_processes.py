"""`ansinh worker` as it runs in production, in subprocesses on the suite's database (SQLite: the test
database copied to a file and back; PostgreSQL: the test database itself):

- a job whose worker is killed (SIGKILL) after it made its effect but before its success was recorded
  is run again by the restarted worker once its lease expires: not lost, and one effect;
- two workers running side by side enqueue a periodic job once per period, and stop cleanly on SIGTERM.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ansinh.jobs.models import Lease, Schedule
from ansinh.jobs.schedules import SCHEDULES
from ansinh.reports.models import ExportJob, ExportStatus
from tests.builders import user
from tests.jobs import tasks

ROOT = Path(__file__).resolve().parents[2]
RESULTS = DBTaskResult._meta.db_table


@dataclass
class Shared:
    url: str
    file: Path | None  # SQLite: the copy the workers use
    logs: Path

    def publish(self) -> None:
        """What the test wrote, to the workers' database."""
        if self.file is not None:
            connection.ensure_connection()
            with sqlite3.connect(self.file) as target:
                connection.connection.backup(target)

    def collect(self) -> None:
        """What the workers wrote, back into the test database (for the ORM's assertions)."""
        if self.file is not None:
            source = sqlite3.connect(self.file)
            source.backup(connection.connection)
            source.close()

    def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        if self.file is not None:
            with sqlite3.connect(self.file, timeout=30) as db:
                return db.execute(sql.replace("%s", "?"), params).fetchall()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def start(self, name: str) -> subprocess.Popen[bytes]:
        env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}", "DATABASE_URL": self.url,
               "SECRET_KEY": "test-only", "DJANGO_SETTINGS_MODULE": "ansinh.config.settings",
               "ANSINH_JOB_LEASE_SECONDS": "3", "ANSINH_JOB_HEARTBEAT_SECONDS": "1",
               "ANSINH_JOB_BACKOFF_SECONDS": "1", "ANSINH_JOB_POLL_SECONDS": "0.2"}
        out = (self.logs / f"{name}.log").open("ab")
        return subprocess.Popen([sys.executable, "-m", "ansinh.cli", "worker", "--name", name], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT)

    def output(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")


@pytest.fixture
def shared(transactional_db: Any, tmp_path: Path) -> Iterator[Shared]:
    if connection.vendor == "sqlite":
        file = tmp_path / "workers.sqlite3"
        yield Shared(f"sqlite:///{file}", file, tmp_path)
        return
    db = connection.settings_dict
    yield Shared(f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
                 None, tmp_path)


def wait_for(check: Callable[[], bool], seconds: float, why: str, shared: Shared, *names: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    pytest.fail(f"{why} not within {seconds} s; " + " ".join(shared.output(n)[-2000:] for n in names))


def stop(process: subprocess.Popen[bytes]) -> int:
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        raise


def test_a_job_killed_mid_run_runs_again_after_a_restart_with_one_effect(shared: Shared, tmp_path: Path) -> None:
    job = ExportJob.objects.create(user=user(None), kind="payments", title="Thử", total=1)
    log = tmp_path / "attempts"
    log.touch()
    tasks.effect_then_wait.enqueue(job.pk, 60, str(log))
    shared.publish()
    first = shared.start("first")
    try:
        wait_for(lambda: "effect 1" in log.read_text(), 90, "the first attempt's effect", shared, "first")
        os.kill(first.pid, signal.SIGKILL)  # after the effect, before the job's success is recorded
        first.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
    assert shared.rows(f"SELECT status FROM {RESULTS}") == [("RUNNING",)]  # cut short: nobody finished it
    second = shared.start("second")
    try:
        wait_for(lambda: shared.rows(f"SELECT status FROM {RESULTS}") == [("SUCCESSFUL",)], 90,
                 "the job's second run", shared, "second")
    finally:
        assert stop(second) == 0
    shared.collect()
    assert log.read_text().splitlines() == ["start", "effect 1", "start", "effect 0"]
    job.refresh_from_db()
    assert (job.status, job.done) == (ExportStatus.DONE, 1)  # one effect for two runs
    lease = Lease.objects.get()
    assert lease.attempts == 2 and lease.worker == "second" and "lease expired" in lease.last_error
    result = DBTaskResult.objects.get()
    assert result.worker_ids == ["first", "second"] and result.return_value == 0


def test_two_workers_enqueue_a_periodic_job_once_per_period(shared: Shared) -> None:
    now = timezone.now()
    for periodic in SCHEDULES:
        Schedule.objects.create(name=periodic.name, next_run_at=now + timedelta(days=1))
    Schedule.objects.filter(name="export-sweep").update(next_run_at=now - timedelta(seconds=1))
    shared.publish()
    sweeps = f"SELECT COUNT(*) FROM {RESULTS} WHERE task_path = %s AND status = %s"
    path = "ansinh.reports.jobs.sweep_exports"
    workers = [shared.start("a"), shared.start("b")]
    try:
        wait_for(lambda: shared.rows(sweeps, path, "SUCCESSFUL") == [(1,)], 90, "the first period's sweep",
                 shared, "a", "b")
        past = "datetime('now', '-1 second')" if shared.file else "now() - interval '1 second'"
        again = f"UPDATE jobs_schedule SET next_run_at = {past} WHERE name = %s"
        shared.rows(again, "export-sweep")  # the next period has come
        wait_for(lambda: shared.rows(sweeps, path, "SUCCESSFUL") == [(2,)], 60, "the second period's sweep",
                 shared, "a", "b")
        time.sleep(2)  # ten more turns of each worker's loop
    finally:
        codes = [stop(w) for w in workers]
    assert codes == [0, 0]  # SIGTERM: each finished its turn and left
    shared.collect()
    assert DBTaskResult.objects.filter(task_path=path).count() == 2  # once per period, not once per worker
    assert {w for r in DBTaskResult.objects.all() for w in r.worker_ids} <= {"a", "b"}
    assert Schedule.objects.get(name="export-sweep").next_run_at > timezone.now()
