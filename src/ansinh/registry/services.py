"""Every change to people and households: validated first, scoped, one transaction, audited.

A refused input raises DomainError before anything is written, and the transaction makes sure a
failure half-way leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date
from typing import cast

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ansinh.areas.models import COMMUNE_LEVELS, AdministrativeUnit
from ansinh.lib.dates import DAY, MONTH, YEAR, age_reference, check_birth_date
from ansinh.lib.errors import DomainError, ErrorCode, invalid_input
from ansinh.lib.identifiers import Sex as SexCode
from ansinh.lib.identifiers import check_citizen_id, check_si_code, normalize_phone
from ansinh.lib.text import ADDRESS_MAX, NAME_MAX, clean_text, fold
from ansinh.org.fields import AUDITED, PersonalField, mask, may_reveal, prefilled, shown
from ansinh.org.scope import Scope, not_found
from ansinh.registry import codes, relationships, support
from ansinh.registry.audit import audit, audit_read, masked_query, record_lookup
from ansinh.registry.ethnicities import ETHNICITIES, UNKNOWN
from ansinh.registry.models import (
    Household,
    HouseholdPoverty,
    Membership,
    Person,
    PovertyStatus,
    Relationship,
    Sex,
    SupportChangeRequest,
    SupportField,
)

PERSON_FIELDS = ("full_name", "date_of_birth", "birth_precision", "sex", "ethnicity", "citizen_id", "si_code",
                 "phone", "area_id", "address_detail")
ETHNICITY_CODES = {code for code, _unused in ETHNICITIES}


@dataclass(frozen=True)
class PersonData:
    full_name: str
    date_of_birth: date
    sex: str
    area_id: int
    ethnicity: str = UNKNOWN
    citizen_id: str | None = None
    si_code: str | None = None
    phone: str = ""
    address_detail: str = ""
    birth_precision: str = DAY  # lib.dates: day, month (month/year known) or year (only the year)


def clean_person(data: PersonData) -> PersonData:
    """The data with text and identifiers normalised (``lib.text.clean_text``, ASCII digits), the birth
    date within 1900…today; refuses the first problem with a Vietnamese message."""
    name = clean_text(data.full_name, "full_name", NAME_MAX, _("Họ và tên"), required=True)
    address = clean_text(data.address_detail, "address_detail", ADDRESS_MAX, _("Địa chỉ"))
    if data.birth_precision not in (DAY, MONTH, YEAR):
        raise invalid_input(_("Ngày sinh phải ghi theo ngày/tháng/năm, tháng/năm hoặc năm."),
                            "birth_precision must be day, month or year.", field="date_of_birth")
    born = check_birth_date(age_reference(data.date_of_birth, data.birth_precision), timezone.localdate())
    if data.sex not in Sex.values:
        raise invalid_input(_("Giới tính phải là nam hoặc nữ."), "Sex must be male or female.", field="sex")
    if data.ethnicity not in ETHNICITY_CODES:
        raise invalid_input(_("Mã dân tộc «{ethnicity}» không có trong danh mục 54 dân tộc (hoặc 00: chưa rõ).").format(
                                ethnicity=data.ethnicity),
                            "Not an ethnicity code.", field="ethnicity")
    cid = check_citizen_id(data.citizen_id, born, cast(SexCode, data.sex)) if data.citizen_id else None
    si_code = check_si_code(data.si_code) if data.si_code else None
    phone = normalize_phone(data.phone) if data.phone else ""
    return replace(data, full_name=name, date_of_birth=born, citizen_id=cid, si_code=si_code, phone=phone,
                   address_detail=address)


def commune_in_scope(scope: Scope, code: str) -> int:
    """The id of the commune with this code in force now-or-later that the scope covers (API input).
    A commune that exists outside the scope is refused like any record out of scope (404, as the
    web form's refusal); an unknown code is a mistake in the input (422)."""
    units = list(AdministrativeUnit.objects.filter(code=code, level__in=COMMUNE_LEVELS, valid_to__isnull=True))
    for unit in units:
        if scope.has_area(unit.pk):
            return unit.pk
    if units:
        raise not_found()
    raise invalid_input(_("Không có xã/phường mã {code}.").format(code=code), f"No commune {code}.", field="area")


def _commune(scope: Scope, area_id: int) -> AdministrativeUnit:
    area = AdministrativeUnit.objects.filter(pk=area_id).first()
    if area is None or area.level not in COMMUNE_LEVELS:
        raise invalid_input(_("Địa chỉ phải là một xã, phường hoặc thị trấn."), "The area must be a commune.",
                            field="area")
    scope.require_write(area.pk)
    return area


ELSEWHERE = gettext_lazy("Đã có hồ sơ ở địa bàn khác — liên hệ quản lý")


def _claim_citizen_id(actor: AbstractBaseUser | None, scope: Scope, citizen_id: str | None,
                      exclude: int | None = None) -> None:
    """Refuse a citizen ID already registered. Inside the caller's scope the refusal points to the
    record; outside it, it says only that a record exists elsewhere (no name, no id). Either way the
    refusal is an identifier look-up: audited, and counted against the hourly allowance. Called
    before the write's transaction, so the entry survives the refusal."""
    if not citizen_id:
        return
    existing = Person.objects.filter(citizen_id=citizen_id).exclude(pk=exclude).first()
    if existing is None:
        return
    inside = scope.has_area(existing.area_id)
    record_lookup(actor, "lookup", existing.pk, existing.area_id,
                  {"by": "citizen_id", "query": masked_query(PersonalField.CITIZEN_ID, citizen_id),
                   "result": "in_scope" if inside else "elsewhere", "why": "duplicate_check"})
    if not inside:
        raise DomainError(ErrorCode.DUPLICATE_CITIZEN_ID, ELSEWHERE,
                          "A record with this citizen ID exists in another area; ask a manager.", existing_id=None)
    raise DomainError(
        ErrorCode.DUPLICATE_CITIZEN_ID,
        _("Số định danh {value} đã được đăng ký cho người #{pk} — {full_name}.").format(
            value=mask(PersonalField.CITIZEN_ID, citizen_id), pk=existing.pk, full_name=existing.full_name),
        "This citizen ID is already registered.", existing_id=existing.pk)


def _check_probable_duplicates(data: PersonData, confirm: bool, exclude: int | None = None) -> None:
    if confirm:
        return
    probable = Person.objects.filter(
        folded_name=fold(data.full_name), date_of_birth=data.date_of_birth, area_id=data.area_id
    ).exclude(pk=exclude)
    ids = list(probable.values_list("pk", flat=True)[:5])
    if ids:
        raise DomainError(
            ErrorCode.PROBABLE_DUPLICATE,
            _("Có thể trùng: đã có {value} người cùng họ tên, ngày sinh và xã/phường (#").format(
                value=len(ids))
            + ", #".join(map(str, ids)) + _("). Kiểm tra lại, hoặc xác nhận đây là người khác."),
            "A person with the same name, date of birth and commune exists; confirm to create anyway.",
            candidates=ids,
        )


def create_person(actor: AbstractBaseUser | None, scope: Scope, data: PersonData,
                  confirm_probable_duplicate: bool = False, document: support.Document | None = None) -> Person:
    """A new person. An agent's minority ethnicity (what unlocks the ethnic-minority support) is a request
    (``support.withheld``): the person is saved as "not known" until a manager approves it, with the
    ``document`` if given; a manager's is saved as entered."""
    data = clean_person(data)
    _commune(scope, data.area_id)  # rights first: a look-up is no one else's business
    _claim_citizen_id(actor, scope, data.citizen_id)
    return _create_person(actor, scope, data, confirm_probable_duplicate, document)


@transaction.atomic
def _create_person(actor: AbstractBaseUser | None, scope: Scope, data: PersonData, confirm: bool,
                   document: support.Document | None = None) -> Person:
    _commune(scope, data.area_id)
    _check_probable_duplicates(data, confirm)
    wanted = data.ethnicity
    held = support.withheld(scope, wanted)
    if held:
        data = replace(data, ethnicity=UNKNOWN)
    values = {f: getattr(data, f) for f in PERSON_FIELDS}
    try:
        with transaction.atomic():
            person = Person.objects.create(folded_name=fold(data.full_name), **values)
    except IntegrityError:  # a concurrent registration of the same ID won the race
        if data.citizen_id and Person.objects.filter(citizen_id=data.citizen_id).exists():
            raise DomainError(ErrorCode.DUPLICATE_CITIZEN_ID, ELSEWHERE, "This citizen ID was just registered.",
                              existing_id=None) from None
        raise
    audit(actor, "create", "person", person.pk, person.area_id, {k: (None, v) for k, v in values.items() if v})
    if held:
        support.request_change(actor, scope, SupportField.ETHNICITY, wanted, document, person=person,
                               registering=True)
    return person


def _person_in_scope(scope: Scope, person_id: int, lock: bool = False) -> Person:
    people = Person.objects.select_for_update() if lock else Person.objects
    person = people.filter(pk=person_id).first()
    if person is None or not scope.has_area(person.area_id):
        raise not_found()
    return person


def update_person(actor: AbstractBaseUser | None, scope: Scope, person_id: int, data: PersonData,
                  confirm_probable_duplicate: bool = True, keep: Collection[str] = (),
                  document: support.Document | None = None) -> Person:
    """Change a person. A personal field named in ``keep``, or sent back as the masked value the
    caller was shown, keeps its stored value: forms and API clients never hold the full one.
    An ethnicity change that gains or loses the ethnic-minority support group is a request with its
    ``document`` (registry.support): an agent's waits for a manager, the rest is saved now."""
    stored = _person_in_scope(scope, person_id)
    scope.require_write(stored.area_id)
    data = clean_person(_kept(scope, stored, data, keep))
    _commune(scope, data.area_id)
    if data.citizen_id != stored.citizen_id:
        _claim_citizen_id(actor, scope, data.citizen_id, exclude=stored.pk)
    return _update_person(actor, scope, person_id, data, confirm_probable_duplicate, document)


def _kept(scope: Scope, stored: Person, data: PersonData, keep: Collection[str]) -> PersonData:
    kept = {}
    for field in AUDITED:
        sent, value = getattr(data, field.value), getattr(stored, field.value)
        if field.value in keep or (value and sent == shown(scope, field, value) and sent != value):
            kept[field.value] = value
    return replace(data, **kept)


@transaction.atomic
def _update_person(actor: AbstractBaseUser | None, scope: Scope, person_id: int, data: PersonData,
                   confirm: bool, document: support.Document | None = None) -> Person:
    person = _person_in_scope(scope, person_id, lock=True)
    scope.require_write(person.area_id)
    _commune(scope, data.area_id)
    _check_probable_duplicates(data, confirm, exclude=person.pk)
    asked = support.minority(person.ethnicity) != support.minority(data.ethnicity)
    if asked:  # the support group moves: maker-checker; the other fields are saved now
        wanted, data = data.ethnicity, replace(data, ethnicity=person.ethnicity)
    changes = {f: (getattr(person, f), getattr(data, f)) for f in PERSON_FIELDS
               if getattr(person, f) != getattr(data, f)}
    for field, (_unused, new) in changes.items():
        setattr(person, field, new)
    person.folded_name = fold(person.full_name)
    person.save()
    if changes:
        audit(actor, "update", "person", person.pk, person.area_id, changes)
    if asked:
        support.request_change(actor, scope, SupportField.ETHNICITY, wanted, document, person=person)
    return person


def person_for_edit(actor: AbstractBaseUser | None, scope: Scope, person_id: int) -> tuple[Person, dict[str, str]]:
    """A person to edit, for writers only, and the masked value of each personal field the form may
    not pre-fill. Should the policy let a role pre-fill a full identifier, opening the form is an
    audited read ("edit_view")."""
    person = _person_in_scope(scope, person_id)
    scope.require_write(person.area_id)
    masked = {f.value: shown(scope, f, getattr(person, f.value)) for f in AUDITED if not prefilled(scope, f)}
    full = [f.value for f in AUDITED if prefilled(scope, f) and getattr(person, f.value)]
    if full:
        audit_read(actor, "edit_view", "person", person.pk, person.area_id, {"fields": sorted(full)})
    return person, masked


@transaction.atomic
def delete_person(actor: AbstractBaseUser | None, scope: Scope, person_id: int) -> None:
    person = _person_in_scope(scope, person_id, lock=True)
    scope.require_write(person.area_id)
    if person.memberships.exists():
        raise DomainError(ErrorCode.INVALID_INPUT, _("Người này còn là thành viên của hộ; hãy kết thúc tư cách "
                          "thành viên trước khi xoá."), "Remove the person from households first.")
    audit(actor, "delete", "person", person.pk, person.area_id, {"full_name": (person.full_name, None)})
    try:
        person.delete()
    except ProtectedError as kept:  # terms, card lines, payments, consultations: records that must stay
        raise DomainError(ErrorCode.HAS_RECORDS, _("Không thể xoá: người này đã có kỳ đóng, thẻ BHYT hoặc hồ sơ "
                          "khác gắn với mình, cần được lưu giữ."),
                          "The person has records that must be kept.") from kept


@transaction.atomic
def reveal(actor: AbstractBaseUser | None, scope: Scope, person_id: int, field: PersonalField) -> str:
    """The full value of one personal field of someone in scope, for the roles the field policy
    lets reveal it; the read is audited (who, whose, which field)."""
    person = _person_in_scope(scope, person_id)
    if not may_reveal(scope, field):
        raise DomainError(ErrorCode.FORBIDDEN, _("Vai trò của bạn không được xem giá trị đầy đủ."),
                          "Your role may not see full values.")
    audit_read(actor, "reveal", "person", person.pk, person.area_id, {"field": field.value})
    return str(getattr(person, field.value) or "")


def reveal_citizen_id(actor: AbstractBaseUser | None, scope: Scope, person_id: int) -> str:
    return reveal(actor, scope, person_id, PersonalField.CITIZEN_ID)


def _next_household_code(area: AdministrativeUnit) -> str:
    return codes.reserve(area)[0]


def create_household(actor: AbstractBaseUser | None, scope: Scope, head: PersonData, joined: date,
                     address_detail: str = "", code: str | None = None,
                     confirm_probable_duplicate: bool = False, document: support.Document | None = None) -> Household:
    """A new household and its head, who joins it on ``joined`` (the head as ``create_person`` makes one)."""
    head = clean_person(head)
    _commune(scope, head.area_id)
    _claim_citizen_id(actor, scope, head.citizen_id)
    return _create_household(actor, scope, head, joined, address_detail, code, confirm_probable_duplicate, document)


@transaction.atomic
def _create_household(actor: AbstractBaseUser | None, scope: Scope, head: PersonData, joined: date,
                      address_detail: str, code: str | None, confirm: bool,
                      document: support.Document | None = None) -> Household:
    area = _commune(scope, head.area_id)
    person = _create_person(actor, scope, head, confirm, document)
    address = clean_text(address_detail, "address_detail", ADDRESS_MAX, _("Địa chỉ")) or person.address_detail
    household = Household.objects.create(code=code or _next_household_code(area), head=person, area=area,
                                         address_detail=address)
    audit(actor, "create", "household", household.pk, area.pk, {"code": (None, household.code)})
    _join(actor, household, person, Relationship.HEAD, joined)
    return household


@transaction.atomic
def update_household(actor: AbstractBaseUser | None, scope: Scope, household_id: int, address_detail: str) -> Household:
    household = _household_in_scope(scope, household_id)
    address = clean_text(address_detail, "address_detail", ADDRESS_MAX, _("Địa chỉ"))
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
          joined: date, code: str = "") -> Membership:
    if household.memberships.filter(person=person, valid_to__isnull=True).exists():
        raise invalid_input(_("Người này đang là thành viên của hộ."), "Already a member.")
    membership = Membership.objects.create(household=household, person=person, relationship=relationship,
                                           residence_code=code or relationships.code_for(relationship, joined),
                                           valid_from=joined)
    audit(actor, "create", "membership", membership.pk, household.area_id,
          {"household": (None, household.code), "person": (None, person.pk), "relationship": (None, relationship)})
    return membership


