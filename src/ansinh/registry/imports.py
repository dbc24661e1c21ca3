"""Import people and households from the columns of the TK1-TS household annex (CSV or XLSX).

Columns (Vietnamese or English headers): chủ hộ / head, họ và tên / name, ngày sinh / date_of_birth,
giới tính / sex, số định danh / citizen_id, quan hệ với chủ hộ / relationship, điện thoại / phone,
mã xã / commune_code, địa chỉ / address, and optionally dân tộc / ethnicity (a code or a name;
"chưa rõ" when the column or the cell is empty). A household is a run of consecutive rows with the same
commune and head's name.

Every row is validated first (row, column, reason), with the registry's own rules: names and
addresses through ``lib.text.clean_text``, IDs in ASCII digits, birth dates within 1900…today.
By default one bad row refuses the whole file; ``skip_invalid`` loads the valid households only.
Re-running the same file adds nothing: a person is recognised by citizen ID, or by folded name + date
of birth + commune; a household by its head.
Writes are bulk inserts in one transaction, with an audit entry per record. On PostgreSQL the rows are
streamed: validated as they are read and COPYed into a staging table, where the whole-file checks and
the writes run as SQL (registry.staging); SQLite holds the rows in memory (``_households``, ``_write``).
"""

from __future__ import annotations

import csv
import itertools
import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, TextIO, cast

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook

from ansinh.areas.models import AdministrativeUnit
from ansinh.areas.queries import communes
from ansinh.lib.dates import DAY, EARLIEST, check_birth_date, parse_birth
from ansinh.lib.errors import DomainError, ErrorCode, RowProblem
from ansinh.lib.i18n import verbatim
from ansinh.lib.identifiers import Sex, check_citizen_id, check_si_code, mask_citizen_id, mask_phone, normalize_phone
from ansinh.lib.text import ADDRESS_MAX, NAME_MAX, clean_text, fold
from ansinh.org.scope import Scope
from ansinh.registry import bulk, codes, collector, relationships, staging, support
from ansinh.registry.ethnicities import UNKNOWN, ethnicity_code
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
    "ethnicity": ("dan toc", "ma dan toc", "ethnicity"),
    "si_code": ("ma so bhxh", "masobhxh", "si code", "si_code"),
    "residence_code": ("ma quan he", "moiquanhe", "residence_code"),
}
REQUIRED = ("head", "name", "date_of_birth", "sex", "relationship", "commune_code")
SEXES = {"nam": "male", "male": "male", "nu": "female", "female": "female"}
RELATIONSHIPS = {
    "chu ho": Relationship.HEAD, "head": Relationship.HEAD, "vo": Relationship.WIFE, "wife": Relationship.WIFE,
    "chong": Relationship.HUSBAND, "husband": Relationship.HUSBAND, "vo/chong": "spouse", "vo chong": "spouse",
    "spouse": "spouse", "con": Relationship.CHILD, "child": Relationship.CHILD, "bo": Relationship.FATHER,
    "cha": Relationship.FATHER, "father": Relationship.FATHER, "me": Relationship.MOTHER,
    "mother": Relationship.MOTHER, "bo/me": "parent", "cha/me": "parent", "parent": "parent",
    "anh": Relationship.SIBLING, "chi": Relationship.SIBLING, "em": Relationship.SIBLING,
    "anh/chi/em": Relationship.SIBLING, "sibling": Relationship.SIBLING, "chau": Relationship.GRANDCHILD,
    "grandchild": Relationship.GRANDCHILD, "ong": Relationship.GRANDFATHER, "grandfather": Relationship.GRANDFATHER,
    "grandmother": Relationship.GRANDMOTHER, "ong/ba": "grandparent", "grandparent": "grandparent",
    "khac": Relationship.OTHER, "other": Relationship.OTHER,
}
# "bà" (grandmother) and the southern "ba" (father) fold to one word: they are told apart before folding
ACCENTED = {verbatim("bà"): Relationship.GRANDMOTHER, "ba": Relationship.FATHER}


@dataclass
class Row:
    number: int
    head: str  # folded
    full_name: str
    date_of_birth: date
    sex: str
    citizen_id: str | None
    relationship: str
    phone: str
    area_id: int
    address: str
    ethnicity: str = UNKNOWN
    birth_precision: str = DAY
    si_code: str | None = None
    residence_code: str = ""  # MoiQuanHe as the file gave it (registry.relationships)


