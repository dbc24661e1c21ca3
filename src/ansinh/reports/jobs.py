"""Large exports: counted first (for the progress bar), then written by a job of the queue (``ansinh
worker``, docs/adr/0014-job-queue.md) straight from the database cursor to an XLSX file on disk (rows
are read in chunks and written as they come, so memory stays flat whatever the size), the progress
saved every 1,000 rows. The web process only enqueues, in the same transaction as the export's record.

A job is idempotent: the file is written under a temporary name and renamed once complete, and the
export is marked done (and its audit entry written) only by the run that moves it from running to
done, so a run cut short by a killed worker and run again has the effect of one.

Kinds: the lists for BHXH (D05-TS, form No. 4) of a collector, the payments of a period, a commune's
coverage-gap list on a day (named people, identifiers masked: audited on every export), and the province's
what-if "if everyone joined" (figures only; minutes at a province's size), its progress counted in communes.

Also the periodic jobs of reports: the sweep of old exports and the refresh of recent facts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from ansinh.jobs.worker import when_given_up
from ansinh.lib.errors import DomainError, ErrorCode, invalid_input
from ansinh.lib.periods import require_order
from ansinh.org.fields import exports_any_full
from ansinh.org.models import OrgUnit
from ansinh.org.queries import collectors
from ansinh.org.scope import Scope, not_found, scope_for
from ansinh.payments import efiling, exports, lists490, queries
from ansinh.registry.audit import audit_read
from ansinh.reports import coverage, services, whatif, whatif_changes, whatif_gap
from ansinh.reports.models import ExportJob, ExportStatus
from ansinh.rules.params import default_parameters

KEPT = timedelta(days=7)  # finished exports are deleted after this
PAYMENT_COLUMNS = [("paid_at", gettext_lazy("Thời điểm thu")), ("receipt", gettext_lazy("Số biên lai")),
                   ("scheme", gettext_lazy("Loại hình")),
                   ("renewal", gettext_lazy("Mới/tái tục")), ("amount", gettext_lazy("Số tiền")),
                   ("agent", gettext_lazy("Nhân viên thu")),
                   ("commune", gettext_lazy("Xã/phường"))]


@dataclass(frozen=True)
class Kind:
    title: str
    columns: list[tuple[str, str]]
    count: Callable[[Scope, dict[str, Any]], int]
    rows: Callable[[Scope, dict[str, Any]], Iterator[dict[str, Any]]]
    shown: Callable[[str, Any], Any] | None = None
    needs_collector: bool = True
    personal: bool = False  # carries people's identifiers: audited when they go out in full
    form: str = ""  # a list on its BHXH form (payments/lists490.py): "d05" or "d03"
    medium: str = "xlsx"
    named: bool = False  # lists people by name: audited on every export, even with identifiers masked
    dated: bool = True  # params "start"–"end"; else "on", a day
    # writes the file itself (path, progress): the rows written and what its page shows when done
    write: Callable[[ExportJob, Scope, str, Callable[[int], None]], tuple[int, dict[str, Any]]] | None = None


def _period(params: dict[str, Any]) -> tuple[date, date]:
    return date.fromisoformat(params["start"]), date.fromisoformat(params["end"])


def _payments(scope: Scope, params: dict[str, Any]) -> Any:
    start, end = _period(params)
    return (queries.payments(scope).filter(paid_at__date__gte=start, paid_at__date__lte=end)
            .select_related("receipt__pool", "enrollment__area", "agent").order_by("paid_at", "pk"))


def _payment_rows(scope: Scope, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for p in _payments(scope, params).iterator(chunk_size=2000):
        receipt = getattr(p, "receipt", None)
        yield {"paid_at": timezone.localtime(p.paid_at).strftime("%d/%m/%Y %H:%M"),
               "receipt": receipt.serial if receipt else (_("đảo bút toán") if p.reverses_id else ""),
               "scheme": p.enrollment.get_scheme_display(),
               "renewal": _("tái tục") if p.enrollment.is_renewal else _("mới"),
               "amount": p.amount, "agent": p.agent.name if p.agent else "", "commune": p.enrollment.area.name}


def _collector_args(params: dict[str, Any]) -> tuple[int, date, date]:
    return (params["collector"], *_period(params))


def _whatif_communes(scope: Scope, params: dict[str, Any]) -> int:
    return len(whatif_gap.communes_of(whatif_changes.province_of(scope), scope.area_ids))


Progress = Callable[[int], None]


def _write_whatif(job: ExportJob, scope: Scope, path: str, progress: Progress) -> tuple[int, dict[str, Any]]:
    """"If everyone joined" (``whatif_gap``) as the page would price it, its progress in communes; the table
    (with the province's total) to XLSX; the page's lines and that table kept for the job's page (and its PDF)."""
    with translation.override(job.params["language"]):  # its lines (and its refusal) in the page's language
        try:
            return _price_everyone(job, scope, path, progress)
        except DomainError as error:
            raise DomainError(error.code, error.message, error.message, **error.details) from error


def _price_everyone(job: ExportJob, scope: Scope, path: str, progress: Progress) -> tuple[int, dict[str, Any]]:
    params, province, base = job.params, whatif_changes.province_of(scope), default_parameters()
    on, effective = date.fromisoformat(params["on"]), date.fromisoformat(params["effective"])
    entered = whatif_changes.entered_from_json(province, params["entered"])
    scenario, changes = whatif_changes.scenario(base, province, effective, entered, job.user.get_username())
    found = whatif_gap.everyone_joined(on, scenario, vsi_min_age=params["vsi_min_age"], income=params["income"],
                                       months=params["months"], province=province, baseline=base,
                                       area_ids=scope.area_ids, progress=progress)
    lines = whatif_changes.describe(found, changes, effective, params)
    columns = [(key, str(label)) for key, label in (*whatif.COLUMNS, *whatif.PAYABLE_COLUMNS)]
    rows = [*(r.as_dict() for r in found.rows), {**found.total().as_dict(), "year": ""}]
    exports.write_xlsx_to(path, job.title, columns, rows)
    return job.total, {"lines": lines, "rows": rows}  # job.total: its communes


KINDS = {
    "d05": Kind(gettext_lazy("Danh sách D05-TS"), exports.D05_COLUMNS,
                lambda scope, p: queries.d05_count(scope, *_collector_args(p)),
                lambda scope, p: queries.d05_rows(scope, *_collector_args(p)), personal=True),
    "bhyt": Kind(gettext_lazy("BHYT hộ gia đình, mẫu số 4"), exports.HI_COLUMNS,
                 lambda scope, p: queries.hi_list_count(scope, *_collector_args(p)),
                 lambda scope, p: queries.hi_list_rows(scope, *_collector_args(p)), exports.hi_list_shown,
                 personal=True),
    # The lists on the QĐ 490 forms, XLSX to edit and PDF (A4 landscape) to sign.
    **{f"{form}ts{suffix}": Kind(format_lazy(gettext_lazy("Mẫu {value}-TS"), value=form.upper()), [], count,
                                 lambda scope, p: iter(()), personal=True, form=form, medium=medium)
       for form, count in (("d05", lambda scope, p: queries.d05_form_count(scope, *_collector_args(p))),
                           ("d03", lambda scope, p: queries.d03_form_count(scope, *_collector_args(p))))
       for suffix, medium in (("", "xlsx"), ("-pdf", "pdf"))},
    "efiling": Kind(gettext_lazy("Hồ sơ điện tử D05-TS, D03-TS (chưa ký)"), [],
                    lambda scope, p: queries.d05_form_count(scope, *_collector_args(p))
                    + queries.d03_form_count(scope, *_collector_args(p)),
                    lambda scope, p: iter(()), personal=True, form="efiling", medium="zip"),
    "payments": Kind(gettext_lazy("Các khoản thu"), PAYMENT_COLUMNS, lambda scope, p: _payments(scope, p).count(),
                     _payment_rows,
                     needs_collector=False),
    "gaps": Kind(gettext_lazy("Người chưa tham gia"), coverage.GAP_COLUMNS, coverage.gap_count, coverage.gap_rows,
                 needs_collector=False, personal=True, named=True, dated=False),
    "whatif": Kind(gettext_lazy("Phương án hỗ trợ nếu mọi người tham gia"), [], _whatif_communes,
                   lambda scope, p: iter(()), needs_collector=False, dated=False, write=_write_whatif),
}


def export_dir() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def start(user: AbstractBaseUser, kind: str, params: dict[str, Any], *, background: bool = True) -> ExportJob:
    """Check the request against the user's scope, count the rows, and enqueue the writing of the file
    with the export's record (or write it here when ``background`` is false)."""
    found = KINDS.get(kind)
    if found is None:
        raise invalid_input(_("Không có loại danh sách này."), "Unknown export kind.", field="kind")
    scope = scope_for(user)
    if found.dated:
        start_day, end_day = _period(params)
        require_order(start_day, end_day)
        when = f"{start_day:%d/%m/%Y}–{end_day:%d/%m/%Y}"
    else:
        when = f"{date.fromisoformat(params.get('on', '')):%d/%m/%Y}"  # none: a ValueError, the caller's 400
    if found.needs_collector and not collectors(user, scope).filter(pk=params.get("collector")).exists():
        raise not_found()
    if found.write is not None:  # minutes of a worker each: one at a time per user (a repeated POST finds it)
        running = ExportJob.objects.filter(user_id=user.pk, kind=kind, status=ExportStatus.RUNNING).first()
        if running is not None:
            return running
    total = found.count(scope, params)
    sweep(timezone.now())
    with transaction.atomic():  # the record and its job, or neither
        job = ExportJob.objects.create(user=user, kind=kind, params=params, total=total,
                                       title=f"{found.title} {when}")
        if background:
            write_export.enqueue(job.pk)
            return job
    return run(job.pk)


@task()
def write_export(job_id: int) -> str:
    """The queue's job: write the export's file (run again after a killed worker, it writes it anew)."""
    return run(job_id).status


def _given_up(job_id: int) -> None:
    ExportJob.objects.filter(pk=job_id, status=ExportStatus.RUNNING).update(
        status=ExportStatus.FAILED, error=_("Việc xuất bị gián đoạn nhiều lần; hãy xuất lại."),
        finished_at=timezone.now())


when_given_up(write_export, _given_up)


def run(job_id: int) -> ExportJob:
    """Write the job's file; a failure is recorded on the job, never half a file offered. A job that
    is already finished (done or failed) is left as it is."""
    job = ExportJob.objects.select_related("user").filter(pk=job_id).first()
    if job is None or job.status != ExportStatus.RUNNING:  # swept, or finished by an earlier run
        return job  # type: ignore[return-value]
    kind, scope = KINDS[job.kind], scope_for(job.user)
    path = export_dir() / f"job-{job.pk}.{kind.medium}"
    partial = path.with_name(f"{path.name}.part")
    ExportJob.objects.filter(pk=job.pk).update(done=0, updated_at=timezone.now())
    try:
        summary: dict[str, Any] = {}
        if kind.write is not None:
            written, summary = kind.write(job, scope, str(partial), lambda n: ExportJob.objects.filter(
                pk=job.pk).update(done=n, updated_at=timezone.now()))
        elif kind.form:
            collector = OrgUnit.objects.get(pk=job.params["collector"])
            partial.write_bytes(efiling.package(scope, collector, *_period(job.params)) if kind.form == "efiling"
                                else lists490.render(kind.form, scope, collector, *_period(job.params), kind.medium))
            written = job.total
        else:
            written = exports.write_xlsx_to(
                str(partial), job.title, kind.columns, kind.rows(scope, job.params), kind.shown,
                progress=lambda n: ExportJob.objects.filter(pk=job.pk).update(done=n, updated_at=timezone.now()))
        partial.replace(path)
    except (DomainError, OSError) as error:
        partial.unlink(missing_ok=True)
        message = error.message if isinstance(error, DomainError) else _("Không ghi được tệp.")
        ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.FAILED, error=str(message)[:300],
                                                   finished_at=timezone.now())
    else:
        with transaction.atomic():
            finished = ExportJob.objects.filter(pk=job.pk, status=ExportStatus.RUNNING).update(
                status=ExportStatus.DONE, done=written, file_name=path.name, summary=summary,
                finished_at=timezone.now())
            if finished and kind.personal and written and (kind.named or exports_any_full(scope)):
                _audit_export(job, scope, written)
    return ExportJob.objects.get(pk=job.pk)


