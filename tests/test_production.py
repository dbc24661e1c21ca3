"""Run for real (issue 15, "Serve" and the first of "Operate"): the production settings pass Django's
deployment checks, static files are served with DEBUG off, the probes answer, every response and log
line has a request id, the security log records logins, lockouts, refusals and reads, and
`ansinh serve` runs gunicorn on a migrated database and refuses an unmigrated one."""

from __future__ import annotations

import logging
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from ansinh.config import health
from ansinh.config.env import env_int
from ansinh.org.models import Role
from tests.builders import COMMUNE_X, PASSWORD, user

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION_ENV = {
    "DEBUG": "0", "HTTPS": "1", "SECRET_KEY": "p" * 20 + "-a-long-random-production-secret-0123456789",
    "ALLOWED_HOSTS": "ansinh.example.vn", "CSRF_TRUSTED_ORIGINS": "https://ansinh.example.vn",
}


def _run(args: list[str], env: dict[str, str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    # The browser tests' async opt-out (tests/browser) is not a production setting: check --deploy refuses it.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    full = {**inherited, "PYTHONPATH": str(ROOT / "src"), **env}
    return subprocess.run(args, cwd=ROOT, env=full, capture_output=True, text=True, timeout=120, **kwargs)


def test_the_production_settings_pass_the_deployment_checks() -> None:
    done = _run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_without_https_the_deployment_checks_do_warn() -> None:
    """The check above is not vacuous: the same settings without HTTPS=1 fail it."""
    done = _run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                {**PRODUCTION_ENV, "HTTPS": "0"})
    assert done.returncode != 0
    assert "SECURE_SSL_REDIRECT" in done.stderr + done.stdout


def test_a_connection_age_that_is_not_a_number_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("CONN_MAX_AGE", "forever")
    with pytest.raises(ImproperlyConfigured, match="CONN_MAX_AGE"):
        env_int("CONN_MAX_AGE", 0)
    monkeypatch.setenv("CONN_MAX_AGE", "-1")
    with pytest.raises(ImproperlyConfigured, match="negative"):
        env_int("CONN_MAX_AGE", 0)


@pytest.mark.django_db
def test_the_stylesheet_is_served_with_debug_off(client: Client, settings: Any) -> None:
    assert settings.DEBUG is False
    response = client.get("/static/web/ansinh.css")
    assert response.status_code == 200
    assert b"{" in b"".join(response.streaming_content)


@pytest.mark.django_db
def test_the_probes_answer_without_a_login(client: Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "checks": []}
    assert client.post("/readyz").status_code == 405


@pytest.mark.django_db
def test_readiness_fails_when_the_private_files_disk_is_full(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(health, "MIN_FREE_BYTES", 10**18)  # more than any disk has
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"][0].startswith("disk:")


@pytest.mark.django_db
def test_readiness_fails_when_the_job_queue_cannot_be_read(client: Client) -> None:
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    table = DBTaskResult._meta.db_table
    with connection.cursor() as cursor:  # undone with the test's transaction
        cursor.execute(f"ALTER TABLE {table} RENAME TO {table}_away")
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert [check for check in ready.json()["checks"] if check.startswith("job queue:")]


@pytest.mark.django_db
def test_every_response_has_a_request_id_and_a_sane_one_offered_is_kept(client: Client) -> None:
    first, second = client.get("/healthz")["X-Request-ID"], client.get("/healthz")["X-Request-ID"]
    assert first != second and len(first) == 32
    assert client.get("/healthz", HTTP_X_REQUEST_ID="lb-1234abcd")["X-Request-ID"] == "lb-1234abcd"
    forged = client.get("/healthz", HTTP_X_REQUEST_ID="x\nInjected: 1")["X-Request-ID"]
    assert forged != "x\nInjected: 1" and len(forged) == 32


@pytest.mark.django_db
def test_the_security_log_records_logins_failures_and_refusals(client: Client,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    viewer = user(Role.VIEWER, COMMUNE_X)
    with caplog.at_level(logging.INFO, logger="ansinh.security"):
        client.post("/dang-nhap/", {"username": viewer.get_username(), "password": "wrong-password-1"})
        client.post("/dang-nhap/", {"username": viewer.get_username(), "password": PASSWORD})
        client.get("/nhat-ky/")  # the audit viewer is not a viewer's page: 403
    events = [(getattr(r, "event", None), getattr(r, "user", None)) for r in caplog.records]
    assert ("login_failed", viewer.get_username()) in events
    assert ("login", viewer.get_username()) in events
    assert ("refused", viewer.get_username()) in events
    assert all(r.request_id != "-" for r in caplog.records if r.name == "ansinh.security")
    assert "wrong-password-1" not in caplog.text and PASSWORD not in caplog.text


def test_the_json_log_format_is_one_object_per_line() -> None:
    done = _run([sys.executable, "-c", (
        "import django, logging; django.setup(); "
        "logging.getLogger('ansinh.security').info('login user=a', extra={'event': 'login'})")],
        {**PRODUCTION_ENV, "ANSINH_LOG_FORMAT": "json", "DJANGO_SETTINGS_MODULE": "ansinh.config.settings"})
    import json

    line = json.loads(done.stderr.strip().splitlines()[-1])
    assert line["event"] == "login" and line["logger"] == "ansinh.security" and line["request_id"] == "-"


def test_in_production_the_api_docs_need_a_login_and_use_no_cdn() -> None:
    done = _run([sys.executable, "-c", (
        "import django; django.setup(); from django.test import Client; c = Client(); "
        "r = c.get('/api/docs', secure=True, HTTP_HOST='ansinh.example.vn'); print(r.status_code, r['Location']); "
        "from ninja.openapi.docs import Swagger; print(Swagger().template)")],
        {**PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "ansinh.config.settings"})
    status, location = done.stdout.splitlines()[0].split()
    assert status == "302" and location.startswith("/dang-nhap/")


@pytest.mark.django_db
def test_the_api_docs_page_loads_its_assets_from_ansinh_itself(client: Client) -> None:
    """Swagger UI's script and style come from the app's static files (ninja's bundled copy), no CDN."""
    client.force_login(user(Role.VIEWER, COMMUNE_X))
    page = client.get("/api/docs").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any("/static/ninja/swagger-ui-bundle" in s for s in sources), sources
    assert not [s for s in sources if s.startswith(("http:", "https:", "//"))], sources


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_refuses_an_unmigrated_database(tmp_path: Path) -> None:
    env = {**PRODUCTION_ENV, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"}
    done = _run([sys.executable, "-m", "ansinh.cli", "serve", "--bind", f"127.0.0.1:{_free_port()}"], env)
    assert done.returncode == 2
    assert "migration" in done.stderr


def test_serve_runs_gunicorn_with_the_bounded_pool_on_a_migrated_database(tmp_path: Path) -> None:
    env = {**PRODUCTION_ENV, "HTTPS": "0", "ALLOWED_HOSTS": "127.0.0.1",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'ansinh.sqlite3'}"}
    assert _run([sys.executable, "manage.py", "migrate", "--verbosity", "0"], env).returncode == 0
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "ansinh.cli", "serve", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--threads", "2"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT / "src"), **env},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        body = b""
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
                    body = response.read()
                    break
            except OSError:
                time.sleep(0.2)
        assert body == b'{"status": "ok", "checks": []}'
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/web/ansinh.css", timeout=5) as response:
            assert response.status == 200
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "2 tiến trình × 2 luồng" in output
    assert output.count("Booting worker") == 2
