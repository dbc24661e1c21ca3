"""The consultation lists every benefit in force with its article, and says when retirement age is past."""

from __future__ import annotations

from datetime import date

from ansinh.rules.consultation import consult


def test_a_person_past_retirement_age_is_told_so_and_what_applies_now() -> None:
    result = consult(date(2025, 8, 1), date(1955, 3, 10), "male", [1_500_000], ["poor"])
    assert result.past_retirement
    lines = {line.name: line for line in result.benefits}
    assert "Đã đủ tuổi nghỉ hưu từ 10/03/2015" in lines["past_retirement"].text
    assert "không quá 60 tháng" in lines["past_retirement"].text
    assert "Nghị định 159/2025/NĐ-CP, Điều 7" in lines["past_retirement"].article
    # A poor household's member: from 70, i.e. 10/03/2025.
    expected = "Trợ cấp hưu trí xã hội 500.000 đ/tháng từ 70 tuổi (ngày 10/03/2025)"
    assert lines["social_pension"].text.startswith(expected)
    assert result.options[0].pension is None


def test_a_younger_person_sees_every_benefit_of_luat_41_with_its_article() -> None:
    result = consult(date(2025, 8, 1), date(1990, 5, 20), "female", [2_000_000])
    assert not result.past_retirement
    articles = {line.name: line.article for line in result.benefits}
    assert set(articles) == {"social_pension", "lump_sum", "funeral", "maternity", "retirement_allowance",
                             "transitional_pension", "survivor_lump_sum"}
    assert "Điều 102" in articles["lump_sum"] and "Điều 109" in articles["funeral"]
    assert "Điều 141, khoản 9" in articles["transitional_pension"]


def test_before_luat_41_only_the_benefits_then_in_force_are_listed() -> None:
    result = consult(date(2025, 6, 30), date(1990, 5, 20), "female", [1_500_000])
    assert {line.name for line in result.benefits} == {"lump_sum", "funeral"}