def add_member(actor: AbstractBaseUser | None, scope: Scope, household_id: int, relationship: str, joined: date,
               person_id: int | None = None, new_person: PersonData | None = None,
               confirm_probable_duplicate: bool = False, document: support.Document | None = None) -> Membership:
    """An existing person, or a new one (as ``create_person`` makes one), joins the household."""
    if new_person is not None and person_id is None:
        new_person = clean_person(new_person)
        _commune(scope, new_person.area_id)
        _claim_citizen_id(actor, scope, new_person.citizen_id)
    return _add_member(actor, scope, household_id, relationship, joined, person_id, new_person,
                       confirm_probable_duplicate, document)


@transaction.atomic
def _add_member(actor: AbstractBaseUser | None, scope: Scope, household_id: int, relationship: str, joined: date,
                person_id: int | None, new_person: PersonData | None, confirm: bool,
                document: support.Document | None = None) -> Membership:
    household = _household_in_scope(scope, household_id)
    code = relationship.strip() if relationship.strip().isdigit() else ""
    if code:  # a MoiQuanHe code of the residence database (registry.relationships)
        relationship = relationships.from_code(code, joined) or ""
    if (relationship not in Relationship.values and relationship not in relationships.LUMPED) or \
            relationship == Relationship.HEAD:
        raise invalid_input(_("Quan hệ với chủ hộ không hợp lệ."), "Invalid relationship.", field="relationship")
    if person_id is not None:
        person = _person_in_scope(scope, person_id)
    elif new_person is not None:
        person = _create_person(actor, scope, new_person, confirm, document)
    else:
        raise invalid_input(_("Chọn người đã có hoặc nhập người mới."), "Give a person.")
    # a lumped "vợ/chồng", "bố/mẹ", "ông/bà" (older clients) is made exact from the member's sex
    return _join(actor, household, person, relationships.exact(relationship, person.sex), joined,
                 code.zfill(2) if code else "")