@dataclass
class ImportReport:
    rows: int = 0
    valid_rows: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    people_created: int = 0
    households_created: int = 0
    memberships_created: int = 0
    written: bool = False
    # a collector workbook's payment columns, checked and never written (collector.check_payments)
    payments: collector.PaymentCheck | None = None


def read_rows(path: Path) -> list[dict[str, Any]]:
    """Rows as {column key: cell} from a CSV or the first sheet of an XLSX, headers matched loosely;
    a file that cannot be opened or read is a refusal naming it, not a traceback."""
    return list(iter_rows(path))


def iter_rows(path: Path) -> Iterator[dict[str, Any]]:
    """``read_rows`` one row at a time: a CSV is read as it is consumed (memory stays flat whatever its
    size). The header is found, and a file that cannot be opened or lacks a column refused, before the
    first row is returned."""
    workbook = _collector_tables(path)
    if workbook:
        return iter(collector.rows(workbook))
    lines = _lines(path)
    top = list(itertools.islice(lines, 30))
    if not top:
        return iter(())
    # the header row is the first (of the first 30) holding the required columns: title blocks above it
    # (a TK1-TS annex as printed) do not matter
    at = next((i for i, line in enumerate(top)
               if all(c in [_column_key(str(h)) for h in line] for c in REQUIRED)), 0)
    keys = [_column_key(str(h)) for h in top[at]]
    missing = [c for c in REQUIRED if c not in keys]
    if missing:
        raise DomainError(ErrorCode.INVALID_INPUT, _("Tệp thiếu cột: {value}.").format(
                                                       value=', '.join(missing)),
                          f"Missing columns: {', '.join(missing)}.")
    return _records(keys, at, itertools.chain(top[at + 1:], lines))


def _records(keys: list[str | None], at: int, lines: Iterator[list[Any]]) -> Iterator[dict[str, Any]]:
    for n, line in enumerate(lines, start=2):
        if any(str(c).strip() for c in line):
            record = {k: cell for k, cell in zip(keys, line, strict=False) if k}
            record["_where"] = ("", at + n, {})
            yield record


def _collector_tables(path: Path) -> dict[str, list[list[Any]]]:
    """The "Dữ Liệu"/"Phụ lục" sheets of a collector-software workbook, or {} for any other file."""
    if path.suffix.lower() not in (".xlsx", ".xls", ".ods"):
        return {}
    try:
        book = CalamineWorkbook.from_path(str(path))
        found = collector.sheets(book.sheet_names)
        if collector.ANNEX not in found and collector.DATA not in found:
            return {}
        return {key: list(book.get_sheet_by_name(name).to_python(skip_empty_area=True)) for key, name in found.items()}
    except (CalamineError, OSError):
        return {}  # _table reports it


def _lines(path: Path) -> Iterator[list[Any]]:
    """The file's rows: a CSV's read as they are consumed, an XLSX's first sheet (calamine holds it)."""
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".xls", ".ods", ".csv"):
        raise DomainError(ErrorCode.INVALID_INPUT, _("Chỉ nhận tệp .csv hoặc .xlsx (không nhận {suffix}).").format(
                                                       suffix=path.suffix),
                          "Only .csv or .xlsx files.")
    if suffix == ".csv":
        try:
            handle = path.open(encoding="utf-8-sig", newline="")
        except OSError as error:
            raise _unreadable(path, error) from None
        return _csv_lines(path, handle)
    try:
        return iter(CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=True))
    except (CalamineError, OSError) as error:
        raise _unreadable(path, error) from None


def _csv_lines(path: Path, handle: TextIO) -> Iterator[list[Any]]:
    with handle:
        try:
            yield from csv.reader(handle)
        except (UnicodeDecodeError, csv.Error) as error:
            raise _unreadable(path, error) from None


