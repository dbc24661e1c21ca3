"""Each demo login can do its job (issue 13 §6): the demo's BHXH office manager `quanly` finds the
collector of their wards on the money page and in the remittance form, and starts its D05-TS and
household-HI lists; a user whose scope has no collector is told why instead of an empty list."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from ansinh.demo.services import load_demo
from ansinh.org.models import OrgUnit, Role
from tests.builders import COMMUNE_Y, user

pytestmark = pytest.mark.django_db


def _client(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def test_the_demo_manager_reaches_the_collector_lists_and_remittances() -> None:
    load_demo()
    post = OrgUnit.objects.get(code="BD40")
    client = _client("quanly")
    money = client.get("/thu-tien/").content.decode()
    assert "Chưa có tổ chức dịch vụ thu" not in money
    assert f'name="collector" value="{post.pk}"' in money
    form = client.get("/thu-tien/nop-tien/").content.decode()
    assert f'<option value="{post.pk}"' in form
    for kind in ("d05ts", "bhyt"):
        started = client.post("/xuat/", {"kind": kind, "collector": post.pk, "start": "2025-08-01",
                                         "end": "2025-08-31"})
        assert started.status_code == 302 and "/xuat/" in started["Location"], (kind, started.status_code)
    # Their scope stays their two wards: the province's other communes are not theirs.
    assert client.get("/chien-dich/").status_code == 200


def test_a_form_with_no_possible_collector_says_why() -> None:
    lonely = user(Role.OFFICE_MANAGER, COMMUNE_Y)  # no collector serves this commune in an empty database
    client = Client()
    client.force_login(lonely)
    page = client.get("/thu-tien/nop-tien/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "không có tổ chức dịch vụ thu nào phục vụ địa bàn trong phạm vi của bạn" in text
    assert "<select" not in text
