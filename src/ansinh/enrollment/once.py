"""Enrolment once (ADR 0007): the idempotency key of an enrolment request and the refusal of a second
live term over the same days. The database backs both (a unique key per actor, and an exclusion
constraint or triggers against overlaps); these checks run first so that the refusal names the months
or days and the existing term, and the database is the backstop for races."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.utils.translation import gettext as _

from ansinh.enrollment.models import Enrollment, EnrollmentStatus, HiCardLine, Scheme
from ansinh.lib.errors import DomainError, ErrorCode, invalid_input
from ansinh.lib.periods import format_date_vi
from ansinh.registry.models import Person

KEY_MAX_LENGTH = 100


def clean_key(key: str | None) -> str | None:
    """The key as stored; None when the caller is an internal writer (demo, seed) that sends none."""
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > KEY_MAX_LENGTH:
        raise invalid_input(_("Mã chống trùng (Idempotency-Key) phải có từ 1 đến {KEY_MAX_LENGTH} ký tự.").format(
                                KEY_MAX_LENGTH=KEY_MAX_LENGTH),
                            f"The idempotency key must have 1 to {KEY_MAX_LENGTH} characters.", field="key")
    return key


def digest(request: dict[str, Any]) -> str:
    """What the client asked for (not what the registry derived from it), as a stable hash."""
    return hashlib.sha256(json.dumps(request, sort_keys=True, default=str).encode()).hexdigest()


def user_of(actor: AbstractBaseUser | None) -> AbstractBaseUser | None:
    return actor if actor is not None and actor.is_authenticated else None


def replay(actor: AbstractBaseUser | None, key: str | None, request_digest: str) -> Enrollment | None:
    """The enrollment this actor already made with this key, if the request is the same one."""
    if key is None:
        return None
    found = Enrollment.objects.filter(created_by=user_of(actor), idempotency_key=key).first()
    if found is not None and found.request_digest != request_digest:
        raise DomainError(ErrorCode.IDEMPOTENCY_CONFLICT,
                          _("Mã chống trùng (Idempotency-Key) này đã dùng cho một đăng ký khác; tải lại trang "
                          "(hoặc dùng mã mới) để đăng ký lần nữa."),
                          "This idempotency key was used for a different enrolment.")
    return found


def lock_people(person_ids: list[int]) -> None:
    """Serialise enrolments (and payments, see ``recheck_before_payment``) of the same people; in
    primary-key order, so that two households sharing a member cannot deadlock."""
    list(Person.objects.select_for_update().filter(pk__in=person_ids).order_by("pk").values_list("pk", flat=True))


def lock_person(person_id: int) -> None:
    """``lock_people`` of one person, as SQL written once (the payment path runs it on every payment)."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""  # SQLite: the write lock serialises
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {connection.ops.quote_name(Person._meta.db_table)} WHERE id = %s{lock}",
                       [person_id])
        cursor.fetchall()


def _status(enrollment: Enrollment) -> str:
    return EnrollmentStatus(enrollment.status).label.lower()


def refuse_vsi_overlap(person: Person, start: date, end: date) -> None:
    clash = (Enrollment.objects.filter(person=person, scheme=Scheme.VSI, period_start__lte=end, period_end__gte=start)
             .exclude(status=EnrollmentStatus.CANCELLED).order_by("period_start").first())
    if clash is None:
        return
    first, last = max(start, clash.period_start), min(end, clash.period_end)
    advice = (_(" Hãy thu tiền kỳ đó, hoặc huỷ kỳ chờ thu rồi tính lại.") if clash.status == EnrollmentStatus.PENDING
              else "")
    raise DomainError(
        ErrorCode.ENROLLMENT_OVERLAP,
        _("{full_name} đã có kỳ đóng BHXH tự nguyện số {pk} ({value}) từ tháng {period_start:%m/%Y} đến tháng "
          "{period_end:%m/%Y}: các tháng {first:%m/%Y}–{last:%m/%Y} không thể đăng ký lần nữa.{advice}").format(
            full_name=person.full_name, pk=clash.pk, value=_status(clash), period_start=clash.period_start,
            period_end=clash.period_end, first=first, last=last, advice=advice),
        f"Months {first:%m/%Y}-{last:%m/%Y} are already in live term {clash.pk}.", field="months",
        enrollment_id=clash.pk)


def refuse_hi_overlap(person_ids: list[int], start: date, end: date) -> None:
    clashes = list(HiCardLine.objects.filter(person_id__in=person_ids, live=True, valid_from__lte=end,
                                             valid_to__gte=start)
                   .select_related("person", "enrollment").order_by("person_id", "valid_from"))
    if not clashes:
        return
    parts = [_("{full_name} đã có thẻ BHYT hộ gia đình (kỳ số {enrollment_id}, {value}) từ {value2} đến {value3}, "
               "trùng các ngày {value4}–{value5}").format(
                 full_name=line.person.full_name, enrollment_id=line.enrollment_id, value=_status(line.enrollment),
                 value2=format_date_vi(line.valid_from), value3=format_date_vi(line.valid_to),
                 value4=format_date_vi(max(start, line.valid_from)), value5=format_date_vi(min(end, line.valid_to)))
             for line in clashes]
    raise DomainError(ErrorCode.ENROLLMENT_OVERLAP,
                      "; ".join(parts) + _(". Mỗi người chỉ có một thẻ còn hiệu lực cho mỗi ngày: bỏ chọn người đó, "
                      "hoặc thu tiền / huỷ kỳ chờ thu rồi tính lại."),
                      "A member already has a live card on these days.", field="members",
                      enrollment_id=clashes[0].enrollment_id)