@transaction.atomic
def end_membership(actor: AbstractBaseUser | None, scope: Scope, membership_id: int, left: date) -> Membership:
    membership = Membership.objects.select_related("household").filter(pk=membership_id, valid_to__isnull=True).first()
    if membership is None:
        raise not_found()
    _household_in_scope(scope, membership.household_id)
    if left < membership.valid_from:
        raise invalid_input(_("Ngày rời hộ không được trước ngày vào hộ."), "Leaving date before joining date.")
    membership.valid_to = left
    membership.save(update_fields=["valid_to"])
    audit(actor, "update", "membership", membership.pk, membership.household.area_id, {"valid_to": (None, left)})
    return membership


@transaction.atomic
def set_poverty_status(actor: AbstractBaseUser | None, scope: Scope, household_id: int, status: str,
                       valid_from: date, document: str = "") -> HouseholdPoverty:
    """A new status from ``valid_from``, written at once with no request: an internal path for the demo
    and test builders only (tests/registry/test_support_at_registration.py checks that no page, API,
    import, sync or command calls it). Every entry point goes through :func:`request_poverty_change`."""
    household = _household_in_scope(scope, household_id)
    _check_poverty(status)
    if status != PovertyStatus.NONE and not document.strip():
        raise invalid_input(_("Cần ghi văn bản công nhận hộ nghèo/cận nghèo."), "A certifying document is required.",
                       field="document")
    return support.apply_poverty(actor, household, status, valid_from, document)


