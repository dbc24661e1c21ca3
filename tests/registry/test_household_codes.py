"""Household codes without races (issue 12, seen 8): a locked counter per commune. Ten concurrent
registrations in one commune get ten distinct codes and no error (PostgreSQL runs them in parallel;
SQLite serialises every write, so there they run one by one)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from django.db import connection, connections

from ansinh.registry import services
from ansinh.registry.models import Household
from tests.builders import COMMUNE_X, commune, person_data, personas

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("nghe_an_map")]
JOINED = date(2025, 8, 1)


def test_ten_concurrent_registrations_in_one_commune_get_ten_distinct_codes() -> None:
    who = personas()
    scope = who.scope(who.agent)

    def register(i: int) -> str:
        try:
            head = person_data(full_name=f"Chủ Hộ Số {i}", citizen_id=f"040085{i:06d}", phone="")
            return services.create_household(who.agent, scope, head, JOINED).code
        finally:
            connections.close_all()  # each worker thread has its own connection

    workers = 10 if connection.vendor == "postgresql" else 1
    with ThreadPoolExecutor(max_workers=workers) as pool:
        codes = list(pool.map(register, range(10)))
    assert sorted(codes) == [f"HGD{COMMUNE_X}-{n:05d}" for n in range(1, 11)]
    assert Household.objects.count() == 10


def test_codes_continue_after_the_highest_existing_code_and_skip_codes_given_by_hand() -> None:
    who = personas()
    scope = who.scope(who.agent)
    area = commune(COMMUNE_X)
    head = person_data(full_name="Chủ Hộ Cũ", citizen_id=None, phone="")
    services.create_household(who.agent, scope, head, JOINED, code=f"HGD{area.code}-00007")
    made = services.create_household(who.agent, scope, person_data(full_name="Chủ Hộ Mới", citizen_id=None,
                                                                   phone=""), JOINED)
    assert made.code == f"HGD{area.code}-00008"
    services.create_household(who.agent, scope, person_data(full_name="Chủ Hộ Tay", citizen_id=None, phone=""),
                              JOINED, code=f"HGD{area.code}-00009")
    after = services.create_household(who.agent, scope, person_data(full_name="Chủ Hộ Sau", citizen_id=None,
                                                                    phone=""), JOINED)
    assert after.code == f"HGD{area.code}-00010"
