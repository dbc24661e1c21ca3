"""The one error convention of ansinh: ``DomainError(code, message)``.

Every refusal carries a stable code (for API clients and the CLI), a Vietnamese message (shown
to users by default) and an English one. The API maps codes to HTTP statuses; the CLI exits 2.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ansinh.lib.i18n import N_, pick, translate


class ErrorCode(StrEnum):
    INVALID_INPUT = "invalid_input"
    PARAMETER_FILE_INVALID = "parameter_file_invalid"
    PARAMETER_NOT_FOUND = "parameter_not_found"
    PARAMETER_NOT_IN_FORCE = "parameter_not_in_force"
    PARAMETER_UNPUBLISHED = "parameter_unpublished"
    INCOME_BELOW_FLOOR = "income_below_floor"
    INCOME_ABOVE_CEILING = "income_above_ceiling"
    INCOME_OFF_STEP = "income_off_step"
    PAYMENT_TERM_INVALID = "payment_term_invalid"
    MONTHS_OVER_CAP = "months_over_cap"
    FUND_RETURN_MISSING = "fund_return_missing"
    SUPPORT_GROUP_UNKNOWN = "support_group_unknown"
    HOUSEHOLD_EMPTY = "household_empty"
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"
    UNAUTHENTICATED = "unauthenticated"
    CITIZEN_ID_INVALID = "citizen_id_invalid"
    SI_CODE_INVALID = "si_code_invalid"
    PHONE_INVALID = "phone_invalid"
    DUPLICATE_CITIZEN_ID = "duplicate_citizen_id"
    PROBABLE_DUPLICATE = "probable_duplicate"
    WRONG_AMOUNT = "wrong_amount"
    ALREADY_PAID = "already_paid"
    IDEMPOTENCY_CONFLICT = "idempotency_conflict"
    NO_RECEIPT_POOL = "no_receipt_pool"
    RATE_LIMITED = "rate_limited"
    NOT_ELIGIBLE = "not_eligible"  # the law gives nothing here (a benefit, a catch-up before the age)
    REQUEST_TOO_LARGE = "request_too_large"
    PERIOD_FROZEN = "period_frozen"
    ENROLLMENT_OVERLAP = "enrollment_overlap"
    QUOTE_OUTDATED = "quote_outdated"
    HAS_RECORDS = "has_records"


@dataclass(frozen=True)
class RowProblem:
    """What is wrong with one row of an imported file (row 1 is the header)."""

    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return translate(N_("dòng {row}, cột {column}: {reason}")).format(
                   row=self.row, column=self.column, reason=self.reason)


class DomainError(Exception):
    """A refusal the user can act on; ``message_vi`` is Vietnamese, ``message_en`` English, and
    ``message`` the one of the two in the language shown (lib/i18n.py: Vietnamese unless English is on)."""

    def __init__(self, code: ErrorCode, message: str, message_en: str, **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message_vi = str(message)  # str: a message marked lazily is read now
        self.message_en = message_en
        self.details = details

    @property
    def message(self) -> str:
        return pick(self.message_vi, self.message_en)

    def as_dict(self) -> dict[str, Any]:
        return {"code": str(self.code), "message": self.message, "message_en": self.message_en}


def invalid_input(message: str, message_en: str, **details: Any) -> DomainError:
    """The refusal of input the user can correct (``details["field"]`` names the field, when known)."""
    return DomainError(ErrorCode.INVALID_INPUT, message, message_en, **details)
