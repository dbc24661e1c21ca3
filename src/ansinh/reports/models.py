"""The read side: pre-aggregated facts, one row per day × commune × collector × collection point ×
agent × scheme × new/renewal, their roll-up per day × commune, and frozen periods whose figures
later edits must not change."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ansinh.areas.models import AdministrativeUnit
from ansinh.enrollment.models import Scheme
from ansinh.org.models import Agent, OrgUnit


class Fact(models.Model):
    """The full grain, for the drill-down to collection points and agents."""

    day = models.DateField(db_index=True)
    area = models.ForeignKey(AdministrativeUnit, models.PROTECT, related_name="+")
    collector = models.ForeignKey(OrgUnit, models.PROTECT, null=True, related_name="+")
    collection_point = models.ForeignKey(OrgUnit, models.PROTECT, null=True, related_name="+")
    agent = models.ForeignKey(Agent, models.PROTECT, null=True, related_name="+")
    scheme = models.CharField(max_length=12)
    is_renewal = models.BooleanField()
    people = models.IntegerField(default=0)  # VSI participants or household-HI card holders paid for
    enrollments = models.IntegerField(default=0)
    amount = models.BigIntegerField(default=0)  # collected, net of reversals
    state_support = models.BigIntegerField(default=0)
    local_support = models.BigIntegerField(default=0)
    other_support = models.BigIntegerField(default=0)  # paid by sponsors

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["day", "area", "collector", "collection_point", "agent", "scheme", "is_renewal"],
            name="one_fact_per_cell", nulls_distinct=False)]
        indexes = [models.Index(fields=["scheme", "day"], name="fact_scheme_day"),
                   models.Index(fields=["area", "day"], name="fact_area_day")]


class AreaDay(models.Model):
    """The facts rolled up to one row per day × commune, the schemes and new/renewal side by side:
    what the province overview and the area and commune levels read (a province-year is ~47,000
    rows here against ~1.2 million payments)."""

    day = models.DateField()
    area = models.ForeignKey(AdministrativeUnit, models.PROTECT, related_name="+")
    vsi_new = models.IntegerField(default=0)  # people
    vsi_renewed = models.IntegerField(default=0)
    hi_new = models.IntegerField(default=0)  # card holders
    hi_renewed = models.IntegerField(default=0)
    enrollments = models.IntegerField(default=0)
    vsi_amount = models.BigIntegerField(default=0)  # collected, net of reversals
    hi_amount = models.BigIntegerField(default=0)
    state_support = models.BigIntegerField(default=0)
    local_support = models.BigIntegerField(default=0)
    other_support = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "area"], name="one_area_day_per_cell")]
        indexes = [models.Index(fields=["area", "day"], name="area_day_area")]


GAP_CAP = 400  # days: a next term later than this after the end is stored as "none" (any grace is below it)
NO_NEXT = GAP_CAP + 1


class CohortDay(models.Model):
    """The renewal of every paid term decided once: paid terms per last covered day × commune × scheme
    × ``gap``, the days from that last day to the start of the next paid term of the same person (VSI)
    or household (HI) — 0 when it starts on or before the end, ``NO_NEXT`` when there is none within
    ``GAP_CAP`` days. A term is renewed when its gap is below the lapse threshold in force on the day
    read, so the threshold stays a parameter of the read. Kept by ``services.count_payment`` (payments
    and reversals) and rebuilt by ``services.refresh``; what ``queries.renewal_cohorts`` and
    ``queries.lapses`` read (issue 14)."""

    day = models.DateField()  # the term's period_end
    area = models.ForeignKey(AdministrativeUnit, models.PROTECT, related_name="+")
    scheme = models.CharField(max_length=12)
    gap = models.SmallIntegerField()
    terms = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "area", "scheme", "gap"], name="one_cohort_day_per_cell")]
        indexes = [models.Index(fields=["area", "day"], name="cohort_day_area")]


class WhatIfCell(models.Model):
    """The paid terms grouped by what prices them, for the province's what-if (issue 18): per month of
    the quote (months since 01/1970) × commune × scheme × the rules' inputs — for a VSI term whether it
    is regular, its income, months, supported months and support groups (``rules.batch.GROUP_BITS``
    mask); for a card line its rank in the household, group (index in ``rules.batch.HI_GROUPS``) and
    months — with the count of terms (card lines). Kept by ``services.count_payment(s)`` (a payment
    adds its term, a reversal takes it away) and rebuilt from the terms by ``services.refresh``
    (``whatif_cells.rebuild``): the what-if reads ~10⁵ of these instead of grouping 10⁷ terms."""

    scheme = models.CharField(max_length=12)
    month = models.IntegerField()
    area = models.ForeignKey(AdministrativeUnit, models.PROTECT, related_name="+")
    regular = models.BooleanField(default=True)  # VSI: method "regular" (the others are counted, not priced)
    income = models.BigIntegerField(default=0)
    months = models.IntegerField(default=0)
    supported_months = models.IntegerField(default=0)
    groups = models.IntegerField(default=0)
    rank = models.IntegerField(default=0)
    hi_group = models.IntegerField(default=0)
    terms = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["scheme", "month", "area", "regular", "income", "months", "supported_months", "groups", "rank",
                    "hi_group"], name="one_whatif_cell")]


class PlanTarget(models.Model):
    """A year's target of new participants (chỉ tiêu phát triển mới) for a unit and a scheme, as
    assigned by the province: configuration with its source, never a legal figure."""

    year = models.PositiveSmallIntegerField(_("năm"))
    area = models.ForeignKey(AdministrativeUnit, models.PROTECT, related_name="+", verbose_name=_("địa bàn"))
    scheme = models.CharField(_("loại hình"), max_length=12, choices=Scheme.choices)
    value = models.PositiveIntegerField(_("số người tham gia mới"))
    source = models.CharField(_("căn cứ giao chỉ tiêu"), max_length=200)
    is_example = models.BooleanField(_("chỉ là ví dụ"), default=False)

    class Meta:
        verbose_name = _("chỉ tiêu năm")
        verbose_name_plural = _("chỉ tiêu năm")
        constraints = [models.UniqueConstraint(fields=["year", "area", "scheme"], name="one_target_per_unit_year"),
                       models.CheckConstraint(condition=Q(value__gt=0), name="plan_target_positive")]

    def __str__(self) -> str:
        return f"{self.year} · {self.area} · {self.get_scheme_display()}: {self.value}"


class OfficialPopulation(models.Model):
    """The official population of a unit on a date (a statistics office's or the commune's figure), with
    its source: the denominator of the coverage rates beside the registry's own count (issue 18).
    Configuration entered by staff; the figure in force on a day is the latest dated on or before it."""

    area = models.ForeignKey(AdministrativeUnit, models.PROTECT, related_name="+", verbose_name=_("địa bàn"))
    population = models.PositiveIntegerField(_("dân số"))
    working_age = models.PositiveIntegerField(_("dân số trong độ tuổi lao động"), null=True, blank=True)
    as_of = models.DateField(_("số liệu tại ngày"))
    source = models.CharField(_("nguồn số liệu"), max_length=200)

    class Meta:
        verbose_name = _("dân số chính thức")
        verbose_name_plural = _("dân số chính thức")
        constraints = [
            models.UniqueConstraint(fields=["area", "as_of"], name="one_population_per_unit_day"),
            models.CheckConstraint(condition=Q(population__gt=0), name="official_population_positive"),
            models.CheckConstraint(condition=Q(working_age__isnull=True) | Q(working_age__lte=models.F("population")),
                                   name="working_age_within_population"),
        ]

    def __str__(self) -> str:
        return f"{self.area} · {self.as_of:%d/%m/%Y}: {self.population}"


class TargetBasis(models.TextChoices):
    WORKING_AGE = "working_age", _("Tỷ lệ lực lượng lao động trong độ tuổi")
    POPULATION = "population", _("Tỷ lệ dân số")


class CoverageTarget(models.Model):
    """A dated plan target of coverage for a unit and a scheme, as a share: Nghị quyết 28-NQ/TW sets
    targets as shares of the working-age labour force in social insurance, the HI plans as shares of the
    population. Entered by staff with its source (the figures are the plan's, not this code's); it holds
    for the unit's communes too, unless a commune has its own. The target shown on a day is the first due
    on or after it (else the last one)."""

    area = models.ForeignKey(AdministrativeUnit, models.PROTECT, related_name="+", verbose_name=_("địa bàn"))
    scheme = models.CharField(_("loại hình"), max_length=12, choices=Scheme.choices)
    basis = models.CharField(_("tính trên"), max_length=12, choices=TargetBasis.choices)
    share = models.DecimalField(_("tỷ lệ mục tiêu (%)"), max_digits=5, decimal_places=2)
    target_date = models.DateField(_("thời hạn đạt"))
    source = models.CharField(_("căn cứ"), max_length=200)

    class Meta:
        verbose_name = _("mục tiêu bao phủ")
        verbose_name_plural = _("mục tiêu bao phủ")
        constraints = [
            models.UniqueConstraint(fields=["area", "scheme", "target_date"], name="one_coverage_target_per_day"),
            models.CheckConstraint(condition=Q(share__gt=0, share__lte=100), name="coverage_target_share"),
        ]

    def __str__(self) -> str:
        return f"{self.area} · {self.get_scheme_display()} · {self.target_date:%d/%m/%Y}: {self.share}%"


class FrozenPeriod(models.Model):
    start = models.DateField(verbose_name=_("từ ngày"))
    end = models.DateField(verbose_name=_("đến ngày"))
    frozen_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+",
                                  verbose_name=_("người khoá sổ"))
    frozen_at = models.DateTimeField(auto_now_add=True, verbose_name=_("khoá sổ lúc"))

    class Meta:
        verbose_name = _("kỳ đã khoá sổ")
        verbose_name_plural = _("kỳ đã khoá sổ")
        constraints = [models.CheckConstraint(condition=Q(start__lte=models.F("end")), name="frozen_range")]


class ExportStatus(models.TextChoices):
    RUNNING = "running", _("Đang xuất")
    DONE = "done", "Xong"
    FAILED = "failed", _("Lỗi")


class ExportJob(models.Model):
    """A large export written to a file in the background, row by row, with its progress; only the
    user who asked may download it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    params = models.JSONField(default=dict)
    title = models.CharField(max_length=200)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=ExportStatus.choices, default=ExportStatus.RUNNING)
    error = models.CharField(max_length=300, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    summary = models.JSONField(default=dict, blank=True)  # shown when done: the what-if's "lines" and "rows"
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)  # progress moves it; a still one means a dead writer
    finished_at = models.DateTimeField(null=True, blank=True)

    @property
    def share(self) -> float:
        return 1.0 if self.status == ExportStatus.DONE else (self.done / self.total if self.total else 0.0)
