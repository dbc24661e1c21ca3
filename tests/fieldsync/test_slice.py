"""GET /api/v1/sync/slice: only the agent's scope, identifiers masked by the field policy, what is
due, the block with its used numbers; a commune of 10,000 people within 2 MB compressed."""

from __future__ import annotations

import gzip
from datetime import date

import pytest

from ansinh.fieldsync import queries
from ansinh.registry import services as registry
from ansinh.registry.models import Household, Membership, Person
from tests.builders import COMMUNE_X, COMMUNE_Y, commune, person_data
from tests.fieldsync.helpers import Phone, household_ops, new_id, op, register

pytestmark = pytest.mark.django_db


def download(phone: Phone, gzip_ok: bool = False) -> bytes:
    headers = {"Authorization": f"Bearer {phone.token}"}
    if gzip_ok:
        headers["Accept-Encoding"] = "gzip"
    response = phone.client.get("/api/v1/sync/slice", headers=headers)
    assert response.status_code == 200, response.content
    return response.content


def test_the_slice_carries_the_agents_households_masked_and_what_is_due() -> None:
    phone = register()
    admin = phone.who.admin
    registry.create_household(admin, phone.who.scope(admin), person_data(area_id=commune(COMMUNE_Y).pk,
                                                                         citizen_id=None), date(2025, 1, 1))
    household, person, enrolment = new_id(), new_id(), new_id()
    phone.results(*household_ops(household, person, COMMUNE_X),
                  op("enrol_vsi", enrolment_id=enrolment, person_id=person, monthly_income=1_500_000, term_months=1,
                     start_month="2026-12", quoted_amount=None))
    body = Phone.json(download(phone))
    assert [c["code"] for c in body["communes"]] == [COMMUNE_X]
    assert len(body["households"]) == 1  # the household of commune Y is not the agent's
    member = body["households"][0]["members"][0]
    assert member["citizen_id_masked"] != "040085000123" and member["citizen_id_masked"].endswith("123")
    assert member["due"]["scheme"] == "vsi" and member["due"]["amount"] > 0
    assert member["vsi"]["monthly_income"] == 1_500_000
    assert body["receipt_block"]["numbers"][0] == "BL40-2025-0000001" and body["receipt_block"]["used"] == []
    assert body["parameters"]["from"] == body["generated_at"][:10]  # the web layer's builder (issue 16)
    assert b"040085000123" not in download(phone)


def test_a_commune_of_10000_people_downloads_in_at_most_2_mb_compressed() -> None:
    phone = register()
    area = commune(COMMUNE_X)
    households = Household.objects.bulk_create(Household(code=f"H{i:06d}", area=area, address_detail=f"Xóm {i % 20}")
                                               for i in range(2_500))
    people = Person.objects.bulk_create(
        Person(full_name=f"Nguyễn Văn Người {i}", folded_name=f"nguyen van nguoi {i}",
               sex="male" if i % 2 else "female",
               date_of_birth=date(1950 + i % 60, 1 + i % 12, 1 + i % 28), area=area,
               citizen_id=f"040{(50 + i % 50):03d}{i:06d}") for i in range(10_000))
    Membership.objects.bulk_create(Membership(household=households[i // 4], person=p, valid_from=date(2020, 1, 1),
                                              relationship="head" if i % 4 == 0 else "child")
                                   for i, p in enumerate(people))
    compressed = download(phone, gzip_ok=True)
    body = Phone.json(gzip.decompress(compressed))
    assert sum(len(h["members"]) for h in body["households"]) == 10_000
    assert len(compressed) <= 2_000_000, len(compressed)


def test_the_parameters_come_from_the_registered_builder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(queries, "PARAMETER_SOURCES", [lambda on, months: {"from": on.isoformat(), "months": months}])
    assert queries.offline_parameters(date(2026, 1, 1)) == {"from": "2026-01-01", "months": 12}
    monkeypatch.setattr(queries, "PARAMETER_SOURCES", [])
    assert queries.offline_parameters(date(2026, 1, 1)) == {}


def test_the_slice_carries_the_offline_parameters_of_the_next_twelve_months() -> None:
    from django.test import Client
    from django.utils import timezone

    phone = register()
    body = Phone.json(download(phone))
    served = Client().get("/api/v1/offline/parameters",
                          {"from": timezone.localdate().isoformat(), "months": "12"}).json()
    assert body["parameters"] == served and "base_salary" in body["parameters"]["parameters"]
