"""The reminders' periodic job (jobs/schedules.py): queue today's reminders, then send what is due."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from ansinh.messaging import outbox
from ansinh.org.scope import system_scope


@task()
def send_reminders() -> dict[str, int]:
    """Idempotent: queueing is once per person, purpose and period; sending claims each row by compare-and-set."""
    now = timezone.now()
    queued = outbox.queue(system_scope(), timezone.localdate(now), now)
    return {"queued": queued, **outbox.dispatch(now)}
