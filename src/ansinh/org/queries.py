"""Reads of the organisation, through the user's scope."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet

from ansinh.org.models import Agent, ApiToken, OrgKind, OrgUnit
from ansinh.org.scope import Scope


def org_units(scope: Scope) -> QuerySet[OrgUnit]:
    """Org units in the scope's org subtrees, or serving an area in scope."""
    return (OrgUnit.objects.filter(scope.orgs_q() | Q(areas__in=scope.area_ids)).distinct()
            .select_related("parent").prefetch_related("areas"))


COLLECTOR_KINDS = (OrgKind.COLLECTOR, OrgKind.COLLECTOR_BRANCH)


def collectors(user: AbstractBaseUser | AnonymousUser | None, scope: Scope) -> QuerySet[OrgUnit]:
    """The collectors a user works with: those of the scope, and an agent's own collector. An
    agent's grant is the communes he serves, while his collector serves the whole province; he
    still hands his cash to it and prints its lists (org/fields.py: agents are collector staff)."""
    own = (Agent.objects.filter(user=user).values("collector_id") if user is not None and user.is_authenticated
           else Agent.objects.none().values("collector_id"))
    return (OrgUnit.objects.filter(Q(pk__in=org_units(scope).values("pk")) | Q(pk__in=own), kind__in=COLLECTOR_KINDS)
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
