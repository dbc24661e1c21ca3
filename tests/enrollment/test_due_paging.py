"""The due list ``/viec-can-lam/`` is paged (issue 14): 50 items a page with the Vietnamese pager,
the same number of queries on every page, and the download keeps every row."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ansinh.enrollment.models import VsiPlan
from ansinh.enrollment.queries import DueList, due_list
from ansinh.lib.periods import add_months
from ansinh.lib.text import fold
from ansinh.org.scope import scope_for
from ansinh.registry.models import Person
from ansinh.web.field_views import DUE_PAGE_SIZE
from tests.builders import COMMUNE_X, commune, personas

pytestmark = pytest.mark.django_db


def test_an_agent_with_many_items_due_sees_them_a_page_at_a_time() -> None:
    who = personas()
    names = [f"Nguyễn Văn Nam {i:03d}" for i in range(DUE_PAGE_SIZE + 10)]
    people = Person.objects.bulk_create([Person(full_name=n, folded_name=fold(n), date_of_birth="1985-03-02",
                                                sex="male", area=commune(COMMUNE_X)) for n in names])
    first = timezone.localdate().replace(day=1)
    VsiPlan.objects.bulk_create([VsiPlan(person=p, income=1_500_000, term_months=1, start_month=first)
                                 for p in people])
    client = Client()
    client.force_login(who.agent)

    def page(number: int) -> tuple[int, str]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/viec-can-lam/", {"page": number})
        assert response.status_code == 200
        return len(ctx.captured_queries), response.content.decode()

    page(1)  # warms what is cached across requests (the administrators' parameter values, 30 s)
    one, body = page(1)
    assert body.count('class="card"') == DUE_PAGE_SIZE
    assert f"Trang 1/2 · {DUE_PAGE_SIZE + 10} việc" in body and "Sau →" in body and "← Trước" not in body
    two, body = page(2)
    assert body.count('class="card"') == 10 and "← Trước" in body and "Sau →" not in body
    assert one == two
    assert page(99)[1].count('class="card"') == 10  # past the end: the last page, not an error
    download = client.get("/viec-can-lam/", {"xlsx": "1"})
    assert download.status_code == 200 and len(download.content) > 0


def test_page_two_is_items_51_to_100_of_the_whole_list() -> None:
    """The page sorts from plain values and builds only its own items: they must be the whole list's
    items 51–100, amounts, notices and order alike (plans of several months and terms, so the order by
    deadline interleaves them, and incomes that quote differently)."""
    who = personas()
    names = [f"Trần Thị Lan {i:03d}" for i in range(130)]
    people = Person.objects.bulk_create([Person(full_name=n, folded_name=fold(n), date_of_birth="1985-03-02",
                                                sex="female", area=commune(COMMUNE_X)) for n in names])
    today = timezone.localdate()
    months = [today.replace(day=1), add_months(today.replace(day=1), -1), add_months(today.replace(day=1), -3)]
    VsiPlan.objects.bulk_create([VsiPlan(person=p, income=1_500_000 + 100_000 * (i % 4), term_months=(1, 3, 6)[i % 3],
                                         start_month=months[i % 5 % 3]) for i, p in enumerate(people)])
    scope = scope_for(who.agent)
    whole = due_list(scope, today)
    assert len(whole) == 130 and len({i.deadline for i in whole}) > 1 and len({i.amount_now for i in whole}) > 1
    listed = DueList(scope, today)
    assert len(listed) == 130
    assert listed[50:100] == whole[50:100]
    assert listed.items() == whole

    client = Client()
    client.force_login(who.agent)
    body = client.get("/viec-can-lam/", {"page": 2}).content.decode()
    shown = re.findall(r'<a href="/nguoi/\d+/">([^<]+)</a>', body)
    assert len(shown) == DUE_PAGE_SIZE and shown == [i.person.full_name for i in whole[50:100] if i.person]
