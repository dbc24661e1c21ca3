"""Large exports: ask (POST), watch the progress bar (htmx asks every second), download the file."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ansinh.lib.errors import DomainError
from ansinh.reports import jobs
from ansinh.web.common import or_404, refused


@login_required
@require_POST
def start(request: HttpRequest) -> HttpResponse:
    params = {name: request.POST.get(name, "") for name in ("start", "end")}
    if request.POST.get("collector", "").isdigit():
        params["collector"] = int(request.POST["collector"])
    try:
        job = jobs.start(request.user, request.POST.get("kind", ""), params)  # type: ignore[arg-type]
    except ValueError:
        messages.error(request, "Ngày không hợp lệ (dạng YYYY-MM-DD).")
        return redirect("web:money")
    except DomainError as error:
        page = refused(error)  # a collector out of scope: 404; not the role's: 403
        if page is not None:
            raise page from None
        messages.error(request, error.message)
        return redirect("web:money")
    return redirect("web:export", job_id=job.pk)


@login_required
def progress(request: HttpRequest, job_id: int) -> HttpResponse:
    job = or_404(lambda: jobs.job_of(request.user, job_id))  # type: ignore[arg-type]
    template = "web/_export_progress.html" if request.headers.get("HX-Request") else "web/export.html"
    return render(request, template, {"job": job})


@login_required
def download(request: HttpRequest, job_id: int) -> FileResponse:
    job = or_404(lambda: jobs.job_of(request.user, job_id))  # type: ignore[arg-type]
    path = or_404(lambda: jobs.file_of(job))
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"{job.kind}-{job.pk}{path.suffix}")
