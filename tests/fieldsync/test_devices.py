"""Devices: registered by the logged-in agent, a token kept as a digest, a block reserved from the
pool at once; revoked by a manager: the token is refused and the unused numbers are voided."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from django.test import Client

from ansinh.campaigns.models import Lead, TeamMember
from ansinh.fieldsync import devices
from ansinh.fieldsync.models import Device, ReceiptBlock
from ansinh.lib.errors import DomainError
from ansinh.org.models import Role
from ansinh.org.scope import scope_for
from ansinh.payments.models import Payment, ReceiptPool
from ansinh.registry.models import AuditEntry
from tests.builders import COMMUNE_X, field_setup, personas, running_campaign, user
from tests.fieldsync.helpers import Phone, new_id, op, register

pytestmark = pytest.mark.django_db


def test_registering_reserves_a_block_of_50_numbers_advancing_the_pool_once() -> None:
    phone = register()
    pool = ReceiptPool.objects.get()
    assert pool.next_number == 51
    assert phone.block["series"] == "BL40-2025"
    assert phone.block["numbers"][0] == "BL40-2025-0000001" and phone.block["numbers"][-1] == "BL40-2025-0000050"
    assert len(phone.block["numbers"]) == 50


def test_only_a_digest_of_the_token_is_stored() -> None:
    phone = register()
    device = Device.objects.get()
    assert device.token_digest == hashlib.sha256(phone.token.encode()).hexdigest()
    assert phone.token not in str(Device.objects.values().get())


def test_the_same_id_again_returns_the_device_without_a_new_block_or_token() -> None:
    phone = register()
    client = Client()
    client.force_login(phone.who.agent)
    again = client.post("/api/v1/devices", {"id": phone.device_id, "label": "x"}, content_type="application/json")
    assert again.status_code == 200
    assert again.json()["token"] is None
    assert again.json()["receipt_block"]["numbers"] == phone.block["numbers"]
    assert ReceiptBlock.objects.count() == 1 and ReceiptPool.objects.get().next_number == 51


def test_a_user_who_is_not_an_agent_is_refused_with_a_vietnamese_detail() -> None:
    who = personas()
    client = Client()
    client.force_login(who.manager_elsewhere)
    response = client.post("/api/v1/devices", {"id": str(uuid.uuid4())}, content_type="application/json")
    assert response.status_code == 403
    assert "nhân viên thu" in response.json()["detail"]
    assert not Device.objects.exists()
    assert who


def test_the_blocks_of_two_devices_and_the_pools_own_numbers_never_overlap() -> None:
    phone = register()
    other = Client()
    other.force_login(phone.who.agent)
    second = other.post("/api/v1/devices", {"id": str(uuid.uuid4())}, content_type="application/json").json()
    assert set(second["receipt_block"]["numbers"]).isdisjoint(phone.block["numbers"])
    assert second["receipt_block"]["numbers"][0] == "BL40-2025-0000051"
    assert ReceiptPool.objects.get().next_number == 101


def test_a_revoked_device_is_refused_and_its_unused_numbers_voided_with_the_reason_audited() -> None:
    phone = register()
    device = Device.objects.get()
    devices.revoke_device(phone.who.admin, scope_for(phone.who.admin), device.pk, "Mất điện thoại")
    response = phone.client.get("/api/v1/sync/slice", headers={"Authorization": f"Bearer {phone.token}"})
    assert response.status_code == 401
    assert response.json()["detail"].startswith("Thiết bị đã bị thu hồi")
    block = ReceiptBlock.objects.get()
    assert block.voided_at is not None and block.void_reason == "Thiết bị bị thu hồi: Mất điện thoại"
    assert AuditEntry.objects.filter(action="revoke", entity="device", entity_id=device.pk).exists()


def test_an_agent_may_not_revoke_and_nothing_changes() -> None:
    phone = register()
    device = Device.objects.get()
    with pytest.raises(DomainError):
        devices.revoke_device(phone.who.agent, scope_for(phone.who.agent), device.pk, "x")
    device.refresh_from_db()
    assert device.revoked_at is None and ReceiptBlock.objects.get().voided_at is None


def test_an_unknown_token_is_refused() -> None:
    register()
    response = Client().get("/api/v1/sync/slice", headers={"Authorization": "Bearer dev_nope"})
    assert response.status_code == 401


def kiosk_of_a_team_member() -> tuple[Phone, dict[str, object]]:
    """A BHXH officer of commune X, no agent, in team 1 of the running campaign, registers the rally kiosk."""
    who = personas()
    field_setup(who)
    run = running_campaign(who)
    officer = user(Role.OFFICE_MANAGER, COMMUNE_X, username="officer_x")
    TeamMember.objects.create(team=run["team"], user=officer, kind="staff")
    client = Client()
    client.force_login(officer)
    device_id = str(uuid.uuid4())
    response = client.post("/api/v1/devices", {"id": device_id, "label": "Kiosk điểm cầu"},
                           content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["token"] and body["receipt_block"] is None  # a kiosk collects no money: no block
    return Phone(who, Client(), body["token"], device_id, {}), {**run, "officer": officer}


def test_an_advisory_team_member_who_is_not_an_agent_registers_a_kiosk_that_logs_leads_but_never_money() -> None:
    kiosk, run = kiosk_of_a_team_member()
    device = Device.objects.get(client_id=kiosk.device_id)
    assert device.agent is None and not ReceiptBlock.objects.filter(device=device).exists()
    lead_id = new_id()
    (lead,) = kiosk.results(op("lead", lead_id=lead_id, full_name="Phan Văn Lộc", phone=None, interest="vsi",
                               campaign_slug="thang-5"))
    assert lead["status"] == "applied", lead
    assert Lead.objects.get().team == run["team"]
    (paid,) = kiosk.results(op("payment", payment_id=new_id(), enrolment_id=new_id(), amount=1,
                               receipt_number="BL40-2025-0000001", collected_at=None, collection_point_id=None))
    assert paid["status"] == "failed" and not Payment.objects.exists()
    refused = kiosk.client.get("/api/v1/sync/slice", headers={"Authorization": f"Bearer {kiosk.token}"})
    assert refused.status_code == 403 and "ki-ốt" in refused.json()["detail"]
    # the manager of the commune sees the kiosk among the devices, and may revoke it
    admin = run["who"].admin  # type: ignore[attr-defined]
    assert device in devices.managed_devices(scope_for(admin))
    page = Client()
    page.force_login(admin)
    assert "ki-ốt của officer_x" in page.get("/dong-bo/thiet-bi/").content.decode()


def test_records_of_one_kiosk_are_not_another_users() -> None:
    kiosk, run = kiosk_of_a_team_member()
    other_user = user(Role.OFFICE_MANAGER, COMMUNE_X, username="officer_x2")
    TeamMember.objects.create(team=run["team"], user=other_user, kind="staff")  # type: ignore[misc]
    client = Client()
    client.force_login(other_user)
    body = client.post("/api/v1/devices", {"id": new_id(), "label": "Kiosk 2"}, content_type="application/json").json()
    other = Phone(kiosk.who, Client(), body["token"], "", {})
    lead_id = new_id()
    assert kiosk.results(op("lead", lead_id=lead_id, full_name="Phan Văn Lộc", phone=None, interest="vsi",
                            campaign_slug="thang-5"))[0]["status"] == "applied"
    again = other.results(op("lead", lead_id=lead_id, full_name="Phan Văn Lộc", phone=None, interest="vsi",
                             campaign_slug="thang-5"))[0]
    assert again["status"] == "failed" and Lead.objects.count() == 1  # another user's UUID is not theirs


def test_a_user_in_no_running_team_is_still_refused() -> None:
    who = personas()
    officer = user(Role.OFFICE_MANAGER, COMMUNE_X, username="officer_x")
    client = Client()
    client.force_login(officer)
    response = client.post("/api/v1/devices", {"id": new_id()}, content_type="application/json")
    assert response.status_code == 403 and "tổ tư vấn" in response.json()["detail"]
    assert not Device.objects.exists() and who
