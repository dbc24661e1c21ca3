"""The CLI is a contract: names, JSON fields, and exit code 2 with one stderr line on refusal."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from ansinh.cli import app
from ansinh.org.models import ApiToken
from ansinh.org.services import issue_token, revoke_token, user_for_token
from tests.builders import user

runner = CliRunner()
# The command speaks the shell's language (cli/i18n.py): these tests read its Vietnamese, whatever the shell's.
VIETNAMESE_SHELL = dict.fromkeys(("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"))


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=VIETNAMESE_SHELL)
    return result.exit_code, result.stdout, result.stderr


def test_vsi_json_gives_the_contract_fields() -> None:
    code, out, _ = run("calc", "vsi", "--on", "2022-05-08", "--income", "1500000", "--months", "12",
                       "--group", "poor", "--json")
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"income", "months", "gross", "state_support", "local_support", "payable", "parameters",
                         "notices"}
    assert (data["gross"], data["state_support"], data["payable"]) == (3960000, 1188000, 2772000)
    names = {p["name"] for p in data["parameters"]}
    assert {"base_salary", "rural_poverty_line", "vsi/contribution_rate", "vsi/state_support_rate"} <= names
    assert all(p["reference"]["title"] for p in data["parameters"])


def test_vsi_highest_group_wins_with_repeated_group_options() -> None:
    code, out, _ = run("calc", "vsi", "--on", "2025-07-01", "--income", "1500000", "--months", "1",
                       "--group", "ethnic_minority", "--group", "near_poor", "--json")
    assert code == 0 and json.loads(out)["payable"] == 198000


def test_vsi_advance_uses_the_given_rate() -> None:
    code, out, _ = run("calc", "vsi", "--on", "2022-05-08", "--income", "1500000", "--months", "24",
                       "--advance", "--rate", "0.005", "--json")
    assert code == 0 and json.loads(out)["gross"] == 7482975


def test_vsi_table_is_vietnamese_with_dotted_amounts_and_references() -> None:
    code, out, _ = run("calc", "vsi", "--on", "2022-05-08", "--income", "1500000", "--months", "1", "--group", "poor")
    assert code == 0
    assert "231.000 đ" in out and "Người tham gia nộp" in out
    assert "Nghị định 07/2021/NĐ-CP" in out


def test_vsi_refusal_exits_2_with_one_stderr_line_and_json_error() -> None:
    code, out, err = run("calc", "vsi", "--on", "2022-05-08", "--income", "1520000", "--months", "12", "--json")
    assert code == 2
    assert json.loads(out)["error"]["code"] == "income_off_step"
    assert "1.500.000 đ và 1.550.000 đ" in json.loads(out)["error"]["message"]
    assert len(err.strip().splitlines()) == 1


def test_vsi_advance_without_rate_names_the_year_and_the_option() -> None:
    code, out, err = run("calc", "vsi", "--on", "2022-05-08", "--income", "1500000", "--months", "24", "--advance")
    assert code == 2 and out == ""
    assert "2021" in err and "--rate" in err


def test_vsi_refuses_a_malformed_date() -> None:
    code, _, err = run("calc", "vsi", "--on", "08/05/2022", "--income", "1500000", "--months", "1")
    assert code == 2 and "YYYY-MM-DD" in err


def test_hi_json_gives_members_total_and_card() -> None:
    code, out, _ = run("calc", "hi", "--on", "2024-08-01", "--members", "3", "--months", "12",
                       "--previous-card-end", "2024-07-31", "--json")
    assert code == 0
    data = json.loads(out)
    assert [m["amount"] for m in data["members"]] == [1263600, 884520, 758160]
    assert [m["rank"] for m in data["members"]] == [1, 2, 3]
    assert data["total"] == 2906280
    assert data["card"] == {"valid_from": "2024-08-01", "valid_to": "2025-07-31"}
    assert set(data["members"][0]) == {"rank", "factor", "monthly", "amount", "group", "gross", "state_support",
                                       "local_support"}


def test_hi_already_joined_continues_ranks() -> None:
    code, out, _ = run("calc", "hi", "--on", "2020-03-01", "--members", "1", "--already-joined", "4",
                       "--months", "12", "--json")
    assert code == 0 and json.loads(out)["members"][0]["amount"] == 321840


def test_hi_table_shows_card_dates_in_vietnamese_format() -> None:
    code, out, _ = run("calc", "hi", "--on", "2024-08-01", "--members", "1", "--months", "12")
    assert code == 0 and "31/08/2024" in out and "1.263.600 đ" in out


def test_hi_refusal_exits_2() -> None:
    code, out, _ = run("calc", "hi", "--on", "2024-08-01", "--members", "1", "--months", "2", "--json")
    assert code == 2 and json.loads(out)["error"]["code"] == "payment_term_invalid"


def test_retirement_json_gives_age_date_and_first_pension_month() -> None:
    code, out, _ = run("calc", "retirement", "--born", "1966-03-10", "--sex", "male", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["retirement_age"] == {"years": 61, "months": 9}
    assert (data["retirement_date"], data["first_pension_month"]) == ("2027-12-31", "2028-01-01")


def test_pension_json_gives_the_contract_fields() -> None:
    code, out, _ = run("calc", "pension", "--born", "1980-05-20", "--sex", "female", "--income", "2000000",
                       "--start", "2026-01", "--years", "20", "--json")
    assert code == 0
    data = json.loads(out)
    assert {"retirement_date", "first_pension_month", "years_paid", "rate", "average_income", "monthly_pension",
            "parameters"} <= set(data)
    assert (data["rate"], data["average_income"], data["monthly_pension"]) == ("0.55", 2000000, 1100000)


def test_pension_until_retirement_says_how_many_months_are_missing() -> None:
    code, out, _ = run("calc", "pension", "--born", "1980-05-20", "--sex", "female", "--income", "2000000",
                       "--start", "2026-01")
    assert code == 0 and "còn thiếu 7 tháng" in out


def test_a_bad_sex_is_refused_with_exit_2() -> None:
    code, out, err = run("calc", "retirement", "--born", "1966-03-10", "--sex", "x", "--json")
    assert code == 2 and json.loads(out)["error"]["code"] == "invalid_input" and err


# ---- API tokens (issue 11, item 9): list and revoke from the command line -------------------------

TOKEN_T0 = datetime(2025, 8, 1, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def _two_tokens() -> tuple[ApiToken, ApiToken]:
    issue_token(user(None, username="alice"), "điện thoại", now=TOKEN_T0)
    issue_token(user(None, username="bob"), "zalo", days=7, now=TOKEN_T0)
    return ApiToken.objects.get(name="điện thoại"), ApiToken.objects.get(name="zalo")


@pytest.mark.django_db
def test_tokens_list_gives_prefix_name_user_dates_and_revocation() -> None:
    phone, zalo = _two_tokens()
    revoke_token(zalo.pk)
    code, out, _ = run("tokens", "list", "--json")
    assert code == 0
    rows = {row["name"]: row for row in json.loads(out)}
    assert set(rows["zalo"]) == {"id", "prefix", "name", "user", "created", "expires", "last_used", "revoked"}
    assert rows["điện thoại"] | {"created": None, "expires": None} == {
        "id": phone.pk, "prefix": phone.prefix, "name": "điện thoại", "user": "alice", "created": None,
        "expires": None, "last_used": None, "revoked": None}
    assert rows["điện thoại"]["expires"].startswith("2025-10-30") and rows["zalo"]["revoked"] is not None
    code, out, _ = run("tokens", "list", "--user", "alice")
    assert code == 0 and phone.prefix in out and zalo.prefix not in out
    assert "01/08/2025" in out and "30/10/2025" in out  # created, expires (90 days)


@pytest.mark.django_db
def test_tokens_revoke_takes_an_id_or_a_prefix_and_the_token_stops_working() -> None:
    phone, zalo = _two_tokens()
    assert run("tokens", "revoke", str(phone.pk))[0] == 0
    code, out, _ = run("tokens", "revoke", zalo.prefix)
    assert code == 0 and "zalo" in out
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 0


@pytest.mark.django_db
def test_tokens_revoke_refuses_an_unknown_or_ambiguous_reference_and_revokes_nothing() -> None:
    owner = user(None, username="carol")
    for n in (1, 2):
        ApiToken.objects.create(user=owner, name=f"t{n}", prefix="ans_same1234", digest=f"{n:064d}",
                                created_at=TOKEN_T0, expires_at=TOKEN_T0 + timedelta(days=1))
    for reference in ("ans_same1234", "ans_nothing0", "999999"):
        code, _, err = run("tokens", "revoke", reference)
        assert code == 2 and err.count("\n") == 1
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 2


@pytest.mark.django_db
def test_tokens_create_takes_a_lifetime() -> None:
    user(None, username="dave")
    code, out, _ = run("tokens", "create", "--user", "dave", "--name", "thử", "--days", "7")
    assert code == 0 and user_for_token(out.strip().splitlines()[-1]) is not None
    created = ApiToken.objects.get()
    assert created.expires_at - created.created_at == timedelta(days=7)
    assert run("tokens", "create", "--user", "dave", "--name", "x", "--days", "0")[0] == 2
    assert ApiToken.objects.count() == 1
