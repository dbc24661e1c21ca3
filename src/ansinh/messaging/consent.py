"""Consent and opt-out per person (Decree 13/2023/NĐ-CP on personal data protection: consent names its purpose,
is recorded with its time and the way it was given, art. 11, and may be withdrawn at any time, art. 12).

Records are append-only; the latest for the purpose and the channel (or "all") is in force. Without any record
a person receives service reminders; a refusal ends every queued message to them as opted_out."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q

from ansinh.lib.text import fold
from ansinh.messaging.models import Consent, ConsentSource, Message, MessageState
from ansinh.registry.models import Person

PURPOSE = "reminder"
REFUSALS = {"tu choi", "stop", "huy", "tuchoi"}


def refused(person_id: int, channel: str, at: datetime) -> bool:
    latest = (Consent.objects.filter(person_id=person_id, purpose=PURPOSE, recorded_at__lte=at)
              .filter(Q(channel=channel) | Q(channel="all")).order_by("-recorded_at", "-pk").first())
    return latest is not None and not latest.granted


def is_refusal(text: str) -> bool:
    return fold(text).strip(" .!") in REFUSALS


@transaction.atomic
def record(person: Person, *, granted: bool, source: str, at: datetime, channel: str = "all",
           by: AbstractBaseUser | None = None, note: str = "") -> Consent:
    made = Consent.objects.create(person=person, purpose=PURPOSE, channel=channel, granted=granted, source=source,
                                  recorded_at=at, recorded_by=by, note=note[:300])
    if not granted:
        waiting = Message.objects.filter(person=person, state=MessageState.QUEUED)
        if channel != "all":
            waiting = waiting.filter(channel=channel)
        waiting.update(state=MessageState.OPTED_OUT, finished_at=at)
    return made


def refuse_by_phone(phone: str, at: datetime, note: str) -> int:
    """An inbound "TU CHOI"/STOP: every person with that phone refuses reminders; returns how many."""
    people = list(Person.objects.filter(phone=phone))
    for person in people:
        record(person, granted=False, source=ConsentSource.INBOUND, at=at, note=note)
    return len(people)


CHANNELS = ("all", "sms", "zalo")


def history(person_id: int, shown: int = 10) -> list[Consent]:
    """The person's latest records, newest first (the person page)."""
    return list(Consent.objects.filter(person_id=person_id).select_related("recorded_by")
                .order_by("-recorded_at", "-pk")[:shown])
