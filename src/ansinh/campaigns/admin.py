from django.contrib import admin

from ansinh.campaigns.models import AdvisoryTeam, Campaign, Lead, TeamMember


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
