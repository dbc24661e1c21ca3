from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import override_settings
from pytest_django.plugin import blocking_manager_key

from ansinh.areas.models import AdministrativeUnit
from ansinh.demo.services import load_demo
from ansinh.org.scope import forget_scopes
from tests import demo_snapshot

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    """Each test starts with an empty cache (the campaign board keeps its figures for a poll interval)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Argon2 is deliberately slow; tests hash with MD5 (tests/org/test_auth.py checks the real setting)."""
    settings.PASSWORD_HASHERS = FAST_HASHERS


UNPUBLISHED_TOP_UP = """description: Hỗ trợ thêm của tỉnh Nghệ An (chưa cấu hình, để thử)
unit: rate
values:
  2025-07-01:
    value: unpublished
    reference: {title: "NQ 07/2025/NQ-HĐND tỉnh Nghệ An"}
"""


@pytest.fixture
def unpublished_top_up(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An overlay (ANSINH_PARAMETERS_DIR) whose Nghệ An VSI top-up is only an ``unpublished`` marker:
    quotes are computed without it and say "chưa cấu hình". Yields the notice's text."""
    from ansinh.rules.params import OVERLAY_ENV, file_parameters

    (tmp_path / "local_support").mkdir()
    (tmp_path / "local_support" / "40.yaml").write_text(UNPUBLISHED_TOP_UP, encoding="utf-8")
    monkeypatch.setenv(OVERLAY_ENV, str(tmp_path))
    file_parameters.cache_clear()
    yield "Chưa gồm hỗ trợ của tỉnh theo NQ 07/2025/NQ-HĐND tỉnh Nghệ An — chưa cấu hình."
    monkeypatch.delenv(OVERLAY_ENV)
    file_parameters.cache_clear()


_MAP: list[demo_snapshot.Table] = []  # the map's rows as the migrations left them, per process


def _load_map_if_missing() -> None:
    """The shipped map, after a transactional test flushed it: written back from its rows as first seen,
    with the same keys (so the demo's snapshot over them stays valid: no second ``load_demo()``), or by
    the migrations' own loaders when this process never saw it."""
    if AdministrativeUnit.objects.exists():
        if not _MAP:
            _MAP[:] = demo_snapshot.capture_all(demo_snapshot.MAP_MODELS)
        return
    if _MAP:
        with transaction.atomic():
            demo_snapshot.restore(_MAP)
        return
    importlib.import_module("ansinh.areas.migrations.0002_nghe_an").load(apps, None)
    importlib.import_module("ansinh.areas.migrations.0005_national_units").load(apps, None)


@pytest.fixture
def nghe_an_map(transactional_db: Any) -> None:
    """Transactional tests flush every table between tests; they reload the shipped map with the
    migration's own loader instead of relying on serialized rollback, which does not survive the live
    server sharing SQLite's in-memory connection."""
    _load_map_if_missing()


def _is_transactional(item: pytest.Item | None) -> bool:
    """Whether the test flushes the tables: marked so, or asking for a fixture that is (``nghe_an_map``,
    ``live_server``), which makes even a test marked plain ``django_db`` transactional."""
    if item is None:
        return False
    marker = item.get_closest_marker("django_db")
    fixtures = set(getattr(item, "fixturenames", ()))
    return (marker is not None and bool(marker.kwargs.get("transaction"))) or bool(
        fixtures & {"transactional_db", "live_server", "nghe_an_map"})


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    """Under pytest-xdist a worker runs whole modules (``--dist loadfile``), so a transactional test's
    flush may come before ordinary tests that expect the migrated map: put the map back, committed,
    once the flush is done (the next transactional test reloads it itself)."""
    result = yield
    if _is_transactional(item) and nextitem is not None and not _is_transactional(nextitem):
        with item.config.stash[blocking_manager_key].unblock():
            _load_map_if_missing()
    return result


_DEMO_SNAPSHOTS: dict[tuple[Any, ...], list[demo_snapshot.Table]] = {}  # per process, by the map's fingerprint


def _demo_rows() -> list[demo_snapshot.Table]:
    """The demo's rows over the map as it is now: captured the first time (the loader runs in a
    transaction rolled back at once), then kept for the process."""
    fingerprint = demo_snapshot.map_fingerprint()
    if fingerprint not in _DEMO_SNAPSHOTS:
        with transaction.atomic():
            before = demo_snapshot.keys()
            load_demo()
            _DEMO_SNAPSHOTS[fingerprint] = demo_snapshot.capture(before)
            transaction.set_rollback(True)
    return _DEMO_SNAPSHOTS[fingerprint]


@pytest.fixture(scope="module")
def demo_data(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """The demo, once per test module, inside a transaction rolled back when the module ends: each test
    still runs in its own savepoint (``django_db``), so one test's corruption or writes never reach the
    next. The rows come from the process's snapshot of ``load_demo()`` (tests/demo_snapshot.py); the
    tests of the loader itself call it. Not for transactional tests, which flush the tables; after them
    (the ``last`` tests run after them) the map is loaded again inside the same rolled-back transaction."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        _load_map_if_missing()
        rows = _demo_rows()
        with transaction.atomic():
            demo_snapshot.restore(rows)
            if connection.vendor == "postgresql":
                # Fire the restore's deferred foreign-key checks now, in the module's transaction: left
                # queued, each test's SET CONSTRAINTS ALL IMMEDIATE (Django's teardown) fired them inside
                # the test's savepoint, and its rollback queued them again, so every test re-checked them.
                connection.check_constraints()
            forget_scopes()
            yield
            transaction.set_rollback(True)
        forget_scopes()


@pytest.fixture
def demo() -> None:
    """The demo in the test's own database state: inside its savepoint (``django_db``), or committed in
    a transactional test (flushed after it, like the rest), from the process's snapshot of
    ``load_demo()`` — what a test that only reads the demo needs, at a fraction of the loader's time."""
    _load_map_if_missing()
    demo_snapshot.restore(_demo_rows())
    forget_scopes()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked ``last`` run after the rest of the suite (the demo's integrity check)."""
    items.sort(key=lambda item: item.get_closest_marker("last") is not None)
