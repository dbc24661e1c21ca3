"""The source of administrators' values for ``rules.params.default_parameters``: read from the
database into the cache, forgotten when a value is saved or removed (the next lookup in this process
reads it again), and re-read at least every ``ANSINH_PARAMETER_OVERRIDES_SECONDS`` (30) by other
processes when the cache is per process (a shared cache makes it immediate everywhere)."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction

from ansinh.lib.errors import DomainError
from ansinh.rules import overrides
from ansinh.rules.params import Override, file_parameters
from ansinh.ruleset.models import ParameterOverride

KEY = "ruleset:overrides"
log = logging.getLogger(__name__)


def current() -> tuple[Override, ...]:
    found: tuple[Override, ...] | None = cache.get(KEY)
    if found is not None:
        return found
    try:
        rows = list(ParameterOverride.objects.select_related("changed_by").order_by("name", "valid_from"))
    except (DatabaseError, RuntimeError):  # no table yet (before migrate), or no database access (pure tests)
        return ()
    found = tuple(value for value in map(_override, rows) if value is not None)
    cache.set(KEY, found, getattr(settings, "ANSINH_PARAMETER_OVERRIDES_SECONDS", 30))
    return found


def _override(row: ParameterOverride) -> Override | None:
    try:
        value = overrides.check(file_parameters(), row.name, row.valid_from, overrides.parse_json(row.value))
    except DomainError as refused:  # a value that no longer fits the files is left out, loudly
        log.error("parameter override %s from %s left out: %s", row.name, row.valid_from, refused.message_en)
        return None
    return Override(row.name, row.valid_from, value, row.reference, row.changed_by.get_username(), row.note or None)


def forget(*args: Any, **kwargs: Any) -> None:
    """After a change: forget now and again when the transaction commits (another request may have
    read the old rows in between)."""
    cache.delete(KEY)
    transaction.on_commit(lambda: cache.delete(KEY))
