"""Quote forms: parse and validate the citizen's input, then build the rules' request."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.rules import household_hi, vsi
from ansinh.rules.params import default_parameters
from ansinh.web import choices

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
class ScopedChoiceField(forms.ModelChoiceField):
    """A record picked from the user's own (the choices: the queryset given), but read from all of
    its model: one out of scope reaches the service, which refuses it like every record out of
    scope (404) or not the user's (403), instead of the form answering "not a valid choice" (a 400)
    for a write that is not the user's to make. Rights are the services' (ARCHITECTURE.md)."""

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        model = self.queryset.model
        try:
            return model._default_manager.get(pk=int(value))
        except (ValueError, TypeError, model.DoesNotExist):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from None

    def validate(self, value: Any) -> None:
        forms.Field.validate(self, value)  # "required" only: whose it is, is the service's to check


MESSAGES = {"required": gettext_lazy("Vui lòng nhập trường này."), "invalid": gettext_lazy("Giá trị không hợp lệ.")}


def optional_whole_number(label: str | Promise, low: int, high: int) -> forms.IntegerField:
    """A filter's optional whole number within ``low``…``high`` (empty: no filter), refused in Vietnamese."""
    return forms.IntegerField(label=label, required=False, min_value=low, max_value=high, error_messages=MESSAGES)

# Which field a refusal from the rules belongs beside.
FIELD_OF = {
    ErrorCode.INCOME_BELOW_FLOOR: "income",
    ErrorCode.INCOME_ABOVE_CEILING: "income",
    ErrorCode.INCOME_OFF_STEP: "income",
    ErrorCode.PAYMENT_TERM_INVALID: "months",
    ErrorCode.MONTHS_OVER_CAP: "months",
    ErrorCode.FUND_RETURN_MISSING: "rate",
    ErrorCode.SUPPORT_GROUP_UNKNOWN: "groups",
    ErrorCode.PARAMETER_NOT_IN_FORCE: "on",
    ErrorCode.HOUSEHOLD_EMPTY: "members",
}


def income_step_today() -> int | None:
    """The income step in force today, as a hint for the browser's number input (the rules validate)."""
    today = timezone.localdate()
    step = default_parameters().get("vsi/income_step")
    return int(step.at(today).value) if step.in_force(today) else None  # type: ignore[arg-type]


def set_choices_in_force(form: forms.BaseForm) -> None:
    """Fill the method, group and HI term choices from the parameters in force today (web/choices.py)."""
    today = timezone.localdate()
    fields = form.fields
    if "method" in fields:
        fields["method"].choices = choices.methods(today)  # type: ignore[attr-defined]
    if "groups" in fields:
        fields["groups"].choices = choices.support_groups(today)  # type: ignore[attr-defined]
    if "months" in fields and isinstance(fields["months"], forms.TypedChoiceField):
        fields["months"].choices = choices.hi_terms(today)
        terms = [m for m, _ in fields["months"].choices]
        fields["months"].initial = max(terms) if terms else None


class QuoteForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices_in_force(self)
        if "income" in self.fields and (step := income_step_today()):
            self.fields["income"].widget.attrs["step"] = step

    def add_domain_error(self, error: DomainError) -> None:
        field = FIELD_OF.get(error.code)
        self.add_error(field if field in self.fields else None, error.message)


