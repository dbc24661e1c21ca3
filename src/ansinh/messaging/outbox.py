"""The outbox: reminders queued once per person, purpose and period, then sent by a periodic job.

A message moves queued → sending → sent → delivered / failed, or ends opted_out when the person refused
messages (consent.py). Sending respects quiet hours (no text between 21:00 and 07:00 local time: a
message due then waits until 07:00) and a per-person cap (at most one text per
``ANSINH_MESSAGE_CAP_HOURS``). A transient gateway failure is tried again after a doubling backoff, up to
``ANSINH_MESSAGE_MAX_ATTEMPTS``; then the message is failed. A row claimed by a worker that died while
sending is claimed again after ``CLAIM_SECONDS`` with the same key, which the gateways pass on as their
idempotency key, so a lost answer is not a second text.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from ansinh.messaging import consent
from ansinh.messaging.compose import Draft, drafts
from ansinh.messaging.gateways import Gateway, GatewayError, Outgoing, gateway
from ansinh.messaging.models import Message, MessageState
from ansinh.org.scope import Scope

QUIET_FROM, QUIET_TO = time(21, 0), time(7, 0)
CLAIM_SECONDS = 600
BATCH = 200


def quiet(at: datetime) -> bool:
    local = timezone.localtime(at).time()
    return local >= QUIET_FROM or local < QUIET_TO


def not_before(at: datetime) -> datetime:
    """``at``, or the next 07:00 local time when ``at`` falls in quiet hours."""
    if not quiet(at):
        return at
    local = timezone.localtime(at)
    day = local.date() + timedelta(days=1) if local.time() >= QUIET_FROM else local.date()
    return timezone.make_aware(datetime.combine(day, QUIET_TO))


def queue(scope: Scope, on: date, now: datetime) -> int:
    """Queue the reminders due on ``on`` (before the due date, on it, after a lapse); returns how many are new.
    Each is created once: the unique (person, purpose, period) makes a second run a no-op."""
    new = 0
    for draft in drafts(scope, on):
        new += _queue_one(draft, now)
    return new


def _queue_one(draft: Draft, now: datetime) -> int:
    if Message.objects.filter(person=draft.person, purpose=draft.purpose, period_key=draft.period_key).exists():
        return 0
    try:
        with transaction.atomic():
            Message.objects.create(person=draft.person, purpose=draft.purpose, period_key=draft.period_key,
                                   channel=draft.channel, phone=draft.person.phone, text=draft.text,
                                   params=draft.params, next_attempt_at=not_before(now))
    except IntegrityError:  # another run queued it between the check and the insert
        return 0
    return 1


def dispatch(now: datetime, gateway_for: Callable[[str], Gateway] = gateway) -> dict[str, int]:
    """Send every message due at ``now``; returns counts by what happened. Nothing is sent in quiet hours."""
    done = {"sent": 0, "retry": 0, "failed": 0, "opted_out": 0, "capped": 0}
    if quiet(now):
        return done
    stale = now - timedelta(seconds=CLAIM_SECONDS)
    due = (Message.objects.filter(Q(state=MessageState.QUEUED, next_attempt_at__lte=now)
                                  | Q(state=MessageState.SENDING, claimed_at__lt=stale))
           .order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:BATCH])
    for pk in list(due):
        outcome = _send_one(pk, now, gateway_for)
        if outcome:
            done[outcome] += 1
    return done


def _claim(pk: int, now: datetime) -> Message | None:
    """Compare-and-set: only one worker moves a row to sending."""
    stale = now - timedelta(seconds=CLAIM_SECONDS)
    claimed = (Message.objects.filter(pk=pk).filter(Q(state=MessageState.QUEUED) | Q(state=MessageState.SENDING,
                                                                                      claimed_at__lt=stale))
               .update(state=MessageState.SENDING, claimed_at=now))
    return Message.objects.select_related("person").get(pk=pk) if claimed else None


def _send_one(pk: int, now: datetime, gateway_for: Callable[[str], Gateway]) -> str | None:
    message = _claim(pk, now)
    if message is None:
        return None
    if consent.refused(message.person_id, message.channel, now):
        _finish(message, MessageState.OPTED_OUT, now)
        return "opted_out"
    last = _last_sent(message)
    if last is not None and last + _cap() > now:
        _requeue(message, not_before(last + _cap()))
        return "capped"
    chosen = gateway_for(message.channel)
    try:
        sent = chosen.send(Outgoing(key=message.key, phone=message.phone, text=message.text, channel=message.channel,
                                    params={k: str(v) for k, v in message.params.items()}))
    except GatewayError as error:
        return _failed(message, chosen.name, error, now)
    Message.objects.filter(pk=message.pk, state=MessageState.SENDING).update(
        state=MessageState.SENT, gateway=chosen.name, provider_id=sent.provider_id, sent_at=now,
        attempts=message.attempts + 1, last_error="")
    return "sent"


def _failed(message: Message, name: str, error: GatewayError, now: datetime) -> str:
    attempts = message.attempts + 1
    fields = {"attempts": attempts, "gateway": name, "last_error": str(error)[:300]}
    if error.transient and attempts < settings.ANSINH_MESSAGE_MAX_ATTEMPTS:
        backoff = timedelta(seconds=settings.ANSINH_MESSAGE_BACKOFF_SECONDS * 2 ** (attempts - 1))
        Message.objects.filter(pk=message.pk).update(state=MessageState.QUEUED, claimed_at=None,
                                                     next_attempt_at=not_before(now + backoff), **fields)
        return "retry"
    Message.objects.filter(pk=message.pk).update(state=MessageState.FAILED, finished_at=now, **fields)
    return "failed"


def _last_sent(message: Message) -> datetime | None:
    return (Message.objects.filter(person_id=message.person_id, sent_at__isnull=False).exclude(pk=message.pk)
            .order_by("-sent_at").values_list("sent_at", flat=True).first())


def _cap() -> timedelta:
    return timedelta(hours=settings.ANSINH_MESSAGE_CAP_HOURS)


def _requeue(message: Message, at: datetime) -> None:
    Message.objects.filter(pk=message.pk).update(state=MessageState.QUEUED, claimed_at=None, next_attempt_at=at)


def _finish(message: Message, state: str, now: datetime) -> None:
    Message.objects.filter(pk=message.pk).update(state=state, finished_at=now, claimed_at=None)
