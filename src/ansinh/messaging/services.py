"""Staff's changes to the outbox (the outbox page): cancel a message still waiting, send a failed one again.

Both are the writers' of the person's area (Scope.require_write), take the row by compare-and-set (a worker
may be claiming it at the same moment: only a row still in the expected state changes), and are audited."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from ansinh.lib.errors import invalid_input
from ansinh.messaging.models import Message, MessageState
from ansinh.messaging.outbox import not_before
from ansinh.messaging.queries import message_of
from ansinh.org.scope import Scope
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
