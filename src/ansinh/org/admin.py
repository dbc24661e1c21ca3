from django.contrib import admin

from ansinh.org.models import Agent, ApiToken, Grant, OrgUnit


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent")
    list_filter = ("kind",)
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)
    filter_horizontal = ("areas",)


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "collector", "active_from", "active_to")
    search_fields = ("code", "name")
    raw_id_fields = ("collector", "user")
    filter_horizontal = ("collection_points", "areas")


@admin.register(Grant)
class GrantAdmin(admin.ModelAdmin):
    list_display = ("user", "role")
    list_filter = ("role",)
    filter_horizontal = ("areas", "org_units")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "digest", "created_at", "last_used_at")
