"""One normalisation for names and free text (issue 12, seen 6): NFC, trimmed, one space, and
refusals for characters that hide or reorder text."""

from __future__ import annotations

import unicodedata

import pytest

from ansinh.lib.errors import DomainError
from ansinh.lib.text import NAME_MAX, clean_text


def refusal(value: str, max_length: int = NAME_MAX) -> DomainError:
    with pytest.raises(DomainError) as refused:
        clean_text(value, "full_name", max_length, "Họ và tên")
    assert refused.value.code == "invalid_input" and refused.value.details["field"] == "full_name"
    return refused.value


def test_nfd_input_is_stored_nfc() -> None:
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Ánh")
    assert nfd != "Nguyễn Thị Ánh"
    assert clean_text(nfd, "full_name", NAME_MAX) == "Nguyễn Thị Ánh"


def test_it_trims_and_collapses_inner_whitespace_tabs_and_newlines() -> None:
    assert clean_text("  Lê \t Văn\n\u00a0Tám ", "full_name", NAME_MAX) == "Lê Văn Tám"


@pytest.mark.parametrize("hidden", ["\u200b", "\u200d", "\u200e", "\u200f", "\u202a", "\u202e", "\u2066", "\u2069",
                                    "\ufeff", "\x00", "\x07", "\x1b"])
def test_it_refuses_control_zero_width_and_bidi_characters(hidden: str) -> None:
    error = refusal(f"Lê Văn{hidden} Tám")
    assert "Họ và tên" in error.message and f"U+{ord(hidden):04X}" in error.message


def test_it_refuses_a_pile_of_combining_marks_but_accepts_vietnamese_in_nfd() -> None:
    assert clean_text(unicodedata.normalize("NFD", "Nguyễn Ệ Ộ"), "full_name", NAME_MAX) == "Nguyễn Ệ Ộ"
    assert clean_text("x\u0301\u0323\u0302", "full_name", NAME_MAX) == "x\u0323\u0301\u0302"  # 3 marks: kept
    error = refusal("Zalgo" + "\u0301" * 50)
    assert "dấu" in error.message


def test_it_refuses_text_over_the_length_limit_after_normalising() -> None:
    assert clean_text("A" * 200, "full_name", NAME_MAX) == "A" * 200
    error = refusal("A" * 201)
    assert "200" in error.message
    assert clean_text(" " * 300 + "A", "full_name", NAME_MAX) == "A"


def test_an_empty_value_is_empty_and_a_required_one_is_refused() -> None:
    assert clean_text("   ", "address_detail", 300) == ""
    with pytest.raises(DomainError) as refused:
        clean_text("  ", "full_name", NAME_MAX, "Họ và tên", required=True)
    assert refused.value.message == "Họ và tên là bắt buộc."
