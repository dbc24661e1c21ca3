"""Every change to the map, inside one transaction: loading the shipped data and importing CSV."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from ansinh.areas.models import AdministrativeUnit, Level
from ansinh.areas.queries import in_force
from ansinh.lib.errors import DomainError, ErrorCode, RowProblem

IMPORT_COLUMNS = ("code", "name", "level", "parent_code", "valid_from")


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int


def _parse_date(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in IMPORT_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise DomainError(
                ErrorCode.INVALID_INPUT,
                _("Tệp {name} thiếu cột: {value} (cần: {value2}).").format(
                    name=path.name, value=', '.join(missing), value2=', '.join(IMPORT_COLUMNS)),
                f"{path.name} lacks columns: {', '.join(missing)}.",
            )
        return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]


@transaction.atomic
def import_units(rows: Iterable[dict[str, str]]) -> ImportResult:
    """Create or update units (code, name, level, parent_code, valid_from[, valid_to]); all rows or none.

    Re-importing the same file changes nothing. A parent must exist (in the database or earlier in
    the file) and be in force on the row's ``valid_from``."""
    problems: list[RowProblem] = []
    created = updated = 0
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        problem = _import_row(number, row)
        if isinstance(problem, RowProblem):
            problems.append(problem)
        elif problem:
            created += 1
        else:
            updated += 1
    if problems:
        transaction.set_rollback(True)
        listed = "; ".join(map(str, problems[:20]))
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            _("Không nhập được: {value} dòng lỗi ({listed}). Không có thay đổi nào được lưu.").format(
                value=len(problems), listed=listed),
            f"Import refused: {len(problems)} bad rows; nothing was saved.",
            problems=[str(p) for p in problems],
        )
    return ImportResult(created, updated)


def _import_row(number: int, row: dict[str, str]) -> bool | RowProblem:
    """True if created, False if updated, or the row's problem."""
    for column in ("code", "name", "level"):
        if not row.get(column):
            return RowProblem(number, column, _("bắt buộc"))
    if row["level"] not in Level.values:
        return RowProblem(number, "level", _("«{level}» không phải một cấp ({value})").format(
                                               level=row['level'], value=', '.join(Level.values)))
    try:
        valid_from, valid_to = _parse_date(row["valid_from"]), _parse_date(row.get("valid_to", ""))
    except ValueError:
        return RowProblem(number, "valid_from", _("ngày không hợp lệ (YYYY-MM-DD)"))
    parent = None
    if row.get("parent_code"):
        parents = AdministrativeUnit.objects.filter(code=row["parent_code"])
        parents = parents.filter(in_force(valid_from)) if valid_from else parents.filter(valid_from__isnull=True)
        parent = parents.first()
        if parent is None:
            return RowProblem(number, "parent_code", _("không có đơn vị {parent_code} có hiệu lực vào ngày đó").format(
                                                         parent_code=row['parent_code']))
    elif row["level"] != Level.PROVINCE:
        return RowProblem(number, "parent_code", _("bắt buộc với cấp dưới tỉnh"))
    _unused, created = AdministrativeUnit.objects.update_or_create(
        code=row["code"],
        valid_from=valid_from,
        defaults={"name": row["name"], "level": row["level"], "parent": parent, "valid_to": valid_to},
    )
    return created
