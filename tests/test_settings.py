"""Settings come from the environment, strictly; the suite runs on the database it was given."""

from __future__ import annotations

import os

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from ansinh.config.env import env_bool


@pytest.mark.django_db
def test_the_suite_runs_on_the_database_named_by_database_url() -> None:
    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith("postgres") else "sqlite"
    assert connection.vendor == expected


def test_a_malformed_boolean_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DEBUG='maybe'"):
        env_bool("DEBUG", default=False)


def test_booleans_accept_the_usual_spellings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEBUG", "Yes")
    assert env_bool("DEBUG", default=False) is True
    monkeypatch.setenv("DEBUG", "0")
    assert env_bool("DEBUG", default=True) is False
