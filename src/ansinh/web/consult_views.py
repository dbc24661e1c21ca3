"""The consultation tool (phone-first, works at a launch event): one person's costs and benefits,
a side-by-side comparison, and a printable one-page sheet whose QR code reopens the same quote."""

from __future__ import annotations

import re
from typing import Any

import segno
from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from ansinh.lib.errors import DomainError
from ansinh.rules.consultation import consult
from ansinh.web.forms import DATE_WIDGET, GROUP_CHOICES, MESSAGES


class ConsultForm(forms.Form):
    on = forms.DateField(label="Ngày tư vấn", widget=DATE_WIDGET, error_messages=MESSAGES)
    born = forms.DateField(label="Ngày sinh", widget=DATE_WIDGET, error_messages=MESSAGES)
    sex = forms.ChoiceField(label="Giới tính", choices=[("male", "Nam"), ("female", "Nữ")])
    groups = forms.MultipleChoiceField(label="Thuộc nhóm được hỗ trợ", choices=GROUP_CHOICES, required=False,
                                       widget=forms.CheckboxSelectMultiple)
    incomes = forms.CharField(label="Các mức thu nhập muốn so sánh (đồng, cách nhau bởi dấu phẩy)",
                              initial="1500000, 2000000, 3000000", error_messages=MESSAGES)
    household_members = forms.IntegerField(label="Số người trong hộ mua BHYT (0 nếu không)", min_value=0,
                                           max_value=20, initial=0, required=False)

    def clean_incomes(self) -> list[int]:
        parts = [p for p in re.split(r"[,;\s]+", self.cleaned_data["incomes"].replace(".", "")) if p]
        if not parts or not all(p.isdigit() for p in parts) or len(parts) > 4:
            raise forms.ValidationError("Nhập 1 đến 4 mức thu nhập, ví dụ: 1500000, 2000000.")
        return [int(p) for p in parts]


def consultation(request: HttpRequest) -> HttpResponse:
    form = ConsultForm(request.GET or None, initial={"on": timezone.localdate()})
    context: dict[str, Any] = {"form": form, "printing": request.GET.get("in") == "1"}
    if form.is_valid():
        d = form.cleaned_data
        try:
            context["result"] = consult(d["on"], d["born"], d["sex"], d["incomes"], d["groups"],
                                        d["household_members"] or 0)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            # The QR code carries this very address, so scanning the printed sheet reopens the quote.
            link = request.build_absolute_uri(request.get_full_path().replace("&in=1", ""))
            context["qr_svg"] = segno.make(link, error="m").svg_inline(scale=3)
            context["link"] = link
    return render(request, "web/consultation.html", context, status=400 if form.errors else 200)
