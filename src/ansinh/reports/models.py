"""The read side: pre-aggregated facts, one row per day × commune × collector × agent × scheme ×
new/renewal, and frozen periods whose figures later edits must not change."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from ansinh.areas.models import AdministrativeUnit
from ansinh.org.models import Agent, OrgUnit


class Fact(models.Model):
    day = models.DateField(db_index=True)
    area = models.ForeignKey(AdministrativeUnit, models.PROTECT, related_name="+")
    collector = models.ForeignKey(OrgUnit, models.PROTECT, null=True, related_name="+")
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
        constraints = [models.UniqueConstraint(fields=["day", "area", "collector", "agent", "scheme", "is_renewal"],
                                               name="one_fact_per_cell", nulls_distinct=False)]
        indexes = [models.Index(fields=["scheme", "day"], name="fact_scheme_day")]


class FrozenPeriod(models.Model):
    start = models.DateField()
    end = models.DateField()
    frozen_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+")
    frozen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(start__lte=models.F("end")), name="frozen_range")]
