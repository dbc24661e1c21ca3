"""The demo scenario, loaded by `make demo` (idempotent: running it again changes nothing).

So far: the organisation of Nghệ An (BHXH tỉnh, Bưu điện tỉnh, a collection point), one login per
role (created only if missing, never reset), a few households in Phường Thành Vinh, a receipt pool,
example commission rates (marked as examples: no contract's rates are known) and two paid terms.
People and households are fictional; places are the real ones shipped by the areas app. The May 2022
campaign comes with the campaigns issue. Its entry points load it only with DEBUG=1 or an explicit
``--i-know-this-is-not-production`` (:func:`require_demo_allowed`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ansinh.areas import queries as areas
from ansinh.areas.models import AdministrativeUnit
from ansinh.demo.remittances import record_demo_remittances
from ansinh.demo.seed_campaign import load_seed_campaign
from ansinh.enrollment import services as enrolling
from ansinh.enrollment.models import Enrollment, Scheme
from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.org.models import Agent, OrgKind, OrgUnit, Role
from ansinh.org.scope import scope_for
from ansinh.org.services import grant_role
from ansinh.payments import services as paying
from ansinh.payments.models import CommissionRate, ReceiptPool, Sponsor
from ansinh.registry import services
from ansinh.registry.bulk import analyze, app_models
from ansinh.registry.models import Person
from ansinh.reports.services import refresh_all

DEMO_DAY = date(2025, 8, 1)
THANH_VINH, TRUONG_VINH, ANH_SON = "16681", "16690", "17329"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: Promise  # marked lazily (gettext_lazy): read in the language shown when printed
    scope: Promise


@dataclass(frozen=True)
class DemoAccount:
    login: DemoLogin
    user: AbstractBaseUser
    created: bool  # False: the account existed and was left as it was (password, flags, grant)
    has_demo_password: bool  # the public demo password still opens it (so printing it reveals nothing)


# The role and scope are printed by `demo_load` (describe): marked here, read in the language shown.
DEMO_LOGINS = (
    DemoLogin("admin", "ansinh-demo-2022", gettext_lazy("quản trị tỉnh + Django admin"),
              gettext_lazy("toàn tỉnh Nghệ An")),
    DemoLogin("quanly", "ansinh-demo-2022", gettext_lazy("quản lý BHXH cơ sở"),
              gettext_lazy("P. Thành Vinh, P. Trường Vinh")),
    DemoLogin("buudien", "ansinh-demo-2022", gettext_lazy("quản lý Bưu điện"), gettext_lazy("Bưu điện tỉnh Nghệ An")),
    DemoLogin("daily", "ansinh-demo-2022", gettext_lazy("nhân viên thu"), gettext_lazy("P. Thành Vinh")),
    DemoLogin("xem", "ansinh-demo-2022", gettext_lazy("chỉ xem"), gettext_lazy("toàn tỉnh Nghệ An")),
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


def require_demo_allowed(confirmed: bool) -> None:
    """The demo's logins have a public password: load it only on a development machine (DEBUG=1) or
    when the operator says explicitly that this database is not production."""
    if not (settings.DEBUG or confirmed):
        raise DomainError(
            ErrorCode.FORBIDDEN,
            "Không nạp demo: chỉ chạy khi DEBUG=1 (máy phát triển) hoặc với --i-know-this-is-not-production, "
            "vì tài khoản demo có mật khẩu công khai.",
            "Refusing to load the demo: run it with DEBUG=1 or --i-know-this-is-not-production "
            "(the demo logins have a public password).",
        )


@transaction.atomic
def load_demo() -> list[DemoAccount]:
    """Create the demo organisation, the missing logins and the households (entry points call
    :func:`require_demo_allowed` first). An account that already exists keeps its password, flags
    and grant: loading the demo never resets anyone to the public demo password."""
    province = _commune("40")
    bhxh = _org("BHXH40", "BHXH tỉnh Nghệ An", OrgKind.BHXH_PROVINCE, None, ["40"])
    # The post office serves the whole province; the wards of the demo's BHXH office manager are named
    # too, so that `quanly` finds the collector of their wards (D05-TS/HI lists, remittances).
    post = _org("BD40", "Bưu điện tỉnh Nghệ An", OrgKind.COLLECTOR, None, ["40", THANH_VINH, TRUONG_VINH])
    if not post.tax_code:  # the header block of D05-TS/D03-TS; demo values, not the real post office's
        OrgUnit.objects.filter(pk=post.pk).update(tax_code="2900000000", address="Số 2 Nguyễn Thị Minh Khai, "
                                                  "phường Thành Vinh, Nghệ An", phone="02383000000",
                                                  email="demo-bd40@example.vn")
        post.refresh_from_db()
    point = _org("BD40-TV", "Điểm thu Bưu điện phường Thành Vinh", OrgKind.COLLECTION_POINT, post, [THANH_VINH])
    grants = {
        "admin": (Role.PROVINCE_ADMIN, [province], [bhxh, post]),
        "quanly": (Role.OFFICE_MANAGER, [_commune(THANH_VINH), _commune(TRUONG_VINH)], []),
        "buudien": (Role.COLLECTOR_MANAGER, [], [post]),
        "daily": (Role.AGENT, [_commune(THANH_VINH)], [point]),
        "xem": (Role.VIEWER, [province], []),
    }
    accounts = [_account(login, *grants[login.username]) for login in DEMO_LOGINS]
    made = {account.login.username: account.user for account in accounts}
    agent, _ = Agent.objects.update_or_create(
        code="DL40-0001", defaults={"name": "Đại lý thu Thành Vinh (demo)", "phone": "0912345001", "collector": post,
                                    "user": made["daily"], "active_from": date(2022, 1, 1)})
    agent.collection_points.set([point])
    agent.areas.set([_commune(THANH_VINH)])
    _households(made["daily"])
    _money(post, made["daily"])
    load_seed_campaign(bhxh, post, made["admin"])
    record_demo_remittances()  # the cash was handed over: the reconciliation shows none held for years
    refresh_all()  # the seed is bulk-loaded, past the writers that keep the facts current
    analyze(app_models("registry", "enrollment", "payments", "campaigns", "reports", "org"))
    return accounts


def describe(account: DemoAccount) -> str:
    """One line of the printed logins; an account that existed shows its password only if it is still
    the public demo one."""
    login = account.login
    who = (f"{login.username} / {login.password}" if account.has_demo_password
           else _("{username}: tài khoản đã có, giữ nguyên mật khẩu").format(username=login.username))
    return _("{who}  — {role}; phạm vi: {scope}").format(who=who, role=login.role, scope=login.scope)


def _account(login: DemoLogin, role: Role, areas: list[AdministrativeUnit], orgs: list[OrgUnit]) -> DemoAccount:
    """The login's user, created with its demo password and grant only if missing. The demo password
    goes through the project's password validators like any other (it passes them)."""
    users = get_user_model()
    existing = users.objects.filter(username=login.username).first()
    if existing is not None:
        # The module-level check, not user.check_password: that one may re-save an upgraded hash.
        return DemoAccount(login, existing, created=False,
                           has_demo_password=check_password(login.password, existing.password))
    user = users(username=login.username, is_staff=login.username == "admin", is_superuser=login.username == "admin")
    validate_password(login.password, user)
    user.set_password(login.password)
    user.save()
    grant_role(user, role, areas, orgs)
    return DemoAccount(login, user, created=True, has_demo_password=True)


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
