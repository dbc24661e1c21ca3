"""Prometheus metrics (issue 15, "Operate"): /metrics answers a scraper on this machine with the request
metrics and the domain's figures read from the database (payments, reversals, amounts from the facts,
the export queue), and refuses any other address."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db.models import Sum
from django.test import Client
from django.utils import timezone

from ansinh.payments.models import Payment
from ansinh.reports.models import AreaDay, ExportJob, ExportStatus
from tests.builders import user


def _value(body: str, name: str, labels: str = "") -> float:
    match = re.search(rf"^{re.escape(name)}{re.escape(labels)} (\S+)$", body, re.M)
    assert match, f"{name}{labels} missing"
    return float(match.group(1))


@pytest.mark.django_db
def test_metrics_count_payments_reversals_amounts_and_the_export_queue(client: Client, demo_data: Any) -> None:
    first = Payment.objects.filter(reverses__isnull=True).earliest("pk")
    Payment.objects.create(enrollment=first.enrollment, amount=-first.amount, method=first.method,
                           collector=first.collector, paid_at=timezone.now(), idempotency_key="metrics-reversal",
                           reverses=first, reason="Thu nhầm")
    body = client.get("/metrics").content.decode()
    reversals = Payment.objects.filter(reverses__isnull=False).count()
    assert reversals >= 1
    assert _value(body, "ansinh_payments_total", '{kind="payment"}') == Payment.objects.count() - reversals > 1000
    assert _value(body, "ansinh_payments_total", '{kind="reversal"}') == reversals
    hi = AreaDay.objects.aggregate(total=Sum("hi_amount"))["total"]
    assert _value(body, "ansinh_collected_dong", '{scheme="household_hi"}') == hi > 0
    assert _value(body, "ansinh_export_jobs_running") == 0
    job = ExportJob.objects.create(user=user(None), kind="payments", title="Khoản thu", status=ExportStatus.RUNNING)
    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    after = client.get("/metrics").content.decode()
    assert _value(after, "ansinh_export_jobs_running") == 1
    assert 290 <= _value(after, "ansinh_export_oldest_running_seconds") <= 400
    assert "django_http_requests_total_by_method_total" in after  # the request metrics, from django-prometheus


def test_metrics_are_refused_to_any_other_address(client: Client) -> None:
    refused = client.get("/metrics", REMOTE_ADDR="203.0.113.7")
    assert refused.status_code == 403
    assert "ansinh_payments" not in refused.content.decode()
    # a forwarded header never makes an outsider local
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="127.0.0.1").status_code == 403


@pytest.mark.django_db
def test_metrics_report_the_job_queue_depth_and_the_age_of_its_oldest_due_job(client: Client) -> None:
    from django_tasks_db.models import DBTaskResult

    from ansinh.reports.jobs import sweep_exports

    body = client.get("/metrics").content.decode()
    assert _value(body, "ansinh_job_queue_depth", '{state="waiting"}') == 0
    assert _value(body, "ansinh_job_queue_oldest_seconds") == 0
    sweep_exports.enqueue()
    sweep_exports.using(run_after=timezone.now() + timedelta(hours=1)).enqueue()  # waiting, not yet due
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(minutes=5))
    DBTaskResult.objects.filter(run_after__lt=timezone.now() + timedelta(days=1)).update(  # the deferred one
        enqueued_at=timezone.now() - timedelta(hours=3))  # older, but not due: not counted in the age
    after = client.get("/metrics").content.decode()
    assert _value(after, "ansinh_job_queue_depth", '{state="waiting"}') == 2
    assert _value(after, "ansinh_job_queue_depth", '{state="running"}') == 0
    assert 290 <= _value(after, "ansinh_job_queue_oldest_seconds") <= 400
