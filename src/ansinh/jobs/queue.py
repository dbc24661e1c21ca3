"""The queue as the probes see it: reachable, how many jobs wait, and for how long the oldest has."""

from __future__ import annotations

from django.db import DatabaseError, transaction
from django.db.models import Min
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult


def problem() -> str | None:
    """None when the queue's table answers; otherwise why not (for /readyz)."""
    try:
        with transaction.atomic():  # a savepoint: a failure leaves the request's connection usable
            DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()
    except DatabaseError as error:
        return f"job queue: {error.__class__.__name__}"
    return None


def figures() -> dict[str, float]:
    """Jobs waiting (due now or later, after a retry's backoff), running, given up, and the age in seconds
    of the oldest one that is due now (a worker keeping up holds it near zero)."""
    now = timezone.now()
    oldest = DBTaskResult.objects.ready().aggregate(at=Min("enqueued_at"))["at"]
    return {"waiting": DBTaskResult.objects.filter(status=TaskResultStatus.READY).count(),
            "running": DBTaskResult.objects.running().count(),
            "failed": DBTaskResult.objects.failed().count(),
            "oldest_seconds": (now - oldest).total_seconds() if oldest else 0.0}
