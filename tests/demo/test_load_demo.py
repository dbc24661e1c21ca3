"""The loader on an empty database: its refusals without DEBUG, and a real load through the CLI that
leaves an existing user alone. The demo as loaded is read in test_demo_loaded.py."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from typer.testing import CliRunner

from ansinh.cli import app
from ansinh.demo.services import DEMO_LOGINS
from ansinh.org.models import Grant
from ansinh.payments.models import Payment
from ansinh.registry.models import Person

pytestmark = pytest.mark.django_db


def test_the_demo_passwords_pass_the_password_validators() -> None:
    for login in DEMO_LOGINS:
        validate_password(login.password, get_user_model()(username=login.username))


def _nothing_loaded() -> bool:
    return not get_user_model().objects.exists() and not Person.objects.exists() and not Payment.objects.exists()


def test_the_cli_refuses_to_load_the_demo_without_debug_and_loads_nothing() -> None:
    result = CliRunner().invoke(app, ["demo", "load"])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert "DEBUG=1" in result.stderr and "--i-know-this-is-not-production" in result.stderr
    assert _nothing_loaded()


def test_the_command_refuses_without_debug_with_exit_2(settings: Any) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--i-know-this-is-not-production") as refused:
        call_command("demo_load")
    assert refused.value.returncode == 2 and _nothing_loaded()


def test_the_cli_loads_the_demo_when_told_it_is_not_production_and_never_changes_an_existing_user() -> None:
    # Issue 11, item 9: `demo load` used to reset the superuser `admin` to the public demo password.
    existing = get_user_model().objects.create_user("admin", password="mot-mat-khau-rieng-2025")
    result = CliRunner().invoke(app, ["demo", "load", "--i-know-this-is-not-production"])
    assert result.exit_code == 0
    existing.refresh_from_db()
    assert existing.check_password("mot-mat-khau-rieng-2025") and not existing.check_password("ansinh-demo-2022")
    assert not existing.is_superuser and not existing.is_staff and not Grant.objects.filter(user=existing).exists()
    assert "admin / ansinh-demo-2022" not in result.stdout and "admin: tài khoản đã có" in result.stdout
    assert get_user_model().objects.get(username="quanly").check_password("ansinh-demo-2022")  # the missing ones
    assert "daily / ansinh-demo-2022" in result.stdout
    assert get_user_model().objects.get(username="daily").check_password("ansinh-demo-2022")
