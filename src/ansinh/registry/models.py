"""People and households, membership over time, poverty status over time, and the audit trail."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ansinh.areas.models import AdministrativeUnit
from ansinh.lib.dates import BIRTH_PRECISIONS, DAY, format_birth
from ansinh.registry.ethnicities import ETHNICITIES, UNKNOWN


class Sex(models.TextChoices):
    MALE = "male", "Nam"
    FEMALE = "female", _("Nữ")


class Person(models.Model):
    full_name = models.CharField(_("họ và tên"), max_length=200)
    folded_name = models.CharField(max_length=200, db_index=True, editable=False)
    # the date the age is counted from; with only a year or month/year known, its first day
    # (TT 11/2025/TT-BNV art. 5(7)); ``birth_precision`` says how it was recorded
    date_of_birth = models.DateField(_("ngày sinh"))
    birth_precision = models.CharField(_("ngày sinh ghi theo"), max_length=5, choices=BIRTH_PRECISIONS, default=DAY,
                                       db_default=DAY)
    sex = models.CharField(_("giới tính"), max_length=6, choices=Sex.choices)
    ethnicity = models.CharField(_("dân tộc"), max_length=2, choices=ETHNICITIES, default=UNKNOWN)
    citizen_id = models.CharField(_("số định danh cá nhân"), max_length=12, null=True, blank=True, unique=True)
    si_code = models.CharField(_("mã số BHXH"), max_length=10, null=True, blank=True, unique=True)
    phone = models.CharField(_("điện thoại"), max_length=10, blank=True, db_index=True)
    area = models.ForeignKey(AdministrativeUnit, models.PROTECT, related_name="people", verbose_name=_("xã/phường"))
    address_detail = models.CharField(_("địa chỉ (thôn, xóm, số nhà)"), max_length=300, blank=True)
    # lives in an island commune or special zone (Era B "island" support group, vsi/state_support_rate);
    # changed only through a manager's approval (SupportChangeRequest)
    island_resident = models.BooleanField(_("cư trú ở xã đảo, đặc khu"), default=False, db_default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("người")
        verbose_name_plural = _("người")
        ordering = ["folded_name", "date_of_birth"]
        indexes = [models.Index(fields=["folded_name", "date_of_birth", "area"], name="person_probable_dup")]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.birth_shown})"

    @property
    def birth_shown(self) -> str:
        """The birth date as recorded: "1965", "03/1965" or "dd/mm/yyyy"."""
        return format_birth(self.date_of_birth, self.birth_precision)


class PovertyStatus(models.TextChoices):
    POOR = "poor", _("Hộ nghèo")
    NEAR_POOR = "near_poor", _("Hộ cận nghèo")
    # Near-poor in a case the state budget supports at 100 % (ND 146/2018 art. 8(1)(a)), certified by the
    # commune's decision like the others: household HI group household_hi.NEAR_POOR_FULL.
    NEAR_POOR_FULL = "near_poor_full", _("Cận nghèo được NSNN hỗ trợ 100%")
    NONE = "none", _("Không")


class Relationship(models.TextChoices):
    """The relationship to the head, exact as the residence database names it (Vợ, Chồng, Bố, Mẹ, …; codes in
    ``registry.relationships``). The lumped "spouse", "parent" and "grandparent" of older data are made exact
    from the member's sex (migration 0008, ``relationships.exact``) and are not stored any more."""

    HEAD = "head", _("Chủ hộ")
    WIFE = "wife", _("Vợ")
    HUSBAND = "husband", _("Chồng")
    CHILD = "child", "Con"
    FATHER = "father", _("Bố")
    MOTHER = "mother", _("Mẹ")
    SIBLING = "sibling", _("Anh/chị/em")
    GRANDCHILD = "grandchild", _("Cháu")
    GRANDFATHER = "grandfather", _("Ông")
    GRANDMOTHER = "grandmother", _("Bà")
    OTHER = "other", _("Khác")


class Household(models.Model):
    code = models.CharField(_("mã hộ"), max_length=20, unique=True)
    head = models.ForeignKey(Person, models.SET_NULL, null=True, blank=True, related_name="headed_households")
    area = models.ForeignKey(AdministrativeUnit, models.PROTECT, related_name="households", verbose_name=_("xã/phường"))
    address_detail = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("hộ gia đình")
        verbose_name_plural = _("hộ gia đình")

    def __str__(self) -> str:
        return self.code


class HouseholdCodeCounter(models.Model):
    """The last number given to a household code in a commune; its row is locked while a code is drawn,
    so concurrent registrations in one commune wait for each other instead of racing (registry.codes)."""

    area = models.OneToOneField(AdministrativeUnit, models.PROTECT, related_name="+")
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("bộ đếm mã hộ")
        verbose_name_plural = _("bộ đếm mã hộ")