def _unreadable(path: Path, error: Exception) -> DomainError:
    if isinstance(error, UnicodeDecodeError):
        return DomainError(ErrorCode.INVALID_INPUT, _("Tệp «{name}» không phải văn bản UTF-8: hãy lưu lại CSV với "
                                                      "mã hoá UTF-8.").format(
                                                        name=path.name), "The CSV file is not UTF-8.")
    if isinstance(error, CalamineError | csv.Error):
        return DomainError(ErrorCode.INVALID_INPUT, _("Không đọc được tệp «{name}»: tệp hỏng hoặc không đúng định "
                                                      "dạng {value} ({error}).").format(
                                                        name=path.name, value=path.suffix.lower(), error=error),
                                                        f"Cannot read {path.name}: {error}.")
    # calamine reports a missing file as a plain OSError
    strerror = error.strerror if isinstance(error, OSError) else None
    return DomainError(ErrorCode.INVALID_INPUT, _("Không mở được tệp «{name}» ({value}).").format(
                                                    name=path.name, value=strerror or error),
                       f"Cannot open {path.name}: {error}.")


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
    parts = text.split("/")
    if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[2]) == 4:  # dd/mm/yyyy, fast
        return date(int(parts[2]), int(parts[1]), int(parts[0]))
    for pattern in ("%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    raise ValueError(text)


def _birth(value: Any) -> tuple[date, str]:
    """A birth date cell: a date, or text/number "dd/mm/yyyy", "mm/yyyy", "yyyy" (lib.dates.parse_birth)."""
    if isinstance(value, datetime):
        return value.date(), DAY
    if isinstance(value, date):
        return value, DAY
    text = _text(value)
    parts = text.split("/")
    if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[2]) == 4:  # dd/mm/yyyy, fast
        return date(int(parts[2]), int(parts[1]), int(parts[0])), DAY
    try:
        return parse_birth(value)
    except DomainError:
        raise ValueError(text) from None


def validate(raw: list[dict[str, Any]], scope: Scope, on: date) -> tuple[list[Row], list[RowProblem]]:
    codes = dict(communes(on, scope.area_ids).values_list("code", "pk"))
    today = timezone.localdate()
    rows, problems = [], []
    for number, cells in enumerate(raw, start=2):
        try:
            rows.append(_validate_row(number, cells, codes, today))
        except _Refused as refused:
            problems.append(refused.problem)
    return rows, problems


class _Refused(Exception):
    def __init__(self, problem: RowProblem) -> None:
        self.problem = problem


def _cleaned(number: int, value: str, column: str, max_length: int) -> str:
    try:  # the label only names a refusal: translated (~0.1 ms a call) only then, the same message
        return clean_text(value, column, max_length, column)
    except DomainError:
        pass
    try:
        return clean_text(value, column, max_length, _("Giá trị"))
    except DomainError as error:
        raise _Refused(RowProblem(number, column, error.message)) from None


def _validate_row(number: int, cells: dict[str, Any], communes: dict[str, int], today: date) -> Row:
    text = {key: value.strip() if type(value := cells.get(key)) is str else _text(value) for key in COLUMNS}
    for column in ("head", "name", "address"):
        text[column] = _cleaned(number, text[column], column, ADDRESS_MAX if column == "address" else NAME_MAX)
    for column in REQUIRED:
        if column == "relationship" and text["residence_code"]:
            continue  # the MoiQuanHe code alone may say it
        if column != "date_of_birth" and not text[column]:
            raise _Refused(RowProblem(number, column, _("bắt buộc")))
    try:
        born, precision = _birth(cells.get("date_of_birth"))
        if not EARLIEST <= born <= today:  # check_birth_date translates its label: called to refuse only
            born = check_birth_date(born, today)
    except ValueError:
        raise _Refused(RowProblem(number, "date_of_birth",
                                  _("«{date_of_birth}» không phải ngày sinh (dd/mm/yyyy, mm/yyyy hoặc yyyy)").format(
                                      date_of_birth=text['date_of_birth'])
                                  )) from None
    except DomainError as error:
        raise _Refused(RowProblem(number, "date_of_birth", error.message)) from None
    sex = SEXES.get(fold(text["sex"]))
    if sex is None:
        raise _Refused(RowProblem(number, "sex", _("«{sex}»: ghi Nam hoặc Nữ").format(sex=text['sex'])))
    relationship, code = _relationship(number, text)
    ethnicity = ethnicity_code(text["ethnicity"]) if text["ethnicity"] else UNKNOWN
    if ethnicity is None:
        raise _Refused(RowProblem(number, "ethnicity", _("«{ethnicity}» không phải mã hoặc tên dân tộc").format(
                                                           ethnicity=text['ethnicity'])))
    area_id = communes.get(text["commune_code"])
    if area_id is None:
        reason = _("«{commune_code}» không phải xã/phường hiện hành trong địa bàn").format(
                     commune_code=text['commune_code'])
        raise _Refused(RowProblem(number, "commune_code", reason))
    try:
        cid = check_citizen_id(text["citizen_id"], born, cast(Sex, sex)) if text["citizen_id"] else None
        phone = normalize_phone(text["phone"]) if text["phone"] else ""
    except DomainError as error:
        column = "citizen_id" if error.code is ErrorCode.CITIZEN_ID_INVALID else "phone"
        raise _Refused(RowProblem(number, column, error.message)) from None
    try:
        si_code = check_si_code(text["si_code"]) if text["si_code"] else None
    except DomainError as error:
        raise _Refused(RowProblem(number, "si_code", error.message)) from None
    if relationship == Relationship.HEAD and fold(text["head"]) != fold(text["name"]):
        raise _Refused(RowProblem(number, "head", _("dòng chủ hộ phải có họ tên trùng với cột chủ hộ")))
    return Row(number, fold(text["head"]), text["name"], born, sex, cid, relationships.exact(relationship, sex),
               phone, area_id, text["address"], ethnicity, precision, si_code,
               code or _code_for(relationships.exact(relationship, sex), today))


