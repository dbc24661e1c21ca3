"""The outbox against a real HTTP provider on the loopback: sent once, retried after failures, final states."""

from __future__ import annotations

import json
import time
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from ansinh.enrollment import services as enrolling
from ansinh.messaging import callbacks, consent, outbox
from ansinh.messaging.models import CallbackEvent, Message, MessageState
from ansinh.payments import services as paying
from ansinh.registry import services as registry
from tests.builders import Personas, field_setup, person_data, personas
from tests.messaging.fake_provider import running

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
ON = date(2025, 8, 1)
REMIND_ON = date(2025, 9, 25)  # five days before the monthly deadline of September (30/09/2025)
SECRET = "bi-mat-chung-cua-cong"


@pytest.fixture
def who() -> Personas:
    made = personas()
    field_setup(made)
    return made


def paid_people(who: Personas, count: int) -> list[Any]:
    """``count`` participants of commune X, each with August paid: September is due next."""
    scope, people = who.scope(who.agent), []
    for n in range(count):
        person = registry.create_person(who.agent, scope, person_data(
            full_name=f"Nguyễn Văn {'ABCDE'[n]}", citizen_id=f"04008500012{n}", phone=f"091234567{n}"))
        quote = enrolling.quote_vsi(scope, person.pk, ON, 1_500_000, 1)
        enrollment = enrolling.enroll_vsi(who.agent, scope, quote)
        paying.record_payment(who.agent, scope, enrollment.pk, amount=enrollment.payable, method="cash",
                              idempotency_key=f"k{n}", paid_at=datetime(2025, 8, 1, 9, tzinfo=TZ))
        people.append(person)
    return people


def http_gateway(url: str) -> dict[str, Any]:
    return {"sms": {"CLASS": "ansinh.messaging.gateways.HttpSmsGateway", "url": url, "timeout": 0.5,
                    "auth_header": "Authorization: Bearer khoa-thu", "id_field": "data.id",
                    "body": {"to": "{phone84}", "message": "{text}", "client_ref": "{key}", "sender": "BHXH"}}}


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def signed(client: Client, body: dict[str, Any], *, secret: str = SECRET, stamp: int | None = None) -> Any:
    raw = json.dumps(body).encode()
    timestamp = str(stamp if stamp is not None else int(time.time()))
    return client.post("/api/v1/messages/callback/http_sms", raw, content_type="application/json",
                       headers={"X-Ansinh-Timestamp": timestamp,
                                "X-Ansinh-Signature": callbacks.sign(secret, timestamp, raw)})


@override_settings(ANSINH_MESSAGE_CALLBACK_SECRET=SECRET, ANSINH_MESSAGE_BACKOFF_SECONDS=60,
                   ANSINH_PUBLIC_URL="https://ansinh.example.vn")
def test_every_reminder_is_sent_once_retried_after_failures_and_ends_final(who: Personas) -> None:
    people = paid_people(who, 3)
    scope = who.scope(who.agent)
    assert outbox.queue(scope, REMIND_ON, at(REMIND_ON, 6)) == 3
    assert outbox.queue(scope, REMIND_ON, at(REMIND_ON, 8)) == 0  # once per person, purpose and period
    first = Message.objects.get(person=people[0])
    assert first.purpose == "before" and first.next_attempt_at == at(REMIND_ON, 7)  # queued at 06:00: waits
    assert "Nguyễn Văn A" in first.text and "30/09/2025" in first.text
    assert "https://ansinh.example.vn/tra-cuu/" in first.text
    keys = {p.pk: Message.objects.get(person=p).key for p in people}
    with running() as provider, override_settings(ANSINH_GATEWAYS=http_gateway(provider.url)):
        provider.plan = {keys[people[0].pk]: ["500", "500"], keys[people[1].pk]: ["slow"]}
        assert outbox.dispatch(at(REMIND_ON, 6, 30))["sent"] == 0 and provider.requests == []  # quiet hours
        clock, results = at(REMIND_ON, 7), []
        while Message.objects.filter(state__in=[MessageState.QUEUED, MessageState.SENDING]).exists():
            results.append(outbox.dispatch(clock))
            clock += timedelta(minutes=5)
            assert clock.hour < 12, results
        assert sum(r["retry"] for r in results) == 3 and sum(r["sent"] for r in results) == 3
        assert len(provider.requests) == 6 and len(provider.accepted) == 3  # 2 × 500, 1 too slow, 3 answered
        sent = provider.requests[-1]
        assert sent["headers"]["Authorization"] == "Bearer khoa-thu" and sent["body"]["to"].startswith("8491234567")
        ids = dict(Message.objects.values_list("person_id", "provider_id"))
        client = Client()
        assert signed(client, {"event_id": "e1", "provider_id": ids[people[0].pk], "status": "delivered"}).json() == {
            "result": "applied"}
        assert signed(client, {"event_id": "e1", "provider_id": ids[people[0].pk], "status": "delivered"}).json() == {
            "result": "replayed"}
        signed(client, {"event_id": "e2", "provider_id": ids[people[1].pk], "status": "delivered"})
        signed(client, {"event_id": "e3", "provider_id": ids[people[2].pk], "status": "failed", "error": "no signal"})
    states = dict(Message.objects.values_list("person_id", "state"))
    assert states == {people[0].pk: "delivered", people[1].pk: "delivered", people[2].pk: "failed"}
    assert Message.objects.get(person=people[0]).attempts == 3 and CallbackEvent.objects.count() == 3


