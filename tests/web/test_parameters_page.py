"""The public parameter browser /tham-so/: no login, a table per parameter, the day picker."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db  # the page counts the calculation records that used each value


def in_force_row(body: str, name: str) -> str:
    section = body.split(f"<code>{name}</code>", 1)[1].split("</section>", 1)[0]
    match = re.search(r'<tr class="in-force".*?</tr>', section, re.S)
    assert match, name
    return match.group(0)


def test_anyone_sees_every_parameter_with_its_history() -> None:
    response = Client().get("/tham-so/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1>Tham số pháp lý</h1>" in body
    for name in ("base_salary", "vsi/income_floor", "household_hi/terms", "local_support/40"):
        assert f"<code>{name}</code>" in body
    assert "1.150.000 đ" in body and "Nghị định 66/2013/NĐ-CP" in body  # the history, not only today


def test_the_day_picker_shows_what_was_in_force_that_day() -> None:
    before = Client().get("/tham-so/", {"on": "2026-06-30"}).content.decode()
    after = Client().get("/tham-so/", {"on": "2026-07-01"}).content.decode()
    assert "2.340.000 đ" in in_force_row(before, "base_salary")
    row = in_force_row(after, "base_salary")
    assert "2.530.000 đ" in row and "Nghị định 161/2026/NĐ-CP" in row and "chưa kiểm chứng" not in row
    assert "Có hiệu lực vào ngày <strong>01/07/2026</strong>" in after


def test_unverified_and_unpublished_values_are_marked() -> None:
    body = Client().get("/tham-so/", {"on": "2026-03-01"}).content.decode()
    assert "chưa công bố" in in_force_row(body, "household_hi/local_support/40")
    assert "chưa kiểm chứng" in in_force_row(body, "benefits/income_adjustment_coefficients")


def test_a_bad_day_is_refused_in_vietnamese() -> None:
    response = Client().get("/tham-so/", {"on": "2026-13-40"})
    assert response.status_code == 400
    assert "Giá trị không hợp lệ." in response.content.decode()
