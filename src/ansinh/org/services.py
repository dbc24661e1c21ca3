"""State changes of the organisation and access: grants and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from ansinh.areas.models import AdministrativeUnit
from ansinh.org.models import ApiToken, Grant, OrgUnit, Role

TOKEN_PREFIX = "ans_"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def grant_role(
    user: AbstractBaseUser,
    role: Role,
    areas: list[AdministrativeUnit] | None = None,
    org_units: list[OrgUnit] | None = None,
) -> Grant:
    grant, _ = Grant.objects.update_or_create(user=user, defaults={"role": role})
    grant.areas.set(areas or [])
    grant.org_units.set(org_units or [])
    return grant


@transaction.atomic
def issue_token(user: AbstractBaseUser, name: str) -> str:
    """A new API token for ``user``; the caller shows it once, we keep only its digest."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, prefix=token[:8], digest=digest(token))
    return token


def user_for_token(token: str) -> AbstractBaseUser | None:
    found = ApiToken.objects.filter(digest=digest(token), revoked_at__isnull=True).select_related("user").first()
    if found is None or not found.user.is_active:
        return None
    return found.user


@transaction.atomic
def revoke_token(token_id: int) -> None:
    ApiToken.objects.filter(pk=token_id, revoked_at__isnull=True).update(revoked_at=timezone.now())
