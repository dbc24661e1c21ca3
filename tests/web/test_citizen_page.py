"""The citizen's page /tra-cuu/ (issue 17 §5): ID + date of birth → a code through the gateway → coverage.

The code is read back from the FileGateway's file, as the browser test does. Given/when/then: a right
code opens the page with the coverage and a VietQR for what is due; nothing tells an unknown ID from a
known one; wrong, old and used-up codes open nothing; the limits per ID and per client hold; every step
is in the audit trail; "Thoát" ends the session.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from html import unescape
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from ansinh.enrollment import services as enrolling
from ansinh.enrollment.references import reference_for
from ansinh.lib.vietqr import Transfer, parse
from ansinh.messaging import citizen
from ansinh.messaging.gateways import FileGateway
from ansinh.payments import services as paying
from ansinh.payments.models import CollectorAccount
from ansinh.registry import services as registry
from ansinh.registry.models import AuditEntry, CitizenCode
from tests.builders import Personas, field_setup, person_data, personas

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CID, BORN = "040085000123", date(1985, 3, 2)


@pytest.fixture
def outbox(settings: Any, tmp_path: Path) -> FileGateway:
    path = tmp_path / "messages.jsonl"
    settings.ANSINH_GATEWAYS = {"sms": {"CLASS": "ansinh.messaging.gateways.FileGateway", "path": str(path)}}
    return FileGateway(path)


@pytest.fixture
def who() -> Personas:
    return personas()


def citizen_with_terms(who: Personas, paid_months: int = 3) -> tuple[int, Any]:
    """A person of commune X with a paid VSI term of ``paid_months`` and the next term pending."""
    post, _ = field_setup(who)
    CollectorAccount.objects.create(collector=post, bank_bin="970449", account_number="0123456789",
                                    account_name="BUU DIEN")
    scope = who.scope(who.agent)
    head = registry.create_household(who.agent, scope, person_data(), date(2025, 1, 1)).head_id
    first = enrolling.enroll_vsi(who.agent, scope, enrolling.quote_vsi(scope, head, date(2025, 1, 1), 1_500_000,
                                                                       paid_months))
    paying.record_payment(who.agent, scope, first.pk, amount=first.payable, method="cash", idempotency_key="c1",
                          paid_at=datetime(2025, 1, 2, 9, tzinfo=TZ))
    start = first.period_end + timedelta(days=1)
    pending = enrolling.enroll_vsi(who.agent, scope, enrolling.quote_vsi(scope, head, start, 1_500_000, 1))
    return head, pending  # type: ignore[return-value]


def ask(client: Client, cid: str = CID, born: date = BORN) -> Any:
    return client.post("/tra-cuu/", {"citizen_id": cid, "born": born.isoformat()})


def last_code(outbox: FileGateway) -> str:
    found = re.search(r"\b(\d{6})\b", outbox.sent()[-1]["text"])
    assert found is not None
    return found.group(1)


def test_the_right_code_opens_the_persons_coverage_with_a_vietqr_for_the_next_term(
        who: Personas, outbox: FileGateway) -> None:
    head, pending = citizen_with_terms(who)
    client = Client()
    assert ask(client).status_code == 302
    assert [m["phone"] for m in outbox.sent()] == ["0912345678"]  # the phone on record
    response = client.post("/tra-cuu/ma/", {"code": last_code(outbox)})
    assert response.status_code == 302 and response["Location"] == "/tra-cuu/cua-toi/"
    page = client.get("/tra-cuu/cua-toi/").content.decode()
    assert "Nguyễn Văn An" in page and '<strong class="months">3</strong>' in page
    assert "Đại lý X" in page and "Đã đóng" in page
    payload = unescape(re.search(r'data-payload="([^"]+)"', page).group(1))  # type: ignore[union-attr]
    assert parse(payload) == Transfer("970449", "0123456789", pending.payable, reference_for(pending.pk))
    ids = re.findall(r' id="([^"]+)"', page)
    assert "vietqr-1" in ids and len(ids) == len(set(ids))  # one code per term, each with its own ids
    actions = list(AuditEntry.objects.filter(entity_id=head).order_by("id").values_list("action", flat=True))
    assert actions[-3:] == ["cit_ask", "cit_code", "cit_view"]


def test_an_unknown_id_gets_the_same_answer_and_no_text_is_sent(who: Personas, outbox: FileGateway) -> None:
    citizen_with_terms(who)
    known, unknown = Client(), Client()
    first, second = ask(known), ask(unknown, cid="040085999999")
    assert (first.status_code, first["Location"]) == (second.status_code, second["Location"])
    pages = [c.get("/tra-cuu/ma/").content.decode() for c in (known, unknown)]
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert strip.sub("", pages[0]) == strip.sub("", pages[1])
    assert len(outbox.sent()) == 1  # only the known person's phone got a text
    assert CitizenCode.objects.filter(person__isnull=True).count() == 1  # a code made for nobody
    wrong = unknown.post("/tra-cuu/ma/", {"code": "123456"})
    assert wrong.status_code == 400 and "Mã không đúng" in wrong.content.decode()


def test_a_wrong_date_of_birth_is_an_unknown_person(who: Personas, outbox: FileGateway) -> None:
    citizen_with_terms(who)
    assert ask(Client(), born=date(1985, 3, 3)).status_code == 302
    assert outbox.sent() == []


def test_three_wrong_codes_use_the_code_up(who: Personas, outbox: FileGateway) -> None:
    citizen_with_terms(who)
    client = Client()
    ask(client)
    right = last_code(outbox)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    for _ in range(3):
        assert client.post("/tra-cuu/ma/", {"code": wrong}).status_code == 400
    assert client.post("/tra-cuu/ma/", {"code": right}).status_code == 400
    assert client.get("/tra-cuu/cua-toi/")["Location"] == "/tra-cuu/"


def test_a_code_is_good_for_five_minutes_and_once(who: Personas, outbox: FileGateway) -> None:
    citizen_with_terms(who)
    now = timezone.now()
    code_id = citizen.ask_code(CID, BORN, now)
    code = last_code(outbox)
    assert CitizenCode.objects.get(pk=code_id).code_hash != code  # only a keyed hash is kept
    assert citizen.check_code(code_id, code, now + timedelta(minutes=5)) is None
    code_id = citizen.ask_code(CID, BORN, now)
    code = last_code(outbox)
    assert citizen.check_code(code_id, code, now + timedelta(minutes=4)) is not None
    assert citizen.check_code(code_id, code, now + timedelta(minutes=4)) is None


def test_codes_are_limited_per_id_whatever_the_client(who: Personas, outbox: FileGateway) -> None:
    citizen_with_terms(who)
    answers = [ask(Client(REMOTE_ADDR=f"10.0.0.{i}")).status_code for i in range(4)]
    assert answers == [302, 302, 302, 429]
    assert len(outbox.sent()) == 3


def test_requests_are_limited_per_client(who: Personas, outbox: FileGateway, settings: Any) -> None:
    settings.ANSINH_RATE_CITIZEN = "2/h"
    client = Client(REMOTE_ADDR="10.0.0.9")
    answers = [ask(client, cid=f"04008500000{i}").status_code for i in range(3)]
    assert answers == [302, 302, 429]


def test_leaving_ends_the_session(who: Personas, outbox: FileGateway) -> None:
    head, _ = citizen_with_terms(who)
    client = Client()
    ask(client)
    client.post("/tra-cuu/ma/", {"code": last_code(outbox)})
    assert client.get("/tra-cuu/cua-toi/").status_code == 200
    assert client.post("/tra-cuu/thoat/").status_code == 302
    assert client.get("/tra-cuu/cua-toi/")["Location"] == "/tra-cuu/"
    assert AuditEntry.objects.filter(entity_id=head, action="cit_out").count() == 1
