"""The language of ``ansinh`` and of ``manage.py demo_load`` (issue 15): the environment's, like a Unix tool's
(``LANGUAGE``, then ``LC_ALL``, ``LC_MESSAGES``, ``LANG``), or ``--lang``; Vietnamese when nothing names English."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import translation
from typer.testing import CliRunner

from ansinh.cli import app, i18n
from ansinh.demo.services import DEMO_LOGINS, DemoAccount, describe
from ansinh.lib.i18n import language_from_environment

LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
SRC = Path(__file__).resolve().parents[2] / "src"
ADVANCE_OF_18 = (
    "calc",
    "vsi",
    "--on",
    "2025-08-01",
    "--income",
    "1500000",
    "--months",
    "18",
    "--advance",
    "--rate",
    "0.0031",
)
QUOTE = ("calc", "vsi", "--on", "2025-08-01", "--income", "1500000", "--months", "12")


@pytest.fixture(autouse=True)
def _vietnamese_afterwards() -> Iterator[None]:
    """A command activates its language for the process: the next test starts from the default again."""
    yield
    translation.deactivate()


def run(*args: str, **environ: str) -> tuple[int, str, str]:
    """``ansinh args`` with only the locale variables given (the others unset)."""
    env: dict[str, str | None] = {name: None for name in LOCALE_VARIABLES}
    env.update(environ)
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({}, "vi"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "vi_VN.UTF-8"}, "vi"),
        ({"LANG": "C.UTF-8"}, "vi"),
        ({"LANG": "fr_FR.UTF-8"}, "vi"),  # no French: the source text, Vietnamese
        ({"LANG": "vi_VN.UTF-8", "LC_MESSAGES": "en_GB.UTF-8"}, "en"),
        ({"LC_MESSAGES": "en_GB.UTF-8", "LC_ALL": "vi_VN.UTF-8"}, "vi"),  # LC_ALL before LC_MESSAGES
        ({"LC_ALL": "vi_VN.UTF-8", "LANGUAGE": "en"}, "en"),  # LANGUAGE first
        ({"LANG": "en_US.UTF-8", "LANGUAGE": "fr:vi"}, "vi"),  # the first language of the list ansinh speaks
        ({"LANG": "vi_VN.UTF-8", "LANGUAGE": "fr"}, "vi"),  # none of LANGUAGE's: the locale decides
        ({"LANG": "C", "LANGUAGE": "en_US:en"}, "en"),
    ],
)
def test_the_language_is_chosen_from_the_environment_like_gettext(environ: dict[str, str], language: str) -> None:
    assert language_from_environment(environ) == language


def test_lang_option_wins_over_the_environment() -> None:
    assert i18n.choose("en", {"LANG": "vi_VN.UTF-8"}) == "en"
    assert i18n.choose("vi", {"LANG": "en_US.UTF-8"}) == "vi"
    assert i18n.choose("fr", {"LANG": "en_US.UTF-8"}) == "en"  # an unknown --lang: the environment's
    assert i18n.peek(["--lang", "en", "calc", "vsi"]) == ("en", "calc")
    assert i18n.peek(["--lang=vi", "--help"]) == ("vi", None)


def test_a_quote_under_lang_en_is_printed_in_english() -> None:
    code, out, _ = run(*QUOTE, LANG="en_US.UTF-8")
    assert code == 0
    assert "Voluntary social insurance — payment date 01/08/2025" in out
    assert "State support (20%, 12 months)" in out and "Participant pays" in out and "Legal basis" in out
    assert "3.168.000 đ" in out  # amounts keep the Vietnamese style in both languages
    assert "Người tham gia nộp" not in out


def test_a_quote_without_a_locale_is_printed_in_vietnamese() -> None:
    code, out, _ = run(*QUOTE)
    assert code == 0
    assert "BHXH tự nguyện — ngày đóng 01/08/2025" in out
    assert "Nhà nước hỗ trợ (20%, 12 tháng)" in out and "Người tham gia nộp" in out and "Căn cứ pháp lý" in out


def test_a_vietnamese_locale_and_the_lang_option() -> None:
    assert "Người tham gia nộp" in run(*QUOTE, LANG="vi_VN.UTF-8")[1]
    assert "Participant pays" in run("--lang", "en", *QUOTE, LANG="vi_VN.UTF-8")[1]
    assert "Người tham gia nộp" in run("--lang", "vi", *QUOTE, LANG="en_US.UTF-8")[1]


def test_a_refusal_of_the_rules_speaks_english_under_lang_en() -> None:
    code, out, err = run(*ADVANCE_OF_18, LANG="en_US.UTF-8")
    assert code == 2 and out == ""
    assert (
        err == "Error [payment_term_invalid]: An advance is whole years only, 2 to 5 (24, 36, 48, 60 months); not 18.\n"
    )


def test_a_refusal_of_the_rules_speaks_vietnamese_without_a_locale() -> None:
    code, _, err = run(*ADVANCE_OF_18)
    assert code == 2
    assert err.startswith("Lỗi [payment_term_invalid]: ") and "năm tròn, từ 2 đến 5 năm (24, 36, 48, 60 tháng)" in err


def test_the_commands_own_refusal_and_its_hint_in_both_languages() -> None:
    _, _, english = run("calc", "vsi", "--on", "01/08/2025", "--income", "1500000", "--months", "1", LANG="en_US.UTF-8")
    _, _, vietnamese = run("calc", "vsi", "--on", "01/08/2025", "--income", "1500000", "--months", "1")
    assert english == "Error [invalid_input]: --on: invalid date '01/08/2025' (use YYYY-MM-DD).\n"
    assert vietnamese == "Lỗi [invalid_input]: --on: ngày «01/08/2025» không hợp lệ (định dạng YYYY-MM-DD).\n"
    advance = ("calc", "vsi", "--on", "2022-05-08", "--income", "1500000", "--months", "24", "--advance")
    assert "Give the monthly rate with --rate, e.g. --rate 0.0031." in run(*advance, LANG="en_US.UTF-8")[2]
    assert "Nhập lãi suất tháng bằng --rate, ví dụ --rate 0.0031." in run(*advance)[2]


@pytest.mark.django_db
def test_a_database_command_speaks_the_language_too() -> None:
    code, out, _ = run("check", "integrity", LANG="en_US.UTF-8")
    assert (code, out.splitlines()[-1]) == (0, "0 problems")
    code, out, _ = run("check", "integrity")
    assert (code, out.splitlines()[-1]) == (0, "0 vấn đề")


def the_real_command(*args: str, **environ: str) -> subprocess.CompletedProcess[str]:
    """``python -m ansinh.cli`` in a process of its own, with no Django settings and no secret key."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in (*LOCALE_VARIABLES, "DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DEBUG", "DATABASE_URL")
    }
    env.update(environ, PYTHONPATH=str(SRC), COLUMNS="120")
    return subprocess.run(
        [sys.executable, "-m", "ansinh.cli", *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_calc_needs_no_settings_in_either_language() -> None:
    english = the_real_command(*QUOTE, LANG="en_US.UTF-8")
    assert english.returncode == 0, english.stderr
    assert "Participant pays" in english.stdout and "in force from" in english.stdout
    vietnamese = the_real_command(*ADVANCE_OF_18)
    assert vietnamese.returncode == 2 and vietnamese.stderr.startswith("Lỗi [payment_term_invalid]: ")
    refused = the_real_command(*ADVANCE_OF_18, LANG="en_US.UTF-8")
    assert refused.returncode == 2 and refused.stderr.startswith("Error [payment_term_invalid]: An advance is")


def test_the_help_is_in_the_language_of_the_environment() -> None:
    top = the_real_command("--help", LANG="en_US.UTF-8").stdout
    assert "voluntary social insurance and household health insurance" in top
    assert "BHXH tự nguyện và BHYT hộ gia đình" in the_real_command("--help").stdout
    assert "Chosen monthly income (đồng)." in the_real_command("calc", "vsi", "--help", LANG="en_US.UTF-8").stdout


# --- the demo's logins (manage.py demo_load, ansinh demo load) ---------------------------------------------


def account(index: int, has_demo_password: bool) -> DemoAccount:
    return DemoAccount(
        DEMO_LOGINS[index], get_user_model()(), created=has_demo_password, has_demo_password=has_demo_password
    )


def test_the_demo_logins_are_printed_in_english() -> None:
    with translation.override("en"):
        assert describe(account(0, True)) == (
            "admin / ansinh-demo-2022  — province administrator + Django admin; scope: the whole province of Nghệ An"
        )
        assert describe(account(3, False)) == (
            "daily: the account exists, its password is kept  — collection agent; scope: Thành Vinh ward"
        )


def test_the_demo_logins_are_printed_in_vietnamese_by_default() -> None:
    assert describe(account(0, True)) == (
        "admin / ansinh-demo-2022  — quản trị tỉnh + Django admin; phạm vi: toàn tỉnh Nghệ An"
    )
    assert describe(account(3, False)) == (
        "daily: tài khoản đã có, giữ nguyên mật khẩu  — nhân viên thu; phạm vi: P. Thành Vinh"
    )


@pytest.mark.parametrize(
    ("environ", "words"),
    [
        ({"LANG": "en_US.UTF-8"}, "Refusing to load the demo: run it with DEBUG=1"),
        ({}, "Không nạp demo: chỉ chạy khi DEBUG=1"),
    ],
)
def test_demo_load_refuses_in_the_language_of_the_environment(
    environ: dict[str, str], words: str, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.DEBUG = False
    for name in LOCALE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(CommandError, match=words):
        call_command("demo_load")
