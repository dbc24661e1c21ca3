"""The public quote page: both quotes, server-side, Vietnamese, errors beside the field."""

from __future__ import annotations

import re

from django.test import Client


def test_it_shows_both_empty_forms() -> None:
    response = Client().get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "BHXH tự nguyện" in body and "BHYT hộ gia đình" in body
    assert 'lang="vi"' in body


def test_it_computes_a_vsi_quote_with_its_references() -> None:
    response = Client().get("/", {"scheme": "vsi", "vsi-on": "2025-07-01", "vsi-income": "1500000",
                                  "vsi-method": "regular", "vsi-months": "1", "vsi-groups": ["near_poor"]})
    assert response.status_code == 200
    body = response.content.decode()
    assert '<td id="vsi-payable">198.000 đ</td>' in body
    assert "Luật BHXH 41/2024/QH15" in body


def test_it_computes_a_household_quote_and_card_dates() -> None:
    response = Client().get("/", {"scheme": "hi", "hi-on": "2024-08-01", "hi-members": "2", "hi-months": "12"})
    body = response.content.decode()
    assert response.status_code == 200
    assert '<td id="hi-total">2.148.120 đ</td>' in body
    assert "31/08/2024" in body and "30/08/2025" in body


def test_an_off_step_income_is_explained_beside_the_income_field() -> None:
    response = Client().get("/", {"scheme": "vsi", "vsi-on": "2022-05-08", "vsi-income": "1520000",
                                  "vsi-method": "regular", "vsi-months": "1"})
    assert response.status_code == 400
    field = response.context["vsi_form"]["income"]
    assert field.errors == [
        "Thu nhập 1.520.000 đ không đúng bước 50.000 đ tính từ 1.500.000 đ; "
        "hai mức gần nhất là 1.500.000 đ và 1.550.000 đ."
    ]
    assert "vsi_quote" in response.context and response.context["vsi_quote"] is None


def test_a_missing_fund_return_is_asked_for_beside_the_rate_field() -> None:
    response = Client().get("/", {"scheme": "vsi", "vsi-on": "2022-05-08", "vsi-income": "1500000",
                                  "vsi-method": "advance", "vsi-months": "24"})
    assert response.status_code == 400
    assert "năm 2021" in response.context["vsi_form"]["rate"].errors[0]


def test_missing_fields_are_reported_in_vietnamese() -> None:
    response = Client().get("/", {"scheme": "hi", "hi-months": "12"})
    assert response.status_code == 400
    assert response.context["hi_form"]["on"].errors == ["Vui lòng nhập trường này."]
    assert response.context["hi_form"]["members"].errors == ["Vui lòng nhập trường này."]


def test_every_input_has_a_label() -> None:
    body = Client().get("/").content.decode()
    ids = re.findall(r'<input[^>]+id="([^"]+)"', body) + re.findall(r'<select[^>]+id="([^"]+)"', body)
    assert ids
    for element_id in ids:
        assert f'for="{element_id}"' in body, element_id


def test_the_income_input_steps_by_the_income_step_in_force() -> None:
    body = Client().get("/").content.decode()
    assert re.search(r'<input[^>]+name="vsi-income"[^>]+step="50000"', body)


def test_the_seed_day_quote_in_nghe_an_shows_the_provincial_top_up() -> None:
    """01/08/2025, poor, 1,500,000 × 1: 330,000 − state 165,000 − Nghệ An 30% × 22% × 1,500,000 = 99,000
    (NQ 07/2025/NQ-HĐND) = 66,000."""
    response = Client().get("/", {"scheme": "vsi", "vsi-on": "2025-08-01", "vsi-income": "1500000",
                                  "vsi-method": "regular", "vsi-months": "1", "vsi-groups": ["poor"],
                                  "vsi-province": "40"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<td>99.000 đ</td>" in body and '<td id="vsi-payable">66.000 đ</td>' in body
    assert "Nghị quyết 07/2025/NQ-HĐND" in body


def test_a_province_without_figures_is_quoted_without_them_and_says_so() -> None:
    response = Client().get("/", {"scheme": "vsi", "vsi-on": "2025-08-01", "vsi-income": "1500000",
                                  "vsi-method": "regular", "vsi-months": "1", "vsi-groups": ["poor"],
                                  "vsi-province": "01"})
    body = response.content.decode()
    assert response.status_code == 200
    assert '<td id="vsi-payable">165.000 đ</td>' in body
    assert 'id="vsi-notice-local_support_not_configured"' in body and "chưa cấu hình" in body


def test_the_quote_page_prices_a_near_poor_household_with_the_state_share() -> None:
    response = Client().get("/", {"scheme": "hi", "hi-on": "2025-08-01", "hi-members": "1", "hi-months": "12",
                                  "hi-group": "near_poor"})
    assert response.status_code == 200
    body = response.content.decode()
    assert '<td id="hi-total">379.080 đ</td>' in body
    assert "884.520" in body and "Hộ cận nghèo" in body
