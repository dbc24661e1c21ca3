"""Forms of the agent's quote → confirm → pay flow."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from ansinh.enrollment.models import CardKind
from ansinh.lib.errors import DomainError
from ansinh.lib.periods import require_order
from ansinh.org.models import Agent, OrgUnit
from ansinh.payments.models import AMOUNT_MAX, KEY_MAX_LENGTH, PaymentMethod, RemittanceKind, Sponsor
from ansinh.payments.queries import require_period
from ansinh.web.forms import DATE_WIDGET, MESSAGES, ScopedChoiceField, income_step_today, set_choices_in_force
from ansinh.web.registry_forms import DomainForm

# The enrolment's idempotency key: drawn when the form is first shown, posted back with the quote and
# the confirmation, so a double submission returns the first term (ADR 0007).
ENROL_KEY_MESSAGES = {"required": gettext_lazy("Trang đã cũ: tải lại trang rồi đăng ký lại."),
                      "max_length": gettext_lazy("Trang đã cũ: tải lại trang rồi đăng ký lại.")}


def enrol_key() -> forms.CharField:
    return forms.CharField(widget=forms.HiddenInput, max_length=100, error_messages=ENROL_KEY_MESSAGES)


class StopPlanForm(DomainForm):
    on = forms.DateField(
        label=gettext_lazy("Ngày người tham gia đăng ký dừng đóng"), widget=DATE_WIDGET, error_messages=MESSAGES
    )


class VsiEnrollForm(DomainForm):
    key = enrol_key()
    on = forms.DateField(label=gettext_lazy("Ngày đóng"), widget=DATE_WIDGET, error_messages=MESSAGES)
    income = forms.IntegerField(
        label=gettext_lazy("Thu nhập tháng lựa chọn (đồng)"),
        min_value=0,
        error_messages=MESSAGES,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    method = forms.ChoiceField(label=gettext_lazy("Phương thức đóng"), choices=(), initial="regular")
    months = forms.IntegerField(label=gettext_lazy("Số tháng"), min_value=1, initial=12, error_messages=MESSAGES)
    override = forms.BooleanField(label=gettext_lazy("Thay đổi nhóm hỗ trợ so với dữ liệu hộ"), required=False)
    groups = forms.MultipleChoiceField(
        label=gettext_lazy("Nhóm hỗ trợ (khi thay đổi)"),
        choices=(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    override_reason = forms.CharField(label=gettext_lazy("Lý do thay đổi"), required=False, max_length=300)
    rate = forms.DecimalField(
        label=gettext_lazy("Lãi suất quỹ r (khi đóng trước/đóng bù)"),
        required=False,
        min_value=0,
        max_value=1,
        decimal_places=6,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices_in_force(self)
        if step := income_step_today():
            self.fields["income"].widget.attrs["step"] = step


class HiEnrollForm(DomainForm):
    key = enrol_key()
    on = forms.DateField(label=gettext_lazy("Ngày đóng"), widget=DATE_WIDGET, error_messages=MESSAGES)
    members = forms.MultipleChoiceField(
        label=gettext_lazy("Thành viên tham gia"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Chọn ít nhất một thành viên.")},
    )
    months = forms.TypedChoiceField(label=gettext_lazy("Kỳ đóng"), coerce=int, choices=())
    initial_clinic = forms.CharField(label=gettext_lazy("Nơi KCB ban đầu"), required=False, max_length=200)
    card_kind = forms.ChoiceField(label=gettext_lazy("Loại thẻ"), choices=CardKind.choices, initial=CardKind.ELECTRONIC)
    as_household = forms.MultipleChoiceField(
        label=gettext_lazy("Chọn tham gia theo hộ gia đình thay cho nhóm được NSNN hỗ trợ"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Người thuộc hộ cận nghèo được chọn từ 01/07/2025 (Luật 51/2024/QH15): đóng theo hộ, "
            "không được NSNN hỗ trợ."
        ),
    )

    def __init__(
        self, *args: Any, member_choices: list[tuple[str, str]] | None = None, supported: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        set_choices_in_force(self)
        self.fields["members"].choices = member_choices or []
        if supported:  # the household is near-poor on the date: its members may choose (rules check the date)
            self.fields["as_household"].choices = member_choices or []
        else:
            del self.fields["as_household"]


class PaymentForm(DomainForm):
    amount = forms.IntegerField(
        label=gettext_lazy("Số tiền thu (đồng)"),
        min_value=0,
        error_messages=MESSAGES,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    method = forms.ChoiceField(
        label=gettext_lazy("Hình thức"), choices=PaymentMethod.choices, initial=PaymentMethod.CASH
    )
    sponsor = forms.ModelChoiceField(
        label=gettext_lazy("Nhà tài trợ đóng thay (nếu có)"),
        queryset=Sponsor.objects.all(),
        required=False,
        empty_label=gettext_lazy("— Người tham gia tự đóng —"),
    )
    key = forms.CharField(widget=forms.HiddenInput, max_length=KEY_MAX_LENGTH)


class ReverseForm(DomainForm):
    reason = forms.CharField(label=gettext_lazy("Lý do huỷ khoản thu"), max_length=300, error_messages=MESSAGES)
    key = forms.CharField(widget=forms.HiddenInput, max_length=KEY_MAX_LENGTH)


class ReversalRequestForm(DomainForm):
    reason = forms.CharField(
        label=gettext_lazy("Lý do đề nghị huỷ (gửi quản lý duyệt)"), max_length=300, error_messages=MESSAGES
    )
    key = forms.CharField(widget=forms.HiddenInput, max_length=KEY_MAX_LENGTH)


class ReversalDecisionForm(DomainForm):
    decision = forms.ChoiceField(
        label=gettext_lazy("Quyết định"),
        choices=[("approve", gettext_lazy("Duyệt: huỷ khoản thu")), ("refuse", gettext_lazy("Từ chối: giữ khoản thu"))],
    )
    reason = forms.CharField(label=gettext_lazy("Lý do (bắt buộc khi từ chối)"), max_length=300, required=False)


class ConfirmationForm(DomainForm):
    code = forms.CharField(label=gettext_lazy("Mã xác nhận của BHXH"), max_length=40, error_messages=MESSAGES)


class RemittanceForm(DomainForm):
    kind = forms.ChoiceField(label=gettext_lazy("Loại"), choices=RemittanceKind.choices)
    collector = ScopedChoiceField(label=gettext_lazy("Tổ chức dịch vụ thu"), queryset=OrgUnit.objects.none())
    agent = forms.ModelChoiceField(
        label=gettext_lazy("Nhân viên thu (khi nhân viên nộp)"), queryset=Agent.objects.none(), required=False
    )
    amount = forms.IntegerField(
        label=gettext_lazy("Số tiền (đồng)"), min_value=1, max_value=AMOUNT_MAX, error_messages=MESSAGES
    )
    on = forms.DateField(label=gettext_lazy("Ngày nộp"), widget=DATE_WIDGET, error_messages=MESSAGES)
    reference = forms.CharField(label=gettext_lazy("Số chứng từ"), max_length=100, required=False)
    key = forms.CharField(widget=forms.HiddenInput, max_length=KEY_MAX_LENGTH)

    def __init__(self, *args: Any, collectors: Any = None, agents: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["collector"].queryset = collectors if collectors is not None else OrgUnit.objects.none()
        self.fields["agent"].queryset = agents if agents is not None else Agent.objects.none()


class PeriodForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("Từ ngày"), widget=DATE_WIDGET)
    end = forms.DateField(label=gettext_lazy("Đến ngày"), widget=DATE_WIDGET)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("start") and cleaned.get("end"):
            try:
                require_order(cleaned["start"], cleaned["end"])
            except DomainError as error:
                self.add_error("end", error.message)
        return cleaned


class MoneyPeriodForm(PeriodForm):
    """The money page's period: at most a year, within the dates the reconciliation accepts."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.errors and cleaned.get("start") and cleaned.get("end"):
            try:
                require_period(cleaned["start"], cleaned["end"])
            except DomainError as error:
                self.add_error("end", error.message)
        return cleaned


class ReportForm(PeriodForm):
    map = forms.ChoiceField(
        label=gettext_lazy("Đơn vị hành chính"),
        required=False,
        initial="recorded",
        choices=[
            ("recorded", gettext_lazy("Như khi thu tiền (bản đồ thời kỳ đó)")),
            ("today", gettext_lazy("Quy đổi về xã/phường hiện nay")),
        ],
    )
