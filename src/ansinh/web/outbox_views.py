"""The outbox page (/tin-nhan/, messaging/queries.py and services.py): the reminders to the people of one's
areas with their state, filtered by state and purpose, paged; writers cancel a queued one or send a failed
one again. Phones are shown as the field policy says (org/fields.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ansinh.lib.errors import DomainError
from ansinh.messaging import queries, services
from ansinh.messaging.models import MessageState, Purpose
from ansinh.org.fields import PersonalField, shown
from ansinh.org.scope import scope_for
from ansinh.web.common import or_404, refused

PAGE_SIZE = 50


class OutboxFilter(forms.Form):
    state = forms.ChoiceField(label=gettext_lazy("Trạng thái"), required=False,
                              choices=[("", gettext_lazy("Tất cả")), *MessageState.choices])
    purpose = forms.ChoiceField(label=gettext_lazy("Loại nhắc"), required=False,
                                choices=[("", gettext_lazy("Tất cả")), *Purpose.choices])

    def filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {}
        return {"state": self.cleaned_data["state"], "purpose": self.cleaned_data["purpose"]}


@login_required
def outbox(request: HttpRequest) -> HttpResponse:
    return _page(request)


def _page(request: HttpRequest, refusal: str = "", status: int = 200) -> HttpResponse:
    scope = scope_for(request.user)
    form = OutboxFilter(request.GET or None)
    found = or_404(lambda: queries.outbox(scope, **form.filters()))
    number = request.GET.get("page", "")
    page = Paginator(found, PAGE_SIZE).get_page(int(number) if number.isascii() and number.isdigit() else 1)
    rows = [{"message": m, "phone": shown(scope, PersonalField.PHONE, m.phone)} for m in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "web/outbox.html", {"form": form, "page": page, "rows": rows, "query": query.urlencode(),
                                               "may_change": scope.can_write, "refusal": refusal}, status=status)


def _change(request: HttpRequest, message_id: int, action: Any, done: str) -> HttpResponse:
    scope = scope_for(request.user)
    try:
        action(request.user, scope, message_id, timezone.now())
    except DomainError as error:
        page = refused(error)
        if page is not None:
            raise page from None
        return _page(request, error.message, status=400)  # the state changed meanwhile: the list as it is now
    messages.success(request, done)
    return redirect("web:outbox")


@login_required
@require_POST
def cancel(request: HttpRequest, message_id: int) -> HttpResponse:
    return _change(request, message_id, services.cancel, _("Đã huỷ tin nhắn."))


@login_required
@require_POST
def retry(request: HttpRequest, message_id: int) -> HttpResponse:
    return _change(request, message_id, services.retry, _("Đã xếp tin nhắn vào hàng chờ gửi lại."))
