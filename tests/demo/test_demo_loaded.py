"""The demo as loaded (restored once for the module from the loader's own rows, which
tests/demo/test_demo_snapshot.py checks table by table): its logins, its rights, a second load that adds
nothing. The loader's refusals and the commands that run it on an empty database are in test_load_demo.py."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from ansinh.areas import queries as areas
from ansinh.demo.services import DEMO_DAY, DEMO_LOGINS, describe, load_demo
from ansinh.org.models import Role
from ansinh.org.scope import scope_for
from ansinh.payments.models import CommissionRate, Payment, Receipt
from ansinh.registry import lookups, queries
from ansinh.registry.models import AuditEntry, Household, Person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_data")]


def test_the_demo_logins_work_after_loading() -> None:
    for login in DEMO_LOGINS:
        assert get_user_model().objects.get(username=login.username).check_password(login.password)


def test_loading_twice_creates_nothing_new() -> None:
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
    users = get_user_model().objects
    agent = scope_for(users.get(username="daily"))
    # Two Nguyễn in the demo households of today's ward, eight among the seed's people of its 2022 communes.
    assert agent.role == Role.AGENT and len(lookups.search_people(None, agent, "nguyen").page) == 10
    assert scope_for(users.get(username="xem")).role == Role.VIEWER
    post_office = users.get(username="buudien")
    assert len(lookups.search_people(post_office, scope_for(post_office), "040078001234").page) == 1


def test_the_wards_agent_finds_the_people_registered_in_its_eight_predecessor_communes() -> None:
    # Issue 11, item 6: the demo's campaign people live in 2022 communes; Phường Thành Vinh (16681)
    # is made of eight of them since 01/07/2025.
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


def test_the_command_prints_the_logins(capsys: pytest.CaptureFixture[str], settings: Any) -> None:
    settings.DEBUG = True
    call_command("demo_load")
    out = capsys.readouterr().out
    assert all(f"{login.username} / {login.password}" in out for login in DEMO_LOGINS)