def _check_poverty(status: str) -> None:
    if status not in PovertyStatus.values:
        # xgettext:no-python-format
        raise invalid_input(_("Tình trạng phải là hộ nghèo, cận nghèo, cận nghèo được NSNN hỗ trợ 100% hoặc không."),
                            "Invalid status.", field="status")


@transaction.atomic
def request_poverty_change(actor: AbstractBaseUser | None, scope: Scope, household_id: int, status: str,
                           valid_from: date, document: support.Document) -> SupportChangeRequest:
    """A new poverty status from ``valid_from``, with its decision: an agent's waits for a manager's
    approval (nothing changes until then); a manager's is applied at once (registry.support)."""
    household = _household_in_scope(scope, household_id)
    _check_poverty(status)
    support.check_poverty_start(household, valid_from)
    return support.request_change(actor, scope, SupportField.POVERTY, status, document, household=household,
                                  valid_from=valid_from)


@transaction.atomic
def request_island_change(actor: AbstractBaseUser | None, scope: Scope, person_id: int, island: bool,
                          document: support.Document) -> SupportChangeRequest:
    """Island residence (the "island" support group), by the same maker-checker."""
    person = _person_in_scope(scope, person_id, lock=True)
    scope.require_write(person.area_id)
    if person.island_resident == island:
        raise invalid_input(_("Thông tin cư trú ở xã đảo, đặc khu đã đúng như vậy."), "Nothing to change.",
                            field="island")
    return support.request_change(actor, scope, SupportField.ISLAND, "yes" if island else "no", document,
                                  person=person)
