"""``ansinh calc`` for the rules of issue 19: the provincial top-up, payment rules and benefits."""

from __future__ import annotations

import json

from tests.test_cli import run


def test_the_seed_day_quote_in_nghe_an_carries_the_provincial_top_up() -> None:
    code, out, _ = run("calc", "vsi", "--on", "2025-08-01", "--income", "1500000", "--months", "1",
                       "--group", "poor", "--province", "40", "--json")
    assert code == 0
    data = json.loads(out)
    assert (data["gross"], data["state_support"], data["local_support"], data["payable"]) == (
        330000, 165000, 99000, 66000)
    assert data["notices"] == []
    assert any("07/2025/NQ-HĐND" in p["reference"]["title"] for p in data["parameters"])


def test_a_province_without_a_top_up_file_is_quoted_with_a_visible_notice() -> None:
    code, out, _ = run("calc", "vsi", "--on", "2025-08-01", "--income", "1500000", "--months", "1",
                       "--group", "poor", "--province", "01")
    assert code == 0
    assert "Lưu ý: Chưa gồm hỗ trợ của tỉnh (mã tỉnh 01) — chưa cấu hình." in out
    assert "165.000" in out


def test_an_advance_of_18_months_is_refused_with_the_reason() -> None:
    code, out, err = run("calc", "vsi", "--on", "2025-08-01", "--income", "1500000", "--months", "18",
                         "--advance", "--rate", "0.0031", "--json")
    assert code == 2
    assert json.loads(out)["error"]["code"] == "payment_term_invalid"
    assert "năm tròn, từ 2 đến 5 năm (24, 36, 48, 60 tháng)" in err


def test_a_catch_up_before_the_month_before_retirement_age_is_refused() -> None:
    code, out, err = run("calc", "vsi", "--on", "2026-05-31", "--income", "1500000", "--months", "12",
                         "--catch-up", "--rate", "0.004", "--born", "1965-01-15", "--sex", "male", "--json")
    assert code == 2
    assert json.loads(out)["error"]["code"] == "not_eligible"
    assert "01/06/2026" in err


def test_a_catch_up_from_the_month_before_retirement_age_is_quoted() -> None:
    code, out, _ = run("calc", "vsi", "--on", "2026-06-01", "--income", "1500000", "--months", "12",
                       "--catch-up", "--rate", "0.004", "--born", "1965-01-15", "--sex", "male", "--json")
    assert code == 0 and json.loads(out)["gross"] == 4064485


def test_hi_shows_the_state_share_of_near_poor_members_and_charges_poor_members_nothing() -> None:
    code, out, _ = run("calc", "hi", "--on", "2024-08-01", "--members", "1", "--poor", "1", "--near-poor", "1",
                       "--months", "12", "--json")
    assert code == 0
    data = json.loads(out)
    assert [(m["group"], m["rank"], m["state_support"], m["amount"]) for m in data["members"]] == [
        ("poor", None, 1263600, 0), ("near_poor", None, 884520, 379080), ("household", 1, 0, 1263600)]
    assert (data["total"], data["state_support"]) == (1642680, 2148120)


def test_hi_in_nghe_an_from_2026_is_flagged_for_the_unpublished_resolution() -> None:
    code, out, _ = run("calc", "hi", "--on", "2026-03-01", "--near-poor", "1", "--members", "0", "--months", "12",
                       "--province", "40")
    assert code == 0
    assert "Lưu ý: Chưa gồm hỗ trợ của tỉnh theo Nghị quyết HĐND tỉnh Nghệ An thông qua ngày 17/06/2025" in out
    assert "379.080" in out  # the near-poor member's 30 % (ND 146/2018 art. 8), without a provincial share


def test_lump_sum_moves_the_odd_months_before_2014_into_the_later_period() -> None:
    code, out, _ = run("calc", "lump-sum", "--on", "2025-08-01", "--average", "2000000",
                       "--months-before-2014", "40", "--months-from-2014", "20", "--json")
    assert code == 0
    data = json.loads(out)
    assert (data["amount"], data["years_before_2014"], data["years_from_2014"]) == (17000000, "3", "2")
    assert "Điều 102" in data["article"]


def test_lump_sum_after_a_break_of_under_12_months_exits_2_with_the_reason() -> None:
    code, out, err = run("calc", "lump-sum", "--on", "2025-08-01", "--average", "2000000", "--months-from-2014",
                         "60", "--case", "after_break", "--joined", "2019-01-01", "--last-contribution", "2024-12",
                         "--json")
    assert code == 2
    assert json.loads(out)["error"]["code"] == "not_eligible"
    assert "12 tháng" in err and "điểm đ" in err


def test_social_pension_at_75_and_a_refusal_at_74() -> None:
    code, out, _ = run("calc", "social-pension", "--on", "2025-08-01", "--born", "1950-08-01", "--json")
    assert code == 0 and json.loads(out)["amount"] == 500000 and json.loads(out)["monthly"] is True
    code, out, err = run("calc", "social-pension", "--on", "2025-08-01", "--born", "1950-08-02")
    assert code == 2 and out == ""
    assert "từ 75 tuổi" in err and "02/08/2025" in err


def test_maternity_for_twins_and_a_refusal_with_too_few_months() -> None:
    code, out, _ = run("calc", "maternity", "--birth", "2026-01-10", "--months", "12", "--children", "2", "--json")
    assert code == 0 and json.loads(out)["amount"] == 4000000
    code, _, err = run("calc", "maternity", "--birth", "2026-01-10", "--months", "5")
    assert code == 2 and "Điều 94, khoản 1" in err


def test_retirement_allowance_table_names_the_article() -> None:
    code, out, _ = run("calc", "retirement-allowance", "--on", "2025-08-01", "--sex", "male", "--months", "432",
                       "--average", "5000000")
    assert code == 0
    assert "2.500.000" in out and "Điều 100" in out


def test_transitional_pension_for_a_man_already_60_starts_on_01_07_2025() -> None:
    code, out, _ = run("calc", "transitional-pension", "--on", "2025-08-01", "--born", "1964-03-10", "--sex", "male",
                       "--joined", "2005-01-01", "--months", "240", "--average", "3000000", "--json")
    assert code == 0
    data = json.loads(out)
    assert (data["amount"], data["first_pension_month"], data["already_that_age"]) == (1350000, "2025-07-01", True)


def test_survivor_lump_sum_before_luat_41_exits_2() -> None:
    code, _, err = run("calc", "survivor", "--on", "2025-06-30", "--average", "2000000", "--months-from-2014", "12")
    assert code == 2 and "01/07/2025" in err


def test_consult_for_a_person_past_retirement_age_says_so_and_what_applies_now() -> None:
    code, out, _ = run("calc", "consult", "--on", "2025-08-01", "--born", "1950-01-01", "--sex", "male",
                       "--income", "1500000", "--json")
    assert code == 0, out
    data = json.loads(out)
    assert data["past_retirement"] is True and "first_pension_month" not in data["retirement"]
    names = [b["name"] for b in data["benefits"]]
    assert names[:2] == ["past_retirement", "social_pension"]
    code, out, _ = run("calc", "consult", "--on", "2025-08-01", "--born", "1960-03-01", "--sex", "female",
                       "--income", "1500000")
    assert code == 0 and "Đã đủ tuổi nghỉ hưu" in out and "Hưởng lương hưu từ tháng" not in out
    assert "trợ cấp hằng tháng từ chính khoản đã đóng" in out and "Điều 23" in out
