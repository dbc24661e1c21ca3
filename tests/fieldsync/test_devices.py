"""Devices: registered by the logged-in agent, a token kept as a digest, a block reserved from the
pool at once; revoked by a manager: the token is refused and the unused numbers are voided."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from django.test import Client

from ansinh.fieldsync import devices
from ansinh.fieldsync.models import Device, ReceiptBlock
from ansinh.lib.errors import DomainError
from ansinh.org.scope import scope_for
from ansinh.payments.models import ReceiptPool
from ansinh.registry.models import AuditEntry
from tests.builders import personas
from tests.fieldsync.helpers import register

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
