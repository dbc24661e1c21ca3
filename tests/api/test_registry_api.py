"""Registry, areas and org over the API: tokens, scope, errors as {"error": {code, message}}."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ansinh.org.models import Agent, OrgKind
from ansinh.org.services import issue_token
from ansinh.registry.models import AuditEntry, Person
from tests.builders import COMMUNE_X, COMMUNE_Y, Personas, org_unit, personas

pytestmark = pytest.mark.django_db

PERSON = {"full_name": "Nguyễn Văn An", "date_of_birth": "1985-03-02", "sex": "male", "area_code": COMMUNE_X,
          "citizen_id": "040085000123", "phone": "+84912345678"}


class Api:
    def __init__(self, user: Any = None) -> None:
        self.client = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user, 'test')}"} if user else {}

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        response = getattr(self.client, method)(f"/api{path}", body, content_type="application/json", **self.headers)
        return response.status_code, (response.json() if response.content else None)


@pytest.fixture
def who() -> Personas:
    return personas()


def test_without_a_token_the_api_answers_401_in_the_error_shape() -> None:
    status, body = Api().call("get", "/people?q=nguyen")
    assert status == 401 and body["error"]["code"] == "unauthenticated"


def test_an_agent_registers_and_finds_a_person_with_masked_identifiers(who: Personas) -> None:
    api = Api(who.agent)
    status, created = api.call("post", "/people", PERSON)
    assert status == 201
    assert (created["citizen_id"], created["phone"], created["area_code"]) == ("040******123", "091****678", COMMUNE_X)
    status, page = api.call("get", "/people?q=nguyen%20van%20an")
    assert status == 200 and page["count"] == 1 and page["items"][0]["id"] == created["id"]
    status, revealed = api.call("post", f"/people/{created['id']}/reveal")
    assert revealed == {"citizen_id": "040085000123"}
    assert AuditEntry.objects.filter(action="reveal").count() == 1


def test_bad_input_is_a_422_naming_the_problem_and_saves_nothing(who: Personas) -> None:
    status, body = Api(who.agent).call("post", "/people", {**PERSON, "citizen_id": "040086000123"})
    assert status == 422 and body["error"]["code"] == "citizen_id_invalid"
    assert "năm sinh" in body["error"]["message"]
    status, body = Api(who.agent).call("post", "/people", {"full_name": "X"})
    assert status == 422 and body["error"]["code"] == "invalid_input" and "date_of_birth" in body["error"]["message"]
    assert Person.objects.count() == 0


def test_a_duplicate_citizen_id_is_a_409(who: Personas) -> None:
    api = Api(who.agent)
    api.call("post", "/people", PERSON)
    status, body = api.call("post", "/people", PERSON)
    assert status == 409 and body["error"]["code"] == "duplicate_citizen_id"


def test_the_agent_cannot_write_outside_its_commune(who: Personas) -> None:
    status, body = Api(who.agent).call("post", "/people", {**PERSON, "area_code": COMMUNE_Y})
    # out of scope: as if it did not exist (issue 11, the persona matrix), like the web form
    assert status == 404 and body["error"]["code"] == "not_found"
    assert Person.objects.count() == 0
    status, body = Api(who.agent).call("post", "/people", {**PERSON, "area_code": "99999"})
    assert status == 422 and body["error"]["code"] == "invalid_input"  # no such commune: the input is wrong


def test_others_get_404_and_change_nothing(who: Personas) -> None:
    _, created = Api(who.agent).call("post", "/people", PERSON)
    for other in (who.manager_elsewhere, who.outsider):
        api = Api(other)
        assert api.call("get", f"/people/{created['id']}")[0] == 404
        assert api.call("put", f"/people/{created['id']}", {**PERSON, "full_name": "Đổi"})[0] == 404
        assert api.call("delete", f"/people/{created['id']}")[0] == 404
        assert api.call("get", "/people?q=nguyen")[1]["count"] == 0
    assert Person.objects.get().full_name == "Nguyễn Văn An"


def test_households_members_and_poverty_over_the_api(who: Personas) -> None:
    api = Api(who.agent)
    status, household = api.call("post", "/households", {"head": PERSON, "joined": "2025-08-01"})
    assert status == 201 and [m["relationship"] for m in household["members"]] == ["head"]
    spouse = {**PERSON, "full_name": "Lê Thị Hoa", "sex": "female", "date_of_birth": "1990-06-01",
              "citizen_id": "040190000321", "phone": ""}
    status, household = api.call("post", f"/households/{household['id']}/members",
                                 {"relationship": "spouse", "joined": "2025-08-01", "person": spouse})
    assert status == 201 and len(household["members"]) == 2
    # a lumped "spouse" (older clients) is stored exact from the member's sex, with the residence code
    wife = next(m for m in household["members"] if m["relationship"] == "wife")
    assert (wife["relationship_name"], wife["relationship_code"]) == ("Vợ", "01")
    status, ended = api.call("post", f"/memberships/{wife['id']}/end", {"left": "2026-01-31"})
    assert status == 200 and ended["valid_to"] == "2026-01-31"
    status, asked = api.call("post", f"/households/{household['id']}/poverty",
                             {"status": "near_poor", "valid_from": "2025-01-01", "decision_number": "QĐ 1",
                              "decision_date": "2024-12-20"})
    assert status == 202 and asked["status"] == "pending"  # an agent's change waits (registry.support)
    status, decided = Api(who.admin).call("post", f"/support-requests/{asked['id']}/decide", {"approve": True})
    assert status == 200 and decided["status"] == "approved"
    status, household = api.call("get", f"/households/{household['id']}")
    assert status == 200 and household["poverty"][0]["status"] == "near_poor"
    assert Api(who.manager_elsewhere).call("get", f"/households/{household['id']}")[0] == 404


def test_areas_on_a_date_and_remapped(who: Personas) -> None:
    api = Api(who.outsider)  # the map is not personal data: any authenticated client may read it
    status, districts = api.call("get", "/areas?on=2022-05-08&parent=40")
    assert status == 200 and len(districts) == 21
    status, mapped = api.call("get", "/areas/16687/remap?on=2022-05-08&to=2025-08-01")
    assert [u["name"] for u in mapped] == ["Phường Thành Vinh"]
    assert api.call("get", "/areas/99999/remap?on=2022-05-08&to=2025-08-01")[0] == 404


def test_org_units_and_agents_are_scoped(who: Personas) -> None:
    post_office = org_unit(OrgKind.COLLECTOR, COMMUNE_X)
    Agent.objects.create(code="DL001", name="Trần Văn Thu", collector=post_office, active_from="2022-01-01")
    assert [u["code"] for u in Api(who.agent).call("get", "/org-units")[1]] == [post_office.code]
    assert [a["code"] for a in Api(who.agent).call("get", "/agents")[1]] == ["DL001"]
    assert Api(who.manager_elsewhere).call("get", "/org-units")[1] == []
    assert Api(who.outsider).call("get", "/agents")[1] == []


def test_a_household_address_is_patched(who: Personas) -> None:
    api = Api(who.agent)
    _, household = api.call("post", "/households", {"head": PERSON, "joined": "2025-08-01"})
    status, patched = api.call("patch", f"/households/{household['id']}", {"address_detail": "Khối 9"})
    assert status == 200 and patched["address_detail"] == "Khối 9"
    assert Api(who.manager_elsewhere).call("patch", f"/households/{household['id']}", {"address_detail": "X"})[0] == 404
