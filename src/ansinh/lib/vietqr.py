"""VietQR: the NAPAS 247 bank-transfer payload, an EMVCo merchant-presented QR code ("QR chuyển khoản").

Each data object is ID (2 digits) + length (2 digits) + value. A payment QR for an exact amount:

- 00 payload format "01"; 01 point of initiation "12" (dynamic: it carries an amount);
- 38 the beneficiary: 00 the NAPAS GUID "A000000727", 01 {00 the bank's BIN (6 digits), 01 the account
  number (≤ 19)}, 02 the service "QRIBFTTA" (transfer to an account);
- 53 currency "704" (VND), 54 the amount (whole đồng), 58 country "VN";
- 62 additional data: 08 the purpose of the transfer (≤ 25), where the enrolment's reference goes;
- 63 the CRC-16/CCITT-FALSE (polynomial 0x1021, initial 0xFFFF) of everything before it, "6304" included,
  in 4 upper-case hex digits.

Checked against a published payload (tests/lib/test_vietqr.py) and decoded back from the rendered image.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

GUID = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"
CURRENCY_VND = "704"
MAX_PURPOSE = 25
_BIN = re.compile(r"\d{6}")
_ACCOUNT = re.compile(r"[0-9A-Za-z]{1,19}")
_CROSSED_D = {0x0111: "d", 0x0110: "D"}  # the one Vietnamese letter NFKD does not decompose


class VietQrError(ValueError):
    """A value the payload cannot carry, or a payload that does not read back."""


@dataclass(frozen=True)
class Transfer:
    bank_bin: str
    account: str
    amount: int
    purpose: str


def crc16(data: bytes) -> int:
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def _tlv(tag: str, value: str) -> str:
    if len(value) > 99:
        raise VietQrError(f"data object {tag} is longer than 99 characters")
    return f"{tag}{len(value):02d}{value}"


def plain(text: str) -> str:
    """What a banking app shows of a purpose: no accents (d for the crossed d), printable ASCII, single spaces."""
    folded = unicodedata.normalize("NFKD", text.translate(_CROSSED_D))
    ascii_only = folded.encode("ascii", "ignore").decode("ascii")
    return re.sub(r"\s+", " ", re.sub(r"[^ -~]", " ", ascii_only)).strip()


def payload(transfer: Transfer) -> str:
    if not _BIN.fullmatch(transfer.bank_bin):
        raise VietQrError("the bank's BIN has 6 digits")
    if not _ACCOUNT.fullmatch(transfer.account):
        raise VietQrError("the account number has 1 to 19 letters or digits")
    if not 0 < transfer.amount < 10**13:
        raise VietQrError("the amount is a positive whole number of dong, at most 13 digits")
    purpose = plain(transfer.purpose)
    if len(purpose) > MAX_PURPOSE:
        raise VietQrError(f"the purpose has at most {MAX_PURPOSE} characters")
    beneficiary = _tlv("00", transfer.bank_bin) + _tlv("01", transfer.account)
    body = (_tlv("00", "01") + _tlv("01", "12")
            + _tlv("38", _tlv("00", GUID) + _tlv("01", beneficiary) + _tlv("02", SERVICE_TO_ACCOUNT))
            + _tlv("53", CURRENCY_VND) + _tlv("54", str(transfer.amount)) + _tlv("58", "VN")
            + (_tlv("62", _tlv("08", purpose)) if purpose else "") + "6304")
    return body + f"{crc16(body.encode('ascii')):04X}"


def _objects(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    at = 0
    while at < len(text):
        tag, size = text[at:at + 2], text[at + 2:at + 4]
        if len(tag) < 2 or not size.isdigit() or at + 4 + int(size) > len(text):
            raise VietQrError(f"malformed data object at {at}")
        found[tag] = text[at + 4:at + 4 + int(size)]
        at += 4 + int(size)
    return found


def parse(text: str) -> Transfer:
    """The transfer a payload asks for; its CRC is checked."""
    if len(text) < 8 or text[-8:-4] != "6304":
        raise VietQrError("no CRC at the end")
    if f"{crc16(text[:-4].encode('ascii')):04X}" != text[-4:].upper():
        raise VietQrError("the CRC does not match")
    root = _objects(text[:-8])
    account = _objects(root.get("38", ""))
    if account.get("00") != GUID or account.get("02") != SERVICE_TO_ACCOUNT:
        raise VietQrError("not a NAPAS transfer to an account")
    beneficiary = _objects(account.get("01", ""))
    if root.get("53") != CURRENCY_VND or root.get("58") != "VN" or not root.get("54", "").isdigit():
        raise VietQrError("not an amount in VND")
    extra = _objects(root["62"]) if "62" in root else {}
    return Transfer(beneficiary.get("00", ""), beneficiary.get("01", ""), int(root["54"]), extra.get("08", ""))
