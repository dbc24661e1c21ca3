"""The VietQR request of a pending term: whose account, which amount, which reference (issue 17 §2)."""

from __future__ import annotations

from datetime import date

import pytest

from ansinh.enrollment import services as enrolling
from ansinh.enrollment.references import reference_for
from ansinh.lib.vietqr import parse
from ansinh.payments import services as paying
from ansinh.payments.models import CollectorAccount
from ansinh.payments.queries import transfer_request
from ansinh.registry import services as registry
from tests.builders import COMMUNE_X, field_setup, org_unit, person_data, personas

pytestmark = pytest.mark.django_db
ON = date(2025, 8, 1)


def _pending(who):  # type: ignore[no-untyped-def]
    scope = who.scope(who.agent)
    found = registry.create_household(who.agent, scope, person_data(), ON)
    return enrolling.enroll_vsi(who.agent, scope, enrolling.quote_vsi(scope, found.head_id, ON, 1_500_000, 1))


def test_the_agents_own_collector_is_paid_the_exact_amount_with_the_reference() -> None:
    who = personas()
    post, _ = field_setup(who)
    CollectorAccount.objects.create(collector=post, bank_bin="970405", account_number="3600205123456",
                                    account_name="BUU DIEN")
    enrollment = _pending(who)
    request = transfer_request(enrollment, who.agent)
    assert request is not None and request.account.collector == post
    assert parse(request.payload).amount == enrollment.payable == request.amount
    assert parse(request.payload).purpose == request.reference == reference_for(enrollment.pk)


def test_without_an_agent_the_collector_serving_the_commune_is_paid_and_none_without_an_account() -> None:
    who = personas()
    field_setup(who)
    enrollment = _pending(who)
    assert transfer_request(enrollment) is None  # no collector has an account yet
    other = org_unit("collector", COMMUNE_X)
    CollectorAccount.objects.create(collector=other, bank_bin="970436", account_number="0071000123456",
                                    account_name="DAI LY X")
    request = transfer_request(enrollment, who.outsider)
    assert request is not None and request.account.collector == other


def test_a_paid_term_has_no_code() -> None:
    who = personas()
    post, _ = field_setup(who)
    CollectorAccount.objects.create(collector=post, bank_bin="970405", account_number="1", account_name="X")
    enrollment = _pending(who)
    paying.record_payment(who.agent, who.scope(who.agent), enrollment.pk, amount=enrollment.payable, method="cash",
                          idempotency_key="paid-once")
    enrollment.refresh_from_db()
    assert transfer_request(enrollment, who.agent) is None


def test_an_agent_whose_collector_has_no_account_gets_no_code_of_another_collector() -> None:
    who = personas()
    field_setup(who)
    other = org_unit("collector", COMMUNE_X)
    CollectorAccount.objects.create(collector=other, bank_bin="970436", account_number="0071000123456",
                                    account_name="DAI LY X")
    enrollment = _pending(who)
    assert transfer_request(enrollment, who.agent) is None  # the agent's own collector has no account
    assert transfer_request(enrollment, who.outsider) is not None  # the control: the commune's collector has one
