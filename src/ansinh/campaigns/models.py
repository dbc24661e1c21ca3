"""Campaigns (tháng vận động), their advisory teams and the leads the teams record.

This is the core the consultation tool needs; launch events, sites, tasks, parades, targets,
emulation and media come with the campaigns issue."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from ansinh.areas.models import AdministrativeUnit
from ansinh.org.models import OrgUnit
from ansinh.registry.models import Person


class CampaignStatus(models.TextChoices):
    PLANNED = "planned", "Đang chuẩn bị"
    ACTIVE = "active", "Đang diễn ra"
    CLOSED = "closed", "Đã kết thúc"


class Campaign(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField("tên", max_length=300)
    starts_on = models.DateField("từ ngày")
    ends_on = models.DateField("đến ngày")
    areas = models.ManyToManyField(AdministrativeUnit, blank=True, related_name="campaigns", verbose_name="địa bàn")
    organisers = models.ManyToManyField(OrgUnit, blank=True, related_name="campaigns", verbose_name="đơn vị tổ chức")
    schemes = models.JSONField("loại hình vận động", default=list)
    status = models.CharField(max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.PLANNED)

    class Meta:
        verbose_name = "chiến dịch"
        verbose_name_plural = "chiến dịch"
        constraints = [models.CheckConstraint(condition=Q(starts_on__lte=models.F("ends_on")), name="campaign_period")]

    def __str__(self) -> str:
        return self.name


class AdvisoryTeam(models.Model):
    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="teams")
    name = models.CharField("tên tổ", max_length=200)
    areas = models.ManyToManyField(AdministrativeUnit, blank=True, related_name="advisory_teams")

    class Meta:
        verbose_name = "tổ tư vấn"
        verbose_name_plural = "tổ tư vấn"

    def __str__(self) -> str:
        return self.name


class MemberKind(models.TextChoices):
    BHXH_STAFF = "bhxh_staff", "Viên chức BHXH"
    POST_OFFICE_STAFF = "post_office_staff", "Nhân viên Bưu điện"
    AGENT = "agent", "Nhân viên đại lý thu"


class TeamMember(models.Model):
    team = models.ForeignKey(AdvisoryTeam, models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="team_memberships")
    kind = models.CharField(max_length=20, choices=MemberKind.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="one_membership_per_team")]


class LeadOutcome(models.TextChoices):
    ENROLLED = "enrolled", "Đã tham gia"
    PROMISED = "promised", "Hẹn tham gia"
    UNDECIDED = "undecided", "Còn phân vân"
    REFUSED = "refused", "Từ chối"


class Lead(models.Model):
    """Someone advised who may join: registered (person) or just a name and phone."""

    campaign = models.ForeignKey(Campaign, models.PROTECT, related_name="leads")
    team = models.ForeignKey(AdvisoryTeam, models.PROTECT, related_name="leads")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    consulted_on = models.DateField("ngày tư vấn")
    person = models.ForeignKey(Person, models.PROTECT, null=True, blank=True, related_name="leads")
    full_name = models.CharField("họ tên", max_length=200)
    phone = models.CharField("điện thoại", max_length=10, blank=True)
    scheme = models.CharField("quan tâm", max_length=12)
    outcome = models.CharField("kết quả", max_length=10, choices=LeadOutcome.choices)
    reason = models.CharField("lý do", max_length=300, blank=True)
    follow_up_on = models.DateField("hẹn gặp lại", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "người được tư vấn"
        verbose_name_plural = "người được tư vấn"
