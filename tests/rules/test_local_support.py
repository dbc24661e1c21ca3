"""Provincial top-ups never block a quote: not configured → computed without, with a notice."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from ansinh.rules import household_hi, params, vsi


def overlay(tmp_path: Path, body: str) -> params.ParameterSet:
    (tmp_path / "local_support").mkdir()
    (tmp_path / "local_support" / "40.yaml").write_text(body, encoding="utf-8")
    return params.load(params.SHIPPED_DIR, tmp_path)


def seed_day(ps: params.ParameterSet) -> vsi.VsiQuote:
    return vsi.quote(vsi.VsiQuoteInput(on=date(2025, 8, 1), income=1_500_000, months=1,
                                       groups=frozenset({"poor"}), province="40"), ps)


def test_an_unpublished_marker_is_quoted_without_the_top_up_and_names_the_resolution(tmp_path: Path) -> None:
    ps = overlay(tmp_path, 'description: NA\nunit: rate\nvalues:\n'
                           '  2025-07-01: {value: unpublished, reference: {title: "NQ 99/2025/NQ-HĐND"}}\n')
    q = seed_day(ps)
    assert (q.state_support, q.local_support, q.payable) == (165000, 0, 165000)
    assert [n.message for n in q.notices] == ["Chưa gồm hỗ trợ của tỉnh theo NQ 99/2025/NQ-HĐND — chưa cấu hình."]
    assert q.as_dict()["notices"][0]["code"] == "local_support_not_configured"


def test_an_admin_overlay_with_figures_replaces_the_shipped_top_up(tmp_path: Path) -> None:
    ps = overlay(tmp_path, 'description: NA\nunit: rate\nvalues:\n'
                           '  2025-07-01: {value: {poor: 0.1}, reference: {title: "NQ sửa đổi"}}\n')
    q = seed_day(ps)
    assert (q.local_support, q.payable, q.notices) == (33000, 132000, ())


def test_the_shipped_nghe_an_top_up_is_recorded_in_the_calculation() -> None:
    q = seed_day(params.default_parameters())
    used = {p.name: p for p in q.parameters}
    assert "07/2025/NQ-HĐND" in used["local_support/40"].reference.title
    assert q.local_rate == Decimal("0.30")


def test_a_configured_hi_top_up_lowers_what_a_near_poor_member_pays(tmp_path: Path) -> None:
    (tmp_path / "household_hi" / "local_support").mkdir(parents=True)
    (tmp_path / "household_hi" / "local_support" / "40.yaml").write_text(
        'description: NA HI\nunit: rate\nvalues:\n'
        '  2026-01-01: {value: {near_poor: 0.3}, reference: {title: "NQ HĐND Nghệ An (cấu hình)"}}\n', encoding="utf-8")
    ps = params.load(params.SHIPPED_DIR, tmp_path)
    q = household_hi.quote(household_hi.HiQuoteInput(
        on=date(2026, 3, 1), members=(household_hi.HiMember(group="near_poor"), household_hi.HiMember()),
        months=12, province="40"), ps)
    near_poor, household = q.members
    assert (near_poor.gross, near_poor.state_support, near_poor.local_support, near_poor.amount) == (
        1263600, 884520, 379080, 0)
    assert (household.local_support, household.amount, q.notices) == (0, 1263600, ())
