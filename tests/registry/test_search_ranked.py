"""Search by name (issue 14): a constant number of queries per page of results, paged with the
Vietnamese pager; on PostgreSQL ranked by trigram similarity, so that a shortened or misspelt name
finds the person; on SQLite every folded word must appear."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ansinh.registry import lookups, services
from ansinh.registry.queries import PAGE_SIZE
from tests.builders import Personas, person_data, personas

pytestmark = pytest.mark.django_db
ON = date(2025, 8, 1)
POSTGRES = connection.vendor == "postgresql"


def _household(who: Personas, name: str, serial: int) -> None:
    services.create_household(who.agent, who.scope(who.agent),
                              person_data(full_name=name, citizen_id=f"040085{serial:06d}", phone=None), ON,
                              confirm_probable_duplicate=True)


def _names(who: Personas, text: str) -> list[str]:
    return [p.full_name for p in lookups.search_people(who.agent, who.scope(who.agent), text).page]


@pytest.fixture
def who() -> Personas:
    people = personas()
    for serial, name in enumerate(["Trần Thị Hoa", "Nguyễn Thị Lan", "Nguyễn Văn Hùng", "Lê Văn Hải",
                                   "Nguyễn Văn Hải"], start=1):
        _household(people, name, serial)
    return people


def test_the_words_of_a_name_find_the_person_in_any_order_and_without_accents(who: Personas) -> None:
    assert _names(who, "nguyen hung")[0] == "Nguyễn Văn Hùng"
    assert _names(who, "HÙNG nguyễn")[0] == "Nguyễn Văn Hùng"
    assert set(_names(who, "van hai")[:2]) == {"Lê Văn Hải", "Nguyễn Văn Hải"}
    assert "Trần Thị Hoa" not in _names(who, "nguyen hung")


def test_a_misspelt_name_finds_the_person_first_on_postgresql(who: Personas) -> None:
    if not POSTGRES:  # SQLite has no trigrams: the folded words must all appear, so a misspelling finds nobody
        assert _names(who, "Nguyen Van Hungg") == [] and _names(who, "nguyen van hung") == ["Nguyễn Văn Hùng"]
        return
    assert _names(who, "Nguyen Van Hungg")[0] == "Nguyễn Văn Hùng"
    assert _names(who, "Nguyen Van Hai")[0] == "Nguyễn Văn Hải"  # the exact name before Lê Văn Hải
    assert "Trần Thị Hoa" not in _names(who, "Nguyen Van Hungg")


def test_the_search_page_costs_the_same_queries_for_one_result_and_for_a_full_page(who: Personas) -> None:
    client = Client()
    client.force_login(who.agent)

    def queries(text: str, page: int = 1) -> tuple[int, str]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/tim-kiem/", {"q": text, "page": page})
        assert response.status_code == 200
        return len(ctx.captured_queries), response.content.decode()

    one, _ = queries("Trần Thị Hoa")
    for serial in range(10, 10 + PAGE_SIZE + 5):
        _household(who, f"Phạm Văn Nam {serial}", serial)
    full, body = queries("pham van nam")
    assert full == one
    assert f"Trang 1/2 · {PAGE_SIZE + 5} kết quả" in body and "Sau →" in body
    second, body = queries("pham van nam", 2)
    assert second == one and "← Trước" in body and body.count("Phạm Văn Nam") >= 5
