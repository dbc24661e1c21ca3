"""The short payment reference of an enrolment, written in a bank transfer's description.

``AS<id>C<check>``: the enrolment's id in decimal, then ``C`` and a two-digit mod-97 check (ISO 7064
style), e.g. ``AS123456C42``. Only capitals and digits, so it survives what banks do to a description
(upper-casing, dropping accents, spaces and punctuation); the check catches a mistyped digit. It is at
most 25 characters, the limit of the VietQR "purpose of transaction" field (EMVCo tag 62-08).
"""

from __future__ import annotations

import re
import unicodedata

PREFIX = "AS"
_FOUND = re.compile(r"AS(\d{1,18})C(\d{2})")


def _check(number: int) -> int:
    return 98 - (number * 100) % 97


def reference_for(enrollment_id: int) -> str:
    if enrollment_id <= 0:
        raise ValueError("an enrolment's id is positive")
    return f"{PREFIX}{enrollment_id}C{_check(enrollment_id):02d}"


def _folded(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^0-9A-Z]", "", plain.upper())


def enrollment_ids_in(description: str) -> list[int]:
    """Every well-formed reference in a bank description, in order (a wrong check is ignored)."""
    found: list[int] = []
    for match in _FOUND.finditer(_folded(description)):
        number, check = int(match.group(1)), int(match.group(2))
        if number > 0 and _check(number) == check and number not in found:
            found.append(number)
    return found
