"""A person's consent to reminders, recorded from the person page (Decree 13/2023/NĐ-CP: purpose, time,
channel, the way it was given; withdrawn at any time), audited, and honoured by the outbox."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from ansinh.messaging import outbox
from ansinh.messaging.models import Consent, Message, MessageState
from ansinh.registry import services as registry
from ansinh.registry.models import AuditEntry
from tests.builders import Personas, field_setup, person_data, personas

pytestmark = pytest.mark.django_db
REFUSE = {"purpose": "reminder", "channel": "sms", "decision": "refuse", "note": "nói trực tiếp với nhân viên thu"}


@pytest.fixture
def who() -> Personas:
    made = personas()
    field_setup(made)
    return made


def queued_person(who: Personas) -> tuple[Any, Message]:
    person = registry.create_person(who.agent, who.scope(who.agent), person_data(phone="0912345678"))
    message = Message.objects.create(person=person, purpose="due", period_key="p1", phone=person.phone,
                                     text="Nhắc đóng", next_attempt_at=timezone.now())
    return person, message


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_refusal_is_recorded_with_its_time_channel_and_way_and_ends_queued_messages(who: Personas,
                                                                                   tmp_path: Any) -> None:
    person, message = queued_person(who)
    client = logged_in(who.agent)
    page = client.get(reverse("web:person", args=[person.pk])).content.decode()
    assert "Chưa ghi nhận." in page and reverse("web:person_consent", args=[person.pk]) in page
    before = timezone.now()
    response = client.post(reverse("web:person_consent", args=[person.pk]), REFUSE)
    assert response.status_code == 302
    record = Consent.objects.get(person=person)
    assert (record.purpose, record.channel, record.granted, record.source, record.note, record.recorded_by) == (
        "reminder", "sms", False, "staff", "nói trực tiếp với nhân viên thu", who.agent)
    assert before <= record.recorded_at <= timezone.now()  # the server's time, not the form's
    assert Message.objects.get(pk=message.pk).state == MessageState.OPTED_OUT
    entry = AuditEntry.objects.get(entity="person", action="consent_no")
    assert entry.entity_id == person.pk and entry.changes == {"consent": ["", "reminder/sms/refused"]}
    assert "nói trực tiếp với nhân viên thu" in client.get(reverse("web:person", args=[person.pk])).content.decode()
    # A later message is never sent while the refusal stands; a new consent lifts it.
    later = Message.objects.create(person=person, purpose="due", period_key="p2", phone=person.phone, text="Nhắc",
                                   next_attempt_at=timezone.now())
    gateways = {"sms": {"CLASS": "ansinh.messaging.gateways.FileGateway", "path": str(tmp_path / "m.jsonl")}}
    tomorrow = timezone.localtime().replace(hour=9) + timedelta(days=1)
    with override_settings(ANSINH_GATEWAYS=gateways):
        assert outbox.dispatch(tomorrow)["opted_out"] == 1
    assert Message.objects.get(pk=later.pk).state == "opted_out" and not (tmp_path / "m.jsonl").exists()
    assert client.post(reverse("web:person_consent", args=[person.pk]),
                       {**REFUSE, "decision": "grant", "note": "ký phiếu đồng ý"}).status_code == 302
    again = Message.objects.create(person=person, purpose="due", period_key="p3", phone=person.phone, text="Nhắc",
                                   next_attempt_at=timezone.now())
    with override_settings(ANSINH_GATEWAYS=gateways):
        assert outbox.dispatch(tomorrow + timedelta(minutes=1))["sent"] == 1
    assert Message.objects.get(pk=again.pk).state == "sent"


def test_a_refusal_without_its_way_or_by_others_changes_nothing(who: Personas) -> None:
    person, message = queued_person(who)
    missing = logged_in(who.agent).post(reverse("web:person_consent", args=[person.pk]), {**REFUSE, "note": " "})
    assert missing.status_code == 400 and "Ghi cách người dân cho biết" in missing.content.decode()
    bad = logged_in(who.agent).post(reverse("web:person_consent", args=[person.pk]), {**REFUSE, "channel": "fax"})
    assert bad.status_code == 400
    assert logged_in(who.manager_elsewhere).post(reverse("web:person_consent", args=[person.pk]),
                                                 REFUSE).status_code == 404
    assert logged_in(who.outsider).post(reverse("web:person_consent", args=[person.pk]), REFUSE).status_code == 404
    assert logged_in(who.agent).get(reverse("web:person_consent", args=[person.pk])).status_code == 405
    assert not Consent.objects.exists() and Message.objects.get(pk=message.pk).state == "queued"
    assert not AuditEntry.objects.filter(action__startswith="consent").exists()
