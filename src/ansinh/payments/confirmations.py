"""BHXH's confirmation code per payment (issue 20): once the office has processed the filed list it
returns a code per receipt, which the participant can check on BHXH's site. A manager records it by
hand or imports the office's CSV (``so_bien_lai,ma_xac_nhan``). Written once: the same code again
changes nothing (idempotent), another code for a confirmed receipt is refused; each write is audited."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.lib.errors import DomainError, ErrorCode, invalid_input
from ansinh.org.models import Role
from ansinh.org.scope import Scope, not_found
from ansinh.payments.models import Payment
from ansinh.registry.audit import audit

MANAGERS = frozenset({Role.PROVINCE_ADMIN, Role.OFFICE_MANAGER, Role.COLLECTOR_MANAGER})
CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9./_-]{2,39}")


def _forbidden() -> DomainError:
    return DomainError(ErrorCode.FORBIDDEN, _("Chỉ cán bộ quản lý được ghi mã xác nhận của BHXH."),
                       "Only a manager records BHXH's confirmation code.")


def _clean(code: str) -> str:
    code = code.strip()
    if not CODE.fullmatch(code):
        raise invalid_input(_("Mã xác nhận phải gồm 3–40 chữ, số hoặc . / _ -."), "Bad confirmation code.",
                            field="code")
    return code


def _payment(scope: Scope, receipt_serial: str) -> Payment:
    """The payment of a receipt by its printed serial (series-number)."""
    series, _unused, number = receipt_serial.strip().rpartition("-")
    if not series or not number.isdigit():
        raise not_found()
    payment = (Payment.objects.select_for_update(of=("self",)).select_related("enrollment")
               .filter(receipt__pool__series=series, receipt__number=int(number), reverses__isnull=True).first())
    if payment is None or not scope.has_area(payment.enrollment.area_id):
        raise not_found()
    return payment


def _write(actor: AbstractBaseUser, scope: Scope, receipt_serial: str, code: str) -> bool:
    """True when the code was written now; False when it was already there."""
    payment = _payment(scope, receipt_serial)
    scope.require_write(payment.enrollment.area_id)
    if payment.bhxh_confirmation == code:
        return False
    if payment.bhxh_confirmation:
        raise DomainError(ErrorCode.IDEMPOTENCY_CONFLICT, _("Biên lai {receipt_serial} đã có mã xác nhận khác "
                                                            "({bhxh_confirmation}).").format(
                                                              receipt_serial=receipt_serial,
                                                              bhxh_confirmation=payment.bhxh_confirmation),
                                                              "Another confirmation code is recorded.", field="code")
    Payment.objects.filter(pk=payment.pk).update(bhxh_confirmation=code, confirmed_at=timezone.now(),
                                                 confirmed_by=actor)
    audit(actor, "confirm", "payment", payment.pk, payment.enrollment.area_id,
          {"bhxh_confirmation": ("", code), "receipt": (None, receipt_serial)})
    return True


def may_confirm(scope: Scope) -> bool:
    """Whether this scope records BHXH's confirmation codes (the receipt page offers the form only then)."""
    return scope.role in MANAGERS


@transaction.atomic
def record_confirmation(actor: AbstractBaseUser, scope: Scope, receipt_serial: str, code: str) -> bool:
    if not may_confirm(scope):
        raise _forbidden()
    return _write(actor, scope, receipt_serial, _clean(code))


@dataclass
class ConfirmationReport:
    rows: int = 0
    written: int = 0
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)


def import_confirmations(actor: AbstractBaseUser, scope: Scope, text: str) -> ConfirmationReport:
    """All or nothing: every row is checked; one bad row and nothing is written (the report lists them)."""
    if scope.role not in MANAGERS:
        raise _forbidden()
    report = ConfirmationReport()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if not {"so_bien_lai", "ma_xac_nhan"} <= set(reader.fieldnames or []):
        raise invalid_input(_("Tệp cần các cột so_bien_lai, ma_xac_nhan."), "Columns so_bien_lai, ma_xac_nhan needed.")
    rows = list(reader)
    report.rows = len(rows)
    try:
        with transaction.atomic():
            for number, row in enumerate(rows, start=2):
                try:
                    if _write(actor, scope, row["so_bien_lai"] or "", _clean(row["ma_xac_nhan"] or "")):
                        report.written += 1
                    else:
                        report.unchanged += 1
                except DomainError as error:
                    report.problems.append(_("Dòng {number}: {message}").format(
                                               number=number, message=error.message))
            if report.problems:
                raise _Rollback
    except _Rollback:
        report.written = report.unchanged = 0
    return report


class _Rollback(Exception):
    pass
