from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction
from django.test.utils import override_settings

from ansinh.areas.models import AdministrativeUnit
from ansinh.demo.services import load_demo

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Argon2 is deliberately slow; tests hash with MD5 (tests/org/test_auth.py checks the real setting)."""
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def nghe_an_map(transactional_db: Any) -> None:
    """Transactional tests (run last by pytest-django) flush every table between tests; they reload the
    shipped map with the migration's own loader instead of relying on serialized rollback, which does
    not survive the live server sharing SQLite's in-memory connection."""
    if not AdministrativeUnit.objects.exists():
        migration = importlib.import_module("ansinh.areas.migrations.0002_nghe_an")
        migration.load(apps, None)


@pytest.fixture(scope="module")
def demo_data(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """The demo loaded once per test module, inside a transaction rolled back when the module ends:
    each test still runs in its own savepoint (``django_db``), so one test's corruption or writes
    never reach the next. Not for transactional tests, which flush the tables; after them (the ``last``
    tests run after them) the map is loaded again inside the same rolled-back transaction."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS), transaction.atomic():
        if not AdministrativeUnit.objects.exists():
            importlib.import_module("ansinh.areas.migrations.0002_nghe_an").load(apps, None)
        load_demo()
        yield
        transaction.set_rollback(True)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked ``last`` run after the rest of the suite (the demo's integrity check)."""
    items.sort(key=lambda item: item.get_closest_marker("last") is not None)
