"""Forms of the agent's registry screens: they parse input and build the service's arguments."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ansinh.areas.models import AdministrativeUnit
from ansinh.lib.dates import parse_birth
from ansinh.lib.errors import DomainError
from ansinh.registry.audit import ACTIONS
from ansinh.registry.ethnicities import ETHNICITIES, UNKNOWN
from ansinh.registry.models import PovertyStatus, Relationship, Sex
from ansinh.registry.services import PersonData
from ansinh.registry.support import Document
from ansinh.web.forms import DATE_WIDGET, MESSAGES, ScopedChoiceField

# Which form field a refusal from the registry belongs beside.
FIELD_OF_CODE = {
    "citizen_id_invalid": "citizen_id",
    "duplicate_citizen_id": "citizen_id",
    "si_code_invalid": "si_code",
    "phone_invalid": "phone",
    "probable_duplicate": "confirm_duplicate",
}


class DomainForm(forms.Form):
    def add_domain_error(self, error: DomainError) -> None:
        field = error.details.get("field") or FIELD_OF_CODE.get(str(error.code))
        self.add_error(field if field in self.fields else None, error.message)


class PersonForm(DomainForm):
    full_name = forms.CharField(label=gettext_lazy("Họ và tên"), max_length=200, error_messages=MESSAGES)
    date_of_birth = forms.CharField(
        label=gettext_lazy("Ngày sinh"),
        max_length=10,
        error_messages=MESSAGES,
        help_text=gettext_lazy("dd/mm/yyyy; nếu chỉ biết tháng và năm: mm/yyyy; chỉ biết năm: yyyy"),
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "placeholder": gettext_lazy("dd/mm/yyyy, mm/yyyy hoặc yyyy")}
        ),
    )
    sex = forms.ChoiceField(label=gettext_lazy("Giới tính"), choices=Sex.choices, error_messages=MESSAGES)
    ethnicity = forms.ChoiceField(label=gettext_lazy("Dân tộc"), choices=ETHNICITIES, initial=UNKNOWN)
    citizen_id = forms.CharField(
        label=gettext_lazy("Số định danh cá nhân (CCCD)"),
        max_length=12,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    si_code = forms.CharField(
        label=gettext_lazy("Mã số BHXH (nếu có)"),
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    phone = forms.CharField(
        label=gettext_lazy("Điện thoại"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    area = ScopedChoiceField(
        label=gettext_lazy("Xã/phường"), queryset=AdministrativeUnit.objects.none(), error_messages=MESSAGES
    )
    address_detail = forms.CharField(label=gettext_lazy("Địa chỉ (thôn, xóm, số nhà)"), max_length=300, required=False)
    confirm_duplicate = forms.BooleanField(label=gettext_lazy("Tôi đã kiểm tra: đây là người khác"), required=False)

    def __init__(self, *args: Any, areas: Any = None, masked: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas if areas is not None else AdministrativeUnit.objects.none()
        # A field the field policy masks for this user is not pre-filled: the masked value is shown
        # beside an empty input, and leaving it empty keeps what is stored.
        self.masked = masked or {}
        for name, value in self.masked.items():
            field = self.fields[name]
            shown = value or _("chưa có")
            field.help_text = _("Đang lưu: {value} — nhập số mới nếu muốn thay đổi.").format(value=shown)
            field.widget.attrs["placeholder"] = _("nhập số mới nếu muốn thay đổi")
            self.initial.pop(name, None)

    def clean_date_of_birth(self) -> tuple[date, str]:
        try:
            return parse_birth(self.cleaned_data["date_of_birth"])
        except DomainError as error:
            raise forms.ValidationError(error.message) from None

    def kept(self) -> set[str]:
        """The masked fields left empty: their stored values stay."""
        return {name for name in self.masked if not self.cleaned_data.get(name)}

    def person_data(self) -> PersonData:
        d = self.cleaned_data
        born, precision = d["date_of_birth"]
        return PersonData(
            full_name=d["full_name"],
            date_of_birth=born,
            birth_precision=precision,
            sex=d["sex"],
            area_id=d["area"].pk,
            ethnicity=d["ethnicity"],
            citizen_id=d["citizen_id"] or None,
            si_code=d["si_code"] or None,
            phone=d["phone"],
            address_detail=d["address_detail"],
        )


class DocumentFields(forms.Form):
    """The document of a change that unlocks support (registry.support): an agent's change is a request."""

    decision_number = forms.CharField(label=gettext_lazy("Số quyết định (văn bản) công nhận"), max_length=100,
                                      required=False)
    decision_date = forms.DateField(label=gettext_lazy("Ngày quyết định"), widget=DATE_WIDGET, required=False,
                                    error_messages=MESSAGES)
    document = forms.CharField(label=gettext_lazy("Ghi chú về văn bản"), max_length=300, required=False)

    def support_document(self) -> Document:
        d = self.cleaned_data
        return Document(d["decision_number"], d["decision_date"], d["document"])


