"""The reports' periodic jobs, run through the queue: the nightly refresh puts back the facts of the
last days (a payment recorded late, or facts lost), and the hourly sweep deletes old exports."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from ansinh.enrollment import services as enrolling
from ansinh.jobs import worker
from ansinh.payments import services as paying
from ansinh.registry import services as registry
from ansinh.reports import jobs
from ansinh.reports.integrity import facts_equal_payments
from ansinh.reports.models import AreaDay, ExportJob, ExportStatus, Fact
from tests.builders import field_setup, person_data, personas

pytestmark = pytest.mark.django_db


def test_the_nightly_refresh_puts_back_the_facts_of_the_last_days() -> None:
    who = personas()
    field_setup(who)
    scope = who.scope(who.agent)
    three_days_ago = timezone.now() - timedelta(days=3)
    person = registry.create_person(who.agent, scope, person_data(citizen_id=None))
    offer = enrolling.quote_vsi(scope, person.pk, timezone.localdate(three_days_ago), 1_500_000, 1)
    enrollment = enrolling.enroll_vsi(who.agent, scope, offer)
    paying.record_payment(who.agent, scope, enrollment.pk, amount=enrollment.payable, method="cash",
                          idempotency_key="late", paid_at=three_days_ago)
    Fact.objects.all().delete()
    AreaDay.objects.all().delete()
    assert list(facts_equal_payments())  # the day is missing from the dashboards
    jobs.refresh_recent_facts.enqueue()
    assert worker.drain() == 1
    assert list(facts_equal_payments()) == []
    assert AreaDay.objects.get().vsi_amount == enrollment.payable


def test_the_hourly_sweep_deletes_old_exports_and_their_files(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    who = personas()
    old = ExportJob.objects.create(user=who.agent, kind="payments", title="Cũ", status=ExportStatus.DONE,
                                   file_name="job-old.xlsx")
    recent = ExportJob.objects.create(user=who.agent, kind="payments", title="Mới", status=ExportStatus.DONE)
    (jobs.export_dir() / "job-old.xlsx").write_bytes(b"PK")
    ExportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    jobs.sweep_exports.enqueue()
    assert worker.drain() == 1
    assert list(ExportJob.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not (jobs.export_dir() / "job-old.xlsx").exists()
