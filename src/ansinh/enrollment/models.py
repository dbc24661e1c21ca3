"""What a participant or household signs up for, and each term's amount as the rules computed it.

An `Enrollment` is one term to be paid (a VSI contribution for N months, or household-HI cards for
a term), with its amounts and the calculation record that explains them. Once paid it is never
edited: a correction is a reversal (payments app) and a new enrollment.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ansinh.areas.models import AdministrativeUnit
from ansinh.registry.models import Household, Person


class Scheme(models.TextChoices):
    VSI = "vsi", gettext_lazy("BHXH tự nguyện")
    HOUSEHOLD_HI = "household_hi", gettext_lazy("BHYT hộ gia đình")


class CalculationRecord(models.Model):
    """The rules' inputs, result and every parameter used (name, value, effective date, reference)."""

    scheme = models.CharField(max_length=12, choices=Scheme.choices)
    computed_on = models.DateField()
    inputs = models.JSONField()
    result = models.JSONField()
    parameters = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)


class PlanStatus(models.TextChoices):
    ACTIVE = "active", gettext_lazy("Đang tham gia")
    LAPSED = "lapsed", gettext_lazy("Gián đoạn")
    STOPPED = "stopped", gettext_lazy("Dừng tham gia")


class VsiPlan(models.Model):
    """A person's standing voluntary-SI arrangement; paid periods live in their enrollments."""

    person = models.OneToOneField(Person, models.PROTECT, related_name="vsi_plan")
    income = models.BigIntegerField(gettext_lazy("thu nhập lựa chọn"))
    term_months = models.PositiveSmallIntegerField(gettext_lazy("phương thức (tháng)"))
    start_month = models.DateField(gettext_lazy("tháng bắt đầu"))  # always the 1st of a month
    groups_override = models.JSONField(gettext_lazy("nhóm hỗ trợ (ghi đè)"), null=True, blank=True)
    override_reason = models.CharField(gettext_lazy("lý do ghi đè"), max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.ACTIVE)
    # the day the participant registered the stop (dừng đóng): a "giảm" row of that period's D05-TS
    stopped_on = models.DateField(gettext_lazy("ngày dừng đóng"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(groups_override__isnull=True) | ~Q(override_reason=""),
                                   name="plan_override_has_reason"),
        ]


class EnrollmentStatus(models.TextChoices):
    PENDING = "pending", gettext_lazy("Chờ thu tiền")
    PAID = "paid", gettext_lazy("Đã thu")
    CANCELLED = "cancelled", gettext_lazy("Đã huỷ")