def _audit_export(job: ExportJob, scope: Scope, rows: int) -> None:
    """One entry for a list that carried full identifiers (or named people): who, how many rows, which
    filter. It is filed under the list's commune, or a commune the collector serves in the exporter's
    scope, so that its managers see it; for an agent (his collector serves the province, his grant is his
    communes), under one of his."""
    commune = job.params.get("commune")
    area = (commune if commune in scope.area_ids else None) or (
        collectors(job.user, scope).filter(pk=job.params.get("collector")).values_list("areas", flat=True)
        .filter(areas__in=scope.area_ids).order_by("areas").first()) or min(scope.area_ids, default=None)
    audit_read(job.user, "export", "export", job.pk, area,
               {"kind": job.kind, "rows": rows, "filter": job.params, "why": job.title})


def job_of(user: AbstractBaseUser, job_id: int) -> ExportJob:
    """The user's own job; anyone else's is "not found". (A job cut short by a stopped worker is run
    again by the next one; after its last attempt the queue marks it failed: ``_given_up``.)"""
    job = ExportJob.objects.filter(pk=job_id, user_id=user.pk).first()
    if job is None:
        raise DomainError(ErrorCode.NOT_FOUND, _("Không tìm thấy tệp xuất này."), "No such export.")
    return job


def sweep(now: datetime) -> int:
    """Delete the files and records of exports finished more than ``KEPT`` ago; returns how many."""
    old = ExportJob.objects.filter(created_at__lt=now - KEPT).exclude(status=ExportStatus.RUNNING)
    for job in old:
        if job.file_name:
            (export_dir() / job.file_name).unlink(missing_ok=True)
    return int(old.delete()[0])


@task()
def sweep_exports() -> int:
    """Periodic (hourly): the old exports' files and records."""
    return sweep(timezone.now())


LATE_DAYS = 7  # payments synced from the field up to a week late are folded into the facts


@task()
def refresh_recent_facts() -> int:
    """Periodic (nightly): recompute the facts of the last ``LATE_DAYS`` days before today, so that a
    payment recorded late (an offline phone that synced days after) is counted on its own day."""
    today = timezone.localdate()
    return services.refresh(today - timedelta(days=LATE_DAYS), today - timedelta(days=1))


def file_of(job: ExportJob) -> Path:
    if job.status != ExportStatus.DONE or not job.file_name:
        raise DomainError(ErrorCode.NOT_FOUND, _("Tệp chưa xuất xong."), "Export not finished.")
    return export_dir() / job.file_name

