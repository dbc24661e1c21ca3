from __future__ import annotations

import pytest

from tests.builders import Personas, field_setup, personas


@pytest.fixture
def who() -> Personas:
    """The personas, with a post office serving commune X, its receipt pool, and the agent as its agent."""
    people = personas()
    field_setup(people)
    return people
