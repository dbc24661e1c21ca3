"""Issue 17, done when: the reminders for the demo's due list go through a fake gateway with failures and
callbacks to final states.

The demo agent's due list on the demo day (households of Phường Thành Vinh whose card lapsed) is queued, then
sent through the generic HTTP SMS gateway to a real provider on the loopback (tests/messaging/fake_provider.py)
that fails some tries (HTTP 500, answers slower than the gateway's timeout) and signs delivery reports. The
clock is the ``now`` that ``outbox.dispatch`` takes, advanced by the test; backoff and quiet hours are the
settings' own (300 s doubling, 5 tries, 21:00–07:00). The provider's reports go to the app's callback through
Django's test client: the provider's thread cannot see the test's uncommitted rows, the test's thread can."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client, override_settings

from ansinh.demo.services import DEMO_DAY
from ansinh.enrollment.queries import due_list
from ansinh.messaging import consent, outbox
from ansinh.messaging.models import FINAL_STATES, Message, MessageState
from ansinh.org.scope import scope_for
from ansinh.registry.models import Person
from tests.messaging.fake_provider import running
from tests.messaging.test_outbox import SECRET, at, http_gateway

pytestmark = pytest.mark.django_db
NEXT_DAY = DEMO_DAY + timedelta(days=1)


def heads_with_phones(scope: Any) -> list[int]:
    """The demo's households carry no phones: the agent records one for the head of each due household."""
    heads = sorted({item.household.head_id for item in due_list(scope, DEMO_DAY) if item.household is not None})
    for n, pk in enumerate(heads):
        Person.objects.filter(pk=pk).update(phone=f"09870{n:05d}")
    return heads


def run_until_final(provider: Any, start: datetime) -> dict[str, list[datetime]]:
    """Dispatch every five minutes from ``start``; the simulated time of each request, by message key."""
    clock, tries = start, {}
    while Message.objects.filter(state__in=[MessageState.QUEUED, MessageState.SENDING]).exists():
        seen = len(provider.requests)
        outbox.dispatch(clock)
        for request in provider.requests[seen:]:
            tries.setdefault(request["body"]["client_ref"], []).append(clock)
        clock += timedelta(minutes=5)
        assert clock < at(NEXT_DAY, 12), "the outbox did not settle"
    return tries


@override_settings(ANSINH_MESSAGE_CALLBACK_SECRET=SECRET, ANSINH_PUBLIC_URL="https://ansinh.example.vn")
def test_the_demo_due_list_is_sent_once_through_failures_and_ends_in_final_states(demo: None) -> None:
    scope = scope_for(get_user_model().objects.get(username="daily"))
    heads = heads_with_phones(scope)
    assert len(heads) == 25
    assert outbox.queue(scope, DEMO_DAY, at(DEMO_DAY, 6)) == 25
    assert outbox.queue(scope, DEMO_DAY, at(DEMO_DAY, 9)) == 0  # once per person, purpose and period
    messages = list(Message.objects.order_by("pk"))
    assert {m.purpose for m in messages} == {"lapsed"} and {m.next_attempt_at for m in messages} == {at(DEMO_DAY, 7)}
    key = [m.key for m in messages]
    refused = messages[3].person
    consent.record(refused, granted=False, source="staff", at=at(DEMO_DAY, 6, 30), note="không muốn nhận tin")
    backoff, tries = settings.ANSINH_MESSAGE_BACKOFF_SECONDS, settings.ANSINH_MESSAGE_MAX_ATTEMPTS
    with running() as provider, override_settings(ANSINH_GATEWAYS=http_gateway(provider.url)):
        provider.plan = {key[0]: ["500", "500"], key[1]: ["slow"], key[2]: ["500"] * tries, key[4]: ["500"]}
        assert outbox.dispatch(at(DEMO_DAY, 6, 45)) == dict.fromkeys(("sent", "retry", "failed", "opted_out",
                                                                       "capped"), 0)
        assert provider.requests == []  # quiet hours: nothing before 07:00
        times = run_until_final(provider, at(DEMO_DAY, 20, 50))  # the day's run starts late, near 21:00
        reports = provider.reports(SECRET, failed={key[5]})
        answered = [r["body"]["client_ref"] for r in provider.requests if r["step"] == "ok"]
    # Sent once: each message the provider accepted once, under its own key, whatever the retries.
    assert sorted(answered) == sorted(set(answered)) == sorted(set(key) - {key[2], key[3]})
    assert key[3] not in times and Message.objects.get(person=refused).state == MessageState.OPTED_OUT
    # Backoff doubles from the setting's 300 s; a retry that falls in quiet hours waits for 07:00.
    assert times[key[0]] == [at(DEMO_DAY, 20, 50), at(DEMO_DAY, 20, 55), at(NEXT_DAY, 7)]
    assert times[key[4]] == times[key[1]] == [at(DEMO_DAY, 20, 50), at(DEMO_DAY, 20, 55)]  # a 500, a timeout
    assert backoff == 300 and tries == 5  # 300, 600 (21:05: quiet, so 07:00), 1200, 2400 s, then failed
    assert times[key[2]] == [at(DEMO_DAY, 20, 50), at(DEMO_DAY, 20, 55), at(NEXT_DAY, 7), at(NEXT_DAY, 7, 20),
                             at(NEXT_DAY, 8)]
    assert all(not outbox.quiet(moment) for moments in times.values() for moment in moments)
    assert Message.objects.get(pk=messages[2].pk).state == MessageState.FAILED
    assert Message.objects.get(pk=messages[2].pk).attempts == tries
    assert Message.objects.get(pk=messages[0].pk).attempts == 3
    # The provider's signed reports, then one replayed: delivered for most, failed for one, applied once.
    client = Client()
    results = [client.post("/api/v1/messages/callback/http_sms", raw, content_type="application/json",
                           headers=headers).json()["result"] for raw, headers in reports]
    assert results == ["applied"] * 23
    raw, headers = reports[0]
    assert client.post("/api/v1/messages/callback/http_sms", raw, content_type="application/json",
                       headers=headers).json() == {"result": "replayed"}
    states = dict(Message.objects.values_list("pk", "state"))
    assert set(states.values()) <= set(FINAL_STATES)
    assert sorted(states.values()).count(MessageState.DELIVERED) == 22
    assert [states[m.pk] for m in messages[2:6]] == ["failed", "opted_out", "delivered", "failed"]
    assert Message.objects.get(pk=messages[5].pk).last_error == "thuê bao không liên lạc được"
    assert all("https://ansinh.example.vn/tra-cuu/" in m.text and "Kính gửi" in m.text for m in messages)
