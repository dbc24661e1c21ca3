"""What the queue library (django-tasks-db, docs/adr/0014-job-queue.md) does not keep: how many times a
job was tried and until when the worker running it holds it (its lease), and the periodic schedules."""

from __future__ import annotations

from django.db import models
from django_tasks_db.models import DBTaskResult


class Lease(models.Model):
    """One per job that a worker has claimed at least once. A running job whose lease has expired was
    abandoned (its worker was killed): the next worker puts it back in the queue, or gives it up after
    the last attempt."""

    result = models.OneToOneField(DBTaskResult, models.CASCADE, primary_key=True, related_name="lease")
    attempts = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=64, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["expires_at"], name="jobs_lease_expires")]


class Schedule(models.Model):
    """A periodic job (jobs/schedules.py): the worker that moves ``next_run_at`` forward (a compare-and-set
    on the value it read) is the one that enqueues the period's run, so two workers never both do."""

    name = models.CharField(max_length=40, primary_key=True)
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)
