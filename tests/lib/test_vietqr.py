from __future__ import annotations

import pytest

from ansinh.lib.vietqr import Transfer, VietQrError, crc16, parse, payload

# Published with subiz/vietqr (Go, MIT): 120.000 đ to VietinBank (BIN 970415) account 0011001932418,
# purpose "ủng hộ lũ lụt" — an implementation banks' apps read, independent of this one.
PUBLISHED = ("00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA530370454061200005802VN"
             "62170813ung ho lu lut6304C15C")


def test_the_crc_is_ccitt_false() -> None:
    assert crc16(b"123456789") == 0x29B1  # the catalogue's check value of CRC-16/CCITT-FALSE


def test_the_payload_equals_a_published_one_to_the_character() -> None:
    assert payload(Transfer("970415", "0011001932418", 120_000, "ủng hộ lũ lụt")) == PUBLISHED


def test_a_payload_reads_back_and_a_changed_character_is_refused() -> None:
    text = payload(Transfer("970405", "3600205123456", 1_650_000, "AS4711C53"))
    assert parse(text) == Transfer("970405", "3600205123456", 1_650_000, "AS4711C53")
    assert parse(PUBLISHED) == Transfer("970415", "0011001932418", 120_000, "ung ho lu lut")
    with pytest.raises(VietQrError, match="CRC"):
        parse(text.replace("1650000", "1950000"))


@pytest.mark.parametrize(("transfer", "reason"), [
    (Transfer("97040", "1", 1, ""), "BIN"),
    (Transfer("970405", "12-34", 1, ""), "account"),
    (Transfer("970405", "1", 0, ""), "amount"),
    (Transfer("970405", "1", 1, "x" * 26), "purpose"),
])
def test_values_the_payload_cannot_carry_are_refused(transfer: Transfer, reason: str) -> None:
    with pytest.raises(VietQrError, match=reason):
        payload(transfer)
