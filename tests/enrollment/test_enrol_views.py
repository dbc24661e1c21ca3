"""The agent's enrolment screens carry a hidden idempotency key drawn when the form is shown: a
double submission of "Xác nhận" gives one term, and a page without its key is refused in Vietnamese."""

from __future__ import annotations

import pytest

from ansinh.enrollment.models import Enrollment
from tests.builders import Personas
from tests.enrollment.builders import client_for, counts, plain_household, poor_household

pytestmark = pytest.mark.django_db


def test_the_vsi_form_has_a_hidden_key_without_a_label(who: Personas) -> None:
    head = poor_household(who).head_id
    page = client_for(who.agent).get(f"/nguoi/{head}/bhxh-tu-nguyen/")
    key = page.context["form"].initial["key"]
    html = page.content.decode()
    assert len(key) == 32 and f'<input type="hidden" name="key" value="{key}"' in html
    assert 'for="id_key"' not in html and ">Key<" not in html
    assert client_for(who.agent).get(f"/nguoi/{head}/bhxh-tu-nguyen/").context["form"].initial["key"] != key


def test_confirming_twice_with_the_page_key_gives_one_term(who: Personas) -> None:
    head = poor_household(who).head_id
    client = client_for(who.agent)
    key = client.get(f"/nguoi/{head}/bhxh-tu-nguyen/").context["form"].initial["key"]
    form = {"on": "2025-08-01", "income": "1500000", "method": "regular", "months": "12", "key": key,
            "confirm": "1"}
    first, again = client.post(f"/nguoi/{head}/bhxh-tu-nguyen/", form), client.post(f"/nguoi/{head}/bhxh-tu-nguyen/",
                                                                                   form)
    assert first.status_code == again.status_code == 302 and first["Location"] == again["Location"]
    assert Enrollment.objects.get().idempotency_key == key


def test_a_vsi_page_without_its_key_is_refused_and_writes_nothing(who: Personas) -> None:
    head = poor_household(who).head_id
    refused = client_for(who.agent).post(f"/nguoi/{head}/bhxh-tu-nguyen/", {
        "on": "2025-08-01", "income": "1500000", "method": "regular", "months": "12", "confirm": "1"})
    assert refused.status_code == 400 and "Trang đã cũ: tải lại trang" in refused.content.decode()
    assert counts() == (0, 0, 0, 0)


def test_the_household_form_is_keyed_and_confirming_twice_gives_one_term(who: Personas) -> None:
    household = plain_household(who)
    client = client_for(who.agent)
    page = client.get(f"/ho/{household.pk}/bhyt/")
    key = page.context["form"].initial["key"]
    assert f'<input type="hidden" name="key" value="{key}"' in page.content.decode()
    form = {"on": "2025-08-01", "members": [str(household.head_id)], "months": "12", "card_kind": "electronic",
            "key": key, "confirm": "1"}
    first, again = client.post(f"/ho/{household.pk}/bhyt/", form), client.post(f"/ho/{household.pk}/bhyt/", form)
    assert first.status_code == again.status_code == 302 and first["Location"] == again["Location"]
    assert counts() == (1, 1, 1, 0)


def test_a_vsi_term_over_months_already_enrolled_is_refused_on_the_page(who: Personas) -> None:
    head = poor_household(who).head_id
    client = client_for(who.agent)
    form = {"on": "2025-08-01", "income": "1500000", "method": "regular", "months": "12", "confirm": "1"}
    client.post(f"/nguoi/{head}/bhxh-tu-nguyen/", {**form, "key": "tab-1"})
    before = counts()
    second = client.post(f"/nguoi/{head}/bhxh-tu-nguyen/", {**form, "key": "tab-2"})  # another tab, another key
    term = Enrollment.objects.get()
    assert second.status_code == 400 and counts() == before
    assert (f"đã có kỳ đóng BHXH tự nguyện số {term.pk} (chờ thu tiền) từ tháng 08/2025 đến tháng 07/2026"
            in second.content.decode())


def test_a_pending_term_is_shown_and_can_be_cancelled_from_the_page_to_quote_again(who: Personas) -> None:
    head = poor_household(who).head_id
    client = client_for(who.agent)
    form = {"on": "2025-08-01", "income": "2000000", "method": "regular", "months": "12", "confirm": "1"}
    client.post(f"/nguoi/{head}/bhxh-tu-nguyen/", {**form, "key": "k1"})
    term = Enrollment.objects.get()
    page = client.get(f"/nguoi/{head}/bhxh-tu-nguyen/").content.decode()
    assert f"Kỳ số {term.pk}: 01/08/2025 – 31/07/2026" in page and f'href="/thu-tien/{term.pk}/"' in page
    outsider = client_for(who.manager_elsewhere).post(f"/nguoi/{head}/bhxh-tu-nguyen/", {"cancel": str(term.pk)})
    assert outsider.status_code == 404 and Enrollment.objects.get().status == "pending"
    cancelled = client.post(f"/nguoi/{head}/bhxh-tu-nguyen/", {"cancel": str(term.pk)})
    assert cancelled.status_code == 302 and Enrollment.objects.get().status == "cancelled"
    again = client.post(f"/nguoi/{head}/bhxh-tu-nguyen/", {**form, "income": "1500000", "key": "k2"})
    assert again.status_code == 302 and Enrollment.objects.filter(status="pending").get().income == 1_500_000
