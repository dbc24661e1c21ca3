"""Passwords: long enough, not numeric, not common, not like the user's own name (issue 11, item 9)."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from tests.builders import PASSWORD, user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("weak", ["73920461", "739204610123", "matkhau12", "password1234"])
def test_weak_passwords_are_refused(weak: str) -> None:
    with pytest.raises(ValidationError):
        validate_password(weak)


def test_a_password_like_the_username_is_refused() -> None:
    owner = user(None, username="nguyenvanhung")
    with pytest.raises(ValidationError):
        validate_password("nguyenvanhung1", owner)


def test_a_long_unusual_passphrase_is_accepted() -> None:
    validate_password("ca-phe-sua-da-0912")  # no exception


def test_the_password_change_page_refuses_a_numeric_password_and_keeps_the_old_one() -> None:
    owner = user(None, username="agent_pw")
    client = Client()
    client.force_login(owner)
    answer = client.post("/doi-mat-khau/", {"old_password": PASSWORD, "new_password1": "73920461",
                                           "new_password2": "73920461"})
    assert answer.status_code == 200 and "new_password2" in answer.context["form"].errors
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD) and not owner.check_password("73920461")
