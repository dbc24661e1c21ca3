"""Form choices come from the parameters in force (issue 19 §5), never from literals."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.test import Client
from django.utils import timezone

from ansinh.rules.params import SHIPPED_DIR, default_parameters, load
from ansinh.web import choices
from ansinh.web.forms import HiQuoteForm, VsiQuoteForm

SHIPPED = default_parameters()


def test_hi_terms_are_those_of_the_decree() -> None:
    assert choices.hi_terms(date(2025, 8, 1), SHIPPED) == [(3, "3 tháng"), (6, "6 tháng"), (12, "12 tháng")]
    assert choices.hi_terms(date(2014, 12, 31), SHIPPED) == []  # before the first value: nothing offered


def test_support_groups_follow_the_rate_in_force() -> None:
    before = [g for g, _ in choices.support_groups(date(2025, 6, 30), SHIPPED)]
    after = [g for g, _ in choices.support_groups(date(2025, 7, 1), SHIPPED)]
    assert before == ["poor", "near_poor"]  # ND 134/2015 art. 14: the others got the 'other' rate
    assert after == ["poor", "near_poor", "ethnic_minority", "island"]  # Luật 41/2024 art. 36


def test_method_labels_carry_the_terms_in_force() -> None:
    labels = dict(choices.methods(date(2025, 8, 1), SHIPPED))
    assert labels["regular"] == "Đóng định kỳ (1, 3, 6, 12 tháng)"
    assert labels["advance"] == "Đóng trước nhiều năm (từ 2 đến 5 năm)"


def test_example_incomes_start_at_the_floor_in_force() -> None:
    assert choices.example_incomes(date(2026, 12, 31), SHIPPED) == [1_500_000, 3_000_000, 4_500_000]
    # From 2027 the rural poverty line is 2,200,000 (ND 351/2025): 1,500,000 would be refused.
    assert choices.example_incomes(date(2027, 1, 1), SHIPPED) == [2_200_000, 4_400_000, 6_600_000]


def test_an_overlay_term_reaches_the_form(tmp_path: Path, monkeypatch: object) -> None:
    (tmp_path / "household_hi").mkdir()
    (tmp_path / "household_hi" / "terms.yaml").write_text(
        "description: Kỳ đóng\nunit: months\nvalues:\n  2015-01-01:\n    value: [6, 12]\n"
        "    reference: {title: 'Thử'}\n", encoding="utf-8")
    params = load(SHIPPED_DIR, tmp_path)
    assert choices.hi_terms(date(2025, 8, 1), params) == [(6, "6 tháng"), (12, "12 tháng")]


def test_the_forms_offer_what_is_in_force_today() -> None:
    hi = HiQuoteForm(prefix="hi")
    assert [m for m, _ in hi.fields["months"].choices] == [3, 6, 12]  # type: ignore[attr-defined]
    assert hi.fields["months"].initial == 12
    vsi = VsiQuoteForm(prefix="vsi")
    assert [g for g, _ in vsi.fields["groups"].choices] == [  # type: ignore[attr-defined]
        g for g, _ in choices.support_groups(timezone.localdate())]


def test_the_consultation_page_proposes_incomes_from_the_floor() -> None:
    body = Client().get("/tu-van/").content.decode()
    assert choices.example_incomes_text(timezone.localdate()) in body