@lru_cache(maxsize=1024)  # the code list is read once (relationships._versions): one lookup per (relationship, day)
def _code_for(relationship: str, on: date) -> str:
    return relationships.code_for(relationship, on)


def _relationship(number: int, text: dict[str, str]) -> tuple[str, str]:
    """The relationship of a row and its MoiQuanHe code: a code the code list has decides; otherwise the
    name ("con đẻ", "bố đẻ": the residence database's names, by their first word), the code kept as given."""
    code = text["residence_code"].zfill(2) if text["residence_code"] else ""
    if code and not (code.isdigit() and len(code) == 2):
        raise _Refused(RowProblem(number, "residence_code", _("«{residence_code}»: mã quan hệ là 2 chữ số").format(
                                                                residence_code=text['residence_code'])))
    by_code = relationships.from_code(code) if code else None
    if by_code is not None:
        return by_code, code
    words = text["relationship"].lower().split(" ")
    folded = fold(text["relationship"])
    found = RELATIONSHIPS.get(folded) or ACCENTED.get(words[0]) or RELATIONSHIPS.get(folded.split(" ")[0])
    if found is None:
        known = text["relationship"]
        reason = (_("«{value}» không phải quan hệ đã biết").format(value=known) if known
                  else _("mã quan hệ «{code}» chưa có trong danh mục: ghi thêm tên quan hệ").format(code=code))
        raise _Refused(RowProblem(number, "relationship", reason))
    return str(found), code


def _households(rows: list[Row], problems: list[RowProblem]) -> list[list[Row]]:
    """Households as the annex lists them: consecutive rows with the same commune and head's name
    (two households whose heads share a name stay apart if other rows separate them). A citizen ID
    twice in the file refuses the later rows; a household needs exactly one head row."""
    first_row: dict[str, int] = {}
    for row in rows:
        if row.citizen_id:
            first_row.setdefault(row.citizen_id, row.number)
    repeated = {r.number for r in rows if r.citizen_id and first_row[r.citizen_id] != r.number}
    problems.extend(RowProblem(n, "citizen_id", _("số định danh đã có ở dòng trước")) for n in sorted(repeated))
    first_si: dict[str, int] = {}
    for row in rows:
        if row.si_code and row.number not in repeated:
            first_si.setdefault(row.si_code, row.number)
    twice = {r.number for r in rows if r.si_code and r.number not in repeated and first_si[r.si_code] != r.number}
    problems.extend(RowProblem(n, "si_code", _("mã số BHXH đã có ở dòng trước")) for n in sorted(twice))
    repeated |= twice
    groups: list[list[Row]] = []
    for row in rows:
        if row.number in repeated:
            continue
        previous = groups[-1][-1] if groups else None
        if previous is None or (previous.area_id, previous.head) != (row.area_id, row.head) or (
                row.relationship == Relationship.HEAD and any(r.relationship == Relationship.HEAD for r in groups[-1])):
            groups.append([])
        groups[-1].append(row)
    kept = []
    for members in groups:
        heads = sum(r.relationship == Relationship.HEAD for r in members)
        if heads == 1:
            kept.append(members)
        else:
            reason = _("hộ «{head}» không có dòng chủ hộ").format(head=members[0].head)
            problems.extend(RowProblem(r.number, "head", reason) for r in members)
    return kept


