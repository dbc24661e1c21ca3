"""The managers' audit viewer: entries of their scope only, filtered by user, person, action and
period, paged, exported to XLSX; agents and viewers are refused; the navigation offers it to managers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from python_calamine import CalamineWorkbook

from ansinh.org.models import Role
from ansinh.registry import services
from ansinh.registry.models import AuditEntry
from tests.builders import COMMUNE_X, COMMUNE_Y, Personas, commune, person_data, personas, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def who() -> Personas:
    people = personas()
    x = services.create_person(people.agent, people.scope(people.agent), person_data())
    services.reveal_citizen_id(people.agent, people.scope(people.agent), x.pk)
    services.create_person(people.admin, people.scope(people.admin),
                           person_data(full_name="Trần Y", citizen_id=None, area_id=commune(COMMUNE_Y).pk))
    return people


def client_for(account: Any) -> Client:
    client = Client()
    client.force_login(account)
    return client


def test_a_manager_reads_the_entries_of_its_scope_only(who: Personas) -> None:
    manager_x = client_for(user(Role.OFFICE_MANAGER, COMMUNE_X))
    page = manager_x.get("/nhat-ky/").content.decode()
    assert "Xem giá trị đầy đủ" in page and "agent_x" in page and "trường: số định danh" in page and "Người #" in page
    assert "Trần Y" not in page and "admin_xy" not in page  # commune Y's entries are not in its scope
    assert "040085000123" not in page  # the trail never holds a full identifier
    assert 'href="/nhat-ky/"' in page  # offered in the navigation


def test_the_filters_narrow_by_user_person_action_and_period(who: Personas) -> None:
    manager = client_for(who.admin)
    person = AuditEntry.objects.filter(action="reveal").get().entity_id
    assert manager.get("/nhat-ky/", {"action": "reveal"}).context["page"].paginator.count == 1
    assert manager.get("/nhat-ky/", {"username": "admin_xy"}).context["page"].paginator.count == 1
    assert manager.get("/nhat-ky/", {"person": person}).context["page"].paginator.count == 2  # create, reveal
    assert manager.get("/nhat-ky/", {"start": "2000-01-01", "end": "2000-12-31"}).context["page"].paginator.count == 0
    assert manager.get("/nhat-ky/").context["page"].paginator.count == 3


def test_the_trail_pages_and_exports_to_xlsx(who: Personas, tmp_path: Path) -> None:
    scope = who.scope(who.agent)
    person = AuditEntry.objects.filter(action="reveal").get().entity_id
    for _ in range(60):
        services.reveal_citizen_id(who.agent, scope, person)
    manager = client_for(user(Role.COLLECTOR_MANAGER, COMMUNE_X))
    first = manager.get("/nhat-ky/")
    assert len(first.context["rows"]) == 50 and first.context["page"].paginator.num_pages == 2
    assert len(manager.get("/nhat-ky/", {"page": 2}).context["rows"]) == 12
    path = tmp_path / "audit.xlsx"
    path.write_bytes(manager.get("/nhat-ky/", {"action": "reveal", "xlsx": "1"}).content)
    table = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert table[0][:3] == ["Thời điểm", "Người thực hiện", "Thao tác"] and len(table) == 62
    assert table[1][1] == "agent_x" and table[1][2] == "Xem giá trị đầy đủ"


def test_agents_viewers_and_outsiders_are_refused(who: Personas) -> None:
    for account in (who.agent, user(Role.VIEWER, COMMUNE_X), who.outsider):
        client = client_for(account)
        assert client.get("/nhat-ky/").status_code == 403
        assert client.get("/nhat-ky/", {"xlsx": "1"}).status_code == 403
        assert 'href="/nhat-ky/"' not in client.get("/tim-kiem/").content.decode()


def test_a_manager_locates_an_id_on_a_page_by_post(who: Personas) -> None:
    manager_y = client_for(who.manager_elsewhere)
    found = manager_y.post("/tra-cuu-ho-so/", {"citizen_id": "040085000123"})
    assert found.status_code == 200 and "Phường Thành Vinh" in found.content.decode()
    assert "Nguyễn" not in found.content.decode()
    assert AuditEntry.objects.filter(action="locate").count() == 1
    assert client_for(who.agent).post("/tra-cuu-ho-so/", {"citizen_id": "040085000123"}).status_code == 403
    assert manager_y.post("/tra-cuu-ho-so/", {"citizen_id": "040******123"}).status_code == 400
