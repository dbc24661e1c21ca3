"""Shared by the views: run one service behind a form, turn "not in your scope" into a 404 and "not
your right" into a 403 (rendered by templates/403.html, the same Vietnamese page everywhere), and
export a page's table (``?xlsx=1``) or the page as a PDF report (``?pdf=1``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import segno
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext

from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.org.scope import Scope
from ansinh.payments.exports import write_xlsx
from ansinh.payments.queries import TransferRequest
from ansinh.reports.exports import dashboard_pdf
from ansinh.web.registry_forms import DomainForm


def refused(error: DomainError) -> Exception | None:
    """The page a refusal of rights answers with: 404 for what is out of scope, 403 for what is not
    the role's to do; None for a refusal of the input itself (it goes beside its field)."""
    if error.code is ErrorCode.NOT_FOUND:
        return Http404(error.message)
    if error.code is ErrorCode.FORBIDDEN:
        return PermissionDenied(error.message)
    return None


def run_service(form: DomainForm, action: Callable[[], Any]) -> Any:
    """Run a service if the form is valid; a refusal of the input goes beside its field (None is
    returned), a refusal of rights is a 404/403 page."""
    if not form.is_valid():
        return None
    try:
        return action()
    except DomainError as error:
        page = refused(error)
        if page is not None:
            raise page from None
        form.add_domain_error(error)
        return None


def or_404(read: Callable[[], Any]) -> Any:
    try:
        return read()
    except DomainError as error:
        raise (refused(error) or Http404(error.message)) from None


def writers_only(scope: Scope) -> Scope:
    """Refuse a read-only role (the viewer, a user with no grant) a write form or a write, with the
    403 page, before any form is shown or read (Scope.require_writer says why). Called by every view
    that writes, after the lookup that answers 404 for a record out of scope."""
    or_404(scope.require_writer)
    return scope


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_table(request: HttpRequest, name: str, title: str, lines: list[str], columns: list[tuple[str, str]],
                 rows: list[dict[str, Any]], table: str = "1", pdf: bool = True) -> HttpResponse | None:
    """The page's table as XLSX (``?xlsx=<table>``: a page may have several), or the dashboard as PDF
    (``?pdf=1``), when asked for; None otherwise. Labels marked lazily for translation become text here,
    in the language of the request (the writers take plain strings)."""
    title, lines = str(title), [str(line) for line in lines]
    columns = [(key, str(label)) for key, label in columns]
    rows = [{key: str(value) if isinstance(value, Promise) else value for key, value in row.items()} for row in rows]
    if request.GET.get("xlsx") == table:
        response = HttpResponse(write_xlsx(title, columns, rows), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    if pdf and request.GET.get("pdf"):
        response = HttpResponse(dashboard_pdf(title, lines, columns, rows), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
        return response
    return None


def export_query(request: HttpRequest, *also: str) -> str:
    """The page's own address parameters without the export ones (and ``also``), for its links."""
    kept = request.GET.copy()
    for name in ("xlsx", "pdf", *also):
        kept.pop(name, None)
    return kept.urlencode()


def vietqr_block(transfer: TransferRequest | None) -> dict[str, Any] | None:
    """What web/_vietqr.html shows of a pending term's VietQR: the code as inline SVG (no script), and
    the same in words for whoever types the transfer by hand."""
    if transfer is None:
        return None
    return {"svg": segno.make(transfer.payload, error="m").svg_inline(scale=4, title=gettext("Mã VietQR chuyển khoản")),
            "request": transfer}
