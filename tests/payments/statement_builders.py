"""Builders for the bank-statement tests: pending VSI terms of commune X, recorded by the agent persona,
and a statement file in a Vietnamese bank's layout (title rows, then the header)."""

from __future__ import annotations

import csv
from datetime import date, datetime
from itertools import product
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from ansinh.enrollment import services as enrolling
from ansinh.enrollment.models import Enrollment
from ansinh.org.models import OrgUnit, Role
from ansinh.registry import services as registry
from tests.builders import Personas, field_setup, person_data, user

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
ON = date(2025, 8, 1)
BOOKED = datetime(2025, 8, 2, 10, 15, tzinfo=TZ)
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Quang", "Thanh", "Xuân", "Kim"]
GIVEN = ["An", "Bình", "Cường", "Dung", "Giang", "Hà", "Hải", "Hoa", "Hùng", "Lan", "Long", "Mai", "Nam",
         "Nga", "Phúc"]
HEADER = ["STT", "Ngày giao dịch", "Số tham chiếu", "Số tiền ghi nợ", "Số tiền ghi có", "Nội dung"]


def names() -> list[str]:
    return [f"{a} {b} {c}" for a, b, c in product(FAMILY, MIDDLE, GIVEN)]


def money_setup(who: Personas) -> tuple[OrgUnit, Any]:
    """The post office of commune X (its pool, the agent persona as its agent) and its manager."""
    post, _agent = field_setup(who)
    return post, user(Role.COLLECTOR_MANAGER, org_units=[post], username="post_manager")


def pending_terms(who: Personas, count: int, income: int = 2_000_000) -> list[Enrollment]:
    scope = who.scope(who.agent)
    made = []
    for name in names()[:count]:
        person = registry.create_person(who.agent, scope, person_data(full_name=name, citizen_id=None, phone=""),
                                        confirm_probable_duplicate=True)
        made.append(enrolling.enroll_vsi(who.agent, scope, enrolling.quote_vsi(scope, person.pk, ON, income, 1)))
    return made


def write_statement(folder: Path, rows: list[tuple[datetime | str, str, int | str, str]],
                    name: str = "sao-ke.csv") -> Path:
    """A CSV as Vietcombank exports it: the account's title rows, the header, then (time, bank id,
    credit, description) rows with the amount grouped by dots."""
    path = folder / name
    with path.open("w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out)
        writer.writerow(["SAO KÊ TÀI KHOẢN"])
        writer.writerow(["Số tài khoản: 0123456789", "", "Bưu điện tỉnh Nghệ An"])
        writer.writerow([])
        writer.writerow(HEADER)
        for number, (at, bank_id, amount, text) in enumerate(rows, start=1):
            # as the bank prints it: Vietnam's wall-clock time (a UTC time read as local moved the bank's day
            # between 17:00 and 24:00 UTC)
            local = timezone.localtime(at) if isinstance(at, datetime) and timezone.is_aware(at) else at
            shown = local.strftime("%d/%m/%Y %H:%M:%S") if isinstance(local, datetime) else local
            credit = f"{amount:,}".replace(",", ".") if isinstance(amount, int) else amount
            writer.writerow([number, shown, bank_id, "", credit, text])
    return path
