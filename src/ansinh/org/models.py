"""Organisation (its own tree, linked to the areas it serves), agents, roles with scopes, API tokens."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ansinh.areas.models import AdministrativeUnit


class OrgKind(models.TextChoices):
    BHXH_PROVINCE = "bhxh_province", _("BHXH tỉnh")
    BHXH_OFFICE = "bhxh_office", _("BHXH cơ sở")
    COLLECTOR = "collector", _("Tổ chức dịch vụ thu (Bưu điện tỉnh)")
    COLLECTOR_BRANCH = "collector_branch", _("Bưu điện huyện/khu vực")
    COLLECTION_POINT = "collection_point", _("Điểm thu")


class OrgUnit(models.Model):
    code = models.CharField(_("mã"), max_length=20, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    kind = models.CharField(_("loại"), max_length=20, choices=OrgKind.choices)
    parent = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="children",
                               verbose_name=_("đơn vị cấp trên"))
    areas = models.ManyToManyField(AdministrativeUnit, blank=True, related_name="org_units", verbose_name=_("địa bàn"))
    # The header block of the lists handed to BHXH (D05-TS, D03-TS: QĐ 490/QĐ-BHXH).
    tax_code = models.CharField(_("mã số thuế"), max_length=14, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=15, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)

    class Meta:
        verbose_name = _("đơn vị tổ chức")
        verbose_name_plural = _("đơn vị tổ chức")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Agent(models.Model):
    """A collection agent (nhân viên đại lý thu)."""

    code = models.CharField(_("mã đại lý"), max_length=20, unique=True)
    name = models.CharField(_("họ tên"), max_length=200)
    phone = models.CharField(_("điện thoại"), max_length=10, blank=True)
    collector = models.ForeignKey(OrgUnit, models.PROTECT, related_name="agents", verbose_name=_("tổ chức dịch vụ thu"))
    collection_points = models.ManyToManyField(OrgUnit, blank=True, related_name="point_agents",
                                               verbose_name=_("điểm thu"))
    areas = models.ManyToManyField(AdministrativeUnit, blank=True, related_name="agents", verbose_name=_("địa bàn"))
    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="agent",
                                verbose_name=_("tài khoản"))
    active_from = models.DateField(_("hoạt động từ"))
    active_to = models.DateField(_("đến"), null=True, blank=True)

    class Meta:
        verbose_name = _("nhân viên thu")
        verbose_name_plural = _("nhân viên thu")
        constraints = [
            models.CheckConstraint(
                condition=Q(active_to__isnull=True) | Q(active_from__lte=models.F("active_to")),
                name="agent_active_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Role(models.TextChoices):
    PROVINCE_ADMIN = "province_admin", _("Quản trị tỉnh")
    OFFICE_MANAGER = "office_manager", _("Quản lý BHXH cơ sở")
    COLLECTOR_MANAGER = "collector_manager", _("Quản lý tổ chức dịch vụ thu")
    AGENT = "agent", _("Nhân viên thu")
    VIEWER = "viewer", _("Chỉ xem")


class Grant(models.Model):
    """A user's role and scope: the subtrees of areas and/or of org units they may see and change."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, related_name="grant",
                                verbose_name=_("tài khoản"))
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    areas = models.ManyToManyField(AdministrativeUnit, blank=True, related_name="+", verbose_name=_("địa bàn"))
    org_units = models.ManyToManyField(OrgUnit, blank=True, related_name="+", verbose_name=_("đơn vị"))

    class Meta:
        verbose_name = _("phân quyền")
        verbose_name_plural = _("phân quyền")

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"


class ApiToken(models.Model):
    """A bearer token for API clients. Only its SHA-256 is stored; the token is shown once. It works
    until ``expires_at`` (every token expires) unless revoked first; ``last_used_at`` is kept to the
    minute (see ``org.services.user_for_token``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="api_tokens",
                             verbose_name=_("tài khoản"))
    name = models.CharField(_("tên"), max_length=100)
    prefix = models.CharField(_("tiền tố"), max_length=12, db_index=True)  # shown in lists, used to revoke
    digest = models.CharField(max_length=64, unique=True, verbose_name=_("mã băm"))
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    expires_at = models.DateTimeField(_("hết hạn lúc"))
    last_used_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("khoá truy cập API")
        verbose_name_plural = _("khoá truy cập API")
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("created_at")),
                                   name="token_expires_after_creation"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
