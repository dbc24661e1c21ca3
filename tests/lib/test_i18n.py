"""lib/i18n.py: the layers without Django speak the language shown once the ruleset app registered it;
the apps' models, choices and labels follow the language too (issue 15)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from ansinh.lib.errors import DomainError, ErrorCode, RowProblem
from ansinh.lib.i18n import translate
from ansinh.lib.text import clean_text
from ansinh.org.models import OrgKind, OrgUnit
from ansinh.reports.queries import LEVEL_NAMES
from ansinh.rules.params import Notice


def test_a_refusal_speaks_the_language_shown() -> None:
    error = DomainError(ErrorCode.INVALID_INPUT, "Sai.", "Wrong.")
    with translation.override("en"):
        assert error.message == "Wrong."
        assert error.as_dict()["message"] == "Wrong."
    with translation.override("vi"):
        assert error.message == "Sai."
    assert error.message_vi == "Sai."


def test_a_notice_speaks_it_too() -> None:
    notice = Notice("x", "Chưa cấu hình.", "Not configured.")
    with translation.override("en"):
        assert notice.message == "Not configured."
    assert notice.message == "Chưa cấu hình."


def test_text_built_in_lib_and_rules_comes_from_their_catalogues() -> None:
    with translation.override("en"):
        assert str(RowProblem(3, "name", "x")) == "row 3, column name: x"  # lib/locale
        assert translate("nhập số nguyên không âm") == "enter a non-negative whole number"  # rules/locale
        with pytest.raises(DomainError) as refused:
            clean_text("a\u200bb", "name", 20, "Họ và tên")
        assert refused.value.message == "name contains a hidden or control character (U+200B)."
    assert str(RowProblem(3, "name", "x")) == "dòng 3, cột name: x"


def test_models_and_choices_in_english_vietnamese_by_default() -> None:
    with translation.override("en"):
        assert str(OrgUnit._meta.verbose_name) == "organisation unit"
        assert str(OrgKind.COLLECTION_POINT.label) == "Collection point"
    assert str(OrgUnit._meta.verbose_name) == "đơn vị tổ chức"
    assert str(OrgKind.COLLECTION_POINT.label) == "Điểm thu"


def test_labels_read_as_plain_text_in_the_language_shown() -> None:
    with translation.override("en"):
        assert " › ".join([LEVEL_NAMES["province"], LEVEL_NAMES["commune"]]) == "Whole province › Commune/ward/township"
        assert type(LEVEL_NAMES.get("agent")) is str and dict(LEVEL_NAMES.items())["agent"] == "Collection agent"
    assert LEVEL_NAMES["province"] == "Toàn tỉnh"


def test_an_api_refusal_in_the_language_of_the_cookie() -> None:
    body = {"on": "2025-07-01", "income": 1000000, "months": 1}
    vietnamese = Client().post("/api/quotes/vsi", body, content_type="application/json").json()["error"]
    client = Client()
    client.cookies["ansinh_language"] = "en"
    english = client.post("/api/quotes/vsi", body, content_type="application/json").json()["error"]
    assert "thấp hơn mức tối thiểu" in vietnamese["message"]
    assert english["code"] == vietnamese["code"] == "income_below_floor"
    assert english["message"] == english["message_en"] == vietnamese["message_en"]
    assert english["message"].startswith("Income ") and "below the floor" in english["message"]
