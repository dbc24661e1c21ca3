"""Reads of the outbox, within a scope: the list of the outbox page and one message by id."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.messaging.models import Message
from ansinh.org.scope import Scope, not_found


def require_reader(scope: Scope) -> None:
    """The outbox is staff's: a login without any role sees no page of it."""
    if scope.role is None:
        raise DomainError(ErrorCode.FORBIDDEN, _("Chỉ cán bộ được phân quyền mới xem được hộp thư đi."),
                          "Only staff with a role may read the outbox.")


def outbox(scope: Scope, state: str = "", purpose: str = "") -> QuerySet[Message]:
    """The messages to the people of the scope's areas, newest first, with their person (one query a page)."""
    require_reader(scope)
    rows = Message.objects.filter(scope.areas_q("person__area")).select_related("person")
    if state:
        rows = rows.filter(state=state)
    if purpose:
        rows = rows.filter(purpose=purpose)
    return rows.order_by("-created_at", "-pk")


def message_of(scope: Scope, pk: int) -> Message:
    """One message, refused as if it did not exist when its person is outside the scope."""
    require_reader(scope)
    found = Message.objects.select_related("person").filter(pk=pk).first()
    if found is None:
        raise not_found()
    scope.require_area(found.person.area_id)
    return found
