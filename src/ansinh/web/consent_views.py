"""A person's consent to reminders, recorded by staff from the person page (messaging/services.record_consent):
agree or refuse, per channel, with how the person said it; the time is the server's."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ansinh.messaging import services
from ansinh.org.scope import scope_for
from ansinh.registry import queries
from ansinh.web.common import or_404, run_service, writers_only
from ansinh.web.registry_forms import DomainForm

CHANNEL_CHOICES = [("all", gettext_lazy("Mọi kênh")), ("sms", gettext_lazy("Tin nhắn SMS")),
                   ("zalo", gettext_lazy("Zalo"))]
PURPOSE_CHOICES = [("reminder", gettext_lazy("Nhắc đóng BHXH tự nguyện, BHYT hộ gia đình"))]


class ConsentForm(DomainForm):
    purpose = forms.ChoiceField(label=gettext_lazy("Mục đích"), choices=PURPOSE_CHOICES, initial="reminder")
    channel = forms.ChoiceField(label=gettext_lazy("Kênh"), choices=CHANNEL_CHOICES, initial="all")
    decision = forms.ChoiceField(label=gettext_lazy("Người dân"), choices=[
        ("grant", gettext_lazy("đồng ý nhận tin")), ("refuse", gettext_lazy("từ chối, không nhận tin"))])
    note = forms.CharField(label=gettext_lazy("Cách người dân cho biết"), max_length=300, required=False,
                           help_text=gettext_lazy("Ví dụ: ký phiếu đồng ý, nói trực tiếp với nhân viên thu"))


@login_required
@require_POST
def person_consent(request: HttpRequest, person_id: int) -> HttpResponse:
    scope = scope_for(request.user)
    or_404(lambda: queries.person(scope, person_id))  # out of scope: 404; a read-only role: 403, before the form
    writers_only(scope)
    form = ConsentForm(request.POST)
    made = run_service(form, lambda: services.record_consent(
        request.user, scope, person_id, granted=form.cleaned_data["decision"] == "grant",  # type: ignore[arg-type]
        channel=form.cleaned_data["channel"], note=form.cleaned_data["note"], now=timezone.now()))
    if made is None:
        return render(request, "web/form.html", {"form": form, "title": _("Ghi nhận đồng ý nhận tin"),
                                                  "submit": _("Ghi nhận")}, status=400)
    messages.success(request, _("Đã ghi nhận ý kiến của người dân về việc nhận tin nhắn."))
    return redirect("web:person", person_id=person_id)
