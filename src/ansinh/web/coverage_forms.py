"""Forms of the coverage pages (issue 18): another group's coverage of a person, and the gap report's
day and map."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from ansinh.registry.models import OtherCoverageKind
from ansinh.registry.other_coverage import SOURCE_MAX
from ansinh.web.forms import DATE_WIDGET, MESSAGES
from ansinh.web.registry_forms import DomainForm


class OtherCoverageForm(DomainForm):
    kind = forms.ChoiceField(label=gettext_lazy("Loại"), choices=OtherCoverageKind.choices, error_messages=MESSAGES)
    source = forms.CharField(
        label=gettext_lazy("Nguồn thông tin"),
        max_length=SOURCE_MAX,
        error_messages=MESSAGES,
        help_text=gettext_lazy("Ví dụ: danh sách của BHXH, thẻ BHYT đã xem, xác nhận của đơn vị sử dụng lao động."),
    )
    valid_from = forms.DateField(label=gettext_lazy("Từ ngày"), widget=DATE_WIDGET, error_messages=MESSAGES)
    valid_to = forms.DateField(
        label=gettext_lazy("Đến ngày (nếu biết)"), widget=DATE_WIDGET, required=False, error_messages=MESSAGES
    )


class EndCoverageForm(DomainForm):
    end = forms.IntegerField(widget=forms.HiddenInput)
    valid_to = forms.DateField(label=gettext_lazy("Ngày kết thúc"), widget=DATE_WIDGET, error_messages=MESSAGES)


class CoverageReportForm(forms.Form):
    on = forms.DateField(label=gettext_lazy("Ngày xem"), widget=DATE_WIDGET, error_messages=MESSAGES)
    map = forms.ChoiceField(
        label=gettext_lazy("Đơn vị hành chính"),
        choices=[
            ("recorded", gettext_lazy("Như đã ghi trong hồ sơ")),
            ("today", gettext_lazy("Quy đổi về đơn vị hiện nay")),
        ],
        initial="today",
        required=False,
    )