def import_people(path_or_rows: Path | list[dict[str, Any]], actor: AbstractBaseUser | None, scope: Scope,
                  on: date, dry_run: bool = False, skip_invalid: bool = False,
                  progress: Callable[[int], None] | None = None) -> ImportReport:
    """Validate and write a file (or its rows). On PostgreSQL the rows stream through a staging table
    (registry.staging): validated as read, COPYed, checked and written in SQL, so memory stays flat;
    elsewhere they are held in memory and written by ``_write``. ``progress`` hears rows as they are done."""
    raw = iter_rows(path_or_rows) if isinstance(path_or_rows, Path) else iter(path_or_rows)
    if not scope.can_write:
        raise DomainError(ErrorCode.FORBIDDEN, _("Vai trò của bạn không được nhập dữ liệu."),
                          "Your role may not import.")
    report = ImportReport()
    tables = _collector_tables(path_or_rows) if isinstance(path_or_rows, Path) else {}
    if collector.DATA in tables:
        report.payments = collector.check_payments(tables, timezone.localdate())
    del tables
    started = timezone.now()
    with transaction.atomic():  # the people and, for an agent's minority ethnicities, their requests
        if connection.vendor == "postgresql":
            _import_staged(raw, actor, scope, on, dry_run, skip_invalid, progress, report)
        else:
            _import_in_memory(list(raw), actor, scope, on, dry_run, skip_invalid, progress, report)
        support.hold_imported(actor, scope, started)  # registry.support: an agent's wait for a manager
    if report.written:
        bulk.analyze((Person, Household, Membership, AuditEntry))
    return report


def _import_in_memory(raw: list[dict[str, Any]], actor: AbstractBaseUser | None, scope: Scope, on: date,
                      dry_run: bool, skip_invalid: bool, progress: Callable[[int], None] | None,
                      report: ImportReport) -> None:
    rows, problems = validate(raw, scope, on)
    groups = _households(rows, problems)
    report.rows, report.problems = len(raw), _located(problems, raw)
    report.valid_rows = sum(len(g) for g in groups)
    if (problems and not skip_invalid) or dry_run:
        return
    with transaction.atomic():
        _write(groups, actor, on, report, progress)
    report.written = True


STAGE_PROGRESS_EVERY = 10_000