class Membership(models.Model):
    household = models.ForeignKey(Household, models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, models.PROTECT, related_name="memberships")
    relationship = models.CharField(_("quan hệ với chủ hộ"), max_length=12, choices=Relationship.choices)
    # MoiQuanHe as the residence database codes it: from the code list, or as an imported file gave it
    residence_code = models.CharField(_("mã quan hệ (CSDL dân cư)"), max_length=2, blank=True, default="",
                                      db_default="")
    valid_from = models.DateField(_("từ ngày"))
    valid_to = models.DateField(_("đến ngày"), null=True, blank=True)

    class Meta:
        verbose_name = _("thành viên hộ")
        verbose_name_plural = _("thành viên hộ")
        constraints = [
            models.UniqueConstraint(
                fields=["household", "person"], condition=Q(valid_to__isnull=True), name="one_open_membership"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_from__lte=models.F("valid_to")), name="membership_range"
            ),
        ]


class HouseholdPoverty(models.Model):
    """Poverty status over time, with the document that certifies it (the commune's decision)."""

    household = models.ForeignKey(Household, models.CASCADE, related_name="poverty_statuses")
    status = models.CharField(_("tình trạng"), max_length=20, choices=PovertyStatus.choices)
    valid_from = models.DateField(_("từ ngày"))
    valid_to = models.DateField(_("đến ngày"), null=True, blank=True)
    document = models.CharField(_("văn bản công nhận"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("tình trạng nghèo")
        verbose_name_plural = _("tình trạng nghèo")
        ordering = ["valid_from"]


class SupportField(models.TextChoices):
    """The recorded facts that decide a voluntary-SI support tier (DOMAIN.md §3.1)."""

    POVERTY = "poverty", _("Tình trạng nghèo của hộ")
    ETHNICITY = "ethnicity", _("Dân tộc")
    ISLAND = "island", _("Cư trú ở xã đảo, đặc khu")


class SupportChangeStatus(models.TextChoices):
    PENDING = "pending", _("Chờ quản lý duyệt")
    APPROVED = "approved", _("Đã duyệt")
    REFUSED = "refused", _("Bị từ chối")


class SupportChangeRequest(models.Model):
    """A change of a fact that unlocks support (issue 18, maker-checker): an agent's change waits here
    and the stored value does not move until a manager of the area approves it; a manager's own change
    is applied at once and recorded here as approved. Each carries its document (decision number and
    date), but for an agent's registration of a minority ethnicity, which may come without. At most one
    request of a person or household and field waits at a time."""

    person = models.ForeignKey(Person, models.PROTECT, null=True, blank=True, related_name="support_requests",
                               verbose_name=_("người"))
    household = models.ForeignKey(Household, models.PROTECT, null=True, blank=True, related_name="support_requests",
                                  verbose_name=_("hộ gia đình"))
    area = models.ForeignKey(AdministrativeUnit, models.PROTECT, related_name="+", verbose_name=_("xã/phường"))
    field = models.CharField(_("nội dung thay đổi"), max_length=10, choices=SupportField.choices)
    old_value = models.CharField(_("giá trị cũ"), max_length=20, blank=True)
    new_value = models.CharField(_("giá trị mới"), max_length=20)
    valid_from = models.DateField(_("từ ngày"), null=True, blank=True)  # a poverty status's first day
    decision_number = models.CharField(_("số quyết định/văn bản"), max_length=100)
    # none for a new person's ethnicity entered by an agent (the manager checks the person's papers)
    decision_date = models.DateField(_("ngày quyết định/văn bản"), null=True, blank=True)
    note = models.CharField(_("ghi chú về văn bản"), max_length=300, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                     verbose_name=_("người đề nghị"))
    requested_at = models.DateTimeField(_("thời điểm đề nghị"), auto_now_add=True)
    status = models.CharField(_("trạng thái"), max_length=10, choices=SupportChangeStatus.choices,
                              default=SupportChangeStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("người quyết định"))
    decided_at = models.DateTimeField(_("thời điểm quyết định"), null=True, blank=True)
    refusal_reason = models.CharField(_("lý do từ chối"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("đề nghị thay đổi đối tượng hỗ trợ")
        verbose_name_plural = _("đề nghị thay đổi đối tượng hỗ trợ")
        constraints = [
            models.CheckConstraint(condition=Q(person__isnull=True, household__isnull=False)
                                   | Q(person__isnull=False, household__isnull=True),
                                   name="support_request_one_subject"),
            models.UniqueConstraint(fields=["person", "field"], condition=Q(status="pending", person__isnull=False),
                                    name="support_request_one_pending_person"),
            models.UniqueConstraint(fields=["household", "field"],
                                    condition=Q(status="pending", household__isnull=False),
                                    name="support_request_one_pending_household"),
            models.CheckConstraint(condition=Q(status="pending", decided_at__isnull=True)
                                   | Q(status__in=["approved", "refused"], decided_at__isnull=False),
                                   name="support_request_decided_when_closed"),
        ]
        indexes = [models.Index(fields=["status", "area"], name="support_request_queue")]

    @property
    def old_shown(self) -> str:
        return self._shown(self.old_value)

    @property
    def new_shown(self) -> str:
        return self._shown(self.new_value)

    def _shown(self, value: str) -> str:
        """A stored value as the pages name it: the status, the ethnic group, yes or no."""
        if not value:
            return "—"
        if self.field == SupportField.POVERTY:
            return str(dict(PovertyStatus.choices).get(value, value))
        if self.field == SupportField.ETHNICITY:
            return str(dict(ETHNICITIES).get(value, value))
        return str(_("có") if value == "yes" else _("không"))


class AuditEntry(models.Model):
    """Append-only: who did what to which record, and what changed. Never updated or deleted."""

    # No database constraints on the log's references: it keeps the ids even if the user or area is
    # later removed, never blocks a write, and imports add hundreds of thousands of entries at once.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.DO_NOTHING, null=True, related_name="+",
                              db_constraint=False)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(max_length=10)  # see registry.audit.ACTIONS
    entity = models.CharField(max_length=20)  # person, household, membership, poverty
    entity_id = models.BigIntegerField()
    area = models.ForeignKey(AdministrativeUnit, models.DO_NOTHING, null=True, related_name="+", db_constraint=False)
    changes = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("nhật ký")
        verbose_name_plural = _("nhật ký")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["entity", "entity_id"], name="audit_entity"),
                   # the hourly allowance of look-ups counts one user's recent entries of two actions
                   models.Index(fields=["actor", "action", "at"], name="audit_actor_action")]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError("Audit entries are append-only.")


class CitizenCode(models.Model):
    """A one-time code of the citizen's page (/tra-cuu/): asked with a citizen ID and a date of birth,
    sent to the phone on record. ``person`` is empty when nobody matched: the code is made and "sent"
    all the same, so the answer never tells whether the ID exists. Only a keyed hash of the code is kept."""

    person = models.ForeignKey(Person, models.CASCADE, null=True, related_name="+")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    tries = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("mã xác thực tra cứu")
        verbose_name_plural = _("mã xác thực tra cứu")


class OtherCoverageKind(models.TextChoices):
    """Coverage a person holds outside voluntary SI and household HI (issue 18): recorded so that the
    coverage-gap lists do not send an advisory team to someone already insured through another group."""

    COMPULSORY_SI = "compulsory_si", _("BHXH bắt buộc (người lao động có hợp đồng)")
    POOR_HOUSEHOLD_HI = "poor_hi", _("BHYT do NSNN đóng (hộ nghèo, vùng khó khăn)")
    CHILD_UNDER_6 = "child_under_6", _("BHYT trẻ em dưới 6 tuổi")
    STUDENT = "student", _("BHYT học sinh, sinh viên")
    PENSIONER = "pensioner", _("Hưởng lương hưu, trợ cấp BHXH hằng tháng")
    ARMED_FORCES = "armed_forces", _("Lực lượng vũ trang")
    OTHER = "other", _("Nhóm khác")


class OtherCoverage(models.Model):
    """A dated coverage through another group, with where the fact comes from (a list, a card seen, a
    BHXH look-up). Ending it sets ``valid_to``; a row is never deleted, so a gap list can be explained later."""

    person = models.ForeignKey(Person, models.PROTECT, related_name="other_coverages")
    kind = models.CharField(_("loại"), max_length=20, choices=OtherCoverageKind.choices)
    source = models.CharField(_("nguồn thông tin"), max_length=200)
    valid_from = models.DateField(_("từ ngày"))
    valid_to = models.DateField(_("đến ngày"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+",
                                    verbose_name=_("người ghi"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bảo hiểm qua nhóm khác")
        verbose_name_plural = _("bảo hiểm qua nhóm khác")
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_from__lte=models.F("valid_to")),
                                   name="other_coverage_range"),
            models.CheckConstraint(condition=Q(kind__in=OtherCoverageKind.values), name="other_coverage_kind"),
        ]
        indexes = [models.Index(fields=["person", "valid_from"], name="other_coverage_person")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.valid_from:%d/%m/%Y})"
