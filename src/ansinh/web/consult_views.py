"""The consultation tool (phone-first, works at a launch event): one person's costs and benefits,
a side-by-side comparison, and a printable one-page sheet whose QR code reopens the same quote."""

from __future__ import annotations

import re
from typing import Any

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ansinh.areas.queries import province_codes
from ansinh.campaigns import services as campaigns
from ansinh.campaigns.models import AdvisoryTeam, LeadOutcome
from ansinh.campaigns.services import LeadData, active_teams
from ansinh.enrollment.models import Scheme
from ansinh.lib.errors import DomainError
from ansinh.org.scope import scope_for
from ansinh.rules.consultation import consult
from ansinh.web import choices
from ansinh.web.common import run_service
from ansinh.web.forms import DATE_WIDGET, MESSAGES, ScopedChoiceField, set_choices_in_force
from ansinh.web.registry_forms import DomainForm


class ConsultForm(forms.Form):
    on = forms.DateField(label=gettext_lazy("Ngày tư vấn"), widget=DATE_WIDGET, error_messages=MESSAGES)
    born = forms.DateField(label=gettext_lazy("Ngày sinh"), widget=DATE_WIDGET, error_messages=MESSAGES)
    sex = forms.ChoiceField(label=gettext_lazy("Giới tính"), choices=[("male", "Nam"), ("female", gettext_lazy("Nữ"))])
    groups = forms.MultipleChoiceField(label=gettext_lazy("Thuộc nhóm được hỗ trợ"), choices=(), required=False,
                                       widget=forms.CheckboxSelectMultiple)
    province = forms.ChoiceField(
        label=gettext_lazy("Tỉnh nơi cư trú (hỗ trợ thêm của tỉnh)"), choices=(), required=False
    )
    incomes = forms.CharField(
        label=gettext_lazy("Các mức thu nhập muốn so sánh (đồng, cách nhau bởi dấu phẩy)"), error_messages=MESSAGES
    )
    household_members = forms.IntegerField(
        label=gettext_lazy("Số người trong hộ mua BHYT (0 nếu không)"),
        min_value=0,
        max_value=20,
        initial=0,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices_in_force(self)
        self.fields["province"].choices = choices.provinces()
        # The examples start at the income floor in force (1,500,000 is below it from 2027).
        self.fields["incomes"].initial = choices.example_incomes_text(timezone.localdate())

    def clean_incomes(self) -> list[int]:
        parts = [p for p in re.split(r"[,;\s]+", self.cleaned_data["incomes"].replace(".", "")) if p]
        if not parts or not all(p.isdigit() for p in parts) or len(parts) > 4:
            example = choices.example_hint(timezone.localdate())
            raise forms.ValidationError(_("Nhập 1 đến 4 mức thu nhập, ví dụ: {example}.").format(example=example))
        return [int(p) for p in parts]


class LeadForm(DomainForm):
    team = ScopedChoiceField(label=gettext_lazy("Tổ tư vấn"), queryset=AdvisoryTeam.objects.none(), empty_label=None)
    full_name = forms.CharField(label=gettext_lazy("Họ tên người được tư vấn"), max_length=200, error_messages=MESSAGES)
    phone = forms.CharField(
        label=gettext_lazy("Điện thoại"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    scheme = forms.ChoiceField(label=gettext_lazy("Quan tâm"), choices=Scheme.choices)
    outcome = forms.ChoiceField(label=gettext_lazy("Kết quả"), choices=LeadOutcome.choices)
    reason = forms.CharField(label=gettext_lazy("Lý do / ghi chú"), max_length=300, required=False)
    follow_up_on = forms.DateField(label=gettext_lazy("Hẹn gặp lại ngày"), widget=DATE_WIDGET, required=False)
    back = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, teams: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams if teams is not None else AdvisoryTeam.objects.none()

    def lead_data(self) -> LeadData:
        d = self.cleaned_data
        return LeadData(
            full_name=d["full_name"],
            scheme=d["scheme"],
            outcome=d["outcome"],
            phone=d["phone"],
            reason=d["reason"],
            follow_up_on=d["follow_up_on"],
        )


def _home_province(request: HttpRequest) -> str:
    """The province a signed-in user works in (their scope lies in one), to preselect on a blank form."""
    if not request.user.is_authenticated:
        return ""
    found = set(province_codes(scope_for(request.user).area_ids).values()) - {None}
    return found.pop() if len(found) == 1 else ""  # type: ignore[return-value]


def consultation(request: HttpRequest) -> HttpResponse:
    initial = (
        {"on": timezone.localdate()}
        if request.GET
        else {"on": timezone.localdate(), "province": _home_province(request)}
    )
    form = ConsultForm(request.GET or None, initial=initial)
    context: dict[str, Any] = {"form": form, "printing": request.GET.get("in") == "1"}
    if form.is_valid():
        d = form.cleaned_data
        try:
            context["result"] = consult(
                d["on"],
                d["born"],
                d["sex"],
                d["incomes"],
                d["groups"],
                d["household_members"] or 0,
                province=d["province"] or None,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            # The QR code carries this very address, so scanning the printed sheet reopens the quote.
            link = request.build_absolute_uri(request.get_full_path().replace("&in=1", ""))
            context["qr_svg"] = segno.make(link, error="m").svg_inline(scale=3)
            context["link"] = link
            teams = active_teams(scope_for(request.user), request.user, timezone.localdate())
            if teams.exists():  # an advisory-team member during a campaign records the outcome
                context["lead_form"] = LeadForm(teams=teams, initial={"back": request.get_full_path()})
    return render(request, "web/consultation.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def record_lead(request: HttpRequest) -> HttpResponse:
    scope, today = scope_for(request.user), timezone.localdate()
    form = LeadForm(request.POST, teams=active_teams(scope, request.user, today))
    lead = run_service(
        form, lambda: campaigns.record_lead(request.user, scope, form.cleaned_data["team"].pk, today, form.lead_data())
    )
    if lead is None:
        return render(
            request,
            "web/form.html",
            {"form": form, "title": _("Ghi nhận kết quả tư vấn"), "submit": _("Lưu")},
            status=400,
        )
    messages.success(
        request,
        _("Đã ghi nhận: {full_name} — {get_outcome_display}.").format(
            full_name=lead.full_name, get_outcome_display=lead.get_outcome_display()
        ),
    )
    back = form.cleaned_data["back"]
    return redirect(
        back
        if url_has_allowed_host_and_scheme(back, allowed_hosts=None) and back.startswith("/")
        else "web:consultation"
    )
