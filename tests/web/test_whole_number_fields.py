"""The optional whole-number filters of the forms (web.forms.optional_whole_number): empty means no
filter; a value outside the bounds, or not a number, is refused in Vietnamese."""

from __future__ import annotations

import pytest
from django import forms

from ansinh.campaigns import visit_queries
from ansinh.web.forms import optional_whole_number
from ansinh.web.visit_views import ListForm


class AgeForm(forms.Form):
    age = optional_whole_number("Tuổi", 0, 150)


@pytest.mark.parametrize(("sent", "kept"), [("", None), ("0", 0), ("150", 150)])
def test_it_takes_an_empty_value_or_one_within_the_bounds(sent: str, kept: int | None) -> None:
    form = AgeForm({"age": sent})
    assert form.is_valid() and form.cleaned_data["age"] == kept


@pytest.mark.parametrize("sent", ["-1", "151"])
def test_it_refuses_a_value_outside_the_bounds(sent: str) -> None:
    assert not AgeForm({"age": sent}).is_valid()


def test_it_refuses_a_non_number_in_vietnamese() -> None:
    form = AgeForm({"age": "abc"})
    assert not form.is_valid() and form.errors["age"] == ["Giá trị không hợp lệ."]


def test_the_visit_list_filters_are_built_by_it() -> None:
    fields = ListForm.base_fields
    bounds = {name: (fields[name].min_value, fields[name].max_value, fields[name].required)
              for name in ("min_age", "max_age", "lapsed_within_months")}
    assert bounds == {"min_age": (0, visit_queries.MAX_AGE, False), "max_age": (0, visit_queries.MAX_AGE, False),
                      "lapsed_within_months": (1, visit_queries.MAX_LAPSED_MONTHS, False)}
    assert all(fields[name].error_messages["invalid"] == "Giá trị không hợp lệ." for name in bounds)