class VsiQuoteForm(QuoteForm):
    on = forms.DateField(label=gettext_lazy("Ngày đóng"), widget=DATE_WIDGET, error_messages=MESSAGES)
    income = forms.IntegerField(
        label=gettext_lazy("Thu nhập tháng lựa chọn (đồng)"), min_value=0, error_messages=MESSAGES,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    method = forms.ChoiceField(label=gettext_lazy("Phương thức đóng"), choices=(), initial="regular")
    months = forms.IntegerField(label=gettext_lazy("Số tháng"), min_value=1, initial=12, error_messages=MESSAGES)
    groups = forms.MultipleChoiceField(
        label=gettext_lazy("Thuộc nhóm được hỗ trợ"), choices=(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    province = forms.RegexField(
        label=gettext_lazy("Mã tỉnh (hỗ trợ thêm của địa phương, nếu có)"), regex=r"^\d{2}$", required=False,
        error_messages={"invalid": gettext_lazy("Mã tỉnh gồm 2 chữ số, ví dụ 40.")},
    )
    supported_months_used = forms.IntegerField(
        label=gettext_lazy("Số tháng đã được Nhà nước hỗ trợ trước đây"), min_value=0, initial=0, required=False,
    )
    rate = forms.DecimalField(
        label=gettext_lazy("Lãi suất quỹ bình quân tháng r (khi đóng trước/đóng bù)"), required=False,
        min_value=0, max_value=1, decimal_places=6,
    )

    def to_request(self) -> vsi.VsiQuoteInput:
        data: dict[str, Any] = self.cleaned_data
        return vsi.VsiQuoteInput(
            on=data["on"],
            income=data["income"],
            months=data["months"],
            method=vsi.Method(data["method"]),
            groups=frozenset(data["groups"]),
            province=data["province"] or None,
            supported_months_used=data["supported_months_used"] or 0,
            fund_return=data["rate"],
        )


class HiQuoteForm(QuoteForm):
    on = forms.DateField(label=gettext_lazy("Ngày đóng"), widget=DATE_WIDGET, error_messages=MESSAGES)
    members = forms.IntegerField(
        label=gettext_lazy("Số thành viên tham gia lần này"),
        min_value=1,
        max_value=50,
        initial=1,
        error_messages=MESSAGES,
    )
    already_joined = forms.IntegerField(
        label=gettext_lazy("Số thành viên của hộ đã tham gia trước đó trong năm"),
        min_value=0,
        initial=0,
        required=False,
    )
    months = forms.TypedChoiceField(label=gettext_lazy("Kỳ đóng"), coerce=int, choices=())
    previous_card_end = forms.DateField(
        label=gettext_lazy("Hạn thẻ BHYT cũ (nếu gia hạn)"), widget=DATE_WIDGET, required=False, error_messages=MESSAGES
    )
    group = forms.ChoiceField(
        label=gettext_lazy("Hộ thuộc diện"),
        choices=list(household_hi.GROUP_LABELS.items()),
        initial=household_hi.HOUSEHOLD,
        required=False,
    )
    as_household = forms.BooleanField(
        label=gettext_lazy("Thành viên hộ cận nghèo chọn tham gia theo hộ gia đình (từ 01/07/2025)"), required=False
    )

    def to_request(self) -> household_hi.HiQuoteInput:
        data: dict[str, Any] = self.cleaned_data
        member = household_hi.HiMember(
            group=data.get("group") or household_hi.HOUSEHOLD, as_household=bool(data.get("as_household"))
        )
        return household_hi.HiQuoteInput(
            on=data["on"],
            members=(member,) * data["members"],
            months=data["months"],
            already_joined=data["already_joined"] or 0,
            previous_card_end=data["previous_card_end"],
        )


class RenewalPeriodForm(forms.Form):
    """The renewals page's period: the terms that ended in the ``months`` months before ``until``'s month."""

    until = forms.DateField(
        label=gettext_lazy("Đến hết tháng trước ngày"), widget=DATE_WIDGET, required=False, error_messages=MESSAGES
    )
    months = forms.TypedChoiceField(
        label=gettext_lazy("Số tháng"),
        coerce=int,
        required=False,
        initial=12,
        choices=[
            (3, gettext_lazy("3 tháng")),
            (6, gettext_lazy("6 tháng")),
            (12, gettext_lazy("12 tháng")),
            (24, gettext_lazy("24 tháng")),
        ],
        error_messages={"invalid_choice": gettext_lazy("Chọn 3, 6, 12 hoặc 24 tháng.")},
    )


class ParameterDateForm(forms.Form):
    """The parameter browser's date picker (/tham-so/)."""

    on = forms.DateField(
        label=gettext_lazy("Xem các giá trị có hiệu lực vào ngày"),
        widget=DATE_WIDGET,
        required=False,
        error_messages=MESSAGES,
    )
