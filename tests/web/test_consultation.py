"""The consultation tool: costs by term, the pension each income buys, household HI, a QR code."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client

QUERY = {"on": "2025-08-01", "born": "1985-03-02", "sex": "male", "groups": ["poor"],
         "incomes": "1.500.000, 2000000", "household_members": "3"}


def test_it_compares_incomes_side_by_side_with_the_pension_they_buy() -> None:
    response = Client().get("/tu-van/", QUERY)
    body = response.content.decode()
    assert response.status_code == 200
    assert "1.980.000 đ" in body  # 12 months at the 2025 minimum, poor household (Era B)
    assert "3.300.000 đ" in body  # 12 months at 2,000,000: 12 × (440,000 − 165,000)
    assert "735.000 đ" in body and "980.000 đ" in body  # 49 % (22 years) of each income
    assert "2.906.280 đ" in body  # three household-HI members, 12 months, base 2,340,000
    assert "31/03/2047" in body


def test_the_sheet_has_a_qr_code_that_reopens_the_quote() -> None:
    body = Client().get("/tu-van/", QUERY).content.decode()
    assert "<svg" in body and "Quét mã để mở lại" in body
    assert re.search(r'href="http://testserver/tu-van/\?[^"]*born=1985-03-02', body)


def test_an_income_off_the_step_is_explained_in_its_column() -> None:
    body = Client().get("/tu-van/", {**QUERY, "incomes": "1520000, 2000000"}).content.decode()
    assert "không đúng bước 50.000 đ" in body and "3.300.000 đ" in body


def test_bad_input_is_shown_in_vietnamese() -> None:
    response = Client().get("/tu-van/", {**QUERY, "incomes": "nhiều tiền"})
    assert response.status_code == 400
    errors = response.context["form"]["incomes"].errors
    assert len(errors) == 1 and errors[0].startswith("Nhập 1 đến 4 mức thu nhập, ví dụ: ")


def test_the_other_benefits_are_those_in_force_on_the_date() -> None:
    body = Client().get("/tu-van/", QUERY).content.decode()
    assert "10 lần lương cơ sở khi đã đóng từ 60 tháng" in body and "2.000.000 đ/con" in body
    assert "Mức đóng 22%/tháng" in body
    before = Client().get("/tu-van/", {**QUERY, "on": "2024-08-01"}).content.decode()
    assert "trợ cấp thai sản" not in before  # the Era B maternity grant did not exist yet


def test_a_person_past_retirement_age_is_told_what_applies_now() -> None:
    """Issue 19 §3 / issue 13 item 14: no past pension date and no blank pension row, but catch-up and
    the social pension with their articles."""
    body = Client().get("/tu-van/", {**QUERY, "born": "1966-01-10", "sex": "female"}).content.decode()
    assert '<strong id="past-retirement">đã đủ tuổi nghỉ hưu</strong>' in body
    assert "hưởng lương hưu từ tháng" not in body and "Lương hưu ước tính/tháng" not in body
    assert 'id="benefit-past_retirement"' in body and "đóng bù một lần" in body
    assert "còn thiếu không quá 60 tháng" in body  # ND 159/2025 art. 7 on 01/08/2025
    assert 'id="benefit-social_pension"' in body and "500.000 đ/tháng" in body


def test_a_younger_person_still_sees_the_pension_month_and_row() -> None:
    body = Client().get("/tu-van/", QUERY).content.decode()
    assert "hưởng lương hưu từ tháng" in body and "Lương hưu ước tính/tháng" in body
    assert 'id="past-retirement"' not in body


def test_a_person_who_retired_before_2021_is_consulted_not_refused() -> None:
    response = Client().get("/tu-van/", {**QUERY, "born": "1950-01-01", "sex": "male"})
    body = response.content.decode()
    assert response.status_code == 200
    assert '<strong id="past-retirement">đã đủ tuổi nghỉ hưu</strong>' in body
    assert "Đã đủ tuổi nghỉ hưu từ 01/01/2010" in body and "được hưởng ngay" in body


def test_past_retirement_age_the_page_names_the_monthly_allowance_of_art_23() -> None:
    body = Client().get("/tu-van/", {**QUERY, "born": "1966-01-10", "sex": "female", "groups": []}).content.decode()
    assert 'id="benefit-monthly_allowance"' in body and "Nghị định 159/2025/NĐ-CP, Điều 14" in body


def test_a_nghe_an_resident_sees_the_provincial_top_up_in_every_term() -> None:
    """NQ 07/2025/NQ-HĐND, poor tier 30 % × 22 % × 1,500,000 = 99,000 a month: 12 × (330,000 −
    165,000 − 99,000) = 792,000, the amount a Nghệ An enrolment would ask for."""
    from ansinh.rules import vsi
    from ansinh.rules.consultation import consult

    response = Client().get("/tu-van/", {**QUERY, "province": "40"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Tỉnh hỗ trợ thêm/tháng" in body and "99.000 đ" in body and "792.000 đ" in body
    assert "1.980.000 đ" not in body and 'id="no-province"' not in body
    sheet = consult(date(2025, 8, 1), date(1985, 3, 2), "male", [1_500_000], ["poor"], province="40")
    quoted = vsi.quote(vsi.VsiQuoteInput(on=date(2025, 8, 1), income=1_500_000, months=12, groups=frozenset({"poor"}),
                                         province="40"))
    assert sheet.options[0].payable_by_term[12] == quoted.payable == 792_000
    assert sheet.options[0].monthly_local == 99_000 and sheet.notices == ()


def test_without_a_province_the_sheet_says_the_top_up_is_not_counted() -> None:
    body = Client().get("/tu-van/", QUERY).content.decode()
    assert 'id="no-province"' in body and "Tỉnh hỗ trợ thêm/tháng" not in body


def test_a_province_whose_top_up_is_not_configured_is_quoted_without_it_and_says_so(
        unpublished_top_up: str) -> None:
    body = Client().get("/tu-van/", {**QUERY, "province": "40"}).content.decode()
    assert "1.980.000 đ" in body and "792.000 đ" not in body  # 12 × (330,000 − 165,000)
    assert body.count(unpublished_top_up) == 1


def test_an_unknown_province_is_refused_in_vietnamese() -> None:
    response = Client().get("/tu-van/", {**QUERY, "province": "99"})
    assert response.status_code == 400
    [error] = response.context["form"].errors["province"]
    assert "Select" not in error and "99" in error


@pytest.mark.django_db
def test_a_blank_form_preselects_the_province_of_the_users_scope() -> None:
    from tests.builders import personas

    client = Client()
    client.force_login(personas().agent)  # commune X lies in Nghệ An (40)
    assert client.get("/tu-van/").context["form"]["province"].value() == "40"
    assert Client().get("/tu-van/").context["form"]["province"].value() in ("", None)
