"""A user's resolved scope is cached (issue 14: it read the grant, the whole map and its successions on
every request), and a change of what it is made of — the grant, its areas or org units, an org unit's
areas or parent, the map — is seen by the next request."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ansinh.areas.models import AdministrativeUnit
from ansinh.org.models import Grant, OrgKind, OrgUnit, Role
from ansinh.org.scope import VERSION_KEY, scope_for
from ansinh.org.services import grant_role
from tests.builders import COMMUNE_X, COMMUNE_Y, commune, org_unit, user

pytestmark = pytest.mark.django_db


def test_a_second_request_reads_nothing_and_gets_the_same_scope() -> None:
    agent = user(Role.AGENT, COMMUNE_X)
    first = scope_for(agent)
    with CaptureQueriesContext(connection) as ctx:
        again = scope_for(agent)
    assert again == first and commune(COMMUNE_X).pk in again.area_ids
    assert ctx.captured_queries == []


def test_a_changed_grant_is_seen_at_once() -> None:
    agent = user(Role.AGENT, COMMUNE_X)
    x, y = commune(COMMUNE_X).pk, commune(COMMUNE_Y).pk
    assert y not in scope_for(agent).area_ids
    grant_role(agent, Role.OFFICE_MANAGER, [commune(COMMUNE_Y)])
    scope = scope_for(agent)
    assert (scope.role, y in scope.area_ids, x in scope.area_ids) == (Role.OFFICE_MANAGER, True, False)
    Grant.objects.get(user=agent).delete()
    assert scope_for(agent).role is None


def test_an_area_added_to_a_granted_org_unit_is_seen_at_once() -> None:
    post = org_unit(OrgKind.COLLECTOR, COMMUNE_X)
    manager = user(Role.COLLECTOR_MANAGER, org_units=[post])
    assert commune(COMMUNE_Y).pk not in scope_for(manager).area_ids
    post.areas.add(commune(COMMUNE_Y))
    assert commune(COMMUNE_Y).pk in scope_for(manager).area_ids


def test_a_unit_moved_under_a_granted_org_unit_is_seen_at_once() -> None:
    head, branch = org_unit(OrgKind.COLLECTOR, COMMUNE_X), org_unit(OrgKind.COLLECTOR, COMMUNE_Y)
    manager = user(Role.COLLECTOR_MANAGER, org_units=[head])
    assert branch.pk not in scope_for(manager).org_ids
    branch.parent = head
    branch.save()
    scope = scope_for(manager)
    assert branch.pk in scope.org_ids and commune(COMMUNE_Y).pk in scope.area_ids


def test_a_new_unit_of_the_map_under_a_granted_one_is_seen_at_once() -> None:
    admin = user(Role.OFFICE_MANAGER, COMMUNE_X)
    parent = commune(COMMUNE_X)
    before = scope_for(admin).area_ids
    hamlet = AdministrativeUnit.objects.create(code="9999901", name="Thôn Thử", level=parent.level,
                                               parent=parent, valid_from=parent.valid_from)
    after = scope_for(admin).area_ids
    assert hamlet.pk not in before and after == before | {hamlet.pk}


def test_each_user_has_their_own_scope() -> None:
    one, other = user(Role.AGENT, COMMUNE_X), user(Role.AGENT, COMMUNE_Y)
    assert scope_for(one) != scope_for(other)
    assert OrgUnit.objects.count() == 0  # no org unit: the scopes are the areas' alone


def test_a_scope_resolved_again_reads_one_statement_while_the_map_is_current() -> None:
    post = org_unit(OrgKind.COLLECTOR, COMMUNE_X)
    branch = org_unit(OrgKind.COLLECTOR, COMMUNE_Y, parent=post)
    manager = user(Role.COLLECTOR_MANAGER, org_units=[post])
    first = scope_for(manager)
    cache.delete(VERSION_KEY)  # every scope expired (the map's shape is kept apart, areas/tree.py)
    with CaptureQueriesContext(connection) as ctx:
        again = scope_for(manager)
    assert again == first and {post.pk, branch.pk} <= again.org_ids
    assert {commune(COMMUNE_X).pk, commune(COMMUNE_Y).pk} <= again.area_ids
    assert len(ctx.captured_queries) == 1
