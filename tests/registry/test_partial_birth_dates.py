"""Birth dates known only by year, or by month and year: stored with their precision, shown as
recorded, and counted from 01/01 (year) or the 1st of the month (month/year), TT 11/2025/TT-BNV
art. 5(7) — which is what the retirement date and the first pension month follow."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.test import Client

from ansinh.lib.dates import DAY, MONTH, YEAR, age_reference, format_birth, parse_birth
from ansinh.lib.errors import DomainError
from ansinh.registry import services
from ansinh.registry.models import Person
from ansinh.rules.benefits import estimate_pension, retirement
from tests.builders import COMMUNE_X, Personas, commune, person_data, personas


@pytest.mark.parametrize(("typed", "born", "precision", "printed"), [
    ("1965", date(1965, 1, 1), YEAR, "1965"),
    ("03/1965", date(1965, 3, 1), MONTH, "03/1965"),
    ("3/1965", date(1965, 3, 1), MONTH, "03/1965"),
    ("17/03/1965", date(1965, 3, 17), DAY, "17/03/1965"),
    ("1965-03-17", date(1965, 3, 17), DAY, "17/03/1965"),
    (1965, date(1965, 1, 1), YEAR, "1965"),  # a spreadsheet's number cell
])
def test_a_birth_date_is_read_and_printed_as_recorded(typed: object, born: date, precision: str,
                                                      printed: str) -> None:
    assert parse_birth(typed) == (born, precision)
    assert format_birth(*parse_birth(typed)) == printed


@pytest.mark.parametrize("typed", ["", "65", "13/1965", "31/02/1965", "1965/03", "năm 1965", "١٩٦٥"])
def test_what_is_not_a_birth_date_is_refused_in_vietnamese(typed: str) -> None:
    with pytest.raises(DomainError) as refused:
        parse_birth(typed)
    assert refused.value.code == "invalid_input" and "Ngày sinh" in refused.value.message


def test_the_age_is_counted_from_the_first_day_the_record_allows() -> None:
    assert age_reference(date(1965, 7, 9), YEAR) == date(1965, 1, 1)
    assert age_reference(date(1965, 7, 9), MONTH) == date(1965, 7, 1)
    assert age_reference(date(1965, 7, 9), DAY) == date(1965, 7, 9)


def test_a_man_born_1965_retires_as_one_born_on_01_01_1965() -> None:
    # Decree 135/2020 Annex I: a man born 01/1965 retires at 61 years 6 months, pension from 08/2026;
    # one born 12/1965 at 61 years 9 months, pension from 10/2027 — the convention decides which.
    born, precision = parse_birth("1965")
    when = retirement(age_reference(born, precision), "male")
    assert (when.years, when.months) == (61, 6)
    assert when.retirement_date == date(2026, 7, 31) and when.first_pension_month == date(2026, 8, 1)
    december = retirement(age_reference(*parse_birth("12/1965")), "male")
    assert (december.years, december.months, december.first_pension_month) == (61, 9, date(2027, 10, 1))


@pytest.mark.django_db
def test_the_registry_keeps_the_precision_and_the_rules_use_its_date() -> None:
    who: Personas = personas()
    person = services.create_person(who.agent, who.scope(who.agent), person_data(
        date_of_birth=date(1965, 6, 15), birth_precision=YEAR, citizen_id="040065000123"))
    stored = Person.objects.get(pk=person.pk)
    assert (stored.date_of_birth, stored.birth_precision, stored.birth_shown) == (date(1965, 1, 1), YEAR, "1965")
    when = retirement(stored.date_of_birth, stored.sex)
    assert when.first_pension_month == date(2026, 8, 1)
    estimate = estimate_pension(stored.date_of_birth, stored.sex, 5_000_000, date(2006, 8, 1))
    assert estimate.retirement.first_pension_month == date(2026, 8, 1) and estimate.months_paid == 240


@pytest.mark.django_db
def test_the_web_form_and_the_api_accept_a_year_or_a_month_and_year() -> None:
    who: Personas = personas()
    web = Client()
    web.force_login(who.agent)
    form = {"full_name": "Lê Thị Bưởi", "date_of_birth": "1948", "sex": "female", "ethnicity": "01",
            "citizen_id": "", "phone": "", "area": str(commune(COMMUNE_X).pk), "address_detail": "Khối 2",
            "joined": "2025-08-01"}
    response = web.post("/ho/moi/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    bươi = Person.objects.get(full_name="Lê Thị Bưởi")
    assert (bươi.date_of_birth, bươi.birth_precision) == (date(1948, 1, 1), YEAR)
    card = web.get(response["Location"]).content.decode()
    assert "sinh 1948" in card and "01/01/1948" not in card
    page = web.get(f"/nguoi/{bươi.pk}/").content.decode()
    assert "<td>1948</td>" in page
    refused = web.post("/ho/moi/", {**form, "full_name": "Lê Văn Sai", "date_of_birth": "13/1950"})
    assert refused.status_code == 400 and "Ngày sinh «13/1950» không hợp lệ" in refused.content.decode()
    assert not Person.objects.filter(full_name="Lê Văn Sai").exists()

    body = {"full_name": "Trần Văn Cả", "date_of_birth": "03/1952", "sex": "male", "area_code": COMMUNE_X}
    created = web.post("/api/people", json.dumps(body), content_type="application/json")
    assert created.status_code in (200, 201), created.content
    out = created.json()
    assert (out["date_of_birth"], out["birth_precision"]) == ("03/1952", MONTH)
    assert Person.objects.get(pk=out["id"]).date_of_birth == date(1952, 3, 1)
    bad = web.post("/api/people", json.dumps({**body, "date_of_birth": "1952/03"}), content_type="application/json")
    assert bad.status_code == 422 and "Ngày sinh" in bad.json()["error"]["message"]
