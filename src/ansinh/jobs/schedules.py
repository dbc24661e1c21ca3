"""The periodic jobs: a task (by its import path, so this layer imports none of the apps) and when its
next run falls after a given moment. Times are local (Asia/Ho_Chi_Minh), at night when nobody collects."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.utils import timezone


def daily_at(hour: int, minute: int = 0) -> Callable[[datetime], datetime]:
    def following(after: datetime) -> datetime:
        local = timezone.localtime(after)
        at = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
        return at if at > local else timezone.make_aware(datetime.combine(local.date() + timedelta(days=1),
                                                                          time(hour, minute)))
    return following


def every(period: timedelta) -> Callable[[datetime], datetime]:
    """The next multiple of ``period`` since the epoch: every worker computes the same boundary."""
    def following(after: datetime) -> datetime:
        step = period.total_seconds()
        return datetime.fromtimestamp((after.timestamp() // step + 1) * step, tz=after.tzinfo or timezone.utc)
    return following


@dataclass(frozen=True)
class Periodic:
    name: str
    task: str  # import path of a django-tasks Task
    following: Callable[[datetime], datetime]


SCHEDULES = [
    # VSI plans whose due month's deadline has passed are marked lapsed (and back to active once paid).
    Periodic("lapse-statuses", "ansinh.enrollment.lapses.lapse_statuses", daily_at(1)),
    # Exports older than their keeping time are deleted with their files.
    Periodic("export-sweep", "ansinh.reports.jobs.sweep_exports", every(timedelta(hours=1))),
    # The dashboards' facts of the last days, recomputed for payments that arrived late (offline sync).
    Periodic("facts-refresh", "ansinh.reports.jobs.refresh_recent_facts", daily_at(2)),
    # Reminders: queued once per person, purpose and period, sent outside quiet hours (messaging/outbox.py).
    Periodic("reminders", "ansinh.messaging.tasks.send_reminders", every(timedelta(minutes=15))),
    # The queue's own results of jobs finished a month ago.
    Periodic("queue-prune", "ansinh.jobs.worker.prune", daily_at(3)),
]
