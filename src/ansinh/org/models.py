"""Organisation (its own tree, linked to the areas it serves), agents, roles with scopes, API tokens."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ansinh.areas.models import AdministrativeUnit


class OrgKind(models.TextChoices):
    BHXH_PROVINCE = "bhxh_province", "BHXH tỉnh"
    BHXH_OFFICE = "bhxh_office", "BHXH cơ sở"
    COLLECTOR = "collector", "Tổ chức dịch vụ thu (Bưu điện tỉnh)"
    COLLECTOR_BRANCH = "collector_branch", "Bưu điện huyện/khu vực"
    COLLECTION_POINT = "collection_point", "Điểm thu"


class OrgUnit(models.Model):
    code = models.CharField("mã", max_length=20, unique=True)
    name = models.CharField("tên", max_length=200)
    kind = models.CharField("loại", max_length=20, choices=OrgKind.choices)
    parent = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="children",
                               verbose_name="đơn vị cấp trên")
    areas = models.ManyToManyField(AdministrativeUnit, blank=True, related_name="org_units", verbose_name="địa bàn")
    # The header block of the lists handed to BHXH (D05-TS, D03-TS: QĐ 490/QĐ-BHXH).
    tax_code = models.CharField("mã số thuế", max_length=14, blank=True)
    address = models.CharField("địa chỉ", max_length=300, blank=True)
    phone = models.CharField("điện thoại", max_length=15, blank=True)
    email = models.EmailField("thư điện tử", blank=True)

    class Meta:
        verbose_name = "đơn vị tổ chức"
        verbose_name_plural = "đơn vị tổ chức"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Agent(models.Model):
    """A collection agent (nhân viên đại lý thu)."""

    code = models.CharField("mã đại lý", max_length=20, unique=True)
    name = models.CharField("họ tên", max_length=200)
    phone = models.CharField("điện thoại", max_length=10, blank=True)
    collector = models.ForeignKey(OrgUnit, models.PROTECT, related_name="agents", verbose_name="tổ chức dịch vụ thu")
    collection_points = models.ManyToManyField(OrgUnit, blank=True, related_name="point_agents",
                                               verbose_name="điểm thu")
    areas = models.ManyToManyField(AdministrativeUnit, blank=True, related_name="agents", verbose_name="địa bàn")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="agent",
                                verbose_name="tài khoản")
    active_from = models.DateField("hoạt động từ")
    active_to = models.DateField("đến", null=True, blank=True)

    class Meta:
        verbose_name = "nhân viên thu"
        verbose_name_plural = "nhân viên thu"
        constraints = [
            models.CheckConstraint(
                condition=Q(active_to__isnull=True) | Q(active_from__lte=models.F("active_to")),
                name="agent_active_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Role(models.TextChoices):
    PROVINCE_ADMIN = "province_admin", "Quản trị tỉnh"
    OFFICE_MANAGER = "office_manager", "Quản lý BHXH cơ sở"
    COLLECTOR_MANAGER = "collector_manager", "Quản lý tổ chức dịch vụ thu"
    AGENT = "agent", "Nhân viên thu"
    VIEWER = "viewer", "Chỉ xem"


class Grant(models.Model):
    """A user's role and scope: the subtrees of areas and/or of org units they may see and change."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, related_name="grant",
                                verbose_name="tài khoản")
    role = models.CharField("vai trò", max_length=20, choices=Role.choices)
    areas = models.ManyToManyField(AdministrativeUnit, blank=True, related_name="+", verbose_name="địa bàn")
    org_units = models.ManyToManyField(OrgUnit, blank=True, related_name="+", verbose_name="đơn vị")

    class Meta:
        verbose_name = "phân quyền"
        verbose_name_plural = "phân quyền"

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"


class ApiToken(models.Model):
    """A bearer token for API clients. Only its SHA-256 is stored; the token is shown once. It works
    until ``expires_at`` (every token expires) unless revoked first; ``last_used_at`` is kept to the
    minute (see ``org.services.user_for_token``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="api_tokens",
                             verbose_name="tài khoản")
    name = models.CharField("tên", max_length=100)
    prefix = models.CharField("tiền tố", max_length=12, db_index=True)  # shown in lists, used to revoke
    digest = models.CharField(max_length=64, unique=True, verbose_name="mã băm")
    created_at = models.DateTimeField("tạo lúc", default=timezone.now)
    expires_at = models.DateTimeField("hết hạn lúc")
    last_used_at = models.DateTimeField("dùng lần cuối", null=True, blank=True)
    revoked_at = models.DateTimeField("thu hồi lúc", null=True, blank=True)

    class Meta:
        verbose_name = "khoá truy cập API"
        verbose_name_plural = "khoá truy cập API"
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("created_at")),
                                   name="token_expires_after_creation"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
