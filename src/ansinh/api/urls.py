"""The HTTP API (django-ninja; OpenAPI at /api/docs). Maps DomainError codes to HTTP statuses."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from ansinh.api.quotes import router as quotes_router
from ansinh.lib.errors import DomainError, ErrorCode

api = NinjaAPI(title="ansinh API", version="1", urls_namespace="api")
api.add_router("/quotes", quotes_router)

# A broken or missing parameter file is our fault, not the client's.
STATUS = {ErrorCode.PARAMETER_FILE_INVALID: 500, ErrorCode.PARAMETER_NOT_FOUND: 500}


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, {"error": exc.as_dict()}, status=STATUS.get(exc.code, 422))
