from __future__ import annotations

import pytest

from ansinh.enrollment.references import enrollment_ids_in, reference_for


def test_the_reference_is_short_and_checked() -> None:
    assert reference_for(123456) == "AS123456C" + f"{98 - (12345600 % 97):02d}"
    assert len(reference_for(10**17)) <= 25
    with pytest.raises(ValueError):
        reference_for(0)


@pytest.mark.parametrize("description", [
    "NGUYEN VAN HUNG CHUYEN TIEN AS{ref} BHXH",
    "as{ref} đóng bhxh tự nguyện",
    "MBVCB.123.AS{ref}.CT tu 0123",
    "A S {ref}",  # spaces inserted by the bank: still found once they are dropped
])
def test_a_reference_is_found_in_what_banks_do_to_a_description(description: str) -> None:
    ref = reference_for(4711)[2:]
    assert enrollment_ids_in(description.format(ref=ref)) == [4711]


def test_a_mistyped_digit_is_not_a_reference() -> None:
    good = reference_for(4711)
    typo = good.replace("4711", "4712")
    assert enrollment_ids_in(f"CK {typo}") == []
    assert enrollment_ids_in(f"{good} {reference_for(90)} {good}") == [4711, 90]