def _import_staged(raw: Iterator[dict[str, Any]], actor: AbstractBaseUser | None, scope: Scope, on: date,
                   dry_run: bool, skip_invalid: bool, progress: Callable[[int], None] | None,
                   report: ImportReport) -> None:
    """The PostgreSQL path: each row validated as it is read and COPYed into the staging table; the
    whole-file checks and the writes in SQL (registry.staging), all in one transaction."""
    known = dict(communes(on, scope.area_ids).values_list("code", "pk"))
    today = timezone.localdate()
    problems: list[RowProblem] = []
    header_of: dict[str, dict[str, str]] = {}  # a collector sheet → its columns' headers
    reported = 0
    # the runs of consecutive staged rows with one commune and head's name, a second head row starting a
    # new part: staging._CHECK's rule, counted here as the rows come (staging uses them when the file
    # repeats no citizen ID or SI code, so that every staged row is kept)
    run, heads, previous = 0, 0, None

    def staged() -> Iterator[tuple[Any, ...]]:
        nonlocal reported, run, heads, previous
        for number, cells in enumerate(raw, start=2):
            report.rows += 1
            where = cells.get("_where")
            if where:
                header_of.setdefault(where[0], where[2])
            if progress and report.rows % STAGE_PROGRESS_EVERY == 0:
                progress(STAGE_PROGRESS_EVERY // 2)
                reported += STAGE_PROGRESS_EVERY // 2
            try:
                row = _validate_row(number, cells, known, today)
            except _Refused as refused:
                problems.append(_locate(refused.problem, where))
                continue
            is_head = row.relationship == Relationship.HEAD
            if (row.area_id, row.head) != previous:
                run, heads, previous = run + 1, 0, (row.area_id, row.head)
            heads += is_head
            yield (number, where[1] if where else number, where[0] if where else None, row.head, row.full_name,
                   fold(row.full_name), row.date_of_birth, row.birth_precision, row.sex, row.ethnicity,
                   row.citizen_id, row.si_code, row.phone, row.area_id, row.address, row.relationship,
                   row.residence_code, is_head,
                   mask_citizen_id(row.citizen_id) if row.citizen_id else None,
                   mask_phone(row.phone) if row.phone else None, run, max(heads, 1))

    with transaction.atomic():
        staging.create()
        staging.copy_rows(staged())
        for number, line, sheet, column, reason in staging.check():
            where = (sheet, line, header_of.get(sheet, {})) if sheet is not None else None
            problems.append(_locate(RowProblem(number, column, reason), where))
        report.problems = sorted(problems, key=_problem_order)
        report.valid_rows = staging.valid_rows()
        if (problems and not skip_invalid) or dry_run:
            staging.drop()
            return
        who = actor.pk if actor is not None and actor.is_authenticated else None
        report.people_created, report.households_created, report.memberships_created = staging.write(
            who, timezone.now(), on,
            lambda area_id, count: codes.reserve(AdministrativeUnit.objects.get(pk=area_id), count))
        staging.drop()
    report.written = True
    if progress:
        progress(report.rows - reported)


# the collector workbook's column for an import key, where the names differ
_COLLECTOR_KEY = {"head": "household", "relationship": "relationship_name", "residence_code": "relationship_code"}


def _located(problems: list[RowProblem], raw: list[dict[str, Any]]) -> list[RowProblem]:
    """The problems with the row and column of the file they came from (a collector workbook: the
    sheet and its row, the column under its own code), in file order."""
    out = [_locate(problem, raw[problem.row - 2].get("_where") if 0 <= problem.row - 2 < len(raw) else None)
           for problem in problems]
    return sorted(out, key=_problem_order)


def _locate(problem: RowProblem, where: tuple[str, int, dict[str, str]] | None) -> RowProblem:
    if not where:
        return problem
    sheet, number, header_of = where
    column = header_of.get(_COLLECTOR_KEY.get(problem.column, problem.column), problem.column)
    return RowProblem(number, f"{sheet} › {column}" if sheet else column, problem.reason)


def _problem_order(problem: RowProblem) -> tuple[str, int]:
    return (problem.column.split(" › ")[0] if " › " in problem.column else "", problem.row)


def _existing_people(rows: list[Row]) -> tuple[dict[str, int], dict[tuple[str, date, int], int]]:
    """Ids of people already registered: by citizen ID, and by (folded name, date of birth, commune)."""
    ids = [r.citizen_id for r in rows if r.citizen_id]
    by_id = dict(bulk.lookup(Person, "citizen_id", ids, ("citizen_id", "id")))
    names = sorted({fold(r.full_name) for r in rows if not r.citizen_id})
    found = bulk.lookup(Person, "folded_name", names, ("folded_name", "date_of_birth", "area_id", "id"))
    return by_id, {(name, born, area): pk for name, born, area, pk in found}


def _write(groups: list[list[Row]], actor: AbstractBaseUser | None, on: date, report: ImportReport,
           progress: Callable[[int], None] | None) -> None:
    now = timezone.now()
    who = actor.pk if actor is not None and actor.is_authenticated else None
    audit: list[tuple[Any, ...]] = []

    def log(entity: str, pk: int, area_id: int, changes: dict[str, Any]) -> None:
        audit.append((who, now, "create", entity, pk, area_id, json.dumps({**changes, "import": [None, True]})))

    # People: reuse those already registered, insert the rest.
    all_rows = [r for g in groups for r in g]
    by_id, by_key = _existing_people(all_rows)
    by_si = dict(bulk.lookup(Person, "si_code", [r.si_code for r in all_rows if r.si_code], ("si_code", "id")))
    person_of: dict[int, int] = {}  # row number → person id
    pending: dict[int, Row] = {}  # row number → a person to create
    same_as: dict[int, int] = {}  # row number → the earlier row of this file naming the same person
    first_row: dict[tuple[str, date, int], int] = {}
    for row in all_rows:
        key = (fold(row.full_name), row.date_of_birth, row.area_id)
        found = by_id.get(row.citizen_id) if row.citizen_id else by_key.get(key)
        if found is None and row.si_code:  # a person registered with this SI code is that person
            found = by_si.get(row.si_code)
        if found is not None:
            person_of[row.number] = found
        elif row.citizen_id is None and key in first_row:
            same_as[row.number] = first_row[key]
        else:
            pending[row.number] = row
            first_row.setdefault(key, row.number)
    new_ids = bulk.insert(Person, PERSON_COLUMNS, [
        (r.full_name, fold(r.full_name), r.date_of_birth, r.birth_precision, r.sex, r.ethnicity, r.citizen_id,
         r.si_code, r.phone, r.area_id,
         r.address, now, now) for r in pending.values()])
    for (number, row), pk in zip(pending.items(), new_ids, strict=True):
        person_of[number] = pk
        masked_id = mask_citizen_id(row.citizen_id) if row.citizen_id else None
        log("person", pk, row.area_id, {"full_name": [None, row.full_name], "citizen_id": [None, masked_id],
                                        "phone": [None, mask_phone(row.phone) if row.phone else None]})
    for number, earlier in same_as.items():
        person_of[number] = person_of[earlier]
    report.people_created = len(new_ids)
    if progress:
        progress(len(all_rows) // 2)

    # Households: one per head person, unless the head already heads one.
    head_of = [person_of[next(r.number for r in g if r.relationship == Relationship.HEAD)] for g in groups]
    household_of_head = dict(bulk.lookup(Household, "head_id", sorted(set(head_of)), ("head_id", "id")))
    existing_households = list(household_of_head.values())
    fresh: dict[int, list[Row]] = {}  # head person → the household's rows, for heads without a household
    for head, members in zip(head_of, groups, strict=True):
        if head not in household_of_head:
            fresh.setdefault(head, members)
    new_codes = _reserve_codes([members[0].area_id for members in fresh.values()])
    values = [(next(new_codes[members[0].area_id]), head, members[0].area_id, members[0].address, now)
              for head, members in fresh.items()]
    for (head, members), pk, row in zip(fresh.items(), bulk.insert(Household, HOUSEHOLD_COLUMNS, values), values,
                                        strict=True):
        household_of_head[head] = pk
        log("household", pk, members[0].area_id, {"code": [None, row[0]]})
    report.households_created = len(fresh)

    # Memberships: add the ones not already open.
    # Only households that existed before this import can already have open memberships.
    open_now = {(h, p) for h, p, left in bulk.lookup(Membership, "household_id", existing_households,
                                                      ("household_id", "person_id", "valid_to")) if left is None}
    links = []
    for head, members in zip(head_of, groups, strict=True):
        household = household_of_head[head]
        for row in members:
            pair = (household, person_of[row.number])
            if pair not in open_now:
                open_now.add(pair)
                links.append((*pair, row.relationship, on, None, row.residence_code, row.area_id))
    for link, pk in zip(links, bulk.insert(Membership, MEMBERSHIP_COLUMNS, [link[:6] for link in links]),
                        strict=True):
        log("membership", pk, link[6], {"household": [None, link[0]], "person": [None, link[1]],
                                        "relationship": [None, link[2]]})
    report.memberships_created = len(links)
    bulk.insert(AuditEntry, AUDIT_COLUMNS, audit)
    if progress:
        progress(len(all_rows) - len(all_rows) // 2)


PERSON_COLUMNS = ("full_name", "folded_name", "date_of_birth", "birth_precision", "sex", "ethnicity", "citizen_id",
                  "si_code", "phone",
                  "area_id", "address_detail", "created_at", "updated_at")
HOUSEHOLD_COLUMNS = ("code", "head_id", "area_id", "address_detail", "created_at")
MEMBERSHIP_COLUMNS = ("household_id", "person_id", "relationship", "valid_from", "valid_to", "residence_code")
AUDIT_COLUMNS = ("actor_id", "at", "action", "entity", "entity_id", "area_id", "changes")


def _reserve_codes(area_ids: list[int]) -> dict[int, Iterator[str]]:
    """Household codes for the new households, one per entry of ``area_ids``, from each commune's locked
    counter (registry.codes)."""
    needed = Counter(area_ids)
    return {area.pk: iter(codes.reserve(area, needed[area.pk]))
            for area in AdministrativeUnit.objects.filter(pk__in=needed).order_by("pk")}  # one lock order
