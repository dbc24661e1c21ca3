from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django.test import Client
from typer.testing import CliRunner

from ansinh.areas import queries as areas
from ansinh.cli import app
from ansinh.demo.services import DEMO_DAY, DEMO_LOGINS, describe, load_demo
from ansinh.org.models import Grant, Role
from ansinh.org.scope import scope_for
from ansinh.payments.models import CommissionRate, Payment, Receipt
from ansinh.registry import lookups, queries
from ansinh.registry.models import AuditEntry, Household, Person

pytestmark = pytest.mark.django_db


def test_the_demo_logins_work_after_loading() -> None:
    load_demo()
    for login in DEMO_LOGINS:
        assert get_user_model().objects.get(username=login.username).check_password(login.password)


def test_loading_twice_creates_nothing_new() -> None:
    load_demo()
    counts = (get_user_model().objects.count(), Person.objects.count(), Household.objects.count(),
              AuditEntry.objects.count())
    again = load_demo()
    assert not any(account.created for account in again)
    assert all(f"/ {login.password}" in describe(a) for login, a in zip(DEMO_LOGINS, again, strict=True))
    assert (get_user_model().objects.count(), Person.objects.count(), Household.objects.count(),
            AuditEntry.objects.count()) == counts
    assert counts[0] == len(DEMO_LOGINS)
    # Code 16681 was Phường Quang Trung in 2022 (seed campaign people) and is Phường Thành Vinh since 07/2025.
    assert Person.objects.filter(area__code="16681", area__valid_from__isnull=False).count() == 6
    assert Household.objects.filter(code__startswith="HGD16681-").count() == 3
    assert Receipt.objects.filter(pool__series="BL40-DEMO").count() == 2
    vsi = Payment.objects.get(enrollment__scheme="vsi", idempotency_key="demo-vsi-hung")
    # Near-poor household, income 2,000,000, Era B, 3 months: 22% = 440,000 less the state's 30% (132,000)
    # and Nghệ An's 25% of 22% × the rural poverty line 1,500,000 (NQ 07/2025/NQ-HĐND: 82,500) a month.
    assert vsi.amount == 3 * (440_000 - 132_000 - 82_500)
    assert all(rate.is_example for rate in CommissionRate.objects.all())


def test_each_demo_login_has_its_role_and_sees_its_area() -> None:
    load_demo()
    users = get_user_model().objects
    agent = scope_for(users.get(username="daily"))
    # Two Nguyễn in the demo households of today's ward, eight among the seed's people of its 2022 communes.
    assert agent.role == Role.AGENT and len(lookups.search_people(None, agent, "nguyen").page) == 10
    assert scope_for(users.get(username="xem")).role == Role.VIEWER
    post_office = users.get(username="buudien")
    assert len(lookups.search_people(post_office, scope_for(post_office), "040078001234").page) == 1


def test_the_command_prints_the_logins(capsys: pytest.CaptureFixture[str], settings: Any) -> None:
    settings.DEBUG = True
    call_command("demo_load")
    out = capsys.readouterr().out
    assert all(f"{login.username} / {login.password}" in out for login in DEMO_LOGINS)


def test_the_demo_passwords_pass_the_password_validators() -> None:
    for login in DEMO_LOGINS:
        validate_password(login.password, get_user_model()(username=login.username))


def _nothing_loaded() -> bool:
    return not get_user_model().objects.exists() and not Person.objects.exists() and not Payment.objects.exists()


def test_the_cli_refuses_to_load_the_demo_without_debug_and_loads_nothing() -> None:
    result = CliRunner().invoke(app, ["demo", "load"])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert "DEBUG=1" in result.stderr and "--i-know-this-is-not-production" in result.stderr
    assert _nothing_loaded()


def test_the_command_refuses_without_debug_with_exit_2(settings: Any) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--i-know-this-is-not-production") as refused:
        call_command("demo_load")
    assert refused.value.returncode == 2 and _nothing_loaded()


def test_the_cli_loads_the_demo_when_told_explicitly_it_is_not_production() -> None:
    result = CliRunner().invoke(app, ["demo", "load", "--i-know-this-is-not-production"])
    assert result.exit_code == 0 and "daily / ansinh-demo-2022" in result.stdout
    assert get_user_model().objects.get(username="daily").check_password("ansinh-demo-2022")


def test_loading_the_demo_never_changes_an_existing_users_password_or_rights() -> None:
    # Issue 11, item 9: `demo load` used to reset the superuser `admin` to the public demo password.
    existing = get_user_model().objects.create_user("admin", password="mot-mat-khau-rieng-2025")
    result = CliRunner().invoke(app, ["demo", "load", "--i-know-this-is-not-production"])
    assert result.exit_code == 0
    existing.refresh_from_db()
    assert existing.check_password("mot-mat-khau-rieng-2025") and not existing.check_password("ansinh-demo-2022")
    assert not existing.is_superuser and not existing.is_staff and not Grant.objects.filter(user=existing).exists()
    assert "admin / ansinh-demo-2022" not in result.stdout and "admin: tài khoản đã có" in result.stdout
    assert get_user_model().objects.get(username="quanly").check_password("ansinh-demo-2022")  # the missing ones


def test_the_wards_agent_finds_the_people_registered_in_its_eight_predecessor_communes() -> None:
    # Issue 11, item 6: the demo's campaign people live in 2022 communes; Phường Thành Vinh (16681)
    # is made of eight of them since 01/07/2025.
    load_demo()
    ward = areas.unit_on("16681", DEMO_DAY)
    assert ward is not None
    earlier = [u.pk for u in areas.remap(ward, date(2022, 5, 8))]
    assert len(earlier) == 8
    theirs = Person.objects.filter(area_id__in=earlier)
    assert theirs.count() == 131
    agent = get_user_model().objects.get(username="daily")
    scope = scope_for(agent)
    assert queries.people(scope).filter(area_id__in=earlier).count() == 131
    someone = theirs.order_by("pk").first()
    assert someone is not None
    client = Client()
    client.force_login(agent)
    assert client.get(f"/nguoi/{someone.pk}/").status_code == 200
    found = client.get("/tim-kiem/", {"q": someone.full_name})
    assert f"/nguoi/{someone.pk}/" in found.content.decode()
    elsewhere = Client()
    elsewhere.force_login(get_user_model().objects.create_user("agent_elsewhere", password="mat-khau-du-dai-2025"))
    assert elsewhere.get(f"/nguoi/{someone.pk}/").status_code == 404
