"""The dashboards read from a streaming replica; everything else, and every write, uses the primary.

A national deployment (docs/deployment.md, docs/adr/0015-national-shape.md) sets
``DATABASE_REPLICA_URL`` to a PostgreSQL hot standby. Then:

- the dashboard pages (``DASHBOARD_VIEWS``, answered to GET and HEAD only, which never write) run
  their reads on the ``replica`` alias: ``DashboardReadsOnReplica`` marks the request once the
  session and the user are loaded from the primary (a login just made is never missed through the
  replica's lag), and ``ReplicaRouter`` sends each read made while the mark is set to the replica;
- a read inside a transaction on the primary stays on the primary (it must see the transaction's
  own writes), and every write goes to the primary (``db_for_write``), marked or not;
- migrations run on the primary only (the standby replays them).

Without ``DATABASE_REPLICA_URL`` the ``replica`` alias is the primary's own settings (and, in tests, a
``TEST["MIRROR"]`` of ``default``) and nothing is routed to it. What the replica's lag means: a
payment shows on the dashboards a moment later than on the primary (the facts are written in the
payment's transaction, ADR 0006, and replayed in commit order, so the figures are always those of a
consistent instant); a grant made a moment ago may not yet widen the dashboards.

Used by settings only; imports no app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
# The dashboards' pages (reports' read side: web/report_views.py), by URL name.
DASHBOARD_VIEWS = frozenset({"report_overview", "report_leaderboard", "report_renewals"})
READ_METHODS = frozenset({"GET", "HEAD"})

_on_replica: ContextVar[bool] = ContextVar("ansinh_reads_on_replica", default=False)


def replica_enabled() -> bool:
    return bool(getattr(settings, "ANSINH_READ_REPLICA", False)) and REPLICA in settings.DATABASES


@contextmanager
def replica_reads() -> Iterator[None]:
    """Reads made inside go to the replica (when one is configured), writes still to the primary."""
    token = _on_replica.set(True)
    try:
        yield
    finally:
        _on_replica.reset(token)


class ReplicaRouter:
    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        if _on_replica.get() and replica_enabled() and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica holds the primary's rows: an object read there relates to one here

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS


class DashboardReadsOnReplica:
    """Marks a GET/HEAD of a dashboard page so that its reads (scope, facts, names, the template's own
    querysets) use the replica, from the view's start to the end of the response (TemplateResponse
    rendering included). Last in ``MIDDLEWARE``: every middleware before it has read from the primary."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        finally:
            token = request.__dict__.pop("_ansinh_replica_token", None)
            if token is not None:
                _on_replica.reset(token)

    def process_view(self, request: HttpRequest, view: Callable[..., HttpResponse], args: tuple[Any, ...],
                     kwargs: dict[str, Any]) -> None:
        match = request.resolver_match
        if (not replica_enabled() or request.method not in READ_METHODS or match is None
                or match.url_name not in DASHBOARD_VIEWS):
            return
        user = getattr(request, "user", None)
        if user is not None:
            user.is_authenticated  # noqa: B018 -- load the session and the user from the primary first
        request.__dict__["_ansinh_replica_token"] = _on_replica.set(True)
