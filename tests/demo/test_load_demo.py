from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from ansinh.demo.services import DEMO_LOGINS, load_demo
from ansinh.org.models import Role
from ansinh.org.scope import scope_for
from ansinh.payments.models import CommissionRate, Payment, Receipt
from ansinh.registry import lookups
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
    load_demo()
    assert (get_user_model().objects.count(), Person.objects.count(), Household.objects.count(),
            AuditEntry.objects.count()) == counts
    assert counts[0] == len(DEMO_LOGINS)
    # Code 16681 was Phường Quang Trung in 2022 (seed campaign people) and is Phường Thành Vinh since 07/2025.
    assert Person.objects.filter(area__code="16681", area__valid_from__isnull=False).count() == 6
    assert Household.objects.filter(code__startswith="HGD16681-").count() == 3
    assert Receipt.objects.filter(pool__series="BL40-DEMO").count() == 2
    vsi = Payment.objects.get(enrollment__scheme="vsi", idempotency_key="demo-vsi-hung")
    assert vsi.amount == 3 * (440_000 - 132_000)  # near-poor household, income 2,000,000, Era B, 3 months
    assert all(rate.is_example for rate in CommissionRate.objects.all())


def test_each_demo_login_has_its_role_and_sees_its_area() -> None:
    load_demo()
    users = get_user_model().objects
    agent = scope_for(users.get(username="daily"))
    assert agent.role == Role.AGENT and len(lookups.search_people(None, agent, "nguyen").page) == 2
    assert scope_for(users.get(username="xem")).role == Role.VIEWER
    post_office = users.get(username="buudien")
    assert len(lookups.search_people(post_office, scope_for(post_office), "040078001234").page) == 1


def test_the_command_prints_the_logins(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("demo_load")
    out = capsys.readouterr().out
    assert all(f"{login.username} / {login.password}" in out for login in DEMO_LOGINS)
