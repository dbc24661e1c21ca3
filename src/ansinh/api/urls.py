"""The HTTP API (django-ninja; OpenAPI at /api/docs and /api/openapi.json).

Every endpoint but the quotes and the parameters needs a bearer token (``Authorization: Bearer ans_...``) or a
logged-in session. Every error is ``{"error": {"code", "message"}}`` with a 4xx status, declared in
the OpenAPI (api/errors.py); oversize bodies are refused with 413 before they reach the API
(config/middleware.py)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import django_auth

from ansinh.api.errors import DocumentedAPI
from ansinh.api.parameters import router as parameters_router
from ansinh.api.quotes import router as quotes_router
from ansinh.areas.api import router as areas_router
from ansinh.campaigns.api import router as campaigns_router
from ansinh.config.middleware import too_large
from ansinh.enrollment.api import router as enrollment_router
from ansinh.fieldsync.api import refusal as device_refusal
from ansinh.fieldsync.api import router as fieldsync_router
from ansinh.fieldsync.devices import DeviceRevoked
from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.messaging.api import router as messaging_router
from ansinh.org.api import router as org_router
from ansinh.org.auth import TokenAuth
from ansinh.payments.api import router as payments_router
from ansinh.registry.api import router as registry_router

# In production (HTTPS=1) the docs page and schema are for signed-in users; their assets are
# django-ninja's bundled copies ("ninja" in INSTALLED_APPS), never a CDN.
api = DocumentedAPI(title="ansinh API", version="1", urls_namespace="api", auth=[TokenAuth(), django_auth],
                   docs_decorator=login_required if settings.HTTPS else None)
api.add_router("/quotes", quotes_router, auth=None)
api.add_router("/parameters", parameters_router, auth=None)
api.add_router("/areas", areas_router)
api.add_router("", org_router)
api.add_router("", registry_router)
api.add_router("", enrollment_router)
api.add_router("", payments_router)
api.add_router("/campaigns", campaigns_router)
api.add_router("/v1", messaging_router)  # gateways' signed callbacks (issue 17 §4)
api.add_router("/v1", fieldsync_router)  # the offline app (issue 16): /api/v1/devices, /api/v1/sync…

STATUS = {
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.UNAUTHENTICATED: 401,
    ErrorCode.DUPLICATE_CITIZEN_ID: 409,
    ErrorCode.PROBABLE_DUPLICATE: 409,
    ErrorCode.IDEMPOTENCY_CONFLICT: 409,
    ErrorCode.ALREADY_PAID: 409,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.REQUEST_TOO_LARGE: 413,
    ErrorCode.PERIOD_FROZEN: 409,
    ErrorCode.ENROLLMENT_OVERLAP: 409,
    ErrorCode.QUOTE_OUTDATED: 409,
    ErrorCode.HAS_RECORDS: 409,
    # A broken or missing parameter file is our fault, not the client's.
    ErrorCode.PARAMETER_FILE_INVALID: 500,
    ErrorCode.PARAMETER_NOT_FOUND: 500,
}


def error(request: HttpRequest, code: str, message: str, status: int, **extra: Any) -> HttpResponse:
    return api.create_response(request, {"error": {"code": code, "message": message, **extra}}, status=status)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return error(request, str(exc.code), exc.message, STATUS.get(exc.code, 422), message_en=exc.message_en)


@api.exception_handler(DeviceRevoked)
def device_revoked(request: HttpRequest, exc: DeviceRevoked) -> HttpResponse:
    return device_refusal(exc)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error(request, ErrorCode.UNAUTHENTICATED, _("Cần đăng nhập hoặc API token hợp lệ."), 401)


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields = ", ".join(".".join(str(p) for p in e.get("loc", ())[1:]) or "?" for e in exc.errors)
    return error(
        request,
        ErrorCode.INVALID_INPUT,
        _("Dữ liệu không hợp lệ ở: {fields}.").format(fields=fields),
        422,
        details=exc.errors,
    )


# ninja's own refusals (an unreadable body, a missing route) in our shape instead of {"detail": …}.
HTTP_CODES = {
    400: ErrorCode.INVALID_INPUT,
    401: ErrorCode.UNAUTHENTICATED,
    403: ErrorCode.FORBIDDEN,
    404: ErrorCode.NOT_FOUND,
    413: ErrorCode.REQUEST_TOO_LARGE,
}
HTTP_MESSAGES = {
    400: gettext_lazy("Không đọc được nội dung yêu cầu: cần JSON hợp lệ."),
    404: gettext_lazy("Không tìm thấy."),
}


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = HTTP_CODES.get(exc.status_code, ErrorCode.INVALID_INPUT)
    message = HTTP_MESSAGES.get(exc.status_code, exc.message)
    return error(request, code, message, exc.status_code, message_en=exc.message)


@api.exception_handler(Http404)
def missing(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error(request, ErrorCode.NOT_FOUND, HTTP_MESSAGES[404], 404)


@api.exception_handler(RequestDataTooBig)
def oversize(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return too_large(request)
