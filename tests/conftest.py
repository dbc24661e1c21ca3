from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps

from ansinh.areas.models import AdministrativeUnit


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Argon2 is deliberately slow; tests hash with MD5 (tests/org/test_auth.py checks the real setting)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def nghe_an_map(transactional_db: Any) -> None:
    """Transactional tests (run last by pytest-django) flush every table between tests; they reload the
    shipped map with the migration's own loader instead of relying on serialized rollback, which does
    not survive the live server sharing SQLite's in-memory connection."""
    if not AdministrativeUnit.objects.exists():
        migration = importlib.import_module("ansinh.areas.migrations.0002_nghe_an")
        migration.load(apps, None)
