"""``ansinh calc`` for the rules of issue 19: the provincial top-up, payment rules and benefits."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from ansinh.cli import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


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
