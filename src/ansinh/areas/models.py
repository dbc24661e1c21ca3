"""Administrative units over time: a tree whose nodes have validity dates, linked by successions.

A unit is one *version* of a place: when a commune is renamed, moved to another district or grows
by a merger, a new version starts (same statistics code, new ``valid_from``) and a succession links
the two. ``valid_from`` empty means "before our records"; ``valid_to`` empty means "still in force".
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    PROVINCE = "province", _("Tỉnh")
    CITY = "city", _("Thành phố")
    TOWN = "town", _("Thị xã")
    DISTRICT = "district", _("Huyện")
    COMMUNE = "commune", _("Xã")
    WARD = "ward", _("Phường")
    TOWNSHIP = "township", _("Thị trấn")
    SPECIAL_ZONE = "special", _("Đặc khu")  # commune level from 01/07/2025 (13 island zones)


COMMUNE_LEVELS = (Level.COMMUNE, Level.WARD, Level.TOWNSHIP, Level.SPECIAL_ZONE)
DISTRICT_LEVELS = (Level.CITY, Level.TOWN, Level.DISTRICT)


class AdministrativeUnit(models.Model):
    code = models.CharField(_("mã"), max_length=10, db_index=True)
    name = models.CharField(_("tên"), max_length=200)
    level = models.CharField(_("cấp"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="children",
                               verbose_name=_("đơn vị cấp trên"))
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = ["code", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="area_code_version_unique"),
            # NULLs are distinct in a unique index, so the first version needs its own rule.
            models.UniqueConstraint(
                fields=["code"], condition=Q(valid_from__isnull=True), name="area_code_first_unique"
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_from__lte=models.F("valid_to")),
                name="area_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class SuccessionKind(models.TextChoices):
    MERGE = "merge", _("Sáp nhập")
    SPLIT = "split", _("Chia tách")
    RENAME = "rename", _("Đổi tên")
    ABOLISH = "abolish", _("Giải thể")


class Succession(models.Model):
    """``from_unit`` ended and (except when abolished) continues as ``to_unit`` from ``date``."""

    from_unit = models.ForeignKey(AdministrativeUnit, models.CASCADE, related_name="successions",
                                  verbose_name=_("đơn vị cũ"))
    to_unit = models.ForeignKey(AdministrativeUnit, models.CASCADE, null=True, blank=True, related_name="predecessions",
                                verbose_name=_("đơn vị mới"))
    date = models.DateField(_("ngày hiệu lực"))
    kind = models.CharField(_("hình thức"), max_length=10, choices=SuccessionKind.choices)

    class Meta:
        verbose_name = _("kế thừa đơn vị")
        verbose_name_plural = _("kế thừa đơn vị")
        constraints = [
            models.UniqueConstraint(fields=["from_unit", "to_unit"], name="succession_unique"),
            models.CheckConstraint(
                condition=Q(kind="abolish", to_unit__isnull=True) | (~Q(kind="abolish") & Q(to_unit__isnull=False)),
                name="succession_target_unless_abolished",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_unit} → {self.to_unit or '—'} ({self.date:%d/%m/%Y})"
