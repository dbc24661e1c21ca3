"""Passwords are hashed with Argon2; API tokens are stored only as digests."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from typer.testing import CliRunner

from ansinh.cli import app
from ansinh.config import settings as project_settings
from ansinh.org.models import ApiToken
from ansinh.org.services import issue_token, revoke_token, user_for_token
from tests.builders import user


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
    assert token not in (stored.digest, stored.prefix) and stored.prefix == token[:8]
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
