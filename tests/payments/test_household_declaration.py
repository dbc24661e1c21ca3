"""NĐ 188/2025 Mẫu số 4 (payments/declarations.py): one sheet per household, printed from the HI enrolment
screen for the household to sign. Read back from the PDF with pypdf and from the print page; the expected
values come from the registry and the term's calculation record, never typed as results."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from ansinh.enrollment import services as enrolling
from ansinh.enrollment.models import Enrollment
from ansinh.lib.dates import YEAR
from ansinh.org.models import Role
from ansinh.registry import services as registry
from ansinh.registry.models import AuditEntry, Household, Person
from tests.builders import COMMUNE_X, Personas, field_setup, person_data, personas, user

pytestmark = pytest.mark.django_db
ON = date(2025, 8, 1)


@pytest.fixture
def who() -> Personas:
    people = personas()
    field_setup(people)
    return people


def enrolled(who: Personas) -> tuple[Household, Enrollment]:
    scope = who.scope(who.agent)
    household = registry.create_household(who.agent, scope, person_data(), ON)
    registry.add_member(who.agent, scope, household.pk, "spouse", ON, new_person=person_data(
        full_name="Lê Thị Hoa", sex="female", citizen_id="040190000321", date_of_birth=date(1990, 6, 1)))
    registry.add_member(who.agent, scope, household.pk, "grandparent", ON, new_person=person_data(
        full_name="Nguyễn Thị Mơ", sex="female", citizen_id="040145000777", date_of_birth=date(1945, 1, 1),
        birth_precision=YEAR))
    members = list(household.memberships.order_by("pk").values_list("person_id", flat=True))
    term = enrolling.enroll_hi(who.agent, scope, enrolling.quote_hi(scope, household.pk, members, ON, 12),
                               initial_clinic="Bệnh viện Đa khoa Nghệ An", card_kind="paper")
    return household, term


def pdf_text(client: Client, household: Household) -> tuple[PdfReader, str]:
    response = client.get(reverse("web:household_declaration_pdf", args=[household.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def test_the_agent_prints_the_sheet_with_full_ids_and_the_stored_state_share(who: Personas) -> None:
    household, term = enrolled(who)
    # the stored record decides the percentage: give the grandmother a state share in the term's record
    record = term.calculation
    members = record.result["members"]
    members[2]["state_support"] = members[2]["gross"] * 7 // 10
    record.save(update_fields=["result"])
    client = Client()
    client.force_login(who.agent)
    reader, text = pdf_text(client, household)
    box = reader.pages[0].mediabox
    assert {round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)} == {210, 297}  # A4
    assert "DANH SÁCH THÀNH VIÊN HỘ GIA ĐÌNH THAM GIA BẢO HIỂM Y TẾ" in text and "Mẫu số 4" in text
    people = list(Person.objects.filter(memberships__household=household).order_by("pk"))
    for person in people:
        assert person.full_name in text and person.citizen_id in text  # the collector's staff prints full IDs
    assert "1945" in text and "01/01/1945" not in text  # the birth as recorded: year only
    # the exact relationship (ADR 0013): the lumped "spouse"/"grandparent" given are made exact from the sex
    assert "Chủ hộ" in text and "\nVợ\n" in f"\n{text}\n".replace(" ", "\n") and "Bà" in text
    assert "Vợ/chồng" not in text and "Ông/bà" not in text
    assert "70%" in text and text.count("0%") >= 3
    assert "Bệnh viện Đa khoa Nghệ An" in text and f"{term.months}" in text
    assert "Chủ hộ hoặc người đại diện hộ gia đình" in text and "(Ký, ghi rõ họ tên)" in text
    # full identifiers left the system on paper: one audited read
    assert AuditEntry.objects.filter(action="export", entity="household", entity_id=household.pk).count() == 1


def test_an_office_manager_prints_masked_ids_and_the_html_page_matches(who: Personas) -> None:
    household, _ = enrolled(who)
    manager = user(Role.OFFICE_MANAGER, COMMUNE_X, username="manager_x")
    client = Client()
    client.force_login(manager)
    _, text = pdf_text(client, household)
    page = client.get(reverse("web:household_declaration", args=[household.pk])).content.decode()
    for person in Person.objects.filter(memberships__household=household):
        assert person.citizen_id not in text and person.citizen_id not in page
        assert person.full_name in text and person.full_name in page
        assert person.citizen_id[-3:] in page  # masked, still recognisable
    assert "@page { size: A4 landscape" in page and "Bản giấy" in page and ">x<" in page
    assert not AuditEntry.objects.filter(action="export", entity="household").exists()
    # reachable from the HI enrolment screen
    assert reverse("web:household_declaration", args=[household.pk]) in client.get(
        reverse("web:hi_enroll", args=[household.pk])).content.decode()


def test_a_viewer_is_refused_and_someone_elsewhere_finds_nothing(who: Personas) -> None:
    household, _ = enrolled(who)
    viewer = user(Role.VIEWER, COMMUNE_X, username="viewer_x")
    for actor, status in ((viewer, 403), (who.manager_elsewhere, 404), (who.outsider, 404)):
        client = Client()
        client.force_login(actor)
        for name in ("web:household_declaration", "web:household_declaration_pdf"):
            assert client.get(reverse(name, args=[household.pk])).status_code == status


def test_before_any_term_the_sheet_lists_the_members_with_the_term_columns_blank(who: Personas) -> None:
    scope = who.scope(who.agent)
    household = registry.create_household(who.agent, scope, person_data(), ON)
    client = Client()
    client.force_login(who.agent)
    _, text = pdf_text(client, household)
    assert "Nguyễn Văn An" in text and "%" not in text


def tk1(client: Client, person: Person) -> tuple[PdfReader, str, str]:
    response = client.get(reverse("web:participant_declaration_pdf", args=[person.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    page = client.get(reverse("web:participant_declaration", args=[person.pk]))
    assert page.status_code == 200
    return reader, "\n".join(p.extract_text() for p in reader.pages), page.content.decode()


def test_tk1_ts_is_pre_filled_from_the_registry_with_the_household_annex(who: Personas) -> None:
    household, _ = enrolled(who)
    head = household.head
    assert head is not None
    client = Client()
    client.force_login(who.agent)
    reader, text, page = tk1(client, head)
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (210, 297)  # A4
    assert "TỜ KHAI THAM GIA, ĐIỀU CHỈNH THÔNG TIN BẢO HIỂM XÃ HỘI, BẢO HIỂM Y TẾ" in text
    assert "TK1-TS" in text and "[01] Họ và tên: " + head.full_name in text and "[12]" in text
    for person in Person.objects.filter(memberships__household=household):
        assert person.full_name in text and person.citizen_id in text and person.full_name in page
    assert "1945" in text and "Bà" in text and "Ông/bà" not in text
    assert head.birth_shown in text and household.code in text
    assert "Người kê khai" in text and "II. Thay đổi thông tin" in text
    assert AuditEntry.objects.filter(action="export", entity="person", entity_id=head.pk).count() == 2
    # reachable from the person page
    assert reverse("web:participant_declaration", args=[head.pk]) in client.get(
        reverse("web:person", args=[head.pk])).content.decode()


def test_tk1_ts_for_a_viewer_masks_every_identifier_and_is_not_found_elsewhere(who: Personas) -> None:
    household, _ = enrolled(who)
    head = household.head
    assert head is not None
    viewer = user(Role.VIEWER, COMMUNE_X, username="viewer_x")
    client = Client()
    client.force_login(viewer)
    _, text, page = tk1(client, head)
    for person in Person.objects.filter(memberships__household=household):
        assert person.citizen_id not in text and person.citizen_id not in page
        assert person.full_name in text and person.citizen_id[-3:] in text
    assert head.phone not in text
    assert not AuditEntry.objects.filter(action="export", entity="person").exists()
    for actor in (who.manager_elsewhere, who.outsider):
        other = Client()
        other.force_login(actor)
        for name in ("web:participant_declaration", "web:participant_declaration_pdf"):
            assert other.get(reverse(name, args=[head.pk])).status_code == 404


def test_mau_so_2_is_the_hi_only_declaration_pre_filled_with_the_card(who: Personas) -> None:
    household, term = enrolled(who)
    wife = Person.objects.get(full_name="Lê Thị Hoa")
    client = Client()
    client.force_login(who.agent)
    response = client.get(reverse("web:hi_declaration_pdf", args=[wife.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(p.extract_text() for p in reader.pages)
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (210, 297)  # A4
    assert "Mẫu số 2" in text and "188/2025/NĐ-CP" in text and "TỜ KHAI THAM GIA BẢO HIỂM Y TẾ" in text
    assert "Họ và tên: Lê Thị Hoa" in text and "01/06/1990" in text and wife.citizen_id in text
    assert "Quan hệ với chủ hộ: Vợ (mã 01)" in text and household.code in text
    line = term.hi_lines.get(person=wife)
    assert "Nơi đăng ký khám bệnh, chữa bệnh ban đầu: Bệnh viện Đa khoa Nghệ An" in text
    assert "Thẻ bản giấy: x" in text and f"Số tháng thẻ có giá trị: {term.months}" in text
    assert f"từ {line.valid_from:%d/%m/%Y} đến {line.valid_to:%d/%m/%Y}" in text
    assert "Người kê khai" in text and "(Ký, ghi rõ họ tên)" in text
    assert AuditEntry.objects.filter(action="export", entity="person", entity_id=wife.pk).count() == 1
    page = client.get(reverse("web:hi_declaration", args=[wife.pk])).content.decode()
    assert "Lê Thị Hoa" in page and "Bệnh viện Đa khoa Nghệ An" in page
    # reachable from the person page and the HI enrolment screen
    target = reverse("web:hi_declaration", args=[wife.pk])
    assert target in client.get(reverse("web:person", args=[wife.pk])).content.decode()
    assert target in client.get(reverse("web:hi_enroll", args=[household.pk])).content.decode()
    viewer = user(Role.VIEWER, COMMUNE_X, username="viewer_x")
    masked = Client()
    masked.force_login(viewer)
    seen = masked.get(reverse("web:hi_declaration", args=[wife.pk])).content.decode()
    assert wife.citizen_id not in seen and wife.citizen_id[-3:] in seen
    for actor in (who.manager_elsewhere, who.outsider):
        other = Client()
        other.force_login(actor)
        assert other.get(target).status_code == 404
