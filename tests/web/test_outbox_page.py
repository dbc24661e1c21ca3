"""The outbox page (/tin-nhan/): the reminders of one's areas, filtered and paged, phones masked; writers
cancel a queued message (after a confirmation) or send a failed one again, audited; others are refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from ansinh.messaging import outbox
from ansinh.messaging.gateways import FileGateway
from ansinh.messaging.models import Message, MessageState
from ansinh.registry import services as registry
from ansinh.registry.models import AuditEntry
from tests.builders import Personas, field_setup, person_data, personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def who() -> Personas:
    made = personas()
    field_setup(made)
    return made


def person_with_messages(who: Personas, states: list[str]) -> tuple[Any, list[Message]]:
    person = registry.create_person(who.agent, who.scope(who.agent), person_data(phone="0912345678"))
    made = [Message.objects.create(person=person, purpose="due", period_key=f"p{n}", phone=person.phone,
                                   text="Nhắc đóng", state=state, next_attempt_at=timezone.now())
            for n, state in enumerate(states)]
    return person, made


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_agent_sees_the_messages_of_the_area_masked_filtered_and_paged(who: Personas) -> None:
    person, made = person_with_messages(who, ["queued"] * 52 + ["failed"])
    client = logged_in(who.agent)
    page = client.get(reverse("web:outbox")).content.decode()
    assert page.count(person.full_name) == 50 and "0912345678" not in page and "091****678" in page
    assert "Trang 1/2 · 53 tin nhắn" in page and reverse("web:outbox") in page  # the nav link
    second = client.get(reverse("web:outbox"), {"page": 2}).content.decode()
    assert second.count(person.full_name) == 3
    failed = client.get(reverse("web:outbox"), {"state": "failed", "purpose": "due"}).content.decode()
    assert failed.count(person.full_name) == 1 and reverse("web:outbox_retry", args=[made[-1].pk]) in failed
    assert 'data-confirm="Huỷ tin nhắn này?' in page
    assert client.get(reverse("web:outbox"), {"state": "nope"}).status_code == 200  # an unknown filter: all


def test_others_see_nothing_of_it_and_cannot_change_it(who: Personas) -> None:
    _, [queued] = person_with_messages(who, ["queued"])
    elsewhere = logged_in(who.manager_elsewhere)
    assert "Nhắc đóng" not in elsewhere.get(reverse("web:outbox")).content.decode()
    assert "Trang 1/1 · 0 tin nhắn" in elsewhere.get(reverse("web:outbox")).content.decode()
    assert elsewhere.post(reverse("web:outbox_cancel", args=[queued.pk])).status_code == 404
    assert logged_in(who.outsider).get(reverse("web:outbox")).status_code == 403
    assert logged_in(who.outsider).post(reverse("web:outbox_cancel", args=[queued.pk])).status_code == 403
    anonymous = Client().post(reverse("web:outbox_retry", args=[queued.pk]))
    assert anonymous.status_code == 302 and reverse("web:login") in anonymous["Location"]
    assert Message.objects.get().state == "queued" and not AuditEntry.objects.filter(entity="message").exists()


def test_cancelling_a_queued_message_ends_it_unsent_and_is_audited(who: Personas, tmp_path: Any) -> None:
    _, [queued, sent] = person_with_messages(who, ["queued", "sent"])
    client = logged_in(who.agent)
    response = client.post(reverse("web:outbox_cancel", args=[queued.pk]))
    assert response.status_code == 302 and Message.objects.get(pk=queued.pk).state == MessageState.CANCELLED
    entry = AuditEntry.objects.get(entity="message")
    assert (entry.action, entry.entity_id, entry.changes) == ("msg_cancel", queued.pk,
                                                              {"state": ["queued", "cancelled"]})
    refused = client.post(reverse("web:outbox_cancel", args=[sent.pk]))
    assert refused.status_code == 400 and "Chỉ huỷ được tin nhắn đang chờ gửi." in refused.content.decode()
    assert Message.objects.get(pk=sent.pk).state == "sent" and AuditEntry.objects.filter(entity="message").count() == 1
    with override_settings(ANSINH_GATEWAYS={"sms": {"CLASS": "ansinh.messaging.gateways.FileGateway",
                                                    "path": str(tmp_path / "m.jsonl")}}):
        outbox.dispatch(timezone.localtime().replace(hour=9) + timedelta(days=1))
    assert not (tmp_path / "m.jsonl").exists()  # the cancelled one is never sent


def test_a_failed_message_is_sent_again_under_a_new_key(who: Personas, tmp_path: Any) -> None:
    _, [failed, queued] = person_with_messages(who, ["failed", "queued"])
    Message.objects.filter(pk=failed.pk).update(attempts=5, provider_id="p-1", last_error="HTTP 500")
    client = logged_in(who.agent)
    assert client.post(reverse("web:outbox_retry", args=[failed.pk])).status_code == 302
    again = Message.objects.get(pk=failed.pk)
    assert (again.state, again.attempts, again.resends, again.provider_id) == ("queued", 0, 1, "")
    assert again.key == f"msg-{failed.pk}-r1"
    assert AuditEntry.objects.get(entity="message").action == "msg_retry"
    assert client.post(reverse("web:outbox_retry", args=[queued.pk])).status_code == 400  # not failed
    Message.objects.filter(pk=queued.pk).update(state="cancelled")
    path = tmp_path / "m.jsonl"
    with override_settings(ANSINH_GATEWAYS={"sms": {"CLASS": "ansinh.messaging.gateways.FileGateway",
                                                    "path": str(path)}}):
        assert outbox.dispatch(timezone.localtime().replace(hour=9) + timedelta(days=1))["sent"] == 1
    assert [m["key"] for m in FileGateway(path).sent()] == [f"msg-{failed.pk}-r1"]
