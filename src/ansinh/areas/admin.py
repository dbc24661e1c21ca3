from django.contrib import admin

from ansinh.areas.models import AdministrativeUnit, Succession


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", "valid_from", "valid_to")
    list_filter = ("level",)
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)


@admin.register(Succession)
class SuccessionAdmin(admin.ModelAdmin):
    list_display = ("from_unit", "to_unit", "date", "kind")
    list_filter = ("kind", "date")
    raw_id_fields = ("from_unit", "to_unit")
