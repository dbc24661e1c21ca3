"""POST /api/v1/sync: ids resolved by client UUID within and across batches, each operation answered
on its own, replays change nothing, collected money recorded as collected and flagged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ansinh.campaigns.models import Lead
from ansinh.enrollment.models import Enrollment
from ansinh.fieldsync import operations
from ansinh.fieldsync.models import Flag, PersonConflict, SyncOperation
from ansinh.payments.models import Payment, Receipt
from ansinh.registry.models import Household, Membership, Person
from tests.builders import COMMUNE_X, COMMUNE_Y, running_campaign
from tests.fieldsync.helpers import Phone, household_ops, new_id, op, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def phone() -> Phone:
    return register()


def enrolled(phone: Phone) -> tuple[str, str, int]:
    """A household with its head enrolled in VSI (1,500,000 × 1 month): (person, enrolment, payable)."""
    household, person, enrolment = new_id(), new_id(), new_id()
    results = phone.results(*household_ops(household, person, COMMUNE_X),
                            op("enrol_vsi", enrolment_id=enrolment, person_id=person, monthly_income=1_500_000,
                               term_months=1, start_month=timezone.localdate().strftime("%Y-%m"), quoted_amount=None))
    assert [r["status"] for r in results] == ["applied", "applied", "applied"], results
    return person, enrolment, Enrollment.objects.get(pk=results[2]["server_id"]).payable


def pay(enrolment: str, amount: int, number: str, **extra: object) -> dict[str, object]:
    return op("payment", payment_id=new_id(), enrolment_id=enrolment, amount=amount, receipt_number=number,
              collected_at=timezone.now().isoformat(), collection_point_id=None, **extra)


def test_a_household_registered_offline_becomes_a_household_headed_by_its_first_member(phone: Phone) -> None:
    household, head, child = new_id(), new_id(), new_id()
    results = phone.results(*household_ops(household, head, COMMUNE_X),
                            op("register_person", person_id=child, household_id=household, full_name="Nguyễn Thị Bé",
                               birth_date="2015-06-01", sex="female", citizen_id=None, phone=None,
                               relationship="child"))
    assert [r["status"] for r in results] == ["applied"] * 3
    made = Household.objects.get()
    assert made.head.full_name == "Nguyễn Văn An" and made.address_detail == "Xóm 3"
    assert sorted(Membership.objects.values_list("relationship", flat=True)) == ["child", "head"]


def test_a_payment_is_recorded_with_the_number_the_device_printed_and_a_replay_changes_nothing(phone: Phone) -> None:
    _, enrolment, payable = enrolled(phone)
    payment = pay(enrolment, payable, phone.block["numbers"][2])
    first = phone.results(payment)[0]
    assert first["status"] == "applied" and first["flags"] == []
    receipt = Receipt.objects.select_related("pool").get()
    assert receipt.serial == "BL40-2025-0000003" and receipt.amount == payable
    again = phone.results(payment)[0]
    assert again == {**first, "status": "replayed"}
    assert Payment.objects.count() == 1 and Receipt.objects.count() == 1 and SyncOperation.objects.count() == 4


def test_references_resolve_across_batches(phone: Phone) -> None:
    person, enrolment, payable = enrolled(phone)
    second = phone.results(pay(enrolment, payable, phone.block["numbers"][0]))[0]
    assert second["status"] == "applied"
    assert Payment.objects.get().enrollment.person.pk == Person.objects.get().pk
    assert person


def test_a_failed_operation_does_not_block_an_independent_one_and_its_dependant_fails_with_the_reason(
        phone: Phone) -> None:
    bad, bad_person, good, good_person, enrolment = new_id(), new_id(), new_id(), new_id(), new_id()
    results = phone.results(
        op("register_household", household_id=bad, commune_code=COMMUNE_Y, address="ngoài địa bàn"),
        op("register_person", person_id=bad_person, household_id=bad, full_name="Lê Văn C", birth_date="1990-01-01",
           sex="male", citizen_id=None, phone=None, relationship="head"),
        *household_ops(good, good_person, COMMUNE_X),
        op("enrol_vsi", enrolment_id=enrolment, person_id=bad_person, monthly_income=1_500_000, term_months=1,
           start_month="2026-12", quoted_amount=None))
    assert [r["status"] for r in results] == ["failed", "failed", "applied", "applied", "failed"]
    assert results[0]["error"].startswith("Không tìm thấy")
    assert results[1]["error"].startswith("Thao tác phụ thuộc không ghi được")
    assert results[4]["error"].startswith("Thao tác phụ thuộc không ghi được")
    assert Household.objects.count() == 1 and Person.objects.count() == 1 and not Enrollment.objects.exists()


def test_an_amount_that_differs_from_the_quote_is_recorded_as_collected_and_flagged_with_both(phone: Phone) -> None:
    _, enrolment, payable = enrolled(phone)
    result = phone.results(pay(enrolment, payable - 1_000, phone.block["numbers"][0]))[0]
    assert result["status"] == "flagged"
    assert [f["kind"] for f in result["flags"]] == ["amount_differs"]
    assert Payment.objects.get().amount == payable - 1_000  # never corrected
    flag = Flag.objects.get()
    assert (flag.collected, flag.quoted) == (payable - 1_000, payable)


def test_a_number_outside_the_block_is_refused_and_flagged(phone: Phone) -> None:
    _, enrolment, payable = enrolled(phone)
    result = phone.results(pay(enrolment, payable, "BL40-2025-0000051"))[0]
    assert result["status"] == "failed" and "không thuộc dải số" in result["error"]
    assert [f["kind"] for f in result["flags"]] == ["receipt_outside_block"]
    assert not Payment.objects.exists() and Flag.objects.get().kind == "receipt_outside_block"


def test_a_number_used_twice_is_refused_and_flagged(phone: Phone) -> None:
    _, enrolment, payable = enrolled(phone)
    _, other, other_payable = enrolled_second(phone)
    number = phone.block["numbers"][4]
    assert phone.results(pay(enrolment, payable, number))[0]["status"] == "applied"
    result = phone.results(pay(other, other_payable, number))[0]
    assert result["status"] == "failed"
    assert [f["kind"] for f in result["flags"]] == ["receipt_reused"]
    assert Payment.objects.count() == 1


def enrolled_second(phone: Phone) -> tuple[str, str, int]:
    person, enrolment = new_id(), new_id()
    results = phone.results(
        op("register_person", person_id=person, household_id=None, commune_code=COMMUNE_X, full_name="Trần Thị Hoa",
           birth_date="1990-05-05", sex="female", citizen_id=None, phone=None, relationship=None),
        op("enrol_vsi", enrolment_id=enrolment, person_id=person, monthly_income=2_000_000, term_months=1,
           start_month="2026-12", quoted_amount=None))
    assert [r["status"] for r in results] == ["applied", "applied"], results
    return person, enrolment, Enrollment.objects.get(pk=results[1]["server_id"]).payable


def test_a_device_clock_a_day_off_and_a_payment_before_the_block_are_flagged(phone: Phone) -> None:
    _, enrolment, payable = enrolled(phone)
    long_ago = (timezone.now() - timedelta(days=3)).isoformat()
    payment = pay(enrolment, payable, phone.block["numbers"][0])
    payment["device_time"] = long_ago
    payment["data"]["collected_at"] = long_ago
    result = phone.results(payment)[0]
    assert result["status"] == "flagged"
    assert sorted(f["kind"] for f in result["flags"]) == ["before_block", "clock_skew"]
    assert SyncOperation.objects.get(op_id=payment["id"]).device_time is not None
    assert Payment.objects.get().paid_at > timezone.now() - timedelta(minutes=5)  # the server's time


def test_a_person_whose_citizen_id_exists_with_the_same_data_is_linked(phone: Phone) -> None:
    enrolled(phone)
    again = new_id()
    result = phone.results(op("register_person", person_id=again, household_id=None, commune_code=COMMUNE_X,
                              full_name="NGUYEN VAN AN", birth_date="1985-03-02", sex="male",
                              citizen_id="040085000123", phone=None, relationship=None))[0]
    assert result["status"] == "flagged" and result["flags"][0]["kind"] == "duplicate_person"
    assert result["server_id"] == str(Person.objects.get().pk) and Person.objects.count() == 1


def test_a_person_whose_citizen_id_exists_with_other_data_waits_for_a_manager_and_blocks_its_dependants(
        phone: Phone) -> None:
    enrolled(phone)
    again, enrolment = new_id(), new_id()
    results = phone.results(
        op("register_person", person_id=again, household_id=None, commune_code=COMMUNE_X, full_name="Nguyễn Văn Bình",
           birth_date="1985-03-02", sex="male", citizen_id="040085000123", phone=None, relationship=None),
        op("enrol_vsi", enrolment_id=enrolment, person_id=again, monthly_income=1_500_000, term_months=1,
           start_month="2026-12", quoted_amount=None))
    assert results[0]["status"] == "flagged" and results[0]["server_id"] is None
    assert results[1]["status"] == "failed" and "chờ quản lý quyết định" in results[1]["error"]
    conflict = PersonConflict.objects.get()
    assert conflict.decision == "pending" and conflict.proposed["full_name"] == "Nguyễn Văn Bình"
    assert Person.objects.count() == 1 and Enrollment.objects.count() == 1


def test_an_unknown_operation_type_fails_alone(phone: Phone) -> None:
    household, person = new_id(), new_id()
    results = phone.results(op("teleport", x=1), *household_ops(household, person, COMMUNE_X))
    assert [r["status"] for r in results] == ["failed", "applied", "applied"]
    assert "không được hỗ trợ" in results[0]["error"]


def test_a_lead_met_offline_joins_the_campaigns_funnel_of_the_agents_team(phone: Phone) -> None:

    made = running_campaign(phone.who)
    result = phone.results(op("lead", lead_id=new_id(), campaign_slug=made["campaign"].slug, full_name="Võ Thị Hoa",
                              phone="0912000555", commune_code=COMMUNE_X, interest="vsi"))[0]
    assert result["status"] == "applied", result
    lead = Lead.objects.get()
    assert (lead.campaign_id, lead.team_id, lead.full_name, lead.scheme) == (made["campaign"].pk, made["team"].pk,
                                                                            "Võ Thị Hoa", "vsi")


def test_the_same_payment_under_a_new_operation_id_answers_its_first_payment_and_flags_nothing(phone: Phone) -> None:
    _, enrolment, payable = enrolled(phone)
    first = pay(enrolment, payable, phone.block["numbers"][0])
    made = phone.results(first)[0]
    resent = {**first, "id": new_id()}
    again = phone.results(resent)[0]
    assert again["status"] == "applied" and again["server_id"] == made["server_id"] and again["flags"] == []
    assert Payment.objects.count() == 1 and not Flag.objects.exists()


def test_a_deactivated_agents_phone_is_refused_like_an_unknown_one(phone: Phone) -> None:
    _, enrolment, payable = enrolled(phone)
    phone.who.agent.is_active = False
    phone.who.agent.save(update_fields=["is_active"])
    assert phone.sync(pay(enrolment, payable, phone.block["numbers"][0])).status_code == 401
    assert phone.client.get("/api/v1/sync/slice", headers={"Authorization": f"Bearer {phone.token}"}).status_code == 401
    assert Payment.objects.count() == 0


def test_impossible_dates_fail_their_own_operation_and_the_rest_of_the_batch_is_answered(phone: Phone) -> None:
    _, enrolment, payable = enrolled(phone)
    household = new_id()
    bad_clock = op("register_household", device_time="2026-13-45T10:00:00", household_id=household,
                   commune_code=COMMUNE_X, address="Xóm 5")  # not a time: the server's time stands
    bad_day = pay(enrolment, payable, phone.block["numbers"][0])
    bad_day["data"]["collected_at"] = "2026-02-30T10:00:00"  # type: ignore[index]
    bad_birth = op("register_person", person_id=new_id(), household_id=household, full_name="Trần Thị Cúc",
                   birth_date="1990-02-30", sex="female", citizen_id=None, phone=None, relationship="head")
    results = phone.results(bad_clock, bad_day, bad_birth)
    assert [r["status"] for r in results] == ["applied", "applied", "failed"], results
    assert "birth_date" in results[2]["error"] or "ngày sinh" in results[2]["error"].lower(), results[2]
    assert Payment.objects.count() == 1 and not Person.objects.filter(full_name="Trần Thị Cúc").exists()


def test_a_quoted_amount_that_is_not_a_number_fails_that_operation_with_a_reason(phone: Phone) -> None:
    household, person = new_id(), new_id()
    results = phone.results(*household_ops(household, person, COMMUNE_X),
                            op("enrol_vsi", enrolment_id=new_id(), person_id=person, monthly_income=1_500_000,
                               term_months=1, start_month=timezone.localdate().strftime("%Y-%m"),
                               quoted_amount="abc"))
    assert [r["status"] for r in results] == ["applied", "applied", "failed"]
    assert results[2]["error"], results[2]
    assert Enrollment.objects.count() == 0


def test_a_number_taken_by_a_concurrent_operation_is_a_refusal_not_a_500(phone: Phone,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Two operations with the same number may both find it free (the check and the insert are two
    statements); the receipts' unique key stops the second, which then runs again and is refused."""
    _, enrolment, payable = enrolled(phone)
    _, other, other_payable = enrolled_second(phone)
    number = phone.block["numbers"][3]
    assert phone.results(pay(enrolment, payable, number))[0]["status"] == "applied"
    checks: list[int] = []
    real = operations.receipt_used

    def race(pool_id: int, n: int) -> bool:  # the first look happens before the other's row is visible
        checks.append(n)
        return False if len(checks) == 1 else real(pool_id, n)

    monkeypatch.setattr(operations, "receipt_used", race)
    result = phone.results(pay(other, other_payable, number))[0]
    assert len(checks) == 2  # ran again after the unique key refused it
    assert result["status"] == "failed" and [f["kind"] for f in result["flags"]] == ["receipt_reused"]
    assert Payment.objects.count() == 1 and SyncOperation.objects.filter(status="failed").count() == 1


def test_a_first_month_other_than_the_one_the_app_showed_is_flagged(phone: Phone) -> None:
    """The server decides the first month (the next one not paid, on the sync's day); when the app had shown
    another — quoted offline last month, synced this month — the manager sees both."""
    household, person, enrolment = new_id(), new_id(), new_id()
    month = timezone.localdate().replace(day=1)
    earlier = (month - timedelta(days=1)).strftime("%Y-%m")
    results = phone.results(*household_ops(household, person, COMMUNE_X),
                            op("enrol_vsi", enrolment_id=enrolment, person_id=person, monthly_income=1_500_000,
                               term_months=1, start_month=earlier, quoted_amount=None))
    assert results[2]["status"] == "flagged" and [f["kind"] for f in results[2]["flags"]] == ["start_differs"]
    assert f"tháng {earlier[5:]}/{earlier[:4]}" in results[2]["flags"][0]["detail"]
    assert Enrollment.objects.get().period_start == month
