from django.contrib import admin

from ansinh.campaigns.models import (
    AdvisoryTeam,
    Attribution,
    Award,
    Campaign,
    ConsultationSession,
    EventSite,
    LaunchEvent,
    Lead,
    MediaItem,
    Parade,
    PrepTask,
    SiteResource,
    Target,
    TeamMember,
)


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "starts_on", "ends_on", "status")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("areas", "organisers")


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    raw_id_fields = ("user",)


@admin.register(AdvisoryTeam)
class AdvisoryTeamAdmin(admin.ModelAdmin):
    list_display = ("name", "campaign")
    list_filter = ("campaign",)
    inlines = [TeamMemberInline]
    filter_horizontal = ("areas",)


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = ("consulted_on", "full_name", "scheme", "outcome", "team", "follow_up_on")
    list_filter = ("campaign", "outcome", "scheme")


class SiteInline(admin.TabularInline):
    model = EventSite
    fields = ("venue", "area", "is_central", "person_in_charge", "ready_at")
    raw_id_fields = ("area",)
    extra = 0


@admin.register(LaunchEvent)
class LaunchEventAdmin(admin.ModelAdmin):
    list_display = ("name", "campaign", "starts_at")
    inlines = [SiteInline]


class TaskInline(admin.TabularInline):
    model = PrepTask
    fields = ("title", "responsible_person", "deadline", "status")
    extra = 0


class ResourceInline(admin.TabularInline):
    model = SiteResource
    extra = 0


class ParadeInline(admin.TabularInline):
    model = Parade
    extra = 0


@admin.register(EventSite)
class EventSiteAdmin(admin.ModelAdmin):
    list_display = ("venue", "event", "area", "ready_at")
    raw_id_fields = ("area", "org_unit")
    inlines = [TaskInline, ResourceInline, ParadeInline]


@admin.register(ConsultationSession)
class SessionAdmin(admin.ModelAdmin):
    list_display = ("held_on", "location_name", "team", "people_advised")
    raw_id_fields = ("area",)


for model in (Target, MediaItem, Award, Attribution):
    admin.site.register(model)
