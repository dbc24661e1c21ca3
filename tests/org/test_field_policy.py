"""The field policy: lists show masked values; full values only for the roles the policy names."""

from __future__ import annotations

from datetime import date

from ansinh.org.fields import (
    PersonalField,
    exported,
    exports_any_full,
    may_locate,
    may_read_audit,
    may_reveal,
    prefilled,
    served,
    shown,
)
from ansinh.org.models import Role
from ansinh.org.scope import NO_SCOPE, Scope


def scope(role: str) -> Scope:
    return Scope(role, frozenset({1}), frozenset())


def test_no_role_sees_a_full_citizen_id_or_phone_in_a_list() -> None:
    for role in Role.values:
        assert shown(scope(role), PersonalField.CITIZEN_ID, "040085000123") == "040******123"
        assert shown(scope(role), PersonalField.PHONE, "0912345678") == "091****678"
        assert shown(scope(role), PersonalField.SI_CODE, "4012345678") == "40******78"


def test_the_viewer_and_an_outsider_may_not_reveal_and_export_masked() -> None:
    for who in (scope(Role.VIEWER), NO_SCOPE):
        assert not may_reveal(who, PersonalField.CITIZEN_ID)
        assert exported(who, PersonalField.CITIZEN_ID, "040085000123") == "040******123"
        assert shown(who, PersonalField.BIRTH_DATE, date(1985, 3, 2)) == "1985"
        assert shown(who, PersonalField.ADDRESS, "Khối 5") == "***"


def test_the_collectors_staff_export_full_identifiers_and_agents_see_addresses() -> None:
    assert exported(scope(Role.AGENT), PersonalField.CITIZEN_ID, "040085000123") == "040085000123"
    assert exported(scope(Role.OFFICE_MANAGER), PersonalField.CITIZEN_ID, "040085000123") == "040******123"
    assert shown(scope(Role.AGENT), PersonalField.ADDRESS, "Khối 5") == "Khối 5"
    assert shown(scope(Role.AGENT), PersonalField.BIRTH_DATE, date(1985, 3, 2)) == "02/03/1985"
    assert may_reveal(scope(Role.AGENT), PersonalField.PHONE)


def test_exports_keep_dates_as_dates_forms_prefill_no_masked_field_and_managers_read_the_audit() -> None:
    assert exported(scope(Role.AGENT), PersonalField.BIRTH_DATE, date(1985, 3, 2)) == date(1985, 3, 2)
    assert served(scope(Role.AGENT), PersonalField.BIRTH_DATE, date(1985, 3, 2)) == date(1985, 3, 2)
    assert served(scope(Role.VIEWER), PersonalField.BIRTH_DATE, date(1985, 3, 2)) == "1985"
    for role in Role.values:
        assert not prefilled(scope(role), PersonalField.CITIZEN_ID)
    assert prefilled(scope(Role.AGENT), PersonalField.ADDRESS)
    assert exports_any_full(scope(Role.AGENT)) and not exports_any_full(scope(Role.VIEWER))
    assert [r for r in Role.values if may_read_audit(scope(r))] == [
        Role.PROVINCE_ADMIN, Role.OFFICE_MANAGER, Role.COLLECTOR_MANAGER]
    assert [r for r in Role.values if may_locate(scope(r))] == [Role.PROVINCE_ADMIN, Role.OFFICE_MANAGER]
