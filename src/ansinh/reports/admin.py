from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ansinh.reports.models import CoverageTarget, FrozenPeriod, OfficialPopulation, PlanTarget


@admin.register(PlanTarget)
class PlanTargetAdmin(admin.ModelAdmin):
    list_display = ["year", "area", "scheme", "value", "source", "is_example"]
    list_filter = ["year", "scheme", "is_example"]
    autocomplete_fields = ["area"]


@admin.register(FrozenPeriod)
class FrozenPeriodAdmin(admin.ModelAdmin):
    list_display = ["start", "end", "frozen_by", "frozen_at"]
    readonly_fields = ["frozen_by", "frozen_at"]

    def save_model(self, request: HttpRequest, obj: FrozenPeriod, form: Any, change: bool) -> None:
        obj.frozen_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request: HttpRequest, obj: FrozenPeriod | None = None) -> bool:
        return False  # a reported period stays frozen


@admin.register(OfficialPopulation)
class OfficialPopulationAdmin(admin.ModelAdmin):
    list_display = ["area", "population", "working_age", "as_of", "source"]
    list_filter = ["as_of"]
    autocomplete_fields = ["area"]


@admin.register(CoverageTarget)
class CoverageTargetAdmin(admin.ModelAdmin):
    list_display = ["area", "scheme", "basis", "share", "target_date", "source"]
    list_filter = ["scheme", "basis", "target_date"]
    autocomplete_fields = ["area"]
