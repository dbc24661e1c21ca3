"""The web process never starts threads (ARCHITECTURE.md, "Long work runs on the job queue"): asking for
an export and watching its progress start none, they only enqueue; and no module the web or the API
imports starts a thread (only the worker, ansinh.jobs.worker, does: for its lease's heartbeat). A lock
(config/prepared.py) is not a thread."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from ansinh.reports.models import ExportJob
from tests.builders import field_setup, personas

SRC = Path(__file__).resolve().parents[2] / "src" / "ansinh"
WORKER_SIDE = {SRC / "jobs" / "worker.py"}


@pytest.mark.django_db
def test_an_export_asked_on_the_page_starts_no_thread(monkeypatch: pytest.MonkeyPatch, settings: Any,
                                                       tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    people = personas()
    post, _ = field_setup(people)
    started: list[threading.Thread] = []
    real_start = threading.Thread.start

    def recorded(thread: threading.Thread) -> None:
        started.append(thread)
        real_start(thread)

    monkeypatch.setattr(threading.Thread, "start", recorded)
    client = Client()
    client.force_login(people.agent)
    response = client.post("/xuat/", {"kind": "payments", "start": "2025-08-01", "end": "2025-08-31"})
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert client.get(f"/xuat/{job.pk}/").status_code == 200
    assert client.post("/xuat/", {"kind": "d05", "collector": post.pk, "start": "2025-08-01",
                                  "end": "2025-08-31"}).status_code == 302
    assert started == []
    assert DBTaskResult.objects.count() == 2  # both went to the queue


STARTS_A_THREAD = re.compile(r"\bThread\(|\bTimer\(|ThreadPoolExecutor|\b_thread\b|from threading import .*\bThread\b")


def test_no_web_or_report_module_starts_threads() -> None:
    found = [str(path.relative_to(SRC)) for path in sorted(SRC.rglob("*.py"))
             if path not in WORKER_SIDE and STARTS_A_THREAD.search(path.read_text(encoding="utf-8"))]
    assert found == []
