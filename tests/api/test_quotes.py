"""Quote API: same rules as the CLI; refusals are HTTP 422 with the error code."""

from __future__ import annotations

from django.test import Client


def post(path: str, body: dict[str, object]) -> tuple[int, dict[str, object]]:
    response = Client().post(path, body, content_type="application/json")
    return response.status_code, response.json()


def test_vsi_quote() -> None:
    status, data = post("/api/quotes/vsi", {"on": "2025-07-01", "income": 1500000, "months": 1, "groups": ["poor"]})
    assert status == 200
    assert (data["gross"], data["state_support"], data["payable"]) == (330000, 165000, 165000)


def test_vsi_refusal_is_422_with_code_and_vietnamese_message() -> None:
    status, data = post("/api/quotes/vsi", {"on": "2025-07-01", "income": 1000000, "months": 1})
    assert status == 422
    error = data["error"]
    assert isinstance(error, dict)
    assert error["code"] == "income_below_floor"
    assert "thấp hơn mức tối thiểu 1.500.000 đ" in error["message"]


def test_hi_quote_does_not_rank_members_covered_elsewhere() -> None:
    status, data = post("/api/quotes/hi", {"on": "2024-08-01", "members": 2, "covered_elsewhere": 1, "months": 12})
    assert status == 200
    assert [m["rank"] for m in data["members"]] == [1, 2, None]  # type: ignore[index]
    assert data["total"] == 2148120
    assert data["card"] == {"valid_from": "2024-08-31", "valid_to": "2025-08-30"}


def test_the_openapi_schema_is_served() -> None:
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    assert "/api/quotes/vsi" in response.json()["paths"]


def test_the_seed_day_vsi_quote_in_nghe_an_carries_the_provincial_top_up() -> None:
    status, data = post("/api/quotes/vsi", {"on": "2025-08-01", "income": 1500000, "months": 1, "groups": ["poor"],
                                            "province": "40"})
    assert status == 200
    assert (data["gross"], data["state_support"], data["local_support"], data["payable"]) == (
        330_000, 165_000, 99_000, 66_000)
    assert data["notices"] == []


def test_a_province_without_a_file_is_quoted_without_a_top_up_and_flagged() -> None:
    status, data = post("/api/quotes/vsi", {"on": "2025-08-01", "income": 1500000, "months": 1, "groups": ["poor"],
                                            "province": "01"})
    assert status == 200 and (data["local_support"], data["payable"]) == (0, 165_000)
    assert [n["code"] for n in data["notices"]] == ["local_support_not_configured"]  # type: ignore[union-attr]
    assert "chưa cấu hình" in data["notices"][0]["message"]  # type: ignore[index]


def test_hi_quote_for_a_near_poor_household_shows_the_state_share_per_member() -> None:
    # 4.5 % × 2,340,000 × 12 = 1,263,600 per member; the state pays 70 % (ND 146/2018 art. 4, 8): 884,520.
    status, data = post("/api/quotes/hi", {"on": "2025-08-01", "members": 2, "months": 12, "group": "near_poor"})
    assert status == 200
    members = data["members"]
    assert isinstance(members, list)
    assert [(m["gross"], m["state_support"], m["amount"], m["rank"]) for m in members] == [
        (1263600, 884520, 379080, None)] * 2
    assert data["total"] == 2 * 379080


def test_hi_quote_for_a_poor_household_charges_nothing_and_as_household_waits_for_the_2024_law() -> None:
    status, data = post("/api/quotes/hi", {"on": "2025-08-01", "members": 3, "months": 12, "group": "poor"})
    assert status == 200 and data["total"] == 0
    status, data = post("/api/quotes/hi", {"on": "2025-06-30", "members": 1, "months": 12, "group": "near_poor",
                                           "as_household": True})
    assert status == 422
    status, data = post("/api/quotes/hi", {"on": "2025-07-01", "members": 1, "months": 12, "group": "near_poor",
                                           "as_household": True})
    assert status == 200 and data["total"] == 1263600 - 0  # as a household: rank 1, the full household rate
