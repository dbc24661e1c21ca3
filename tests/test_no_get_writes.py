"""Reads read (issue 12): every page and every API GET, as each persona, writes nothing but the
audit of personal-data reads. Every statement on every connection is recorded; an INSERT, UPDATE
or DELETE on any other table fails the test and names the table."""

from __future__ import annotations

import re
from contextlib import ExitStack
from typing import Any

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from tests.paths import PERSONAS, World, build_world, operation_url, operations, page_url, pages, web_client

AUDIT_TABLE = "registry_auditentry"  # the one write a read may make (ARCHITECTURE.md, "Reads read")
WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
# Pages that also answer their table as XLSX or PDF on a GET: the exports are reads too.
EXPORTS = {"web:due": ["?xlsx=1"], "web:money": ["?xlsx=reconciliation", "?xlsx=commission"],
           "web:report_overview": ["?pdf=1", "?xlsx=1"], "web:report_leaderboard": ["?xlsx=1"],
           "web:report_renewals": ["?xlsx=1"],
           "web:report_whatif": [f"?start=2016-01-01&end=2030-12-31&local_near_poor=40&{e}"
                                 for e in ("xlsx=1", "pdf=1")]}


def gets() -> list[tuple[str, str, str]]:
    """(kind, key, query) of every GET: each page (with its exports) and each API GET operation."""
    found = [("web", page.name, query) for page in pages() for query in ["", *EXPORTS.get(page.name, [])]]
    return found + [("api", op.operation_id, "") for op in operations() if op.method == "GET"]


GETS = gets()
PAGES = {page.name: page for page in pages()}
OPERATIONS = {op.operation_id: op for op in operations()}


@pytest.fixture(scope="module")
def world(demo_data: None, django_db_blocker: Any) -> World:
    with django_db_blocker.unblock():
        return build_world()


def writes(captured: list[CaptureQueriesContext]) -> list[str]:
    tables = []
    for context in captured:
        for query in context.captured_queries:
            found = WRITE.match(query["sql"])
            if found and found.group(1) != AUDIT_TABLE:
                tables.append(f"{found.group(1)}: {query['sql'][:120]}")
    return tables


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("kind", "key", "query"), GETS, ids=[f"{k}{q}" for _, k, q in GETS])
def test_a_get_writes_nothing_but_the_audit(world: World, persona: str, kind: str, key: str, query: str) -> None:
    client = web_client(world, persona)  # logging in writes a session: before the recording starts
    url = (page_url(PAGES[key], world.ids) if kind == "web" else operation_url(OPERATIONS[key], world.ids)) + query
    if kind == "api" and "?" in url and query:
        url = url.replace(query, "&" + query[1:])
    with ExitStack() as stack:
        # Every database, not its test mirrors (the replica alias: the same database, never written to).
        captured = [stack.enter_context(CaptureQueriesContext(connections[alias])) for alias in connections
                    if not connections[alias].settings_dict["TEST"]["MIRROR"]]
        response = client.get(url)
    assert response.status_code < 500
    assert writes(captured) == []
