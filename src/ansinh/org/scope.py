"""The one place that decides what a user may see and change.

Every query and service that touches people, households or the organisation asks this module;
views and API endpoints never filter by hand. A user's scope is the union of the area subtrees
granted, and the areas served by the org subtrees granted (with their subtrees).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.cache import cache
from django.db import connections, router, transaction
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext as _

from ansinh.areas.models import AdministrativeUnit
from ansinh.areas.queries import covered_ids
from ansinh.areas.tree import forget_map
from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.org.models import Grant, OrgUnit, Role

WRITE_ROLES = frozenset({Role.PROVINCE_ADMIN, Role.OFFICE_MANAGER, Role.COLLECTOR_MANAGER, Role.AGENT})
# Who sees which personal field, masked or full, is the field policy's (org/fields.py), not the scope's.
# Who runs a campaign (its tasks at every site, attribution overrides) when it is theirs: the staff
# of an organising unit, or a manager whose areas take in all of the campaign's areas.
CAMPAIGN_MANAGER_ROLES = frozenset({Role.PROVINCE_ADMIN, Role.OFFICE_MANAGER, Role.COLLECTOR_MANAGER})
# Emulation awards, and the attribution overrides that decide which site and team a result counts
# for (what the ranking is made of), are the BHXH side's decision (the campaign's emulation board),
# not the collector's, whose own agents are ranked.
AWARD_ROLES = frozenset({Role.PROVINCE_ADMIN, Role.OFFICE_MANAGER})


@dataclass(frozen=True)
class Scope:
    role: str | None
    area_ids: frozenset[int]
    org_ids: frozenset[int]

    @property
    def can_write(self) -> bool:
        return self.role in WRITE_ROLES

    def can_manage_campaign(self, area_ids: Collection[int], organiser_ids: Collection[int]) -> bool:
        """May run the campaign whose areas (with their subtrees) and organising units are given."""
        if self.role not in CAMPAIGN_MANAGER_ROLES:
            return False
        if self.org_ids.intersection(organiser_ids):
            return True
        return bool(area_ids) and self.area_ids.issuperset(area_ids)

    def can_award(self, area_ids: Collection[int], organiser_ids: Collection[int]) -> bool:
        return self.role in AWARD_ROLES and self.can_manage_campaign(area_ids, organiser_ids)

    def areas_q(self, field: str = "area") -> Q:
        """Filter for rows whose ``field`` (a foreign key to an area) is in scope."""
        return Q(**{f"{field}__in": self.area_ids})

    def orgs_q(self, field: str = "pk") -> Q:
        return Q(**{f"{field}__in": self.org_ids})

    def has_area(self, area_id: int | None) -> bool:
        return area_id is not None and area_id in self.area_ids

    def require_area(self, area_id: int | None) -> None:
        """Refuse a read of something outside the scope as if it did not exist."""
        if not self.has_area(area_id):
            raise not_found()

    def require_write(self, area_id: int | None) -> None:
        self.require_area(area_id)
        self.require_writer()

    def require_writer(self) -> None:
        """Refuse a change by a read-only role (for changes that belong to no single area)."""
        if not self.can_write:
            raise DomainError(
                ErrorCode.FORBIDDEN,
                _("Vai trò của bạn chỉ được xem, không được thay đổi dữ liệu."),
                "Your role may read but not change data.",
            )


NO_SCOPE = Scope(None, frozenset(), frozenset())


def scope_for(user: AbstractBaseUser | AnonymousUser) -> Scope:
    """The user's scope, from Django's cache when it holds one for the current scope version (every
    request asks; resolving reads the grant, its areas and org units in one statement and walks the map's
    shape kept per process, issue 14). A change of a grant, an org unit or the map gives a new version
    (``watch_for_changes``). With a per-process cache (the default) another process sees a change
    within ``ANSINH_SCOPE_SECONDS``; a shared cache (CACHES) makes it immediate everywhere."""
    if not user.is_authenticated:
        return NO_SCOPE
    key = f"org:scope:{_version()}:{user.pk}"
    found: Scope | None = cache.get(key)
    if found is None:
        found = _resolve(user)
        cache.set(key, found, getattr(settings, "ANSINH_SCOPE_SECONDS", 30))
    return found


def _resolve(user: AbstractBaseUser) -> Scope:
    """The grant's role, its areas, and its org units with their subtrees and the areas they serve,
    in one statement (a recursive walk down the org tree in the database); the areas covered are
    then walked on the map's shape kept per process (areas/tree.py)."""
    grants, units = Grant._meta.db_table, OrgUnit._meta.db_table
    granted_areas, granted_orgs = Grant.areas.through._meta.db_table, Grant.org_units.through._meta.db_table
    served = OrgUnit.areas.through._meta.db_table
    sql = f"""
        WITH RECURSIVE grant_row(id, role) AS (SELECT id, role FROM {grants} WHERE user_id = %s),
        orgs(id) AS (
            SELECT g.orgunit_id FROM {granted_orgs} g JOIN grant_row r ON g.grant_id = r.id
            UNION SELECT o.id FROM {units} o JOIN orgs ON o.parent_id = orgs.id)
        SELECT 'role', NULL, role FROM grant_row
        UNION ALL SELECT 'area', a.administrativeunit_id, NULL FROM {granted_areas} a
                  JOIN grant_row r ON a.grant_id = r.id
        UNION ALL SELECT 'org', id, NULL FROM orgs
        UNION ALL SELECT 'area', s.administrativeunit_id, NULL FROM {served} s JOIN orgs ON s.orgunit_id = orgs.id"""
    with connections[router.db_for_read(Grant)].cursor() as cursor:  # the replica's, when reads go there
        cursor.execute(sql, [user.pk])
        rows = cursor.fetchall()
    roles = [role for kind, _, role in rows if kind == "role"]
    if not roles:
        return NO_SCOPE
    org_ids = {pk for kind, pk, _ in rows if kind == "org"}
    area_ids = covered_ids({pk for kind, pk, _ in rows if kind == "area"})
    return Scope(roles[0], frozenset(area_ids), frozenset(org_ids))


