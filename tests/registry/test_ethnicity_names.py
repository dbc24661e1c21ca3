"""Ethnic names as in the official list (issue 13 #15): "Mông", and the older spellings still read."""

from ansinh.registry.ethnicities import ETHNICITIES, ethnicity_code


def test_code_08_is_named_mong_and_the_old_spellings_still_read() -> None:
    assert dict(ETHNICITIES)["08"] == "Mông"
    assert not any("HMông" in name for _, name in ETHNICITIES)
    assert {ethnicity_code(text) for text in ("Mông", "HMông", "H'Mông", "hmong", "08")} == {"08"}