class PersonEditForm(PersonForm, DocumentFields):
    """A person's edit: an ethnicity change that gains or loses the ethnic-minority group needs its
    document and, from an agent, waits for a manager's approval (đề nghị — chờ duyệt)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision_number"].help_text = _(
            "Chỉ cần khi đổi dân tộc giữa Kinh/chưa rõ và dân tộc thiểu số: đây là đề nghị — chờ duyệt, mức hỗ trợ "
            "chỉ thay đổi khi cán bộ quản lý duyệt.")


class IslandForm(DomainForm, DocumentFields):
    island = forms.TypedChoiceField(label=gettext_lazy("Cư trú ở xã đảo, đặc khu"),
                                    choices=[("yes", gettext_lazy("Có")), ("no", gettext_lazy("Không"))],
                                    coerce=lambda value: value == "yes")


class SupportDecisionForm(DomainForm):
    decision = forms.ChoiceField(label=gettext_lazy("Quyết định"),
                                 choices=[("approve", gettext_lazy("Duyệt")), ("refuse", gettext_lazy("Từ chối"))])
    reason = forms.CharField(label=gettext_lazy("Lý do (bắt buộc khi từ chối)"), max_length=300, required=False)


class HouseholdForm(PersonForm):
    joined = forms.DateField(label=gettext_lazy("Ngày lập hộ / vào hộ"), widget=DATE_WIDGET, error_messages=MESSAGES)


class MemberForm(PersonForm):
    relationship = forms.ChoiceField(
        label=gettext_lazy("Quan hệ với chủ hộ"), choices=[c for c in Relationship.choices if c[0] != Relationship.HEAD]
    )
    joined = forms.DateField(label=gettext_lazy("Ngày vào hộ"), widget=DATE_WIDGET, error_messages=MESSAGES)


class HouseholdEditForm(DomainForm):
    address_detail = forms.CharField(
        label=gettext_lazy("Địa chỉ của hộ (thôn, xóm, số nhà)"), max_length=300, required=False
    )


class EndMembershipForm(DomainForm):
    left = forms.DateField(label=gettext_lazy("Ngày rời hộ"), widget=DATE_WIDGET, error_messages=MESSAGES)


class PovertyForm(DomainForm, DocumentFields):
    status = forms.ChoiceField(label=gettext_lazy("Tình trạng"), choices=PovertyStatus.choices)
    valid_from = forms.DateField(label=gettext_lazy("Từ ngày"), widget=DATE_WIDGET, error_messages=MESSAGES)
    field_order = ["status", "valid_from", "decision_number", "decision_date", "document"]


class SearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Tìm theo họ tên, số định danh hoặc điện thoại"), required=False, max_length=100
    )


class AuditFilterForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Người thực hiện (tên đăng nhập)"), max_length=150, required=False)
    person = forms.IntegerField(label=gettext_lazy("Hồ sơ người (số #)"), min_value=1, required=False)
    action = forms.ChoiceField(
        label=gettext_lazy("Thao tác"), choices=[("", gettext_lazy("Tất cả")), *ACTIONS.items()], required=False
    )
    start = forms.DateField(label=gettext_lazy("Từ ngày"), widget=DATE_WIDGET, required=False)
    end = forms.DateField(label=gettext_lazy("Đến ngày"), widget=DATE_WIDGET, required=False)

    def filters(self) -> dict[str, Any]:
        """The arguments of ``registry.audit.entries``; nothing filtered when the form is invalid."""
        if not self.is_valid():
            return {}
        d = self.cleaned_data
        return {
            "username": d["username"].strip(),
            "person_id": d["person"],
            "action": d["action"],
            "start": d["start"],
            "end": d["end"],
        }


class LocateForm(forms.Form):
    citizen_id = forms.CharField(
        label=gettext_lazy("Số định danh cá nhân (đủ 12 chữ số)"),
        max_length=12,
        min_length=12,
        error_messages={**MESSAGES, "min_length": gettext_lazy("Cần đủ 12 chữ số.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
