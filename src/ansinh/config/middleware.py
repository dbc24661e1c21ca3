"""Refuses request bodies over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` with HTTP 413 before anything reads
them: ``{"error": …}`` under /api/, a Vietnamese page elsewhere.

Django itself raises RequestDataTooBig only when the body is read, and turns it into a bare 400 (or,
from inside the API, a 500); here the Content-Length is checked first, and a body that only turns out
too large while being parsed (multipart fields, no Content-Length) is caught the same way."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse

from ansinh.lib.errors import ErrorCode


def too_large(request: HttpRequest) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    shown = f"{limit // 1_000_000} MB" if limit >= 1_000_000 else f"{limit // 1000} kB"
    message = f"Yêu cầu quá lớn: nội dung gửi lên tối đa {shown}."
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": str(ErrorCode.REQUEST_TOO_LARGE), "message": message,
                                       "message_en": f"The request body is over {shown}."}}, status=413)
    page = (f'<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Yêu cầu quá lớn</title></head>'
            f"<body><h1>Yêu cầu quá lớn (413)</h1><p>{message} Hãy gửi ít dữ liệu hơn.</p></body></html>")
    return HttpResponse(page, status=413, content_type="text/html; charset=utf-8")


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