VERSION_KEY = "org:scope:version"


def _version() -> str:
    version: str | None = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid4().hex, None)
        version = cache.get(VERSION_KEY) or "unversioned"
    return version


def forget_scopes() -> None:
    """Every cached scope is stale from now: a new version (callers of bulk writes to grants, org units or
    the map that send no signals call it too), and so is the map's shape kept per process."""
    cache.set(VERSION_KEY, uuid4().hex, None)
    forget_map()


def _changed(**_unused: Any) -> None:
    # Now, for this transaction's own later reads, and again at the commit, since a scope resolved in
    # between by another request read the rows as they were before it.
    forget_scopes()
    transaction.on_commit(forget_scopes)


def watch_for_changes() -> None:
    """Connected in ``OrgConfig.ready``: what a scope is made of."""
    from ansinh.areas.models import Succession

    for model in (Grant, OrgUnit, AdministrativeUnit, Succession):
        post_save.connect(_changed, sender=model, dispatch_uid=f"scope-save-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"scope-delete-{model.__name__}")
    for through in (Grant.areas.through, Grant.org_units.through, OrgUnit.areas.through):
        m2m_changed.connect(_changed, sender=through, dispatch_uid=f"scope-m2m-{through.__name__}")


def system_scope() -> Scope:
    """Every area and org unit: for operators' batch jobs run from the command line (reminders),
    never for a request from a user."""
    from_areas = frozenset(AdministrativeUnit.objects.values_list("pk", flat=True))
    return Scope(Role.PROVINCE_ADMIN, from_areas, frozenset(OrgUnit.objects.values_list("pk", flat=True)))


def not_found() -> DomainError:
    return DomainError(ErrorCode.NOT_FOUND, _("Không tìm thấy (hoặc ngoài phạm vi của bạn)."), "Not found.")
