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
    expected = "Trợ cấp hưu trí xã hội 500.000 đ/tháng đã đủ 70 tuổi từ 10/03/2025: được hưởng ngay"
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


def test_a_person_who_reached_retirement_age_before_2021_is_not_refused() -> None:
    """Retired under Bộ luật Lao động 1994/2012 (60/55), before the schedule of ND 135/2020."""
    man = consult(date(2025, 8, 1), date(1950, 1, 1), "male", [1_500_000])
    assert man.past_retirement and man.retirement.reached_on == date(2010, 1, 1)
    lines = {line.name: line for line in man.benefits}
    assert "Đã đủ tuổi nghỉ hưu từ 01/01/2010" in lines["past_retirement"].text
    assert "đã đủ 75 tuổi từ 01/01/2025: được hưởng ngay" in lines["social_pension"].text
    assert "monthly_allowance" not in lines  # already of social-pension age
    woman = consult(date(2025, 8, 1), date(1958, 2, 1), "female", [1_500_000])
    assert woman.retirement.reached_on == date(2013, 2, 1)  # 55, Bộ luật Lao động 1994 art. 145


def test_past_retirement_age_the_monthly_allowance_of_art_23_is_named_from_1_july_2025() -> None:
    after = {line.name: line for line in consult(date(2025, 7, 1), date(1960, 3, 1), "female", [1_500_000]).benefits}
    assert "Điều 23" in after["monthly_allowance"].article and "Nghị định 159/2025/NĐ-CP, Điều 14" in \
        after["monthly_allowance"].article
    assert "trợ cấp hằng tháng từ chính khoản đã đóng đến khi đủ tuổi hưởng trợ cấp hưu trí xã hội (01/03/2035)" \
        in after["monthly_allowance"].text
    before = {line.name for line in consult(date(2025, 6, 30), date(1960, 3, 1), "female", [1_500_000]).benefits}
    assert "monthly_allowance" not in before and "past_retirement" in before
    young = {line.name for line in consult(date(2025, 7, 1), date(1990, 3, 1), "female", [1_500_000]).benefits}
    assert "monthly_allowance" not in young


def test_as_dict_has_no_past_pension_month_for_a_person_past_retirement_age() -> None:
    data = consult(date(2025, 8, 1), date(1955, 3, 10), "male", [1_500_000], ["poor"]).as_dict()
    assert data["past_retirement"] is True and "first_pension_month" not in data["retirement"]
    assert data["retirement"]["reached_on"] == "2015-03-10"
    assert "pension" not in data["options"][0]
