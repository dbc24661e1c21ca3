"""An administrator configures a province's figures without a deployment (issue 19 §1): a value saved
in /admin/ is checked against the parameter, logged, shown as such on /tham-so/ and the API, and used
by the next quote in the same process; a value that does not fit changes nothing."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from ansinh.rules import household_hi
from ansinh.ruleset.models import OverrideChange, ParameterOverride

pytestmark = pytest.mark.django_db

ADD = "/admin/ruleset/parameteroverride/add/"
HI_40 = "household_hi/local_support/40"
ON = date(2026, 3, 1)  # the 17/06/2025 resolution's figures (from 01/01/2026) are shipped as unpublished


def admin_client(superuser: bool = True) -> Client:
    model = get_user_model()
    user = (model.objects.create_superuser("quantri", "qt@example.vn", "x") if superuser
            else model.objects.create_user("nhanvien", "nv@example.vn", "x", is_staff=True))
    client = Client()
    client.force_login(user)
    return client


def hi_quote() -> household_hi.HiQuote:
    members = (household_hi.HiMember(), household_hi.HiMember(group=household_hi.NEAR_POOR))
    return household_hi.quote(household_hi.HiQuoteInput(on=ON, members=members, months=12, province="40"))


def add(client: Client, value: Any, name: str = HI_40, valid_from: str = "2026-01-01") -> Any:
    return client.post(ADD, {"name": name, "valid_from": valid_from, "value": json.dumps(value),
                             "reference": "Nghị quyết HĐND tỉnh Nghệ An ngày 17/06/2025 (bản đã ban hành)",
                             "note": "nhập thử"})


def test_an_admin_adds_the_province_40_hi_top_up_and_the_next_quote_uses_it() -> None:
    before = hi_quote()
    assert before.local_support == 0 and [n.code for n in before.notices] == ["local_support_not_configured"]
    client = admin_client()
    response = add(client, {"household": 0.1, "near_poor": 0.2, "other": 0.1})
    assert response.status_code == 302, response.content.decode()[:2000]
    after = hi_quote()
    assert after.notices == ()
    household, near_poor = after.members
    assert household.local_support == round(household.gross * 0.1)
    assert near_poor.local_support == round(near_poor.gross * 0.2)
    assert after.local_support == household.local_support + near_poor.local_support > 0
    used = [p for p in after.parameters if p.name == HI_40]  # the calculation record says who configured it
    assert used and used[0].reference.configured_by == "quantri"
    assert used[0].as_dict()["reference"]["configured_by"] == "quantri"
    change = OverrideChange.objects.get()
    assert (change.action, change.name, change.actor.get_username()) == ("add", HI_40, "quantri")  # type: ignore[union-attr]
    page = Client().get("/tham-so/", {"on": "2026-03-01"}).content.decode()
    assert "cấu hình bởi quản trị" in page
    api = Client().get("/api/parameters", {"on": "2026-03-01", "prefix": HI_40}).json()
    current = api["parameters"][0]["in_force"]
    assert current["status"] == "value" and current["reference"]["configured_by_admin"] is True
    assert "quantri" not in json.dumps(api)  # the public page says an admin did it, not who


def test_a_value_of_the_wrong_shape_is_refused_in_vietnamese_and_changes_nothing() -> None:
    client = admin_client()
    response = add(client, 0.3)  # a number where a table of groups is needed
    assert response.status_code == 200
    body = response.content.decode()
    assert "Mức hỗ trợ của tỉnh phải là một bảng tỷ lệ theo nhóm" in body
    response = add(client, {"poor": 0.3, "khac": 0.1})
    assert "Nhóm không có trong mức hỗ trợ: khac" in response.content.decode()
    response = add(client, {"other": 1.5})
    assert "Tỷ lệ hỗ trợ phải từ 0 đến 1" in response.content.decode()
    response = add(client, 2530000, name="base_salary", valid_from="2027-01-01")
    assert response.status_code == 302  # a number for a number is fine
    response = add(client, [1, 2], name="base_salary", valid_from="2027-06-01")
    assert "phải là một số" in response.content.decode()
    assert list(ParameterOverride.objects.values_list("name", flat=True)) == ["base_salary"]
    assert [n.code for n in hi_quote().notices] == ["local_support_not_configured"]


def test_a_vsi_top_up_for_a_province_without_a_file_shows_on_the_quote_page() -> None:
    query = {"scheme": "vsi", "vsi-on": "2025-08-01", "vsi-income": "1500000", "vsi-method": "regular",
             "vsi-months": "1", "vsi-groups": ["poor"], "vsi-province": "01"}
    assert '<td id="vsi-payable">165.000 đ</td>' in Client().get("/", query).content.decode()
    assert add(admin_client(), {"poor": 0.1, "other": 0}, name="local_support/01",
               valid_from="2025-01-01").status_code == 302
    body = Client().get("/", query).content.decode()
    assert '<td id="vsi-payable">132.000 đ</td>' in body  # 330.000 − 165.000 − 10 % × 330.000
    assert "chưa cấu hình" not in body


def test_only_superusers_configure_parameters() -> None:
    client = admin_client(superuser=False)
    assert client.get(ADD).status_code == 403
    assert add(client, {"other": 0.1}).status_code == 403
    assert not ParameterOverride.objects.exists()


def test_changing_and_removing_a_value_is_logged_and_seen_by_the_next_quote() -> None:
    client = admin_client()
    add(client, {"other": 0.1})
    row = ParameterOverride.objects.get()
    url = f"/admin/ruleset/parameteroverride/{row.pk}/change/"
    response = client.post(url, {"name": HI_40, "valid_from": "2026-01-01", "value": '{"other": 0.2}',
                                 "reference": "NQ", "note": ""})
    assert response.status_code == 302
    assert hi_quote().members[0].local_support == round(hi_quote().members[0].gross * 0.2)
    response = client.post(f"/admin/ruleset/parameteroverride/{row.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert [n.code for n in hi_quote().notices] == ["local_support_not_configured"]
    assert list(OverrideChange.objects.order_by("id").values_list("action", flat=True)) == ["add", "change", "delete"]
