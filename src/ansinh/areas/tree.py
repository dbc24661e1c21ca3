"""The map's shape (each unit's parent, level and code, and the successions between units), read once
per process and kept: every request resolves a scope from it (org/scope.py), and the campaign pages
walk it for their targets (issue 14). The map changes rarely (an import, a migration, an admin edit).

Kept while the map's version in Django's cache is the one it was read under, and for at most
``ANSINH_SCOPE_SECONDS`` (with a per-process cache, another process's change is seen within that
time, as with the scopes; with a shared cache, at once). A change of a unit or a succession gives a
new version (``watch_for_changes``); writers that send no signals (migrations, ``flush``) are covered
by ``post_migrate``, and anything else calls ``forget_map()``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Value
from django.db.models.signals import post_delete, post_migrate, post_save

from ansinh.areas.models import AdministrativeUnit, Succession

VERSION_KEY = "areas:map:version"


@dataclass(frozen=True)
class MapTree:
    units: dict[int, tuple[int | None, str, str]]  # pk → (parent_id, level, code)
    children: dict[int, list[int]] = field(default_factory=dict)
    became: dict[int, set[int]] = field(default_factory=dict)  # unit → the units it continued as
    came_from: dict[int, set[int]] = field(default_factory=dict)

    def subtree(self, root: int) -> set[int]:
        """The unit and every unit below it, in any period."""
        found, frontier = {root}, [root]
        while frontier:
            for child in self.children.get(frontier.pop(), ()):
                if child not in found:
                    found.add(child)
                    frontier.append(child)
        return found

    def subtrees(self, roots: Iterable[int]) -> set[int]:
        found: set[int] = set()
        for root in roots:
            if root not in found:
                found |= self.subtree(root)
        return found


_kept: tuple[str, float, MapTree] | None = None  # (version, read at, tree): replaced whole, never changed


def map_tree() -> MapTree:
    """The map's shape, from this process's copy when it is current, else read (one statement)."""
    global _kept
    version, now = _version(), time.monotonic()
    kept = _kept
    if kept is not None and kept[0] == version and now - kept[1] < getattr(settings, "ANSINH_SCOPE_SECONDS", 30):
        return kept[2]
    tree = _read()
    _kept = (version, now, tree)
    return tree


_SUCCESSION = "~succession"  # in the level column of a succession's row: no unit has this level


def _read() -> MapTree:
    """Units and successions in one statement (a UNION ALL of both small tables)."""
    units_rows = AdministrativeUnit.objects.order_by().values_list("pk", "parent_id", "level", "code")
    successions = (Succession.objects.filter(to_unit__isnull=False).order_by()
                   .annotate(marker=Value(_SUCCESSION), blank=Value(""))
                   .values_list("from_unit_id", "to_unit_id", "marker", "blank"))
    tree = MapTree({})
    for pk, parent_id, level, code in units_rows.union(successions, all=True):
        if level == _SUCCESSION:
            tree.became.setdefault(pk, set()).add(parent_id)
            tree.came_from.setdefault(parent_id, set()).add(pk)
            continue
        tree.units[pk] = (parent_id, level, code)
        tree.children.setdefault(pk, [])
        if parent_id is not None:
            tree.children.setdefault(parent_id, []).append(pk)
    return tree


def _version() -> str:
    version: str | None = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid4().hex, None)
        version = cache.get(VERSION_KEY) or "unversioned"
    return version


def forget_map() -> None:
    """Every process's copy of the map is stale from now (with a shared cache; within
    ``ANSINH_SCOPE_SECONDS`` otherwise), this one's at once."""
    global _kept
    _kept = None
    cache.set(VERSION_KEY, uuid4().hex, None)


def _changed(**_: Any) -> None:
    # Now, for this transaction's own later reads, and again at the commit: a copy read in between by
    # another request holds the rows as they were before it.
    forget_map()
    transaction.on_commit(forget_map)


def watch_for_changes() -> None:
    """Connected in ``AreasConfig.ready``."""
    for model in (AdministrativeUnit, Succession):
        post_save.connect(_changed, sender=model, dispatch_uid=f"map-save-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"map-delete-{model.__name__}")
    post_migrate.connect(_changed, dispatch_uid="map-migrate")  # migrations' bulk loads, and flush
