"""The door every request passes before the views: answers ``{"error": …}`` under /api/, a Vietnamese
page elsewhere.

- ``RequestSizeLimit``: bodies over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` get HTTP 413 before anything
  reads them. Django itself raises RequestDataTooBig only when the body is read, and turns it into a
  bare 400 (or, from inside the API, a 500); a body that only turns out too large while being parsed
  (multipart fields, no Content-Length) is caught the same way.
- ``NoNulCharacters``: a NUL character in the query string, a form field or a JSON body gets HTTP 400.
  PostgreSQL cannot store or even compare text containing NUL, so it used to reach a 500 from any
  search or filter; no field of ours has a use for it. A form body Django cannot parse (multipart
  without a boundary or with a bad one, a non-UTF-8 urlencoded charset, too many fields) gets the same
  400 with its own message, before any view. A multipart body is read into memory first (it is bounded
  by ``RequestSizeLimit``), so a view that reads ``request.body`` itself (the gateways' callback, the
  API's JSON parser) still can after the form was parsed here.
- ``RateLimits``: the public quote endpoints (the quote page and ``/api/quotes/``) and the login form are
  limited per client address (django-ratelimit on the default cache; the address as django-axes reads it,
  behind ``AXES_PROXY_COUNT`` trusted proxies); beyond the rate, HTTP 429 with ``Retry-After``. The rates
  are settings (``ANSINH_RATE_QUOTE``, ``ANSINH_RATE_LOGIN``); a new public page adds one row to ``LIMITS``.
- ``RequestId``: every request gets an id (the proxy's ``X-Request-ID`` when it is a sane token, else a
  new one), echoed in the response and put on every log line written while it runs (``RequestIdFilter``).
- ``Language``: the language of the interface is the one chosen with the switch in the header (Django's
  ``set_language``, stored in a cookie), Vietnamese otherwise. Unlike Django's ``LocaleMiddleware`` it
  never follows the browser's ``Accept-Language``: an English browser still gets Vietnamese by default."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext
from django_ratelimit.core import get_usage

from ansinh.config import logs
from ansinh.lib.errors import ErrorCode
from ansinh.org import security_log


def refusal(request: HttpRequest, status: int, code: ErrorCode, title: str, message: str,
            message_en: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": str(code), "message": message, "message_en": message_en}},
                            status=status)
    lang = translation.get_language() or settings.LANGUAGE_CODE
    page = (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head>'
            f"<body><h1>{title} ({status})</h1><p>{message}</p></body></html>")
    return HttpResponse(page, status=status, content_type="text/html; charset=utf-8")


def too_large(request: HttpRequest) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    shown = f"{limit // 1_000_000} MB" if limit >= 1_000_000 else f"{limit // 1000} kB"
    return refusal(
        request,
        413,
        ErrorCode.REQUEST_TOO_LARGE,
        gettext("Yêu cầu quá lớn"),
        gettext("Yêu cầu quá lớn: nội dung gửi lên tối đa {shown}. Hãy gửi ít dữ liệu hơn.").format(shown=shown),
        f"The request body is over {shown}.",
    )


class RequestSizeLimit:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django treats an unreadable length as no body
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return too_large(request)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return too_large(request) if isinstance(exception, RequestDataTooBig) else None


@dataclass(frozen=True)
class Limit:
    group: str  # the counter's name
    setting: str  # the settings name of the rate, "N/period" (s, m, h, d)
    methods: tuple[str, ...]
    path: str
    exact: bool = False  # the path itself only, not what lies under it
    query: str | None = None  # counted only when this query parameter is present (the quote page computes then)

    def applies(self, request: HttpRequest) -> bool:
        if request.method not in self.methods:
            return False
        if (self.exact and request.path != self.path) or not request.path.startswith(self.path):
            return False
        return self.query is None or self.query in request.GET


LIMITS = (
    Limit("quote-page", "ANSINH_RATE_QUOTE", ("GET",), "/", exact=True, query="scheme"),
    Limit("quote-api", "ANSINH_RATE_QUOTE", ("POST",), "/api/quotes/"),
    Limit("login", "ANSINH_RATE_LOGIN", ("POST",), "/dang-nhap/", exact=True),
    Limit("citizen", "ANSINH_RATE_CITIZEN", ("POST",), "/tra-cuu/"),
)


def client_address(group: str, request: HttpRequest) -> str:
    return security_log.client_address(request)


class RateLimits:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for limit in LIMITS:
            if not limit.applies(request):
                continue
            usage = get_usage(
                request,
                group=limit.group,
                key=client_address,
                rate=getattr(settings, limit.setting),
                method=list(limit.methods),
                increment=True,
            )
            if usage is not None and usage["should_limit"]:
                security_log.event("rate_limited", "", request, group=limit.group)
                response = refusal(
                    request,
                    429,
                    ErrorCode.RATE_LIMITED,
                    gettext("Quá nhiều yêu cầu"),
                    gettext("Quá nhiều yêu cầu từ địa chỉ này. Vui lòng đợi {value} giây rồi thử lại.").format(
                        value=usage["time_left"]
                    ),
                    "Too many requests from this address; retry later.",
                )
                response["Retry-After"] = str(max(1, usage["time_left"]))
                return response
        return self.get_response(request)


class NoNulCharacters:
    """After RequestSizeLimit, so the body it reads is bounded."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            has_nul = self._has_nul(request)
        except RequestDataTooBig:  # no Content-Length, and more than the limit once read
            return too_large(request)
        except (MultiPartParserError, BadRequest, TooManyFieldsSent, TooManyFilesSent):
            return unreadable(request)
        if has_nul:
            return refusal(
                request,
                400,
                ErrorCode.INVALID_INPUT,
                gettext("Dữ liệu không hợp lệ"),
                gettext("Dữ liệu gửi lên chứa ký tự NUL (U+0000); hãy gõ lại."),
                "The request contains a NUL character.",
            )
        return self.get_response(request)

    @staticmethod
    def _has_nul(request: HttpRequest) -> bool:
        if _nul_in(request.GET):
            return True
        if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
            return False
        if request.content_type == "application/json":  # NUL is written "\u0000" in JSON
            return b"\\u0000" in request.body or b"\x00" in request.body
        if request.content_type == "multipart/form-data":
            request.body  # noqa: B018 -- kept in memory, so request.body stays readable after request.POST
        if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return _nul_in(request.POST)
        return False


