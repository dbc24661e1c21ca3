"""The offline app's server side that pwa owns (issue 16): the parameters it quotes with over a window
(GET /api/v1/offline/parameters, overrides included), its shell, service worker and manifest."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from django.test import Client

from ansinh.rules import offline
from ansinh.rules.params import file_parameters
from tests.ruleset.test_overrides import HI_40, add, admin_client

URL = "/api/v1/offline/parameters"


def entries(body: dict, name: str) -> list[tuple[str, object]]:
    return [(e["effective"], e["value"]) for e in body["parameters"][name]["entries"]]


def test_the_window_keeps_the_value_in_force_on_its_first_day_and_those_starting_inside() -> None:
    body = offline.window(file_parameters(), date(2025, 8, 1), 12)
    assert (body["from"], body["to"]) == ("2025-08-01", "2026-07-31")
    assert entries(body, "base_salary") == [("2024-07-01", 2340000), ("2026-07-01", 2530000)]
    assert [value for _, value in entries(body, "vsi/contribution_rate")] == ["0.22"]  # exact, never a float
    # the retirement schedule stays whole: a catch-up looks it up in the year the person reaches the age
    assert len(entries(body, "benefits/retirement_age_male")) == len(
        file_parameters().get("benefits/retirement_age_male").entries)


def test_a_window_before_a_change_does_not_carry_it() -> None:
    body = offline.window(file_parameters(), date(2024, 7, 1), 12)
    assert entries(body, "base_salary") == [("2024-07-01", 2340000)]


@pytest.mark.django_db
def test_the_endpoint_answers_the_window_as_json_without_a_login() -> None:
    response = Client().get(URL, {"from": "2025-06-15", "months": "12"})
    assert response.status_code == 200
    body = response.json()
    assert body["from"] == "2025-06-15" and body["to"] == "2026-06-14"
    assert [e for e, _ in entries(body, "vsi/state_support_rate")] == ["2018-01-01", "2025-07-01"]
    assert body == json.loads(json.dumps(offline.window(file_parameters(), date(2025, 6, 15), 12)))


@pytest.mark.django_db
def test_the_endpoint_carries_what_an_administrator_configured() -> None:
    assert entries(Client().get(URL, {"from": "2026-03-01"}).json(), HI_40)[0][1] is None  # unpublished, shipped
    assert add(admin_client(), {"household": 0.1, "near_poor": 0.2, "other": 0.1}).status_code == 302
    body = Client().get(URL, {"from": "2026-03-01"}).json()
    (entry,) = [e for e in body["parameters"][HI_40]["entries"] if e["effective"] == "2026-01-01"]
    assert entry["value"] == {"household": "0.1", "near_poor": "0.2", "other": "0.1"} and not entry["unpublished"]
    assert entry["reference"]["configured_by"] == "quantri"


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "word"), [({"from": "01/08/2025"}, "Ngày"), ({"months": "mười"}, "Số tháng"),
                                             ({"months": "0"}, "Số tháng"), ({"months": "99"}, "Số tháng"),
                                             ({"from": "9999-12-01"}, "Ngày")])
def test_the_endpoint_refuses_a_bad_window_in_vietnamese(query: dict, word: str) -> None:
    response = Client().get(URL, query)
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith(word)


@pytest.mark.django_db
def test_the_worker_caches_the_shell_it_names_and_its_scope_covers_the_app() -> None:
    response = Client().get("/ung-dung/sw.js")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/ung-dung/" and response["Cache-Control"] == "no-cache"
    shell = json.loads(re.search(r"const SHELL = (\[.*?\]);", response.content.decode()).group(1))
    assert "/ung-dung/" in shell and "/static/web/offline/rules.js" in shell
    assert "/static/web/vendor/dexie/dexie.min.js" in shell and "/static/vendor/fonts/DejaVuSans.ttf" in shell
    for url in shell[1:]:  # every cached file exists
        assert Client().get(url).status_code == 200, url


@pytest.mark.django_db
def test_the_shell_loads_its_module_with_the_policy_and_no_inline_script() -> None:
    response = Client().get("/ung-dung/")
    html = response.content.decode()
    assert response.status_code == 200 and "csrftoken" in response.cookies
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert re.findall(r"<script[^>]*>", html) == ['<script type="module" src="/static/web/offline/app.js">']
    manifest = Client().get("/ung-dung/manifest.webmanifest")
    assert manifest.json()["scope"] == "/ung-dung/" and manifest.json()["lang"] == "vi"
