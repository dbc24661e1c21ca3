"""The managers' view of the audit trail (who read or changed whose record, and why), its XLSX, and
the look-up of which commune holds a citizen ID registered outside their scope."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.org.fields import may_locate
from ansinh.org.scope import scope_for
from ansinh.payments.exports import write_xlsx
from ansinh.registry import audit, lookups
from ansinh.registry.models import AuditEntry
from ansinh.web.common import XLSX
from ansinh.web.registry_forms import AuditFilterForm, LocateForm

PAGE_SIZE = 50
XLSX_ROWS = 100_000  # a bigger trail is filtered first, by period or user
COLUMNS = [
    ("at", gettext_lazy("Thời điểm")),
    ("actor", gettext_lazy("Người thực hiện")),
    ("action", gettext_lazy("Thao tác")),
    ("entity", gettext_lazy("Đối tượng")),
    ("area", gettext_lazy("Xã/phường")),
    ("details", gettext_lazy("Chi tiết")),
]


def _row(entry: AuditEntry) -> dict[str, Any]:
    return {
        "at": timezone.localtime(entry.at).strftime("%d/%m/%Y %H:%M"),
        "actor": entry.actor.get_username() if entry.actor else _("(hệ thống)"),
        "action": audit.ACTIONS.get(entry.action, entry.action),
        "entity": f"{audit.ENTITIES.get(entry.entity, entry.entity)} #{entry.entity_id}",
        "area": entry.area.name if entry.area else "",
        "details": audit.details_text(entry),
    }


def _forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "web/forbidden.html", {"message": message}, status=403)


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    form = AuditFilterForm(request.GET or None)
    try:
        found = audit.entries(scope, **form.filters())
    except DomainError as refused:
        return _forbidden(request, refused.message)
    if request.GET.get("xlsx"):
        rows = (_row(e) for e in found[:XLSX_ROWS].iterator(chunk_size=2000))
        response = HttpResponse(write_xlsx(_("Nhật ký truy cập"), [(key, str(label)) for key, label in COLUMNS],
                                           rows), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="nhat-ky-{timezone.localdate():%Y%m%d}.xlsx"'
        return response
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/audit_log.html",
        {"form": form, "page": page, "rows": [_row(e) for e in page], "columns": COLUMNS, "query": query.urlencode()},
    )


@login_required
def locate(request: HttpRequest) -> HttpResponse:
    """POST only carries the ID, so that it stays out of addresses and server logs."""
    scope = scope_for(request.user)
    if not may_locate(scope):  # the form too: it is the managers' (org/fields.py), as its answer
        return _forbidden(request, _("Chỉ quản trị tỉnh và quản lý BHXH cơ sở được tra địa bàn của hồ sơ."))
    form = LocateForm(request.POST or None)
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and form.is_valid():
        try:
            area = lookups.locate_citizen_id(request.user, scope, form.cleaned_data["citizen_id"])
        except DomainError as refused:
            if refused.code is ErrorCode.FORBIDDEN:
                return _forbidden(request, refused.message)
            form.add_error("citizen_id", refused.message)
            return render(
                request, "web/locate.html", context, status=429 if refused.code is ErrorCode.RATE_LIMITED else 400
            )
        context["searched"], context["area"] = True, area
    return render(request, "web/locate.html", context, status=400 if form.errors else 200)
