from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from ansinh.demo.services import DEMO_LOGINS, load_demo

pytestmark = pytest.mark.django_db


def test_the_demo_logins_work_after_loading() -> None:
    load_demo()
    for login in DEMO_LOGINS:
        assert get_user_model().objects.get(username=login.username).check_password(login.password)


def test_loading_twice_creates_nothing_new() -> None:
    load_demo()
    load_demo()
    assert get_user_model().objects.count() == len(DEMO_LOGINS)


def test_the_command_prints_the_logins(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("demo_load")
    out = capsys.readouterr().out
    assert all(f"{login.username} / {login.password}" in out for login in DEMO_LOGINS)
