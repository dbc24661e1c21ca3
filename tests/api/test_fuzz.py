"""The API fuzzed from its own OpenAPI schema (issue 12): schemathesis generates bodies, paths and
query strings for every operation and sends them in-process through Django's WSGI application,
with the bearer token of the demo agent (so the writes are tried, not only refused at the door).
Every answer must be a non-5xx that matches the response schema the API declares.

Bounded for CI: at most 30 examples per operation, derandomized (the same cases every run), no
per-example deadline (the first request of a case warms caches).

The schema declares JSON bodies only, so schemathesis never sends a form: every writing operation is also
sent multipart bodies, well formed and without (or with a broken) boundary: no answer is a 5xx, and a POST
whose form cannot be parsed is a 400 (config/middleware.NoNulCharacters)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from ansinh.config.wsgi import application
from tests.paths import World, build_world, operation_url, operations

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.fixture(scope="module")
def world(demo_data: None, django_db_blocker: Any) -> World:
    with django_db_blocker.unblock():
        return build_world()


@pytest.fixture(autouse=True)
def connections_stay_open() -> Iterator[None]:
    """Requests through the bare WSGI app close the database connection when they end, which on
    PostgreSQL would end the test's transaction; Django's own test client disconnects the same signals."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=30, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_no_operation_answers_5xx_or_off_schema(case: schemathesis.Case, world: World) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {world.tokens['agent_x']}"},
                           checks=[not_a_server_error, response_schema_conformance])


WRITES = [op for op in operations() if op.method in ("POST", "PUT", "PATCH", "DELETE")]
FORM = b'--XX\r\nContent-Disposition: form-data; name="full_name"\r\n\r\nNguyen\r\n--XX--\r\n'
MULTIPART = {
    "with a boundary": "multipart/form-data; boundary=XX",
    "without a boundary": "multipart/form-data",
    "with an empty boundary": "multipart/form-data; boundary=",
    "with a non-ASCII boundary": "multipart/form-data; boundary=ranh-giới",
}


@pytest.mark.django_db
@pytest.mark.parametrize("content_type", MULTIPART.values(), ids=MULTIPART.keys())
def test_no_writing_operation_answers_a_multipart_body_with_a_5xx(content_type: str, world: World) -> None:
    client = Client(raise_request_exception=False, headers={"Authorization": f"Bearer {world.tokens['agent_x']}"})
    assert len(WRITES) > 20
    answers = {f"{op.method} {op.path}": client.generic(op.method, operation_url(op, world.ids), FORM,
                                                         content_type=content_type).status_code for op in WRITES}
    assert all(status < 500 for status in answers.values()), answers
    if content_type != MULTIPART["with a boundary"]:  # Django parses forms of POST requests only
        assert {status for key, status in answers.items() if key.startswith("POST")} == {400}, answers