class Enrollment(models.Model):
    scheme = models.CharField(max_length=12, choices=Scheme.choices)
    person = models.ForeignKey(Person, models.PROTECT, null=True, blank=True, related_name="enrollments")
    household = models.ForeignKey(Household, models.PROTECT, null=True, blank=True, related_name="enrollments")
    plan = models.ForeignKey(VsiPlan, models.PROTECT, null=True, blank=True, related_name="enrollments")
    area = models.ForeignKey(AdministrativeUnit, models.PROTECT, related_name="+")  # for scope
    is_renewal = models.BooleanField(gettext_lazy("tái tục"), default=False)
    quoted_on = models.DateField(gettext_lazy("ngày tính"))
    period_start = models.DateField(gettext_lazy("từ tháng / thẻ từ ngày"))
    period_end = models.DateField(gettext_lazy("đến hết ngày"))  # end_of_term(start, months): last day
    months = models.PositiveSmallIntegerField(gettext_lazy("số tháng"))
    method = models.CharField(max_length=10, default="regular")
    income = models.BigIntegerField(null=True, blank=True)
    support_groups = models.JSONField(default=list)
    supported_months = models.PositiveSmallIntegerField(default=0)
    gross = models.BigIntegerField(gettext_lazy("tổng mức đóng"))
    state_support = models.BigIntegerField(gettext_lazy("NSNN hỗ trợ"), default=0)
    local_support = models.BigIntegerField(gettext_lazy("NSĐP hỗ trợ"), default=0)
    payable = models.BigIntegerField(gettext_lazy("phải đóng"))
    calculation = models.OneToOneField(CalculationRecord, models.PROTECT, related_name="enrollment")
    status = models.CharField(max_length=10, choices=EnrollmentStatus.choices, default=EnrollmentStatus.PENDING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # The key the web form, API client or offline app sent (unique per actor), and a digest of what it
    # asked for: the same key again returns this term, the same key for another request is refused.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    request_digest = models.CharField(max_length=64, blank=True, db_default="")

    class Meta:
        # Also, created by migration 0004 with vendor-specific SQL (ADR 0007): at most one live (not
        # cancelled) VSI term per person covering any day — a PostgreSQL exclusion constraint, SQLite triggers.
        constraints = [
            models.UniqueConstraint(fields=["created_by", "idempotency_key"], name="enrollment_key_per_actor",
                                    condition=Q(idempotency_key__isnull=False)),
            models.CheckConstraint(
                condition=(Q(scheme="vsi", person__isnull=False, household__isnull=True)
                           | Q(scheme="household_hi", household__isnull=False, person__isnull=True)),
                name="enrollment_target_matches_scheme",
            ),
            models.CheckConstraint(condition=Q(payable__gte=0), name="enrollment_payable_not_negative"),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="enrollment_period"),
        ]
        indexes = [models.Index(fields=["scheme", "status", "area"], name="enrollment_scope"),
                   models.Index(fields=["period_end"], name="enrollment_period_end"),
                   # the renewals page's cancelled terms of a window (issue 14): a few thousand of millions
                   models.Index(fields=["period_end"], name="enrollment_cancelled_end",
                                condition=Q(status="cancelled"))]

    def __str__(self) -> str:
        return _("Đăng ký số {pk} ({value})").format(pk=self.pk, value=self.get_scheme_display())


class CardKind(models.TextChoices):
    ELECTRONIC = "electronic", gettext_lazy("Thẻ điện tử")
    PAPER = "paper", gettext_lazy("Thẻ giấy")


class HiCardLine(models.Model):
    """One member's household-HI card in an enrollment: the member's group (household, or a state group
    from the household's poverty status), rank, factor, the term's gross, the state's and the province's
    shares, what the household pays (``amount``) and the card's validity."""

    enrollment = models.ForeignKey(Enrollment, models.CASCADE, related_name="hi_lines")
    person = models.ForeignKey(Person, models.PROTECT, related_name="hi_lines")
    group = models.CharField(gettext_lazy("nhóm"), max_length=20,
                             default="household")  # rules.household_hi.MEMBER_GROUPS
    rank = models.PositiveSmallIntegerField()  # 0: not counted in the household ranks (a state group)
    factor = models.DecimalField(max_digits=4, decimal_places=3)
    monthly = models.BigIntegerField()
    gross = models.BigIntegerField(gettext_lazy("mức đóng"), default=0)
    state_support = models.BigIntegerField(gettext_lazy("NSNN đóng / hỗ trợ"), default=0)
    local_support = models.BigIntegerField(gettext_lazy("NSĐP hỗ trợ"), default=0)
    amount = models.BigIntegerField()  # what the household pays: gross − state_support − local_support
    valid_from = models.DateField()
    valid_to = models.DateField()
    initial_clinic = models.CharField(gettext_lazy("nơi KCB ban đầu"), max_length=200, blank=True)
    card_kind = models.CharField(max_length=10, choices=CardKind.choices, default=CardKind.ELECTRONIC)
    # Denormalised "the enrollment is not cancelled", kept by database triggers (migration 0004, ADR 0007)
    # whatever writes the enrollment's status, so that the database can refuse two live cards of one
    # member covering the same day. Never written by Python.
    live = models.BooleanField(gettext_lazy("còn hiệu lực"), db_default=True, editable=False)


class Reminder(models.Model):
    """One reminder per person or household and period: sending twice for a period is refused."""

    period_key = models.CharField(max_length=60, unique=True)
    message = models.TextField()
    phone = models.CharField(max_length=10)
    created_at = models.DateTimeField(auto_now_add=True)
