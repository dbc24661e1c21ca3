"""Staff's changes to the outbox (the outbox page): cancel a message still waiting, send a failed one again;
and a person's consent or refusal recorded by staff (the person page).

Both are the writers' of the person's area (Scope.require_write), take the row by compare-and-set (a worker
may be claiming it at the same moment: only a row still in the expected state changes), and are audited."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from ansinh.lib.errors import invalid_input
from ansinh.messaging import consent
from ansinh.messaging.models import Consent, ConsentSource, Message, MessageState
from ansinh.messaging.outbox import not_before
from ansinh.messaging.queries import message_of
from ansinh.org.scope import Scope
from ansinh.registry import queries as registry
from ansinh.registry.audit import audit


@transaction.atomic
def cancel(actor: AbstractBaseUser, scope: Scope, pk: int, now: datetime) -> Message:
    """A queued message is not sent: it ends cancelled. Sent or finished ones cannot be called back."""
    message = message_of(scope, pk)
    scope.require_write(message.person.area_id)
    changed = (Message.objects.filter(pk=pk, state=MessageState.QUEUED)
               .update(state=MessageState.CANCELLED, finished_at=now, claimed_at=None))
    if not changed:
        raise invalid_input(_("Chỉ huỷ được tin nhắn đang chờ gửi."), "Only a queued message can be cancelled.")
    audit(actor, "msg_cancel", "message", pk, message.person.area_id,
          {"state": (MessageState.QUEUED.value, MessageState.CANCELLED.value)})
    message.refresh_from_db()
    return message


@transaction.atomic
def retry(actor: AbstractBaseUser, scope: Scope, pk: int, now: datetime) -> Message:
    """A failed message is queued again with fresh tries and a new gateway key (Message.key), due at ``now``
    (or 07:00 when ``now`` is in quiet hours); the outbox's consent check and cap apply as for any other."""
    message = message_of(scope, pk)
    scope.require_write(message.person.area_id)
    changed = (Message.objects.filter(pk=pk, state=MessageState.FAILED)
               .update(state=MessageState.QUEUED, attempts=0, resends=message.resends + 1, claimed_at=None,
                       finished_at=None, provider_id="", next_attempt_at=not_before(now)))
    if not changed:
        raise invalid_input(_("Chỉ gửi lại được tin nhắn đã gửi lỗi."), "Only a failed message can be sent again.")
    audit(actor, "msg_retry", "message", pk, message.person.area_id,
          {"state": (MessageState.FAILED.value, MessageState.QUEUED.value)})
    message.refresh_from_db()
    return message


@transaction.atomic
def record_consent(actor: AbstractBaseUser, scope: Scope, person_id: int, *, granted: bool, channel: str,
                   note: str, now: datetime) -> Consent:
    """What the person told staff, for the reminders' purpose and a channel (or all), at the server's time
    (Decree 13/2023/NĐ-CP art. 11: the purpose, the time and the way are kept; art. 12: withdrawn any time).
    A refusal ends the person's queued messages as opted_out (consent.record); the outbox checks it again
    before each send."""
    person = registry.person(scope, person_id)
    scope.require_write(person.area_id)
    if channel not in consent.CHANNELS:
        raise invalid_input(_("Kênh nhận tin không hợp lệ."), "Unknown channel.", field="channel")
    if not note.strip():
        raise invalid_input(_("Ghi cách người dân cho biết (ví dụ: ký phiếu, nói trực tiếp, gọi điện)."),
                            "Say how the person told it.", field="note")
    made = consent.record(person, granted=granted, source=ConsentSource.STAFF, at=now, channel=channel, by=actor,
                          note=note.strip())
    audit(actor, "consent_ok" if granted else "consent_no", "person", person.pk, person.area_id,
          {"consent": ("", f"{consent.PURPOSE}/{channel}/{'granted' if granted else 'refused'}")})
    return made
