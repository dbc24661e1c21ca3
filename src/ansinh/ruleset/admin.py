"""/admin/ for the administrators' parameter values: superusers only; a value is checked against the
parameter's unit and shape before it is saved (a refusal is shown in Vietnamese on the form), every
change is logged, and the next quote uses it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from ansinh.lib.errors import DomainError
from ansinh.ruleset import services
from ansinh.ruleset.models import OverrideChange, ParameterOverride


class _SuperusersOnly:
    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)


class ParameterOverrideForm(forms.ModelForm):
    class Meta:
        model = ParameterOverride
        fields = ("name", "valid_from", "value", "reference", "note")
        widgets = {"value": forms.Textarea(attrs={"rows": 3})}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if all(data.get(k) is not None for k in ("name", "valid_from", "value")):
            try:
                services.check(data["name"], data["valid_from"], data["value"])
            except DomainError as refused:
                raise forms.ValidationError(refused.message) from None
        return data


@admin.register(ParameterOverride)
class ParameterOverrideAdmin(_SuperusersOnly, admin.ModelAdmin):
    form = ParameterOverrideForm
    list_display = ("name", "valid_from", "value", "reference", "changed_by", "changed_at")
    search_fields = ("name", "reference")
    readonly_fields = ("created_by", "created_at", "changed_by", "changed_at")

    def save_model(self, request: HttpRequest, obj: ParameterOverride, form: Any, change: bool) -> None:
        services.save_override(request.user, obj)  # type: ignore[arg-type]

    def delete_model(self, request: HttpRequest, obj: ParameterOverride) -> None:
        services.delete_override(request.user, obj)  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ParameterOverride]) -> None:
        for row in queryset:
            services.delete_override(request.user, row)  # type: ignore[arg-type]


@admin.register(OverrideChange)
class OverrideChangeAdmin(_SuperusersOnly, admin.ModelAdmin):
    list_display = ("at", "actor", "action", "name", "valid_from")
    list_filter = ("action",)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