def unreadable(request: HttpRequest) -> HttpResponse:
    return refusal(
        request,
        400,
        ErrorCode.INVALID_INPUT,
        gettext("Dữ liệu không hợp lệ"),
        gettext("Không đọc được nội dung gửi lên: biểu mẫu bị lỗi định dạng (thiếu hoặc sai boundary của "
                "multipart/form-data, bảng mã không phải UTF-8 hoặc quá nhiều trường). Hãy gửi lại."),
        "The request body cannot be parsed (a multipart body without a valid boundary, a non-UTF-8 form, "
        "or too many fields).",
    )


def _nul_in(query: QueryDict) -> bool:
    return any("\x00" in key or "\x00" in value for key, values in query.lists() for value in values)


_SANE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


class RequestId:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        offered = request.META.get("HTTP_X_REQUEST_ID", "")
        value = offered if _SANE_ID.fullmatch(offered) else uuid.uuid4().hex
        token = logs.request_id.set(value)
        try:
            response = self.get_response(request)
            if response.status_code == 403:
                user = getattr(request, "user", None)
                security_log.event(
                    "refused",
                    getattr(user, "username", "") if user is not None else "",
                    request,
                    path=request.path,
                    method=request.method,
                )
        finally:
            logs.request_id.reset(token)
        response["X-Request-ID"] = value
        return response


class Language:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.codes = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if code not in self.codes:
            code = settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = code  # type: ignore[attr-defined]
        with translation.override(code):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", code)
        patch_vary_headers(response, ("Cookie",))
        return response
