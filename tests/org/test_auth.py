"""Passwords are hashed with Argon2; API tokens are stored only as digests, expire, and record
when they were last used (at most one write a minute)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from typer.testing import CliRunner

from ansinh.cli import app
from ansinh.config import settings as project_settings
from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.org.models import ApiToken
from ansinh.org.services import issue_token, revoke_token, user_for_token
from tests.builders import user

T0 = datetime(2025, 8, 1, 9, 0, tzinfo=timezone.get_default_timezone())


def test_the_project_hashes_passwords_with_argon2() -> None:
    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    hasher = Argon2PasswordHasher()  # argon2-cffi is installed, so the configured hasher works
    hashed = hasher.encode("mat-khau-du-dai", hasher.salt())
    assert hashed.startswith("argon2$") and hasher.verify("mat-khau-du-dai", hashed)
    assert not hasher.verify("sai", hashed)


@pytest.mark.django_db
def test_a_token_authenticates_until_revoked_and_is_never_stored() -> None:
    owner = user(None)
    token = issue_token(owner, "điện thoại đại lý")
    assert user_for_token(token) == owner
    stored = ApiToken.objects.get()
    assert token not in (stored.digest, stored.prefix) and stored.prefix == token[:12]
    revoke_token(stored.pk)
    assert user_for_token(token) is None
    assert user_for_token("ans_made-up") is None


@pytest.mark.django_db
def test_the_cli_issues_a_token_that_authenticates() -> None:
    owner = user(None, username="api_client")
    result = CliRunner().invoke(app, ["tokens", "create", "--user", "api_client", "--name", "zalo"])
    assert result.exit_code == 0
    token = result.stdout.strip().splitlines()[-1]
    assert token.startswith("ans_") and user_for_token(token) == owner
    assert CliRunner().invoke(app, ["tokens", "create", "--user", "nobody", "--name", "x"]).exit_code == 2


@pytest.mark.django_db
def test_a_token_expires_after_90_days_unless_told_otherwise() -> None:
    owner = user(None)
    token = issue_token(owner, "ứng dụng", now=T0)
    assert ApiToken.objects.get().expires_at == T0 + timedelta(days=90)
    assert user_for_token(token, now=T0 + timedelta(days=90) - timedelta(seconds=1)) == owner
    assert user_for_token(token, now=T0 + timedelta(days=90)) is None
    short = issue_token(owner, "thử", days=7, now=T0)
    assert user_for_token(short, now=T0 + timedelta(days=8)) is None


@pytest.mark.django_db
@pytest.mark.parametrize("days", [0, -1, 366])
def test_a_lifetime_outside_one_day_to_a_year_is_refused_and_creates_nothing(days: int) -> None:
    owner = user(None)
    with pytest.raises(DomainError) as refused:
        issue_token(owner, "x", days=days)
    assert refused.value.code == ErrorCode.INVALID_INPUT and ApiToken.objects.count() == 0


@pytest.mark.django_db
def test_an_expired_token_gets_401_from_the_api() -> None:
    owner = user(None)
    token = issue_token(owner, "cũ", now=timezone.now() - timedelta(days=91))
    answer = Client().get("/api/people?q=nguyen", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "unauthenticated"


@pytest.mark.django_db
def test_last_use_is_recorded_at_most_once_a_minute() -> None:
    owner = user(None)
    token = issue_token(owner, "app", now=T0)
    assert ApiToken.objects.get().last_used_at is None
    user_for_token(token, now=T0 + timedelta(seconds=5))
    assert ApiToken.objects.get().last_used_at == T0 + timedelta(seconds=5)
    with CaptureQueriesContext(connection) as soon:
        assert user_for_token(token, now=T0 + timedelta(seconds=50)) == owner
    assert len(soon.captured_queries) == 1  # a read, no write
    assert ApiToken.objects.get().last_used_at == T0 + timedelta(seconds=5)
    user_for_token(token, now=T0 + timedelta(seconds=66))
    assert ApiToken.objects.get().last_used_at == T0 + timedelta(seconds=66)


@pytest.mark.django_db
def test_the_token_lookup_is_one_statement_and_still_checks_expiry_revocation_and_the_owner() -> None:
    """The lookup is compiled once per process (issue 15): each token runs the same SQL with its own
    digest, and what it refuses is unchanged."""
    first, second, gone = user(None), user(None), user(None)
    tokens = [issue_token(first, "a", now=T0), issue_token(second, "b", now=T0), issue_token(gone, "c", now=T0)]
    gone.is_active = False
    gone.save()
    with CaptureQueriesContext(connection) as lookups:
        assert user_for_token(tokens[0], now=T0 + timedelta(seconds=1)) == first
        assert user_for_token(tokens[1], now=T0 + timedelta(seconds=1)) == second
    reads = [q["sql"] for q in lookups.captured_queries if q["sql"].startswith("SELECT")]
    assert len(reads) == 2 and "org_apitoken" in reads[0] and tokens[0] not in reads[0]
    assert user_for_token(tokens[2], now=T0 + timedelta(seconds=1)) is None  # the owner is not active
    assert user_for_token(tokens[0], now=T0 + timedelta(days=90)) is None  # expired at exactly 90 days
    assert user_for_token(tokens[0], now=T0 + timedelta(days=89, hours=23)) == first
    revoke_token(tokens[1][:12])
    assert user_for_token(tokens[1], now=T0 + timedelta(seconds=2)) is None
    assert user_for_token("ans_" + "x" * 43, now=T0) is None
