"""The one policy for personal fields: which role sees which field of other people, masked or full.

Every output that carries personal data (pages, forms, API schemas, XLSX/PDF exports, the offline
download) asks this module; none masks or unmasks by hand. Three ways to read a field:

- **plain**: the role sees the value as it is everywhere, without audit (an agent needs the
  address and birth date of the people they visit);
- **reveal**: the role may read the full value of one person on demand; the read is audited by
  ``registry.services.reveal``;
- **export**: the role's exports (the lists handed to BHXH) carry the full value; the export is
  audited with its row count.

Everyone else, and every list, sees the masked value. A role not named anywhere (the read-only
viewer, an outsider) never sees a full citizen ID, phone or SI code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from ansinh.lib.identifiers import mask_citizen_id, mask_phone
from ansinh.org.models import Role
from ansinh.org.scope import Scope


class PersonalField(StrEnum):
    CITIZEN_ID = "citizen_id"
    PHONE = "phone"
    SI_CODE = "si_code"
    ADDRESS = "address_detail"
    BIRTH_DATE = "date_of_birth"


@dataclass(frozen=True)
class FieldRule:
    plain: frozenset[str]
    reveal: frozenset[str]
    export: frozenset[str]


_WRITERS = frozenset({Role.PROVINCE_ADMIN, Role.OFFICE_MANAGER, Role.COLLECTOR_MANAGER, Role.AGENT})
# The lists handed to BHXH are the collection organisation's papers: its own staff print them with
# full identifiers; the BHXH office and the province read them in the system, masked, and reveal.
_COLLECTOR_STAFF = frozenset({Role.COLLECTOR_MANAGER, Role.AGENT, Role.PROVINCE_ADMIN})

POLICY: dict[PersonalField, FieldRule] = {
    PersonalField.CITIZEN_ID: FieldRule(plain=frozenset(), reveal=_WRITERS, export=_COLLECTOR_STAFF),
    PersonalField.PHONE: FieldRule(plain=frozenset(), reveal=_WRITERS, export=_COLLECTOR_STAFF),
    PersonalField.SI_CODE: FieldRule(plain=frozenset(), reveal=_WRITERS, export=_COLLECTOR_STAFF),
    PersonalField.ADDRESS: FieldRule(plain=_WRITERS, reveal=_WRITERS, export=_WRITERS),
    PersonalField.BIRTH_DATE: FieldRule(plain=_WRITERS, reveal=_WRITERS, export=_WRITERS),
}

# Fields whose full value is a personal-data read worth an audit entry each time it leaves the system.
AUDITED = frozenset({PersonalField.CITIZEN_ID, PersonalField.PHONE, PersonalField.SI_CODE})


def mask(field: PersonalField, value: str | date | None) -> str:
    """The masked form of a value: enough to recognise it, not enough to use it."""
    if value is None or value == "":
        return ""
    if field is PersonalField.CITIZEN_ID:
        return mask_citizen_id(str(value))
    if field is PersonalField.PHONE:
        return mask_phone(str(value))
    if field is PersonalField.SI_CODE:
        text = str(value)
        return text[:2] + "*" * (len(text) - 4) + text[-2:] if len(text) > 4 else "*" * len(text)
    if field is PersonalField.BIRTH_DATE:
        return f"{value.year}" if isinstance(value, date) else "****"
    return "***"  # an address: the commune is shown beside it, the detail is withheld


def sees_plain(scope: Scope, field: PersonalField) -> bool:
    return scope.role in POLICY[field].plain


def may_reveal(scope: Scope, field: PersonalField) -> bool:
    return scope.role in POLICY[field].reveal


def exports_full(scope: Scope, field: PersonalField) -> bool:
    return scope.role in POLICY[field].export


def shown(scope: Scope, field: PersonalField, value: str | date | None) -> str:
    """What a page, a form, an API response or a list shows this scope of someone's field."""
    if value is None or value == "":
        return ""
    if sees_plain(scope, field):
        return value.strftime("%d/%m/%Y") if isinstance(value, date) else str(value)
    return mask(field, value)


def served(scope: Scope, field: PersonalField, value: str | date | None) -> str | date:
    """What a machine output (an API response, the offline download) carries: the value as stored
    (a date stays a date) for the roles that see it plain, masked otherwise. Never audited: it is
    never a full identifier."""
    if value is None or value == "":
        return ""
    return value if sees_plain(scope, field) else mask(field, value)


def exported(scope: Scope, field: PersonalField, value: str | date | None) -> str | date:
    """What an export (XLSX/PDF) carries: full for the roles the policy names (a date stays a date,
    so a spreadsheet gets a date cell), masked otherwise. The caller audits an export that carried
    any full value (``exports_any_full``), with its row count."""
    if value is None or value == "":
        return ""
    if exports_full(scope, field):
        return value
    return mask(field, value)


def exports_any_full(scope: Scope) -> bool:
    """Whether this scope's exports carry any full value worth an audit entry."""
    return any(exports_full(scope, field) for field in AUDITED)


def prefilled(scope: Scope, field: PersonalField) -> bool:
    """Whether an edit form may pre-fill the stored value. A masked field is left empty: the form
    shows the masked value beside it and asks for a new one, and an empty input keeps the stored one."""
    return field not in POLICY or sees_plain(scope, field)


# Who reads the audit trail of personal data (within their scope), and who may learn which area
# holds a citizen ID registered outside their own scope (to resolve a refused duplicate). Agents
# and viewers do neither: the trail itself tells who looked at whom.
AUDIT_READERS = frozenset({Role.PROVINCE_ADMIN, Role.OFFICE_MANAGER, Role.COLLECTOR_MANAGER})
LOCATORS = frozenset({Role.PROVINCE_ADMIN, Role.OFFICE_MANAGER})


def may_read_audit(scope: Scope) -> bool:
    return scope.role in AUDIT_READERS


def may_locate(scope: Scope) -> bool:
    return scope.role in LOCATORS
