"""Probes for a load balancer or an orchestrator; no login, no writes, nothing personal.

- ``/healthz``: the process answers (liveness).
- ``/readyz``: it can do its work (readiness): the database answers, every migration is applied, and
  the job queue's table answers (ansinh.jobs.queue), and the private-files folder (exports) is writable
  with room left. 503 with the failing checks otherwise.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe

from ansinh.jobs import queue

MIN_FREE_BYTES = 500_000_000  # an export of a district is a few MB; below this, exports would fail


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as error:
        return f"database: {error.__class__.__name__}"
    return f"migrations: {len(pending)} not applied" if pending else None


def _disk() -> str | None:
    folder = Path(settings.MEDIA_ROOT)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        free = shutil.disk_usage(folder).free
    except OSError as error:
        return f"disk: {error.strerror}"
    return f"disk: {free // 1_000_000} MB free" if free < MIN_FREE_BYTES else None


@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    failing = [problem for problem in (_database(), queue.problem(), _disk()) if problem]
    return JsonResponse({"status": "fail" if failing else "ok", "checks": failing}, status=503 if failing else 200)
