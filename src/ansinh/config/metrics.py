"""Prometheus metrics at ``/metrics`` (issue 15, "Operate"), for the address of a scraper only.

- Requests: django-prometheus's middleware counts requests, responses by status and latency per view,
  in each server process (a scrape reads the process that answers it; with several processes, scrape
  each or read the domain figures, which come from the database and are the same whichever answers).
- The domain's, read from the database at each scrape so every process reports the same truth:
  payments recorded and reversed, the amount collected per scheme (from the dashboards' facts), and
  the export queue's depth and the age of its oldest running job, and the job queue's (ansinh.jobs.queue):
  jobs waiting, running and given up, and the age of the oldest job due and not started.
  Reminders and offline sync do not exist yet (issue 17, issue 16); their metrics come with them.

Only the addresses in ``ANSINH_METRICS_ALLOW`` (the socket's peer, never a forwarded header; default
this machine) may read it; the reverse proxy does not pass ``/metrics`` (deploy/nginx.conf)."""

from __future__ import annotations

from collections.abc import Iterator

from django.conf import settings
from django.db.models import Min, Sum
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from ansinh.jobs import queue
from ansinh.payments.models import Payment
from ansinh.reports.models import AreaDay, ExportJob, ExportStatus


class DomainCollector(Collector):
    def describe(self) -> list[CounterMetricFamily | GaugeMetricFamily]:
        return []  # nothing to read at registration

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        payments = CounterMetricFamily("ansinh_payments", "Payments recorded (reversals included)",
                                       labels=["kind"])
        reversals = Payment.objects.filter(reverses__isnull=False).count()
        payments.add_metric(["payment"], Payment.objects.count() - reversals)
        payments.add_metric(["reversal"], reversals)
        yield payments
        sums = AreaDay.objects.aggregate(vsi=Sum("vsi_amount"), hi=Sum("hi_amount"))
        amount = GaugeMetricFamily("ansinh_collected_dong", "Amount collected, net of reversals", labels=["scheme"])
        amount.add_metric(["vsi"], sums["vsi"] or 0)
        amount.add_metric(["household_hi"], sums["hi"] or 0)
        yield amount
        running = ExportJob.objects.filter(status=ExportStatus.RUNNING)
        depth = GaugeMetricFamily("ansinh_export_jobs_running", "Exports being written")
        depth.add_metric([], running.count())
        yield depth
        oldest = running.aggregate(at=Min("created_at"))["at"]
        age = GaugeMetricFamily("ansinh_export_oldest_running_seconds", "Age of the oldest export being written")
        age.add_metric([], (timezone.now() - oldest).total_seconds() if oldest else 0.0)
        yield age
        jobs = queue.figures()
        waiting = GaugeMetricFamily("ansinh_job_queue_depth", "Jobs of the queue by state", labels=["state"])
        for state in ("waiting", "running", "failed"):
            waiting.add_metric([state], jobs[state])
        yield waiting
        oldest_job = GaugeMetricFamily("ansinh_job_queue_oldest_seconds", "Age of the oldest job due and not started")
        oldest_job.add_metric([], jobs["oldest_seconds"])
        yield oldest_job


# A registry of its own, not the global one: the domain figures are read from the database only on a
# scrape of /metrics, never at registration or by another exporter.
_domain = CollectorRegistry(auto_describe=False)
_domain.register(DomainCollector())


@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    if request.META.get("REMOTE_ADDR") not in settings.ANSINH_METRICS_ALLOW:
        return HttpResponse(_("Không có quyền đọc số đo."), status=403, content_type="text/plain; charset=utf-8")
    return HttpResponse(generate_latest(REGISTRY) + generate_latest(_domain), content_type=CONTENT_TYPE_LATEST)
