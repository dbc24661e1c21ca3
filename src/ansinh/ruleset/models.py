"""Dated parameter values an administrator configured in /admin/ on top of the YAML files (a
province's figures shipped as an ``unpublished`` marker), and their append-only change log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class ParameterOverride(models.Model):
    name = models.CharField(
        gettext_lazy("tham số"), max_length=100,
        help_text=gettext_lazy("Tên trong danh mục /tham-so/, ví dụ household_hi/local_support/40."))
    valid_from = models.DateField(gettext_lazy("hiệu lực từ"))
    # JSON text, not a JSONField: decimals stay exact (0.3, not 0.29999…).
    value = models.TextField(gettext_lazy("giá trị"),
                             help_text=gettext_lazy('Một số (2530000), một danh sách ([3, 6, 12]) hoặc một bảng theo '
                                                  'nhóm ({"poor": 0.3, "near_poor": 0.25, "other": 0.05}); '
                                                  "null kết thúc quy định từ ngày hiệu lực."))
    reference = models.CharField(gettext_lazy("văn bản"), max_length=300,
                                 help_text=gettext_lazy("Số, ngày và cơ quan ban hành."))
    note = models.TextField(gettext_lazy("ghi chú"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                   verbose_name=gettext_lazy("người tạo"))
    created_at = models.DateTimeField(gettext_lazy("tạo lúc"), auto_now_add=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                   verbose_name=gettext_lazy("người sửa cuối"))
    changed_at = models.DateTimeField(gettext_lazy("sửa lúc"), auto_now=True)

    class Meta:
        verbose_name = gettext_lazy("giá trị tham số do quản trị cấu hình")
        verbose_name_plural = gettext_lazy("giá trị tham số do quản trị cấu hình")
        ordering = ["name", "valid_from"]
        constraints = [models.UniqueConstraint(fields=["name", "valid_from"], name="override_name_date_unique")]

    def __str__(self) -> str:
        return _("{name} từ {valid_from:%d/%m/%Y}").format(name=self.name, valid_from=self.valid_from)


class OverrideChange(models.Model):
    """Append-only: who added, changed or removed which configured value, and what it was."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.DO_NOTHING, null=True, related_name="+",
                              db_constraint=False, verbose_name=gettext_lazy("người thực hiện"))
    at = models.DateTimeField(gettext_lazy("lúc"), auto_now_add=True)
    action = models.CharField(gettext_lazy("thao tác"), max_length=10)  # add, change, delete
    name = models.CharField(gettext_lazy("tham số"), max_length=100)
    valid_from = models.DateField(gettext_lazy("hiệu lực từ"))
    before = models.JSONField(gettext_lazy("trước"), null=True)
    after = models.JSONField("sau", null=True)

    class Meta:
        verbose_name = gettext_lazy("nhật ký cấu hình tham số")
        verbose_name_plural = gettext_lazy("nhật ký cấu hình tham số")
        ordering = ["-at", "-id"]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("The change log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError("The change log is append-only.")
