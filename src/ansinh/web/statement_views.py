"""Bank statements (payments/statements.py): the collector's managers upload one (the matching runs as
a job, its progress shown like an export's), watch it, and decide the credits that did not match."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from ansinh.org.scope import scope_for
from ansinh.payments import statements, tasks
from ansinh.payments.models import Resolution
from ansinh.web.common import or_404, run_service
from ansinh.web.registry_forms import DomainForm

QUEUE_SHOWN = 200


class UploadForm(DomainForm):
    collector = forms.ModelChoiceField(label=_("Tổ chức dịch vụ thu (chủ tài khoản)"), queryset=None,  # type: ignore[arg-type]
                                       error_messages={"required": _("Chọn đơn vị."),
                                                       "invalid_choice": _("Chọn đơn vị.")})
    file = forms.FileField(label=_("Tệp sao kê (CSV hoặc XLSX)"), error_messages={"required": _("Chọn tệp sao kê.")})
    columns = forms.CharField(label=_("Tên cột khác mặc định (nếu có)"), max_length=300, required=False,
                              help_text=_("Ví dụ: date=Ngày hiệu lực,amount=Phát sinh có,description=Diễn giải,"
                                          "transaction_id=Số bút toán"))

    def __init__(self, *args: Any, collectors: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["collector"].queryset = collectors  # type: ignore[attr-defined]


class ResolveForm(DomainForm):
    action = forms.ChoiceField(label=_("Xử lý"), choices=[("match", _("Khớp với khoản chờ thu")),
                                                      ("refund", _("Hoàn trả người chuyển")), ("dismiss", _("Bỏ qua"))])
    enrollment = forms.IntegerField(label=_("Mã khoản chờ thu"), required=False, min_value=1)
    note = forms.CharField(label=_("Ghi chú (bắt buộc khi hoàn trả, bỏ qua hoặc chuyển thừa)"), max_length=300,
                           required=False)


def _scope(request: HttpRequest) -> Any:
    scope = scope_for(request.user)
    or_404(lambda: statements.require_importer(scope))
    return scope


def _page(request: HttpRequest, scope: Any, form: UploadForm, status: int = 200) -> HttpResponse:
    return render(request, "web/statements.html", {
        "form": form, "imports": statements.imports(request.user, scope)[:20],  # type: ignore[arg-type]
        "waiting": statements.queue(request.user, scope).count()}, status=status)  # type: ignore[arg-type]


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    own = statements.own_collectors(request.user, scope)  # type: ignore[arg-type]
    if request.method != "POST":
        return _page(request, scope, UploadForm(collectors=own))
    form = UploadForm(request.POST, request.FILES, collectors=own)
    started = run_service(form, lambda: tasks.start(request.user, scope, form.cleaned_data["collector"].pk,
                                                    form.cleaned_data["file"], form.cleaned_data["columns"]))
    if started is None:
        return _page(request, scope, form, status=400)
    return redirect("web:statement", statement_id=started.pk)


@login_required
def progress(request: HttpRequest, statement_id: int) -> HttpResponse:
    scope = _scope(request)
    found = or_404(lambda: statements.import_of(request.user, scope, statement_id))  # type: ignore[arg-type]
    template = "web/_statement_progress.html" if request.headers.get("HX-Request") else "web/statement.html"
    return render(request, template, {"statement": found})


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    waiting = statements.queue(request.user, scope)  # type: ignore[arg-type]
    return render(request, "web/statement_queue.html", {"lines": waiting[:QUEUE_SHOWN], "count": waiting.count()})


@login_required
def line(request: HttpRequest, line_id: int) -> HttpResponse:
    scope = _scope(request)
    found = or_404(lambda: statements.line_of(request.user, scope, line_id))  # type: ignore[arg-type]
    return _line(request, scope, found, ResolveForm(initial={"enrollment": found.enrollment_id}))


def _line(request: HttpRequest, scope: Any, found: Any, form: ResolveForm, status: int = 200) -> HttpResponse:
    suggested = statements.suggestions(found, scope) if found.resolution == Resolution.OPEN else []
    return render(request, "web/statement_line.html", {"line": found, "suggested": suggested, "form": form},
                  status=status)


@login_required
@require_POST
def resolve(request: HttpRequest, line_id: int) -> HttpResponse:
    scope = _scope(request)
    form = ResolveForm(request.POST)
    done = run_service(form, lambda: statements.resolve_line(
        request.user, scope, line_id, form.cleaned_data["action"],  # type: ignore[arg-type]
        enrollment_id=form.cleaned_data["enrollment"], note=form.cleaned_data["note"]))
    if done is None:
        found = or_404(lambda: statements.line_of(request.user, scope, line_id))  # type: ignore[arg-type]
        return _line(request, scope, found, form, status=400)
    return redirect("web:statement_queue")
