"""Reads over the map through time: units on a date, the tree, and remapping across successions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Q, QuerySet

from ansinh.areas.models import COMMUNE_LEVELS, AdministrativeUnit, Level, Succession
from ansinh.areas.tree import map_tree


def in_force(on: date) -> Q:
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=on)) & (Q(valid_to__isnull=True) | Q(valid_to__gte=on))


def communes(on: date, within: Iterable[int] | None = None) -> QuerySet[AdministrativeUnit]:
    """The communes, wards and townships in force on ``on``, among the unit ids ``within`` if given
    (a user's scope, a campaign's areas), by name."""
    found = AdministrativeUnit.objects.filter(in_force(on), level__in=COMMUNE_LEVELS)
    if within is not None:
        found = found.filter(pk__in=set(within))
    return found.order_by("name")


def is_in_force(unit: AdministrativeUnit, on: date) -> bool:
    return (unit.valid_from is None or unit.valid_from <= on) and (unit.valid_to is None or unit.valid_to >= on)


def unit_on(code: str, on: date) -> AdministrativeUnit | None:
    """The version of the unit with this code in force on ``on``."""
    return AdministrativeUnit.objects.filter(in_force(on), code=code).first()


def children(unit: AdministrativeUnit, on: date) -> QuerySet[AdministrativeUnit]:
    return unit.children.filter(in_force(on)).order_by("code")


def ancestors(unit: AdministrativeUnit) -> list[AdministrativeUnit]:
    """Parent first, up to the province."""
    chain = []
    while unit.parent_id is not None:
        unit = AdministrativeUnit.objects.get(pk=unit.parent_id)
        chain.append(unit)
    return chain


def province_code(unit: AdministrativeUnit) -> str | None:
    """The statistics code of the province the unit lies in (the unit itself if it is one), or
    ``None`` if the tree has no province above it. Decides the provincial top-up: from the commune
    on record, never from what a form says."""
    for node in [unit, *ancestors(unit)]:
        if node.level == Level.PROVINCE:
            return node.code
    return None


def province_codes(unit_ids: Iterable[int]) -> dict[int, str | None]:
    """:func:`province_code` for many units, walked on the map's shape kept per process (tree.py):
    for a list of people's communes (the due list's top-ups)."""
    units = map_tree().units
    found: dict[int, str | None] = {}
    for unit_id in set(unit_ids):
        node: int | None = unit_id
        found[unit_id] = None
        while node is not None and node in units:
            parent_id, level, code = units[node]
            if level == Level.PROVINCE:
                found[unit_id] = code
                break
            node = parent_id
    return found


def subtree_ids(roots: list[int]) -> set[int]:
    """The units and every unit below them, in any period (for access scopes)."""
    return map_tree().subtrees(roots)


def covered_ids(roots: Iterable[int]) -> set[int]:
    """The units whose territory lies wholly within the territory of ``roots``, in any period (for
    access scopes; docs/adr/0008-scope-through-time.md). Walked on the map's shape kept per process
    (tree.py: no query while it is current).

    Besides each unit's subtree, a unit that ended is covered when everything it became is covered
    (the communes merged into a ward, a renamed version), and a unit that began is covered when
    everything it came from is covered (the parts of a split commune, a ward made only of covered
    communes). A split commune is therefore not covered by one of its parts alone."""
    tree = map_tree()
    children, became, came_from = tree.children, tree.became, tree.came_from
    found = {pk for pk in roots if pk in children}
    frontier = list(found)
    while frontier:
        unit = frontier.pop()
        candidates = [(child, set()) for child in children[unit]]
        candidates += [(earlier, became[earlier]) for earlier in came_from.get(unit, ())]
        candidates += [(later, came_from[later]) for later in became.get(unit, ())]
        for candidate, must_be_covered in candidates:
            if candidate not in found and must_be_covered <= found:
                found.add(candidate)
                frontier.append(candidate)
    return found


def remap(unit: AdministrativeUnit, target: date) -> list[AdministrativeUnit]:
    """The units in force on ``target`` that ``unit`` became, or (for an earlier ``target``) came from.

    Forwards, a unit with subunits maps through them (Cửa Lò's wards, not the whole of Vinh it
    merged into); a unit without maps through its successions."""
    if is_in_force(unit, target):
        return [unit]
    if unit.valid_from is not None and target < unit.valid_from:
        return predecessors(unit, target)
    last_day = unit.valid_to or target
    sources = list(children(unit, last_day)) or [s.to_unit for s in unit.successions.select_related("to_unit")
                                                 if s.to_unit is not None]
    return _union(remap(source, target) for source in sources)


def predecessors(unit: AdministrativeUnit, target: date) -> list[AdministrativeUnit]:
    """The units in force on an earlier ``target`` that became ``unit``, including those merged
    into a predecessor after ``target`` (Lê Mao and Đội Cung into Quang Trung, 01/12/2024)."""
    found: list[list[AdministrativeUnit]] = []
    for succession in unit.predecessions.filter(date__gt=target).select_related("from_unit"):
        source = succession.from_unit
        found.append(([source] if is_in_force(source, target) else []) + predecessors(source, target))
    return _union(found)


def _union(groups: Iterable[list[AdministrativeUnit]]) -> list[AdministrativeUnit]:
    merged = {unit.pk: unit for group in groups for unit in group}
    return sorted(merged.values(), key=lambda u: u.code)


def forward_map(unit_ids: Iterable[int], target: date) -> dict[int, int]:
    """Each unit to the unit in force on ``target`` that it became, following successions (two
    queries, whatever the number of units). A unit split between several takes the first by code;
    a unit abolished without successor maps to itself."""
    units = {u.pk: u for u in AdministrativeUnit.objects.all().only("pk", "code", "valid_from", "valid_to")}
    successors: dict[int, list[int]] = {}
    for from_id, to_id in Succession.objects.filter(to_unit__isnull=False).values_list("from_unit_id", "to_unit_id"):
        successors.setdefault(from_id, []).append(to_id)

    def follow(pk: int, seen: frozenset[int]) -> int:
        if is_in_force(units[pk], target) or pk not in successors or pk in seen:
            return pk
        return follow(min(successors[pk], key=lambda s: units[s].code), seen | {pk})

    return {pk: follow(pk, frozenset()) for pk in unit_ids if pk in units}