@override_settings(ANSINH_MESSAGE_CALLBACK_SECRET=SECRET)
def test_a_wrong_or_old_signature_is_refused_and_changes_nothing(who: Personas) -> None:
    client = Client()
    assert signed(client, {"event_id": "x", "status": "delivered"}, secret="sai").status_code == 403
    assert signed(client, {"event_id": "x", "status": "delivered"}, stamp=int(time.time()) - 301).status_code == 403
    unsigned = client.post("/api/v1/messages/callback/http_sms", b"{}", content_type="application/json")
    assert unsigned.status_code == 403 and CallbackEvent.objects.count() == 0
    assert signed(client, {"event_id": "y", "status": "delivered"}).status_code == 200


@override_settings(ANSINH_MESSAGE_CALLBACK_SECRET=SECRET)
def test_a_form_body_to_the_callback_is_a_400_and_changes_nothing() -> None:
    """Signed, but a form: with a boundary the callback reads it and finds no JSON (422, as any invalid input);
    without one the middleware cannot parse it (400). Neither is a 500, and no event is recorded."""
    raw = b'--XX\r\nContent-Disposition: form-data; name="event_id"\r\n\r\ne1\r\n--XX--\r\n'
    stamp = str(int(time.time()))
    headers = {"X-Ansinh-Timestamp": stamp, "X-Ansinh-Signature": callbacks.sign(SECRET, stamp, raw)}
    client = Client(raise_request_exception=False)
    for content_type, status, says in (("multipart/form-data; boundary=XX", 422, "JSON"),
                                       ("multipart/form-data", 400, "boundary")):
        answer = client.generic("POST", "/api/v1/messages/callback/http_sms", raw, content_type=content_type,
                                headers=headers)
        assert answer.status_code == status and answer.json()["error"]["code"] == "invalid_input"
        assert says in answer.json()["error"]["message"]
    assert CallbackEvent.objects.count() == 0


@override_settings(ANSINH_MESSAGE_CALLBACK_SECRET=SECRET)
def test_a_tu_choi_reply_opts_the_person_out_of_every_queued_message(who: Personas, tmp_path: Any) -> None:
    [person] = paid_people(who, 1)
    outbox.queue(who.scope(who.agent), REMIND_ON, at(REMIND_ON, 9))
    reply = {"event_id": "in-1", "type": "inbound", "phone": "84912345670", "text": "Từ chối"}
    assert signed(Client(), reply).json() == {"result": "applied"}
    gateways = {"sms": {"CLASS": "ansinh.messaging.gateways.FileGateway", "path": str(tmp_path / "m.jsonl")}}
    with override_settings(ANSINH_GATEWAYS=gateways):
        outbox.dispatch(at(REMIND_ON, 10))
    assert Message.objects.get(person=person).state == "opted_out" and not (tmp_path / "m.jsonl").exists()
    now = timezone.now()  # the callback records the reply at the real time
    assert consent.refused(person.pk, "sms", now) and consent.refused(person.pk, "zalo", now)
    consent.record(person, granted=True, source="staff", at=now + timedelta(seconds=1), by=who.agent, note="đồng ý")
    assert not consent.refused(person.pk, "sms", now + timedelta(seconds=2))


def test_the_cap_holds_a_second_text_and_quiet_hours_push_it_to_seven(who: Personas, tmp_path: Any) -> None:
    [person] = paid_people(who, 1)
    outbox.queue(who.scope(who.agent), REMIND_ON, at(REMIND_ON, 9))
    due_on = date(2025, 9, 30)
    outbox.queue(who.scope(who.agent), due_on, at(due_on, 9))  # the due day's text, within the cap
    gateways = {"sms": {"CLASS": "ansinh.messaging.gateways.FileGateway", "path": str(tmp_path / "m.jsonl")}}
    with override_settings(ANSINH_GATEWAYS=gateways, ANSINH_MESSAGE_CAP_HOURS=72):
        assert outbox.dispatch(at(REMIND_ON, 9))["sent"] == 1
        assert outbox.dispatch(at(due_on, 9)) == {"sent": 1, "retry": 0, "failed": 0, "opted_out": 0, "capped": 0}
        Message.objects.filter(purpose="due").update(state="queued", sent_at=None, next_attempt_at=at(REMIND_ON, 20))
        assert outbox.dispatch(at(REMIND_ON, 20))["capped"] == 1
    held = Message.objects.get(person=person, purpose="due")
    assert held.next_attempt_at == at(date(2025, 9, 28), 9)  # 72 hours after the first text
    assert outbox.not_before(at(REMIND_ON, 22)) == at(date(2025, 9, 26), 7)
    assert outbox.not_before(at(REMIND_ON, 3)) == at(REMIND_ON, 7)
