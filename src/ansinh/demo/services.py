"""The demo scenario, loaded by `make demo` (idempotent: running it again changes nothing).

So far: the organisation of Nghệ An (BHXH tỉnh, Bưu điện tỉnh, a collection point), one login per
role, a few households in Phường Thành Vinh, a receipt pool, example commission rates (marked as
examples: no contract's rates are known) and two paid terms. People and households are fictional; places are
the real ones shipped by the areas app. The May 2022 campaign comes with the campaigns issue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from ansinh.areas import queries as areas
from ansinh.areas.models import AdministrativeUnit
from ansinh.demo.seed_campaign import load_seed_campaign
from ansinh.enrollment import services as enrolling
from ansinh.enrollment.models import Enrollment, Scheme
from ansinh.org.models import Agent, OrgKind, OrgUnit, Role
from ansinh.org.scope import scope_for
from ansinh.org.services import grant_role
from ansinh.payments import services as paying
from ansinh.payments.models import CommissionRate, ReceiptPool, Sponsor
from ansinh.registry import services
from ansinh.registry.models import Person
from ansinh.reports.services import refresh_all

DEMO_DAY = date(2025, 8, 1)
THANH_VINH, TRUONG_VINH, ANH_SON = "16681", "16690", "17329"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    scope: str


DEMO_LOGINS = (
    DemoLogin("admin", "ansinh-demo-2022", "quản trị tỉnh + Django admin", "toàn tỉnh Nghệ An"),
    DemoLogin("quanly", "ansinh-demo-2022", "quản lý BHXH cơ sở", "P. Thành Vinh, P. Trường Vinh"),
    DemoLogin("buudien", "ansinh-demo-2022", "quản lý Bưu điện", "Bưu điện tỉnh Nghệ An"),
    DemoLogin("daily", "ansinh-demo-2022", "nhân viên thu", "P. Thành Vinh"),
    DemoLogin("xem", "ansinh-demo-2022", "chỉ xem", "toàn tỉnh Nghệ An"),
)

HOUSEHOLDS = [  # (head, members) — fictional people; citizen IDs agree with birth year and sex
    (("Nguyễn Văn Hùng", date(1978, 4, 12), "male", "040078001234", "0912000111", "Khối 3"),
     [("Trần Thị Lan", date(1981, 9, 3), "female", "040181004321", "spouse"),
      ("Nguyễn Văn Minh", date(2006, 2, 20), "male", "040206007788", "child")]),
    (("Lê Thị Mai", date(1965, 11, 30), "female", "040165002222", "0987000222", "Khối 7"),
     [("Hồ Văn Nam", date(1990, 6, 15), "male", "040090003333", "child")]),
    (("Phan Đức Thắng", date(1988, 1, 8), "male", "040088005555", "", "Khối 12"), []),
]


def _commune(code: str) -> AdministrativeUnit:
    """The area with this code on the demo day (a commune, or the province "40")."""
    unit = areas.unit_on(code, DEMO_DAY)
    if unit is None:
        raise LookupError(f"area {code} is missing: run the migrations first")
    return unit


def _org(code: str, name: str, kind: OrgKind, parent: OrgUnit | None, area_codes: list[str]) -> OrgUnit:
    unit, _ = OrgUnit.objects.update_or_create(code=code, defaults={"name": name, "kind": kind, "parent": parent})
    unit.areas.set([_commune(c) for c in area_codes])
    return unit


@transaction.atomic
def load_demo() -> list[DemoLogin]:
    """Create (or reset) the demo organisation, logins and households."""
    province = _commune("40")
    bhxh = _org("BHXH40", "BHXH tỉnh Nghệ An", OrgKind.BHXH_PROVINCE, None, ["40"])
    post = _org("BD40", "Bưu điện tỉnh Nghệ An", OrgKind.COLLECTOR, None, ["40"])
    point = _org("BD40-TV", "Điểm thu Bưu điện phường Thành Vinh", OrgKind.COLLECTION_POINT, post, [THANH_VINH])
    users = get_user_model()
    made = {}
    for login in DEMO_LOGINS:
        user, _ = users.objects.get_or_create(username=login.username)
        user.is_staff = user.is_superuser = login.username == "admin"
        user.set_password(login.password)
        user.save()
        made[login.username] = user
    grant_role(made["admin"], Role.PROVINCE_ADMIN, [province], [bhxh, post])
    grant_role(made["quanly"], Role.OFFICE_MANAGER, [_commune(THANH_VINH), _commune(TRUONG_VINH)])
    grant_role(made["buudien"], Role.COLLECTOR_MANAGER, [], [post])
    grant_role(made["daily"], Role.AGENT, [_commune(THANH_VINH)], [point])
    grant_role(made["xem"], Role.VIEWER, [province])
    agent, _ = Agent.objects.update_or_create(
        code="DL40-0001", defaults={"name": "Đại lý thu Thành Vinh (demo)", "phone": "0912345001", "collector": post,
                                    "user": made["daily"], "active_from": date(2022, 1, 1)})
    agent.collection_points.set([point])
    agent.areas.set([_commune(THANH_VINH)])
    _households(made["daily"])
    _money(post, made["daily"])
    load_seed_campaign(bhxh, post)
    refresh_all()  # the seed is bulk-loaded, past the writers that keep the facts current
    return list(DEMO_LOGINS)


def _money(post: OrgUnit, agent_user: AbstractBaseUser) -> None:
    """A receipt pool, example commission rates (not contract figures), a sponsor, and two paid terms."""
    ReceiptPool.objects.get_or_create(collector=post, series="BL40-DEMO", defaults={"last_number": 999_999})
    for scheme in (Scheme.VSI, Scheme.HOUSEHOLD_HI):
        for renewal in (False, True):
            CommissionRate.objects.get_or_create(
                scheme=scheme, is_renewal=renewal, method="cash", valid_from=date(2022, 1, 1),
                defaults={"rate": Decimal("0.05") if not renewal else Decimal("0.03"), "is_example": True,
                          "source": "Ví dụ minh hoạ cho demo — không phải tỷ lệ của hợp đồng thật"})
    Sponsor.objects.get_or_create(name="Quỹ Tấm lòng vàng (demo)", defaults={"note": "Tặng thẻ BHYT, sổ BHXH"})
    scope = scope_for(agent_user)
    paid_at = datetime(2025, 8, 1, 9, 0, tzinfo=timezone.get_default_timezone())
    hung = Person.objects.get(citizen_id=HOUSEHOLDS[0][0][3])
    if not Enrollment.objects.filter(person=hung).exists():
        vsi = enrolling.enroll_vsi(agent_user, scope, enrolling.quote_vsi(scope, hung.pk, DEMO_DAY, 2_000_000, 3))
        paying.record_payment(agent_user, scope, vsi.pk, amount=vsi.payable, method="cash",
                              idempotency_key="demo-vsi-hung", paid_at=paid_at)
    mai_household = Person.objects.get(citizen_id=HOUSEHOLDS[1][0][3]).headed_households.get()
    if not Enrollment.objects.filter(household=mai_household).exists():
        members = list(mai_household.memberships.values_list("person_id", flat=True))
        hi = enrolling.enroll_hi(agent_user, scope, enrolling.quote_hi(scope, mai_household.pk, members, DEMO_DAY, 12),
                                 "Trạm y tế phường Thành Vinh")
        paying.record_payment(agent_user, scope, hi.pk, amount=hi.payable, method="cash",
                              idempotency_key="demo-hi-mai", paid_at=paid_at)


def _households(agent_user: AbstractBaseUser) -> None:
    scope = scope_for(agent_user)
    area_id = _commune(THANH_VINH).pk
    for (name, born, sex, cid, phone, address), members in HOUSEHOLDS:
        if Person.objects.filter(citizen_id=cid).exists():
            continue
        head = services.PersonData(full_name=name, date_of_birth=born, sex=sex, area_id=area_id, citizen_id=cid,
                                   phone=phone, address_detail=address)
        household = services.create_household(agent_user, scope, head, DEMO_DAY)
        for m_name, m_born, m_sex, m_cid, relationship in members:
            member = services.PersonData(full_name=m_name, date_of_birth=m_born, sex=m_sex, area_id=area_id,
                                         citizen_id=m_cid, address_detail=address)
            services.add_member(agent_user, scope, household.pk, relationship, DEMO_DAY, new_person=member)
    first = Person.objects.get(citizen_id=HOUSEHOLDS[0][0][3]).headed_households.first()
    if first is not None and not first.poverty_statuses.exists():
        services.set_poverty_status(agent_user, scope, first.pk, "near_poor", date(2025, 1, 1), "QĐ 15/QĐ-UBND (demo)")
