"""Import people and households from the columns of the TK1-TS household annex (CSV or XLSX).

Columns (Vietnamese or English headers): chủ hộ / head, họ và tên / name, ngày sinh / date_of_birth,
giới tính / sex, số định danh / citizen_id, quan hệ với chủ hộ / relationship, điện thoại / phone,
mã xã / commune_code, địa chỉ / address. A household is the rows sharing a commune and a head's name.

Every row is validated first (row, column, reason). By default one bad row refuses the whole file;
``skip_invalid`` loads the valid households only. Re-running the same file adds nothing: a person is
recognised by citizen ID, or by folded name + date of birth + commune; a household by its head.
Writes are bulk inserts in one transaction, with an audit entry per record.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from python_calamine import CalamineWorkbook

from ansinh.areas.models import COMMUNE_LEVELS, AdministrativeUnit
from ansinh.areas.queries import in_force
from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.lib.identifiers import check_citizen_id, mask_citizen_id, mask_phone, normalize_phone
from ansinh.lib.text import fold
from ansinh.org.scope import Scope
from ansinh.registry.models import AuditEntry, Household, Membership, Person, Relationship

COLUMNS = {
    "head": ("chu ho", "ho ten chu ho", "head"),
    "name": ("ho va ten", "ho ten", "ten thanh vien", "name", "member name"),
    "date_of_birth": ("ngay sinh", "date of birth", "date_of_birth"),
    "sex": ("gioi tinh", "sex"),
    "citizen_id": ("so dinh danh", "so dinh danh ca nhan", "cccd", "so cccd", "citizen id", "citizen_id"),
    "relationship": ("quan he voi chu ho", "quan he", "relationship"),
    "phone": ("dien thoai", "so dien thoai", "phone"),
    "commune_code": ("ma xa", "ma xa phuong", "commune code", "commune_code"),
    "address": ("dia chi", "address"),
}
REQUIRED = ("head", "name", "date_of_birth", "sex", "relationship", "commune_code")
SEXES = {"nam": "male", "male": "male", "nu": "female", "female": "female"}
RELATIONSHIPS = {
    "chu ho": Relationship.HEAD, "head": Relationship.HEAD, "vo": Relationship.SPOUSE, "chong": Relationship.SPOUSE,
    "vo/chong": Relationship.SPOUSE, "spouse": Relationship.SPOUSE, "con": Relationship.CHILD,
    "child": Relationship.CHILD, "bo": Relationship.PARENT, "me": Relationship.PARENT, "cha": Relationship.PARENT,
    "bo/me": Relationship.PARENT, "parent": Relationship.PARENT, "anh": Relationship.SIBLING,
    "chi": Relationship.SIBLING, "em": Relationship.SIBLING, "sibling": Relationship.SIBLING,
    "chau": Relationship.GRANDCHILD, "grandchild": Relationship.GRANDCHILD, "ong": Relationship.GRANDPARENT,
    "ba": Relationship.GRANDPARENT, "grandparent": Relationship.GRANDPARENT, "khac": Relationship.OTHER,
    "other": Relationship.OTHER,
}


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"dòng {self.row}, cột {self.column}: {self.reason}"


@dataclass
class Row:
    number: int
    head: str
    full_name: str
    date_of_birth: date
    sex: str
    citizen_id: str | None
    relationship: str
    phone: str
    area_id: int
    address: str


@dataclass
class ImportReport:
    rows: int = 0
    valid_rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    people_created: int = 0
    households_created: int = 0
    memberships_created: int = 0
    written: bool = False


def read_rows(path: Path) -> list[dict[str, Any]]:
    """Rows as {column key: cell} from a CSV or the first sheet of an XLSX, headers matched loosely."""
    if path.suffix.lower() in (".xlsx", ".xls", ".ods"):
        table = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=True)
    elif path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            table = list(csv.reader(handle))
    else:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Chỉ nhận tệp .csv hoặc .xlsx (không nhận {path.suffix}).",
                          "Only .csv or .xlsx files.")
    if not table:
        return []
    keys = [_column_key(str(h)) for h in table[0]]
    missing = [c for c in REQUIRED if c not in keys]
    if missing:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Tệp thiếu cột: {', '.join(missing)}.",
                          f"Missing columns: {', '.join(missing)}.")
    return [{k: cell for k, cell in zip(keys, line, strict=False) if k} for line in table[1:]
            if any(str(c).strip() for c in line)]


def _column_key(header: str) -> str | None:
    folded = fold(header.replace("_", " ")).strip(" :*")
    return next((key for key, names in COLUMNS.items() if folded in names or header.strip() == key), None)


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value if value is not None else "").strip()


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    raise ValueError(text)


def validate(raw: list[dict[str, Any]], scope: Scope, on: date) -> tuple[list[Row], list[Problem]]:
    in_scope = AdministrativeUnit.objects.filter(in_force(on), level__in=COMMUNE_LEVELS, pk__in=scope.area_ids)
    communes = dict(in_scope.values_list("code", "pk"))
    rows, problems = [], []
    for number, cells in enumerate(raw, start=2):
        row = _validate_row(number, cells, communes)
        (problems if isinstance(row, Problem) else rows).append(row)  # type: ignore[arg-type]
    return rows, problems  # type: ignore[return-value]


def _validate_row(number: int, cells: dict[str, Any], communes: dict[str, int]) -> Row | Problem:
    text = {key: _text(cells.get(key)) for key in COLUMNS}
    for column in REQUIRED:
        if column != "date_of_birth" and not text[column]:
            return Problem(number, column, "bắt buộc")
    try:
        born = _date(cells.get("date_of_birth"))
    except ValueError:
        return Problem(number, "date_of_birth", f"«{text['date_of_birth']}» không phải ngày (dd/mm/yyyy)")
    sex = SEXES.get(fold(text["sex"]))
    if sex is None:
        return Problem(number, "sex", f"«{text['sex']}»: ghi Nam hoặc Nữ")
    relationship = RELATIONSHIPS.get(fold(text["relationship"]))
    if relationship is None:
        return Problem(number, "relationship", f"«{text['relationship']}» không phải quan hệ đã biết")
    area_id = communes.get(text["commune_code"])
    if area_id is None:
        return Problem(number, "commune_code", f"«{text['commune_code']}» không phải xã/phường hiện hành trong địa bàn")
    try:
        cid = check_citizen_id(text["citizen_id"], born, sex) if text["citizen_id"] else None  # type: ignore[arg-type]
        phone = normalize_phone(text["phone"]) if text["phone"] else ""
    except DomainError as error:
        column = "citizen_id" if error.code is ErrorCode.CITIZEN_ID_INVALID else "phone"
        return Problem(number, column, error.message)
    if relationship == Relationship.HEAD and fold(text["head"]) != fold(text["name"]):
        return Problem(number, "head", "dòng chủ hộ phải có họ tên trùng với cột chủ hộ")
    return Row(number, text["head"], " ".join(text["name"].split()), born, sex, cid, relationship, phone, area_id,
               text["address"])


def _households(rows: list[Row], problems: list[Problem]) -> dict[tuple[int, str], list[Row]]:
    """Rows grouped by (commune, folded head name). A citizen ID twice in the file refuses those rows;
    a household needs exactly one head row, or all its rows are refused."""
    first_row: dict[str, int] = {}
    for row in rows:
        if row.citizen_id:
            first_row.setdefault(row.citizen_id, row.number)
    repeated = {r.number for r in rows if r.citizen_id and first_row[r.citizen_id] != r.number}
    problems.extend(Problem(n, "citizen_id", "số định danh đã có ở dòng trước") for n in sorted(repeated))
    groups: dict[tuple[int, str], list[Row]] = defaultdict(list)
    for row in rows:
        if row.number not in repeated:
            groups[(row.area_id, fold(row.head))].append(row)
    for key, members in list(groups.items()):
        heads = sum(r.relationship == Relationship.HEAD for r in members)
        if heads != 1:
            reason = f"hộ «{members[0].head}» cần đúng một dòng chủ hộ (có {heads})"
            problems.extend(Problem(r.number, "head", reason) for r in members)
            del groups[key]
    return groups


def import_people(path_or_rows: Path | list[dict[str, Any]], actor: AbstractBaseUser | None, scope: Scope,
                  on: date, dry_run: bool = False, skip_invalid: bool = False,
                  progress: Callable[[int], None] | None = None) -> ImportReport:
    raw = read_rows(path_or_rows) if isinstance(path_or_rows, Path) else path_or_rows
    if not scope.can_write:
        raise DomainError(ErrorCode.FORBIDDEN, "Vai trò của bạn không được nhập dữ liệu.", "Your role may not import.")
    rows, problems = validate(raw, scope, on)
    groups = _households(rows, problems)
    report = ImportReport(rows=len(raw), problems=sorted(problems, key=lambda p: p.row))
    report.valid_rows = sum(len(g) for g in groups.values())
    if problems and not skip_invalid:
        return report
    if dry_run:
        return report
    with transaction.atomic():
        _write(groups, actor, on, report, progress)
    report.written = True
    return report


def _existing_people(rows: Iterable[Row]) -> tuple[dict[str, Person], dict[tuple[str, date, int], Person]]:
    rows = list(rows)
    ids = [r.citizen_id for r in rows if r.citizen_id]
    by_id = {p.citizen_id: p for p in Person.objects.filter(citizen_id__in=ids)} if ids else {}
    names = {fold(r.full_name) for r in rows if not r.citizen_id}
    by_key = {(p.folded_name, p.date_of_birth, p.area_id): p
              for p in Person.objects.filter(folded_name__in=names)} if names else {}
    return by_id, by_key  # type: ignore[return-value]


def _write(groups: dict[tuple[int, str], list[Row]], actor: AbstractBaseUser | None, on: date,
           report: ImportReport, progress: Callable[[int], None] | None) -> None:
    all_rows = [r for g in groups.values() for r in g]
    by_id, by_key = _existing_people(all_rows)
    person_of: dict[int, Person] = {}
    new_people: list[Person] = []
    for row in all_rows:
        key = (fold(row.full_name), row.date_of_birth, row.area_id)
        found = (by_id.get(row.citizen_id) if row.citizen_id else None) or by_key.get(key)
        if found is None:
            found = Person(full_name=row.full_name, folded_name=key[0], date_of_birth=row.date_of_birth, sex=row.sex,
                           citizen_id=row.citizen_id, phone=row.phone, area_id=row.area_id, address_detail=row.address)
            new_people.append(found)
            by_key[key] = found
            if row.citizen_id:
                by_id[row.citizen_id] = found
        person_of[row.number] = found
    Person.objects.bulk_create(new_people, batch_size=2000)
    report.people_created = len(new_people)
    if progress:
        progress(len(all_rows) // 2)

    heads = {person_of[r.number].pk for g in groups.values() for r in g if r.relationship == Relationship.HEAD}
    household_of_head = {h.head_id: h for h in Household.objects.filter(head_id__in=heads)}
    codes = _code_counters({area for area, _ in groups})
    new_households = []
    for (area_id, _), members in groups.items():
        head = person_of[next(r.number for r in members if r.relationship == Relationship.HEAD)]
        if head.pk not in household_of_head:
            codes[area_id][1] += 1
            household = Household(code=f"{codes[area_id][0]}{codes[area_id][1]:05d}", head=head, area_id=area_id,
                                  address_detail=members[0].address)
            household_of_head[head.pk] = household
            new_households.append(household)
    Household.objects.bulk_create(new_households, batch_size=2000)
    report.households_created = len(new_households)

    open_memberships = set(Membership.objects.filter(
        valid_to__isnull=True, household__in=[h for h in household_of_head.values() if h.pk]
    ).values_list("household_id", "person_id"))
    new_memberships = []
    for (_, _), members in groups.items():
        household = household_of_head[person_of[next(r.number for r in members
                                                     if r.relationship == Relationship.HEAD)].pk]
        for row in members:
            person = person_of[row.number]
            if (household.pk, person.pk) not in open_memberships:
                open_memberships.add((household.pk, person.pk))
                new_memberships.append(Membership(household=household, person=person, relationship=row.relationship,
                                                  valid_from=on))
    Membership.objects.bulk_create(new_memberships, batch_size=2000)
    report.memberships_created = len(new_memberships)
    _audit(actor, new_people, new_households, new_memberships)
    if progress:
        progress(len(all_rows) - len(all_rows) // 2)


def _code_counters(area_ids: set[int]) -> dict[int, list[Any]]:
    counters: dict[int, list[Any]] = {}
    for area in AdministrativeUnit.objects.filter(pk__in=area_ids):
        prefix = f"HGD{area.code}-"
        counters[area.pk] = [prefix, Household.objects.filter(code__startswith=prefix).count()]
    return counters


def _audit(actor: AbstractBaseUser | None, people: list[Person], households: list[Household],
           memberships: list[Membership]) -> None:
    who = actor if actor is not None and actor.is_authenticated else None
    entries = [AuditEntry(actor=who, action="create", entity="person", entity_id=p.pk, area_id=p.area_id,
                          changes={"full_name": [None, p.full_name], "import": [None, True],
                                   "citizen_id": [None, mask_citizen_id(p.citizen_id) if p.citizen_id else None],
                                   "phone": [None, mask_phone(p.phone) if p.phone else None]})
               for p in people]
    entries += [AuditEntry(actor=who, action="create", entity="household", entity_id=h.pk, area_id=h.area_id,
                           changes={"code": [None, h.code], "import": [None, True]}) for h in households]
    entries += [AuditEntry(actor=who, action="create", entity="membership", entity_id=m.pk,
                           area_id=m.household.area_id,
                           changes={"household": [None, m.household.code], "person": [None, m.person.pk],
                                    "relationship": [None, m.relationship], "import": [None, True]})
                for m in memberships]
    AuditEntry.objects.bulk_create(entries, batch_size=2000)
