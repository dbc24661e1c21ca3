"""Every change to people and households: validated first, scoped, one transaction, audited.

A refused input raises DomainError before anything is written, and the transaction makes sure a
failure half-way leaves nothing behind.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, cast

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from ansinh.areas.models import COMMUNE_LEVELS, AdministrativeUnit
from ansinh.lib.errors import DomainError, ErrorCode, invalid_input
from ansinh.lib.identifiers import Sex as SexCode
from ansinh.lib.identifiers import check_citizen_id, check_si_code, mask_citizen_id, mask_phone, normalize_phone
from ansinh.lib.text import fold
from ansinh.org.scope import Scope, not_found
from ansinh.registry.ethnicities import ETHNICITIES
from ansinh.registry.models import (
    AuditEntry,
    Household,
    HouseholdPoverty,
    Membership,
    Person,
    PovertyStatus,
    Relationship,
    Sex,
)

PERSON_FIELDS = ("full_name", "date_of_birth", "sex", "ethnicity", "citizen_id", "si_code", "phone", "area_id",
                 "address_detail")
ETHNICITY_CODES = {code for code, _ in ETHNICITIES}


@dataclass(frozen=True)
class PersonData:
    full_name: str
    date_of_birth: date
    sex: str
    area_id: int
    ethnicity: str = "01"
    citizen_id: str | None = None
    si_code: str | None = None
    phone: str = ""
    address_detail: str = ""


def clean_person(data: PersonData) -> PersonData:
    """The data with identifiers normalised; refuses the first problem with a Vietnamese message."""
    name = " ".join(data.full_name.split())
    if not name:
        raise invalid_input("Họ và tên là bắt buộc.", "Full name is required.", field="full_name")
    if data.sex not in Sex.values:
        raise invalid_input("Giới tính phải là nam hoặc nữ.", "Sex must be male or female.", field="sex")
    if data.ethnicity not in ETHNICITY_CODES:
        raise invalid_input(f"Mã dân tộc «{data.ethnicity}» không có trong danh mục 54 dân tộc.", "Unknown ethnicity.",
                       field="ethnicity")
    cid = check_citizen_id(data.citizen_id, data.date_of_birth, cast(SexCode, data.sex)) if data.citizen_id else None
    si_code = check_si_code(data.si_code) if data.si_code else None
    phone = normalize_phone(data.phone) if data.phone else ""
    return replace(data, full_name=name, citizen_id=cid, si_code=si_code, phone=phone,
                   address_detail=data.address_detail.strip())


def commune_in_scope(scope: Scope, code: str) -> int:
    """The id of the commune with this code in force now-or-later that the scope covers (API input)."""
    for unit in AdministrativeUnit.objects.filter(code=code, level__in=COMMUNE_LEVELS, valid_to__isnull=True):
        if scope.has_area(unit.pk):
            return unit.pk
    raise invalid_input(f"Không có xã/phường mã {code} trong địa bàn của bạn.", f"No commune {code} in your scope.",
                   field="area")


def _commune(scope: Scope, area_id: int) -> AdministrativeUnit:
    area = AdministrativeUnit.objects.filter(pk=area_id).first()
    if area is None or area.level not in COMMUNE_LEVELS:
        raise invalid_input("Địa chỉ phải là một xã, phường hoặc thị trấn.", "The area must be a commune.",
                            field="area")
    scope.require_write(area.pk)
    return area


def _masked(field: str, value: Any) -> Any:
    """Audit entries keep changes, but never a full citizen ID or phone."""
    if value and field == "citizen_id":
        return mask_citizen_id(str(value))
    if value and field == "phone":
        return mask_phone(str(value))
    return value.isoformat() if isinstance(value, date) else value


def audit(actor: AbstractBaseUser | None, action: str, entity: str, entity_id: int, area_id: int | None,
          changes: dict[str, Any] | None = None) -> None:
    AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action, entity=entity, entity_id=entity_id, area_id=area_id,
        changes={k: [_masked(k, old), _masked(k, new)] for k, (old, new) in (changes or {}).items()},
    )


def _check_duplicates(scope: Scope, data: PersonData, confirm: bool, exclude: int | None = None) -> None:
    if data.citizen_id:
        existing = Person.objects.filter(citizen_id=data.citizen_id).exclude(pk=exclude).first()
        if existing is not None:
            where = (f"người #{existing.pk} — {existing.full_name}" if scope.has_area(existing.area_id)
                     else "một người ở địa bàn khác")
            raise DomainError(
                ErrorCode.DUPLICATE_CITIZEN_ID,
                f"Số định danh {mask_citizen_id(data.citizen_id)} đã được đăng ký cho {where}.",
                "This citizen ID is already registered.",
                existing_id=existing.pk if scope.has_area(existing.area_id) else None,
            )
    if confirm:
        return
    probable = Person.objects.filter(
        folded_name=fold(data.full_name), date_of_birth=data.date_of_birth, area_id=data.area_id
    ).exclude(pk=exclude)
    ids = list(probable.values_list("pk", flat=True)[:5])
    if ids:
        raise DomainError(
            ErrorCode.PROBABLE_DUPLICATE,
            f"Có thể trùng: đã có {len(ids)} người cùng họ tên, ngày sinh và xã/phường (#"
            + ", #".join(map(str, ids)) + "). Kiểm tra lại, hoặc xác nhận đây là người khác.",
            "A person with the same name, date of birth and commune exists; confirm to create anyway.",
            candidates=ids,
        )


@transaction.atomic
def create_person(actor: AbstractBaseUser | None, scope: Scope, data: PersonData,
                  confirm_probable_duplicate: bool = False) -> Person:
    data = clean_person(data)
    _commune(scope, data.area_id)
    _check_duplicates(scope, data, confirm_probable_duplicate)
    values = {f: getattr(data, f) for f in PERSON_FIELDS}
    try:
        with transaction.atomic():
            person = Person.objects.create(folded_name=fold(data.full_name), **values)
    except IntegrityError:  # a concurrent registration of the same ID won the race
        _check_duplicates(scope, data, confirm=True)
        raise
    audit(actor, "create", "person", person.pk, person.area_id, {k: (None, v) for k, v in values.items() if v})
    return person


def _person_in_scope(scope: Scope, person_id: int, lock: bool = False) -> Person:
    people = Person.objects.select_for_update() if lock else Person.objects
    person = people.filter(pk=person_id).first()
    if person is None or not scope.has_area(person.area_id):
        raise not_found()
    return person


@transaction.atomic
def update_person(actor: AbstractBaseUser | None, scope: Scope, person_id: int, data: PersonData,
                  confirm_probable_duplicate: bool = True) -> Person:
    person = _person_in_scope(scope, person_id, lock=True)
    scope.require_write(person.area_id)
    data = clean_person(data)
    _commune(scope, data.area_id)
    _check_duplicates(scope, data, confirm_probable_duplicate, exclude=person.pk)
    changes = {f: (getattr(person, f), getattr(data, f)) for f in PERSON_FIELDS
               if getattr(person, f) != getattr(data, f)}
    for field, (_, new) in changes.items():
        setattr(person, field, new)
    person.folded_name = fold(person.full_name)
    person.save()
    if changes:
        audit(actor, "update", "person", person.pk, person.area_id, changes)
    return person


@transaction.atomic
def delete_person(actor: AbstractBaseUser | None, scope: Scope, person_id: int) -> None:
    person = _person_in_scope(scope, person_id, lock=True)
    scope.require_write(person.area_id)
    if person.memberships.exists():
        raise DomainError(ErrorCode.INVALID_INPUT, "Người này còn là thành viên của hộ; hãy kết thúc tư cách "
                          "thành viên trước khi xoá.", "Remove the person from households first.")
    audit(actor, "delete", "person", person.pk, person.area_id, {"full_name": (person.full_name, None)})
    try:
        person.delete()
    except ProtectedError as kept:  # terms, card lines, payments, consultations: records that must stay
        raise DomainError(ErrorCode.HAS_RECORDS, "Không thể xoá: người này đã có kỳ đóng, thẻ BHYT hoặc hồ sơ "
                          "khác gắn với mình, cần được lưu giữ.", "The person has records that must be kept.") from kept


@transaction.atomic
def reveal_citizen_id(actor: AbstractBaseUser | None, scope: Scope, person_id: int) -> str:
    """The full citizen ID of someone in scope, for roles allowed to see it; the viewing is audited."""
    person = _person_in_scope(scope, person_id)
    if not scope.can_reveal:
        raise DomainError(ErrorCode.FORBIDDEN, "Vai trò của bạn không được xem số định danh đầy đủ.",
                          "Your role may not see full citizen IDs.")
    audit(actor, "reveal", "person", person.pk, person.area_id, {"citizen_id": (None, "viewed")})
    return person.citizen_id or ""


def _next_household_code(area: AdministrativeUnit) -> str:
    prefix = f"HGD{area.code}-"
    taken = Household.objects.filter(code__startswith=prefix).count()
    return f"{prefix}{taken + 1:05d}"


@transaction.atomic
def create_household(actor: AbstractBaseUser | None, scope: Scope, head: PersonData, joined: date,
                     address_detail: str = "", code: str | None = None,
                     confirm_probable_duplicate: bool = False) -> Household:
    """A new household and its head, who joins it on ``joined``."""
    area = _commune(scope, head.area_id)
    person = create_person(actor, scope, head, confirm_probable_duplicate)
    household = Household.objects.create(code=code or _next_household_code(area), head=person, area=area,
                                         address_detail=address_detail.strip() or person.address_detail)
    audit(actor, "create", "household", household.pk, area.pk, {"code": (None, household.code)})
    _join(actor, household, person, Relationship.HEAD, joined)
    return household


@transaction.atomic
def update_household(actor: AbstractBaseUser | None, scope: Scope, household_id: int, address_detail: str) -> Household:
    household = _household_in_scope(scope, household_id)
    address = address_detail.strip()
    if address != household.address_detail:
        audit(actor, "update", "household", household.pk, household.area_id,
              {"address_detail": (household.address_detail, address)})
        household.address_detail = address
        household.save(update_fields=["address_detail"])
    return household


def _household_in_scope(scope: Scope, household_id: int) -> Household:
    household = Household.objects.select_for_update().filter(pk=household_id).first()
    if household is None or not scope.has_area(household.area_id):
        raise not_found()
    scope.require_write(household.area_id)
    return household


def _join(actor: AbstractBaseUser | None, household: Household, person: Person, relationship: str,
          joined: date) -> Membership:
    if household.memberships.filter(person=person, valid_to__isnull=True).exists():
        raise invalid_input("Người này đang là thành viên của hộ.", "Already a member.")
    membership = Membership.objects.create(household=household, person=person, relationship=relationship,
                                           valid_from=joined)
    audit(actor, "create", "membership", membership.pk, household.area_id,
          {"household": (None, household.code), "person": (None, person.pk), "relationship": (None, relationship)})
    return membership


@transaction.atomic
def add_member(actor: AbstractBaseUser | None, scope: Scope, household_id: int, relationship: str, joined: date,
               person_id: int | None = None, new_person: PersonData | None = None,
               confirm_probable_duplicate: bool = False) -> Membership:
    household = _household_in_scope(scope, household_id)
    if relationship not in Relationship.values or relationship == Relationship.HEAD:
        raise invalid_input("Quan hệ với chủ hộ không hợp lệ.", "Invalid relationship.", field="relationship")
    if person_id is not None:
        person = _person_in_scope(scope, person_id)
    elif new_person is not None:
        person = create_person(actor, scope, new_person, confirm_probable_duplicate)
    else:
        raise invalid_input("Chọn người đã có hoặc nhập người mới.", "Give a person.")
    return _join(actor, household, person, relationship, joined)


@transaction.atomic
def end_membership(actor: AbstractBaseUser | None, scope: Scope, membership_id: int, left: date) -> Membership:
    membership = Membership.objects.select_related("household").filter(pk=membership_id, valid_to__isnull=True).first()
    if membership is None:
        raise not_found()
    _household_in_scope(scope, membership.household_id)
    if left < membership.valid_from:
        raise invalid_input("Ngày rời hộ không được trước ngày vào hộ.", "Leaving date before joining date.")
    membership.valid_to = left
    membership.save(update_fields=["valid_to"])
    audit(actor, "update", "membership", membership.pk, membership.household.area_id, {"valid_to": (None, left)})
    return membership


@transaction.atomic
def set_poverty_status(actor: AbstractBaseUser | None, scope: Scope, household_id: int, status: str,
                       valid_from: date, document: str = "") -> HouseholdPoverty:
    """A new status from ``valid_from``; the status in force until then ends the day before."""
    household = _household_in_scope(scope, household_id)
    if status not in PovertyStatus.values:
        raise invalid_input("Tình trạng phải là hộ nghèo, cận nghèo hoặc không.", "Invalid status.", field="status")
    if status != PovertyStatus.NONE and not document.strip():
        raise invalid_input("Cần ghi văn bản công nhận hộ nghèo/cận nghèo.", "A certifying document is required.",
                       field="document")
    open_status = household.poverty_statuses.filter(valid_to__isnull=True).first()
    if open_status is not None:
        if valid_from <= open_status.valid_from:
            raise invalid_input("Ngày hiệu lực phải sau tình trạng hiện tại.", "Must start after the current status.")
        open_status.valid_to = valid_from - timedelta(days=1)
        open_status.save(update_fields=["valid_to"])
    record = HouseholdPoverty.objects.create(household=household, status=status, valid_from=valid_from,
                                             document=document.strip())
    audit(actor, "create", "poverty", record.pk, household.area_id,
          {"status": (open_status.status if open_status else None, status), "valid_from": (None, valid_from)})
    return record
