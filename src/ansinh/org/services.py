"""State changes of the organisation and access: grants and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.areas.models import AdministrativeUnit
from ansinh.config.prepared import Prepared
from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.org.models import ApiToken, Grant, OrgUnit, Role

TOKEN_PREFIX = "ans_"
PREFIX_LENGTH = 12  # "ans_" and 8 of the 43 random characters: enough to tell tokens apart in a list
TOKEN_DAYS = 90  # default lifetime (issue 11: tokens never expired)
MAX_TOKEN_DAYS = 365
LAST_USED_EVERY = timedelta(minutes=1)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def grant_role(
    user: AbstractBaseUser,
    role: Role,
    areas: list[AdministrativeUnit] | None = None,
    org_units: list[OrgUnit] | None = None,
) -> Grant:
    grant, _unused = Grant.objects.update_or_create(user=user, defaults={"role": role})
    grant.areas.set(areas or [])
    grant.org_units.set(org_units or [])
    return grant


@transaction.atomic
def issue_token(user: AbstractBaseUser, name: str, days: int = TOKEN_DAYS, now: datetime | None = None) -> str:
    """A new API token for ``user``, valid for ``days`` (one to 365); the caller shows it once, we
    keep only its digest."""
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise DomainError(ErrorCode.INVALID_INPUT, _("Thời hạn token phải từ 1 đến {MAX_TOKEN_DAYS} ngày.").format(
                                                       MAX_TOKEN_DAYS=MAX_TOKEN_DAYS),
                          f"A token lasts from 1 to {MAX_TOKEN_DAYS} days.", field="days")
    now = now or timezone.now()
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, prefix=token[:PREFIX_LENGTH], digest=digest(token),
                            created_at=now, expires_at=now + timedelta(days=days))
    return token


# Every API request looks its token up: compiled once per process (issue 15, config/prepared.py). The
# digest is unique, so the expiry is checked on the row found rather than in the statement.
_BY_DIGEST = Prepared(lambda digest: ApiToken.objects.filter(digest=digest, revoked_at__isnull=True)
                      .select_related("user")[:1], digest="sample-digest-990001")


def user_for_token(token: str, now: datetime | None = None) -> AbstractBaseUser | None:
    """The active owner of a token that is neither revoked nor expired, else None (the API answers 401).

    The last use is recorded at most once a minute, by a conditional UPDATE: an authentication's
    bookkeeping, not a write of the request (reads still write nothing but the audit), and one
    statement a minute per token, whatever the number of requests."""
    now = now or timezone.now()
    found = _BY_DIGEST.first(digest=digest(token))
    if found is None or found.expires_at <= now or not found.user.is_active:
        return None
    stale = now - LAST_USED_EVERY
    if found.last_used_at is None or found.last_used_at <= stale:
        ApiToken.objects.filter(Q(last_used_at__isnull=True) | Q(last_used_at__lte=stale), pk=found.pk).update(
            last_used_at=now)
    return found.user


@transaction.atomic
def revoke_token(reference: int | str, now: datetime | None = None) -> ApiToken:
    """Revoke the token with this id, or with this prefix (as ``ansinh tokens list`` shows it).
    Revoking again is harmless: the first revocation time stays."""
    token = _token(str(reference).strip())
    if token.revoked_at is None:
        token.revoked_at = now or timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def _token(reference: str) -> ApiToken:
    wanted = Q(pk=int(reference)) if reference.isdigit() else Q(prefix=reference)
    found = list(ApiToken.objects.select_for_update(of=("self",)).filter(wanted).select_related("user")[:2])
    if len(found) == 1:
        return found[0]
    if not found:
        raise DomainError(ErrorCode.NOT_FOUND, _("Không có token «{reference}».").format(reference=reference),
                          f"No token {reference!r}.")
    raise DomainError(ErrorCode.INVALID_INPUT, _("Nhiều token có tiền tố «{reference}»; hãy dùng ID.").format(
                                                   reference=reference),
                      f"Several tokens have the prefix {reference!r}; use the id.")
