"""The map's shape is read once per process and kept (issue 14: every request's scope walked the whole
map and its successions), and a change of the map is seen by the next read: a unit or a succession
saved, a bulk write followed by ``forget_scopes()``, a migration or a flush (``post_migrate``), or
``ANSINH_SCOPE_SECONDS`` elapsed."""

from __future__ import annotations

from datetime import date

import pytest
from django.apps import apps
from django.db import connection
from django.db.models.signals import post_migrate
from django.test.utils import CaptureQueriesContext, override_settings

from ansinh.areas.models import AdministrativeUnit, Succession, SuccessionKind
from ansinh.areas.tree import map_tree
from ansinh.org.scope import forget_scopes
from tests.builders import COMMUNE_X, COMMUNE_Y, commune

pytestmark = pytest.mark.django_db


def _hamlet(code: str) -> AdministrativeUnit:
    parent = commune(COMMUNE_X)
    return AdministrativeUnit(code=code, name=f"Thôn {code}", level=parent.level, parent=parent,
                              valid_from=parent.valid_from)


def test_a_second_read_costs_no_query_and_walks_the_same_map() -> None:
    with CaptureQueriesContext(connection) as first:
        tree = map_tree()
    with CaptureQueriesContext(connection) as again:
        assert map_tree() is tree
    x = commune(COMMUNE_X)
    assert len(first.captured_queries) == 1 and again.captured_queries == []
    assert tree.units[x.pk] == (x.parent_id, x.level, x.code) and x.pk in tree.subtree(x.parent_id)


def test_a_unit_saved_is_in_the_next_read() -> None:
    before = map_tree()
    hamlet = _hamlet("9999902")
    hamlet.save()
    after = map_tree()
    assert hamlet.pk not in before.units and hamlet.pk in after.subtree(commune(COMMUNE_X).pk)


def test_a_succession_saved_is_in_the_next_read() -> None:
    x, y = commune(COMMUNE_X), commune(COMMUNE_Y)
    assert y.pk not in map_tree().became.get(x.pk, set())
    Succession.objects.create(from_unit=x, to_unit=y, date=date(2025, 7, 1),
                              kind=SuccessionKind.MERGE)
    tree = map_tree()
    assert y.pk in tree.became[x.pk] and x.pk in tree.came_from[y.pk]


def test_a_bulk_write_is_kept_out_until_forget_scopes() -> None:
    map_tree()
    [hamlet] = AdministrativeUnit.objects.bulk_create([_hamlet("9999903")])  # no signal: the copy is kept
    assert hamlet.pk not in map_tree().units
    forget_scopes()
    assert hamlet.pk in map_tree().units


def test_a_migration_or_a_flush_forgets_the_map() -> None:
    map_tree()
    [hamlet] = AdministrativeUnit.objects.bulk_create([_hamlet("9999904")])
    config = apps.get_app_config("areas")
    post_migrate.send(sender=config, app_config=config, verbosity=0, interactive=False, using="default",
                      apps=apps, plan=[])
    assert hamlet.pk in map_tree().units


@override_settings(ANSINH_SCOPE_SECONDS=0)
def test_a_copy_older_than_the_scope_seconds_is_read_again() -> None:
    map_tree()
    with CaptureQueriesContext(connection) as again:
        map_tree()
    assert len(again.captured_queries) == 1
