"""Household codes: ``HGD<commune code>-<5 digits>``, numbered per commune from a counter row that is
locked (SELECT … FOR UPDATE) for the rest of the caller's transaction. Counting the households (the
old way) gave two concurrent registrations the same number, and one of them a 500."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from ansinh.areas.models import AdministrativeUnit
from ansinh.registry.models import Household, HouseholdCodeCounter


def prefix(area: AdministrativeUnit) -> str:
    return f"HGD{area.code}-"


def reserve(area: AdministrativeUnit, count: int = 1) -> list[str]:
    """``count`` new codes for households of ``area``; must run inside the caller's transaction. Codes
    already taken (given by hand, or written before the counter existed) are skipped."""
    counter = _locked_counter(area)
    start = prefix(area)
    codes: list[str] = []
    number = counter.last
    while len(codes) < count:
        batch = [f"{start}{n:05d}" for n in range(number + 1, number + 1 + count - len(codes))]
        taken = set(Household.objects.filter(code__in=batch).values_list("code", flat=True))
        codes += [code for code in batch if code not in taken]
        number += len(batch)
    counter.last = number
    counter.save(update_fields=["last"])
    return codes


def _locked_counter(area: AdministrativeUnit) -> HouseholdCodeCounter:
    counter = HouseholdCodeCounter.objects.select_for_update().filter(area=area).first()
    if counter is not None:
        return counter
    try:
        with transaction.atomic():  # a savepoint: a concurrent first registration may create the row first
            return HouseholdCodeCounter.objects.create(area=area, last=_highest_number(area))
    except IntegrityError:
        return HouseholdCodeCounter.objects.select_for_update().get(area=area)


def _highest_number(area: AdministrativeUnit) -> int:
    """The highest number among the commune's codes written before its counter existed."""
    start = prefix(area)
    numbers = [int(code[len(start):]) for code in
               Household.objects.filter(code__startswith=start).values_list("code", flat=True)
               if code[len(start):].isdigit()]
    return max(numbers, default=0)
