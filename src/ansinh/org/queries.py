"""Reads of the organisation, through the user's scope."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from ansinh.org.models import Agent, ApiToken, OrgUnit
from ansinh.org.scope import Scope


def org_units(scope: Scope) -> QuerySet[OrgUnit]:
    """Org units in the scope's org subtrees, or serving an area in scope."""
    return (OrgUnit.objects.filter(scope.orgs_q() | Q(areas__in=scope.area_ids)).distinct()
            .select_related("parent").prefetch_related("areas"))


def agents(scope: Scope) -> QuerySet[Agent]:
    """Agents of a collector in scope (by org or by the areas it serves), or working in an area in scope."""
    return (Agent.objects.filter(scope.orgs_q("collector") | Q(collector__areas__in=scope.area_ids)
                                 | Q(areas__in=scope.area_ids)).distinct()
            .select_related("collector").prefetch_related("areas"))


def api_tokens(username: str | None = None) -> QuerySet[ApiToken]:
    """API tokens, newest first, of one user if given (for operators: ``ansinh tokens list``)."""
    found = ApiToken.objects.select_related("user").order_by("-created_at", "-pk")
    return found if username is None else found.filter(user__username=username)
