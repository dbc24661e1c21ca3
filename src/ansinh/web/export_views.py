"""Large exports: ask (POST), watch the progress bar (htmx asks every second), download the file."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.reports import jobs, whatif
from ansinh.web.common import export_table, or_404, refused


@login_required
@require_POST
def start(request: HttpRequest) -> HttpResponse:
    kind = request.POST.get("kind", "")
    names = ("on", "map") if kind == "gaps" else ("start", "end")  # a gap list is of a day, the rest of a period
    params: dict[str, Any] = {name: request.POST.get(name, "") for name in names}
    for name in ("collector", "commune"):
        if request.POST.get(name, "").isdigit() and len(request.POST[name]) < 12:
            params[name] = int(request.POST[name])
    back = "web:coverage" if kind == "gaps" else "web:money"
    try:
        if kind == "gaps" and "commune" not in params:
            raise ValueError("no commune")
        if kind in jobs.KINDS and jobs.KINDS[kind].write is not None:  # the what-if: its own form and page
            raise DomainError(ErrorCode.INVALID_INPUT, _("Không có loại danh sách này."), "Not a list.")
        job = jobs.start(request.user, kind, params)  # type: ignore[arg-type]
    except ValueError:
        messages.error(request, _("Ngày không hợp lệ (dạng YYYY-MM-DD)."))
        return redirect(back)
    except DomainError as error:
        page = refused(error)  # a collector or commune out of scope: 404; not the role's: 403
        if page is not None:
            raise page from None
        messages.error(request, error.message)
        return redirect(back)
    return redirect("web:export", job_id=job.pk)


@login_required
def progress(request: HttpRequest, job_id: int) -> HttpResponse:
    job = or_404(lambda: jobs.job_of(request.user, job_id))  # type: ignore[arg-type]
    template = "web/_export_progress.html" if request.headers.get("HX-Request") else "web/export.html"
    return render(request, template, {"job": job})


@login_required
def download(request: HttpRequest, job_id: int) -> HttpResponse:
    job = or_404(lambda: jobs.job_of(request.user, job_id))  # type: ignore[arg-type]
    path = or_404(lambda: jobs.file_of(job))
    if job.kind == "whatif":  # also as the page's PDF, from the lines and the table the job kept
        report = export_table(request, f"{job.kind}-{job.pk}", job.title, job.summary.get("lines", []),
                              [*whatif.COLUMNS, *whatif.PAYABLE_COLUMNS], job.summary.get("rows", []))
        if report is not None:
            return report
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"{job.kind}-{job.pk}{path.suffix}")
