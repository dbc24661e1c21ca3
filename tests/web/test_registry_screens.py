"""The agent's registry screens, driven over HTTP with the three personas."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from ansinh.org import fields
from ansinh.org.models import Role
from ansinh.registry import audit
from ansinh.registry.models import AuditEntry, Household, Person
from tests.builders import COMMUNE_X, PASSWORD, Personas, commune, personas, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def who() -> Personas:
    return personas()


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def household_form(**overrides: str) -> dict[str, str]:
    form = {"full_name": "Nguyễn Văn An", "date_of_birth": "1985-03-02", "sex": "male", "ethnicity": "01",
            "citizen_id": "040085000123", "phone": "0912345678", "area": str(commune(COMMUNE_X).pk),
            "address_detail": "Khối 5", "joined": "2025-08-01"}
    form.update(overrides)
    return form


def test_pages_need_a_login() -> None:
    response = Client().get("/tim-kiem/")
    assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/")


def test_an_agent_logs_in_with_its_password(who: Personas) -> None:
    client = Client()
    response = client.post("/dang-nhap/", {"username": "agent_x", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/tim-kiem/"
    assert "Đăng xuất (agent_x)" in client.get("/tim-kiem/").content.decode()


def test_repeated_failed_logins_lock_the_account_for_a_while(who: Personas) -> None:
    client = Client()
    for _ in range(4):
        refused = client.post("/dang-nhap/", {"username": "agent_x", "password": "sai"})
        assert refused.status_code == 200 and "không đúng" in refused.content.decode()
    assert client.post("/dang-nhap/", {"username": "agent_x", "password": "sai"}).status_code == 429
    locked = client.post("/dang-nhap/", {"username": "agent_x", "password": PASSWORD})
    assert locked.status_code == 429
    assert "tạm khoá" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_agent_registers_a_household_on_the_phone(who: Personas) -> None:
    client = client_for(who.agent)
    response = client.post("/ho/moi/", household_form())
    household = Household.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/ho/{household.pk}/"
    card = client.get(f"/ho/{household.pk}/").content.decode()
    assert "Nguyễn Văn An" in card and "Chủ hộ" in card
    assert "040******123" in card and "040085000123" not in card


def test_a_bad_citizen_id_is_shown_beside_the_field_and_nothing_is_saved(who: Personas) -> None:
    response = client_for(who.agent).post("/ho/moi/", household_form(citizen_id="040185000123"))
    assert response.status_code == 400
    assert "chữ số thứ 4" in response.context["form"]["citizen_id"].errors[0]
    assert Person.objects.count() == 0 and AuditEntry.objects.count() == 0


def test_a_probable_duplicate_asks_for_confirmation(who: Personas) -> None:
    client = client_for(who.agent)
    assert "confirm_duplicate" not in client.get("/ho/moi/").content.decode()  # only once flagged
    client.post("/ho/moi/", household_form(citizen_id=""))
    again = client.post("/ho/moi/", household_form(citizen_id=""))
    assert again.status_code == 400 and again.context["form"]["confirm_duplicate"].errors
    assert 'name="confirm_duplicate"' in again.content.decode()
    confirmed = client.post("/ho/moi/", household_form(citizen_id="", confirm_duplicate="on"))
    assert confirmed.status_code == 302 and Household.objects.count() == 2


def test_members_and_poverty_status_from_the_household_card(who: Personas) -> None:
    client = client_for(who.agent)
    client.post("/ho/moi/", household_form())
    household = Household.objects.get()
    member = {**household_form(full_name="Lê Thị Hoa", sex="female", citizen_id="040190000321",
                               date_of_birth="1990-06-01", phone=""), "relationship": "wife"}
    assert client.post(f"/ho/{household.pk}/them-thanh-vien/", member).status_code == 302
    poverty = {"status": "poor", "valid_from": "2025-01-01", "decision_number": "QĐ 12/QĐ-UBND",
               "decision_date": "2024-12-20"}
    assert client.post(f"/ho/{household.pk}/tinh-trang-ngheo/", poverty).status_code == 302
    # the agent's change waits for a manager (registry.support): approved from the queue
    asked = household.support_requests.get()
    assert client_for(who.admin).post(f"/de-nghi-ho-tro/{asked.pk}/", {"decision": "approve"}).status_code == 302
    card = client.get(f"/ho/{household.pk}/").content.decode()
    assert "Lê Thị Hoa" in card and "Vợ (mã 01)" in card and 'id="poverty-status">Hộ nghèo' in card
    spouse = household.memberships.get(relationship="wife", residence_code="01")
    assert 'data-confirm="Xác nhận' in card  # leaving a household asks first (web/static/web/ansinh.js)
    ended = client.post(f"/ho/{household.pk}/thanh-vien/{spouse.pk}/roi-ho/", {"left": "2026-01-31"})
    assert ended.status_code == 302
    assert "Đã rời hộ" in client.get(f"/ho/{household.pk}/").content.decode()


def test_revealing_a_full_id_on_the_person_page_is_audited(who: Personas) -> None:
    client = client_for(who.agent)
    client.post("/ho/moi/", household_form())
    person = Person.objects.get()
    assert 'id="citizen-id">040******123' in client.get(f"/nguoi/{person.pk}/").content.decode()
    revealed = client.post(f"/nguoi/{person.pk}/").content.decode()
    assert 'id="citizen-id">040085000123' in revealed
    assert AuditEntry.objects.filter(action="reveal", actor=who.agent).count() == 1


def test_the_manager_of_another_area_and_the_outsider_get_nothing(who: Personas) -> None:
    client_for(who.agent).post("/ho/moi/", household_form())
    household, person = Household.objects.get(), Person.objects.get()
    for other in (who.manager_elsewhere, who.outsider):
        client = client_for(other)
        assert client.get(f"/ho/{household.pk}/").status_code == 404
        assert client.get(f"/nguoi/{person.pk}/").status_code == 404
        assert client.post(f"/nguoi/{person.pk}/sua/", household_form(full_name="X")).status_code == 404
        assert "Nguyễn Văn An" not in client.get("/tim-kiem/", {"q": "nguyen"}).content.decode()
    person.refresh_from_db()
    assert person.full_name == "Nguyễn Văn An"
    assert "chưa được phân địa bàn" in client_for(who.outsider).get("/tim-kiem/").content.decode()


def test_search_finds_by_folded_name_and_links_the_household(who: Personas) -> None:
    client = client_for(who.agent)
    client.post("/ho/moi/", household_form())
    page = client.get("/tim-kiem/", {"q": "nguyen van a"}).content.decode()
    assert "Nguyễn Văn An" in page and f"/ho/{Household.objects.get().pk}/" in page
    assert "Không tìm thấy" in client.get("/tim-kiem/", {"q": "zzz"}).content.decode()


def test_an_agent_with_one_commune_finds_it_chosen(who: Personas) -> None:
    form = client_for(who.agent).get("/ho/moi/").context["form"]
    assert form.initial["area"] == commune(COMMUNE_X)


def test_every_input_on_the_registration_form_has_a_label(who: Personas) -> None:
    body = client_for(who.agent).get("/ho/moi/").content.decode()
    ids = re.findall(r'<(?:input|select)[^>]+id="([^"]+)"', body)
    assert len(ids) >= 10
    for element_id in ids:
        assert f'for="{element_id}"' in body, element_id


def test_the_household_address_is_edited_from_its_card(who: Personas) -> None:
    client = client_for(who.agent)
    client.post("/ho/moi/", household_form())
    household = Household.objects.get()
    assert client.post(f"/ho/{household.pk}/sua/", {"address_detail": "Khối 9"}).status_code == 302
    assert "Khối 9" in client.get(f"/ho/{household.pk}/").content.decode()
    other = client_for(who.manager_elsewhere)
    assert other.post(f"/ho/{household.pk}/sua/", {"address_detail": "X"}).status_code == 404


def test_a_user_changes_their_password(who: Personas) -> None:
    client = client_for(who.agent)
    response = client.post("/doi-mat-khau/", {"old_password": PASSWORD, "new_password1": "mot-mat-khau-moi-2026",
                                               "new_password2": "mot-mat-khau-moi-2026"})
    assert response.status_code == 302
    who.agent.refresh_from_db()
    assert who.agent.check_password("mot-mat-khau-moi-2026")
    wrong = client_for(who.agent).post("/doi-mat-khau/", {"old_password": "sai", "new_password1": "x",
                                                          "new_password2": "x"})
    assert wrong.status_code == 200 and wrong.context["form"].errors


def test_the_edit_form_does_not_prefill_masked_identifiers_and_an_empty_input_keeps_them(who: Personas) -> None:
    client = client_for(who.agent)
    client.post("/ho/moi/", household_form(si_code="4012345678"))
    person = Person.objects.get()
    before = AuditEntry.objects.count()
    page = client.get(f"/nguoi/{person.pk}/sua/").content.decode()
    for full, masked in (("040085000123", "040******123"), ("0912345678", "091****678"), ("4012345678", "40******78")):
        assert full not in page and f"Đang lưu: {masked} — nhập số mới nếu muốn thay đổi" in page
    assert 'placeholder="nhập số mới nếu muốn thay đổi"' in page
    assert AuditEntry.objects.count() == before  # no full value shown, so no read to audit
    edited = household_form(full_name="Nguyễn Văn Ân", citizen_id="", phone="", si_code="")
    assert client.post(f"/nguoi/{person.pk}/sua/", edited).status_code == 302
    person.refresh_from_db()
    assert (person.full_name, person.citizen_id, person.phone, person.si_code) == (
        "Nguyễn Văn Ân", "040085000123", "0912345678", "4012345678")
    assert client.post(f"/nguoi/{person.pk}/sua/", household_form(phone="0987654321", citizen_id="")).status_code == 302
    person.refresh_from_db()
    assert (person.phone, person.citizen_id) == ("0987654321", "040085000123")


def test_the_viewer_cannot_open_or_post_the_edit_form(who: Personas) -> None:
    client_for(who.agent).post("/ho/moi/", household_form())
    person = Person.objects.get()
    viewer = client_for(user(Role.VIEWER, COMMUNE_X))
    before = AuditEntry.objects.count()
    shown = viewer.get(f"/nguoi/{person.pk}/sua/")
    assert shown.status_code == 403 and "chỉ được xem" in shown.content.decode()
    assert "040085000123" not in shown.content.decode()
    assert viewer.post(f"/nguoi/{person.pk}/sua/", household_form(full_name="Đổi")).status_code == 403
    person.refresh_from_db()
    assert person.full_name == "Nguyễn Văn An" and AuditEntry.objects.count() == before


def test_the_viewer_may_not_reveal_and_sees_no_reveal_button(who: Personas) -> None:
    client_for(who.agent).post("/ho/moi/", household_form())
    person = Person.objects.get()
    viewer = client_for(user(Role.VIEWER, COMMUNE_X))
    assert "đầy đủ (được ghi nhật ký)" not in viewer.get(f"/nguoi/{person.pk}/").content.decode()
    refused = viewer.post(f"/nguoi/{person.pk}/", {"field": "citizen_id"})
    assert refused.status_code == 403 and "040085000123" not in refused.content.decode()
    assert not AuditEntry.objects.filter(action="reveal").exists()


def test_an_agent_reveals_the_phone_and_the_si_code_one_at_a_time(who: Personas) -> None:
    client = client_for(who.agent)
    client.post("/ho/moi/", household_form(si_code="4012345678"))
    person = Person.objects.get()
    page = client.post(f"/nguoi/{person.pk}/", {"field": "phone"}).content.decode()
    assert 'id="phone">0912345678' in page and 'id="citizen-id">040******123' in page
    assert 'id="si-code">4012345678' in client.post(f"/nguoi/{person.pk}/", {"field": "si_code"}).content.decode()
    assert [e.changes["field"] for e in AuditEntry.objects.filter(action="reveal").order_by("id")] == [
        "phone", "si_code"]


def test_an_id_search_beyond_the_hourly_limit_answers_a_vietnamese_message(who: Personas) -> None:
    client = client_for(who.agent)
    for n in range(audit.LOOKUPS_PER_HOUR):
        assert client.get("/tim-kiem/", {"q": f"0400850{n:05d}"}).status_code == 200
    refused = client.get("/tim-kiem/", {"q": "040085000123"})
    assert refused.status_code == 429 and "trong một giờ qua" in refused.content.decode()
    masked = client_for(who.admin).get("/tim-kiem/", {"q": "040******123"}).content.decode()
    assert "12 chữ số" in masked


def test_a_manager_searching_an_id_held_elsewhere_is_offered_the_locate_page(who: Personas) -> None:
    client_for(who.agent).post("/ho/moi/", household_form())
    page = client_for(who.manager_elsewhere).get("/tim-kiem/", {"q": "040085000123"}).content.decode()
    assert "Đã có hồ sơ ở địa bàn khác — liên hệ quản lý" in page and 'href="/tra-cuu-ho-so/"' in page
    assert "Nguyễn Văn An" not in page


def test_should_the_policy_prefill_a_full_id_opening_the_form_is_an_audited_read(who: Personas,
                                                                               monkeypatch: Any) -> None:
    client = client_for(who.agent)
    client.post("/ho/moi/", household_form())
    person = Person.objects.get()
    rule = fields.POLICY[fields.PersonalField.CITIZEN_ID]
    monkeypatch.setitem(fields.POLICY, fields.PersonalField.CITIZEN_ID,
                        fields.FieldRule(plain=frozenset({Role.AGENT}), reveal=rule.reveal, export=rule.export))
    page = client.get(f"/nguoi/{person.pk}/sua/").content.decode()
    assert 'value="040085000123"' in page
    entry = AuditEntry.objects.get(action="edit_view")
    assert (entry.actor, entry.entity_id, entry.changes) == (who.agent, person.pk, {"fields": ["citizen_id"]})


def test_every_page_names_its_favicon_so_the_browser_does_not_ask_for_a_missing_one() -> None:
    from django.contrib.staticfiles import finders

    body = Client().get("/").content.decode()
    assert 'rel="icon"' in body and finders.find("web/favicon.svg")
