"""The managers' pages of the offline app (fieldsync): flags and duplicate people to decide, the
devices (revoke a lost phone), and the receipt book of every device block. Each view parses, calls
one service or query, renders."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ansinh.fieldsync import devices, queries, services
from ansinh.fieldsync.models import Decision
from ansinh.org.scope import scope_for
from ansinh.payments.rights import is_money_manager
from ansinh.web.common import run_service
from ansinh.web.registry_forms import DomainForm


class DecisionForm(DomainForm):
    decision = forms.ChoiceField(label=gettext_lazy("Quyết định"), choices=[(d.value, d.label) for d in Decision
                                                              if d != Decision.PENDING])


class RevokeForm(DomainForm):
    reason = forms.CharField(label=gettext_lazy("Lý do thu hồi"), max_length=300)


@login_required
def flags(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    return render(request, "web/sync_flags.html", {
        "flags": queries.flags(scope), "conflicts": queries.conflicts(scope),
        "may_decide": is_money_manager(scope) and scope.can_write, "form": DecisionForm()})


@login_required
@require_POST
def decide(request: HttpRequest, conflict_id: int) -> HttpResponse:
    scope = scope_for(request.user)
    form = DecisionForm(request.POST)
    if run_service(form, lambda: services.decide_conflict(request.user, scope, conflict_id,
                                                          form.cleaned_data["decision"])) is None:
        return render(request, "web/form.html", {"form": form, "title": _("Quyết định trùng người"),
                                                 "submit": _("Ghi quyết định")}, status=400)
    return redirect("web:sync_flags")


@login_required
def device_list(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    return render(request, "web/sync_devices.html", {
        "devices": devices.managed_devices(scope), "may_revoke": is_money_manager(scope) and scope.can_write,
        "form": RevokeForm()})


@login_required
@require_POST
def revoke(request: HttpRequest, device_id: int) -> HttpResponse:
    scope = scope_for(request.user)
    form = RevokeForm(request.POST)
    if run_service(form, lambda: devices.revoke_device(request.user, scope, device_id,
                                                      form.cleaned_data["reason"])) is None:
        return render(request, "web/form.html", {"form": form, "title": _("Thu hồi thiết bị"),
                                                 "submit": _("Thu hồi")}, status=400)
    return redirect("web:sync_devices")


@login_required
def receipt_book(request: HttpRequest) -> HttpResponse:
    return render(request, "web/sync_receipt_book.html", {"book": queries.receipt_book(scope_for(request.user))})
