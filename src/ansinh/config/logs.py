"""The request id on every log line: set by config/middleware.RequestId for the request it serves,
read by ``RequestIdFilter`` (settings.LOGGING). Imports nothing of Django, so logging can be
configured before the apps are loaded."""

from __future__ import annotations

import logging
from contextvars import ContextVar

request_id: ContextVar[str] = ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` ("-" outside a request) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True
