"""The managers' side: duplicate people decided (link, keep separate, merge households), devices
revoked from the page, the receipt book showing every number's fate; the whole launch-day flow."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from ansinh.enrollment.models import Enrollment, Scheme
from ansinh.fieldsync.models import Device, PersonConflict, ReceiptBlock
from ansinh.fieldsync.queries import receipt_book
from ansinh.org.scope import scope_for
from ansinh.payments.models import Payment, Receipt
from ansinh.registry.models import Household, Membership, Person
from tests.builders import COMMUNE_X
from tests.fieldsync.helpers import Phone, household_ops, new_id, op, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def phone() -> Phone:
    return register()


def manager(phone: Phone) -> Client:
    client = Client()
    client.force_login(phone.who.admin)
    return client


def conflict_of(phone: Phone) -> tuple[PersonConflict, str]:
    """Nguyễn Văn An on record (his household); the phone registers a new household whose head has
    his citizen ID under another name."""
    phone.results(*household_ops(new_id(), new_id(), COMMUNE_X))
    household, person = new_id(), new_id()
    results = phone.results(*household_ops(household, person, COMMUNE_X, full_name="Nguyễn Văn Bình"),
                            op("register_person", person_id=new_id(), household_id=household, full_name="Lê Thị Hai",
                               birth_date="1990-02-02", sex="female", citizen_id=None, phone=None, relationship="wife"))
    assert [r["status"] for r in results] == ["applied", "flagged", "applied"], results
    return PersonConflict.objects.get(), person


def test_the_launch_day_flow_a_household_of_3_enrolled_and_3_receipts_from_the_block(phone: Phone) -> None:
    household, ids = new_id(), [new_id(), new_id(), new_id()]
    names = [("Nguyễn Văn An", "1985-03-02", "male", "head"), ("Lê Thị Hoa", "1987-04-04", "female", "wife"),
             ("Nguyễn Văn Nam", "2012-05-05", "male", "child")]
    ops = [op("register_household", household_id=household, commune_code=COMMUNE_X, address="Xóm 3")]
    ops += [op("register_person", person_id=pid, household_id=household, full_name=name, birth_date=born, sex=sex,
               citizen_id=None, phone=None, relationship=rel)
            for pid, (name, born, sex, rel) in zip(ids, names, strict=True)]
    enrolments = [new_id() for _ in ids]
    ops += [op("enrol_vsi", enrolment_id=e, person_id=p, monthly_income=1_500_000, term_months=1,
               start_month="2026-12", quoted_amount=None) for e, p in zip(enrolments[:2], ids[:2], strict=True)]
    ops.append(op("enrol_hi", enrolment_id=enrolments[2], household_id=household, member_ids=[ids[2]],
                  start_date=timezone.localdate().isoformat(), quoted_amount=None))
    first = phone.results(*ops)
    assert all(r["status"] == "applied" for r in first), first
    payable = dict(Enrollment.objects.values_list("pk", "payable"))
    payments = [op("payment", payment_id=new_id(), enrolment_id=e, amount=payable[int(r["server_id"])],
                   receipt_number=phone.block["numbers"][i], collected_at=timezone.now().isoformat(),
                   collection_point_id=None) for i, (e, r) in enumerate(zip(enrolments, first[4:], strict=True))]
    assert [r["status"] for r in phone.results(*payments)] == ["applied"] * 3
    assert sorted(r.serial for r in Receipt.objects.select_related("pool")) == phone.block["numbers"][:3]
    assert Enrollment.objects.filter(scheme=Scheme.HOUSEHOLD_HI).count() == 1
    counts = (Payment.objects.count(), Receipt.objects.count(), Person.objects.count(), Household.objects.count())
    again = phone.results(*ops, *payments)
    assert {r["status"] for r in again} == {"replayed"}
    assert (Payment.objects.count(), Receipt.objects.count(), Person.objects.count(),
            Household.objects.count()) == counts == (3, 3, 3, 1)


def test_link_resolves_the_offline_person_to_the_record_and_its_dependants_then_apply(phone: Phone) -> None:
    conflict, person = conflict_of(phone)
    response = manager(phone).post(f"/dong-bo/trung/{conflict.pk}/", {"decision": "link"})
    assert response.status_code == 302
    assert Person.objects.count() == 2  # An and Hai: nobody new for the linked head
    enrol = phone.results(op("enrol_vsi", enrolment_id=new_id(), person_id=person, monthly_income=1_500_000,
                             term_months=1, start_month="2026-12", quoted_amount=None))[0]
    assert enrol["status"] == "applied"
    assert Enrollment.objects.get().person_id == conflict.existing_id


def test_keep_separate_registers_another_person_without_the_citizen_id(phone: Phone) -> None:
    conflict, _ = conflict_of(phone)
    manager(phone).post(f"/dong-bo/trung/{conflict.pk}/", {"decision": "separate"})
    made = Person.objects.get(full_name="Nguyễn Văn Bình")
    assert made.citizen_id is None
    assert PersonConflict.objects.get().decision == "separate"


def test_merge_moves_the_offline_households_members_into_the_records_household(phone: Phone) -> None:
    conflict, _ = conflict_of(phone)
    manager(phone).post(f"/dong-bo/trung/{conflict.pk}/", {"decision": "merge"})
    hai = Person.objects.get(full_name="Lê Thị Hai")
    target = Membership.objects.get(person_id=conflict.existing_id, valid_to__isnull=True).household_id
    assert Membership.objects.get(person=hai, valid_to__isnull=True).household_id == target


def test_an_agent_may_not_decide_and_nothing_changes(phone: Phone) -> None:
    conflict, _ = conflict_of(phone)
    client = Client()
    client.force_login(phone.who.agent)
    assert client.post(f"/dong-bo/trung/{conflict.pk}/", {"decision": "link"}).status_code == 403
    assert PersonConflict.objects.get().decision == "pending"


def test_the_flags_page_shows_both_amounts_in_vietnamese(phone: Phone) -> None:
    person, enrolment = new_id(), new_id()
    results = phone.results(*household_ops(new_id(), person, COMMUNE_X),
                            op("enrol_vsi", enrolment_id=enrolment, person_id=person, monthly_income=1_500_000,
                               term_months=1, start_month="2026-12", quoted_amount=None))
    payable = Enrollment.objects.get(pk=results[2]["server_id"]).payable
    phone.results(op("payment", payment_id=new_id(), enrolment_id=enrolment, amount=payable + 5_000,
                     receipt_number=phone.block["numbers"][0], collected_at=timezone.now().isoformat(),
                     collection_point_id=None))
    page = manager(phone).get("/dong-bo/canh-bao/").content.decode()
    assert "Số tiền thu khác số máy chủ tính" in page
    assert f"{payable + 5_000:,}".replace(",", ".") in page and f"{payable:,}".replace(",", ".") in page


def test_revoking_from_the_page_voids_the_unused_numbers_and_the_book_shows_each_fate(phone: Phone) -> None:
    person, enrolment = new_id(), new_id()
    results = phone.results(*household_ops(new_id(), person, COMMUNE_X),
                            op("enrol_vsi", enrolment_id=enrolment, person_id=person, monthly_income=1_500_000,
                               term_months=1, start_month="2026-12", quoted_amount=None))
    payable = Enrollment.objects.get(pk=results[2]["server_id"]).payable
    phone.results(op("payment", payment_id=new_id(), enrolment_id=enrolment, amount=payable,
                     receipt_number=phone.block["numbers"][0], collected_at=timezone.now().isoformat(),
                     collection_point_id=None))
    device = Device.objects.get()
    client = manager(phone)
    assert client.post(f"/dong-bo/thiet-bi/{device.pk}/thu-hoi/", {"reason": "Mất điện thoại"}).status_code == 302
    assert ReceiptBlock.objects.get().void_reason == "Thiết bị bị thu hồi: Mất điện thoại"
    page = client.get("/dong-bo/so-bien-lai/").content.decode()
    assert "BL40-2025-0000001: đã dùng" in page
    assert page.count("đã huỷ — Thiết bị bị thu hồi: Mất điện thoại") == 49

    book = receipt_book(scope_for(phone.who.admin))
    assert [entry["used"] + entry["voided"] for entry in book] == [50]
