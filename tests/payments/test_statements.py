"""Bank-statement matching: references and amounts → payments with receipts, the rest to the managers'
queue; the same statement twice changes nothing; the credits reconcile with the payments."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Sum

from ansinh.enrollment.models import EnrollmentStatus
from ansinh.enrollment.references import reference_for
from ansinh.lib.errors import DomainError
from ansinh.org.scope import scope_for
from ansinh.payments import services as paying
from ansinh.payments import statements, tasks
from ansinh.payments.models import (
    ImportStatus,
    LineOutcome,
    Payment,
    PaymentMethod,
    Receipt,
    Resolution,
    StatementLine,
)
from ansinh.registry.models import AuditEntry
from ansinh.reports.models import Fact
from tests.builders import Personas, personas
from tests.payments.statement_builders import BOOKED, money_setup, pending_terms, write_statement

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


@pytest.fixture
def who() -> Personas:
    return personas()


def _import(manager: Any, post: Any, path: Path) -> Any:
    return tasks.start(manager, scope_for(manager), post.pk, path, background=False)


def test_a_credit_with_the_reference_and_the_exact_amount_becomes_a_transfer_payment_with_its_receipt(
        who: Personas, media: Path) -> None:
    post, manager = money_setup(who)
    term = pending_terms(who, 1)[0]
    path = write_statement(media, [(BOOKED, "FT25214001", term.payable,
                                    f"NGUYEN VAN AN CHUYEN TIEN {reference_for(term.pk)} DONG BHXH")])
    done = _import(manager, post, path)
    assert (done.status, done.total, done.counts) == (ImportStatus.DONE, 1, {"matched": 1})
    payment = Payment.objects.select_related("agent", "receipt").get(enrollment=term)
    assert (payment.method, payment.amount, payment.paid_at) == (PaymentMethod.BANK_TRANSFER, term.payable, BOOKED)
    assert payment.idempotency_key == f"bank:{post.pk}:FT25214001"
    assert payment.agent.user_id == who.agent.pk  # the agent who recorded the enrolment
    assert (payment.receipt.number, payment.receipt.amount) == (1, term.payable)
    term.refresh_from_db()
    assert term.status == EnrollmentStatus.PAID
    line = StatementLine.objects.get()
    assert (line.outcome, line.resolution, line.payment_id) == (LineOutcome.MATCHED, Resolution.AUTO, payment.pk)
    fact = Fact.objects.get(day=date(2025, 8, 2))  # the payment listeners ran: the facts of the bank's day
    assert (fact.amount, fact.enrollments, fact.agent_id) == (term.payable, 1, payment.agent_id)


def test_underpaid_overpaid_unknown_and_already_paid_credits_wait_in_the_queue_and_pay_nothing(
        who: Personas, media: Path) -> None:
    post, manager = money_setup(who)
    low, high, paid = pending_terms(who, 3)
    paying.record_payment(who.agent, who.scope(who.agent), paid.pk, amount=paid.payable, method="cash",
                          idempotency_key="cash-1", paid_at=BOOKED - timedelta(days=1))
    path = write_statement(media, [
        (BOOKED, "T1", low.payable - 1000, f"dong {reference_for(low.pk)}"),
        (BOOKED, "T2", high.payable + 5000, f"dong {reference_for(high.pk)}"),
        (BOOKED, "T3", 100_000, "chuyen tien dong bao hiem"),
        (BOOKED, "T4", 100_000, f"ma sai AS{low.pk}C00"),  # a mistyped check is no reference
        (BOOKED, "T5", paid.payable, f"{reference_for(paid.pk)}"),
    ])
    done = _import(manager, post, path)
    assert done.counts == {"underpaid": 1, "overpaid": 1, "unknown": 2, "already_paid": 1}
    assert Payment.objects.filter(method=PaymentMethod.BANK_TRANSFER).count() == 0
    queued = {line.transaction_id: line.outcome for line in statements.queue(manager, scope_for(manager))}
    assert queued == {"T1": "underpaid", "T2": "overpaid", "T3": "unknown", "T4": "unknown", "T5": "already_paid"}


def test_importing_the_same_statement_twice_changes_nothing(who: Personas, media: Path) -> None:
    post, manager = money_setup(who)
    terms = pending_terms(who, 2)
    path = write_statement(media, [(BOOKED, f"B{t.pk}", t.payable, reference_for(t.pk)) for t in terms]
                           + [(BOOKED, "X1", 50_000, "khong ro")])
    _import(manager, post, path)
    before = (Payment.objects.count(), Receipt.objects.count(), StatementLine.objects.count(),
              Fact.objects.aggregate(s=Sum("amount"))["s"])
    again = _import(manager, post, path)
    assert again.counts == {"known": 3}
    assert (Payment.objects.count(), Receipt.objects.count(), StatementLine.objects.count(),
            Fact.objects.aggregate(s=Sum("amount"))["s"]) == before == (2, 2, 3, sum(t.payable for t in terms))


def test_a_term_of_a_commune_the_collector_does_not_serve_is_an_unknown_reference(who: Personas,
                                                                                  media: Path) -> None:
    post, manager = money_setup(who)
    term = pending_terms(who, 1)[0]
    post.areas.set([])  # the post office no longer serves commune X
    path = write_statement(media, [(BOOKED, "T1", term.payable, reference_for(term.pk))])
    done = _import(manager, post, path)
    assert done.counts == {"unknown": 1} and not Payment.objects.exists()


def test_an_agent_may_not_import_a_statement_and_nothing_is_recorded(who: Personas, media: Path) -> None:
    post, _manager = money_setup(who)
    path = write_statement(media, [(BOOKED, "T1", 1000, "x")])
    with pytest.raises(DomainError) as refused:
        _import(who.agent, post, path)
    assert refused.value.code.value == "forbidden"
    assert not StatementLine.objects.exists()


def test_a_statement_without_the_columns_is_refused_naming_them(who: Personas, media: Path) -> None:
    post, manager = money_setup(who)
    path = media / "khac.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(DomainError) as refused:
        _import(manager, post, path)
    assert "Ngày giao dịch" in refused.value.message or "ngày giao dịch" in refused.value.message


def test_a_manager_matches_an_overpaid_credit_noting_the_refund_and_it_is_audited(who: Personas,
                                                                                   media: Path) -> None:
    post, manager = money_setup(who)
    term = pending_terms(who, 1)[0]
    path = write_statement(media, [(BOOKED, "T2", term.payable + 5000, f"NGUYEN VAN AN {reference_for(term.pk)}")])
    _import(manager, post, path)
    line = StatementLine.objects.get()
    scope = scope_for(manager)
    assert [e.pk for e in statements.suggestions(line, scope)] == [term.pk]
    with pytest.raises(DomainError):  # an excess needs a note saying how it goes back
        statements.resolve_line(manager, scope, line.pk, "match", enrollment_id=term.pk)
    done = statements.resolve_line(manager, scope, line.pk, "match", enrollment_id=term.pk,
                                   note="Hoàn 5.000 đ tiền mặt khi gặp")
    again = statements.resolve_line(manager, scope, line.pk, "match", enrollment_id=term.pk)
    assert again.pk == done.pk and Payment.objects.count() == 1
    assert (done.resolution, done.refund_amount, done.payment.amount) == (Resolution.MATCHED, 5000, term.payable)
    entry = AuditEntry.objects.get(action="bank_match")
    assert (entry.entity, entry.entity_id, entry.actor_id) == ("bank_line", line.pk, manager.pk)
    with pytest.raises(DomainError):
        statements.resolve_line(manager, scope, line.pk, "dismiss", note="nhầm")


def test_an_unknown_credit_is_suggested_by_amount_and_folded_name_then_matched(who: Personas, media: Path) -> None:
    post, manager = money_setup(who)
    _first, second = pending_terms(who, 2)  # Nguyễn Văn An, Nguyễn Văn Bình
    path = write_statement(media, [(BOOKED, "T9", second.payable, "NGUYEN VAN BINH DONG BHXH TU NGUYEN")])
    _import(manager, post, path)
    line = StatementLine.objects.get()
    scope = scope_for(manager)
    assert [e.pk for e in statements.suggestions(line, scope)] == [second.pk]
    statements.resolve_line(manager, scope, line.pk, "match", enrollment_id=second.pk)
    assert Payment.objects.get().enrollment_id == second.pk


def test_a_manager_of_another_collector_sees_no_line(who: Personas, media: Path) -> None:
    post, manager = money_setup(who)
    path = write_statement(media, [(BOOKED, "T1", 1000, "x")])
    _import(manager, post, path)
    line = StatementLine.objects.get()
    for stranger in (who.manager_elsewhere, who.outsider):
        assert not statements.queue(stranger, scope_for(stranger)).exists()
        with pytest.raises(DomainError):
            statements.resolve_line(stranger, scope_for(stranger), line.pk, "dismiss", note="x")
    assert StatementLine.objects.get().resolution == Resolution.OPEN


def test_a_thousand_credits_import_idempotently_and_reconcile(who: Personas, media: Path) -> None:
    """250 terms; 1,000 credits: 200 exact (matched), 25 underpaid, 25 overpaid, 50 sent again for a
    matched term (already paid), 700 without a reference; and 100 rows repeated in the file (the same
    bank id: one line)."""
    post, manager = money_setup(who)
    terms = pending_terms(who, 250)
    rows: list[Any] = []
    for i, term in enumerate(terms):
        ref = reference_for(term.pk)
        amount = term.payable - 1000 if i % 10 == 1 else term.payable + 2000 if i % 10 == 2 else term.payable
        rows.append((BOOKED, f"FT{i:05d}", amount, f"DONG BHXH {ref}"))
    rows += [(BOOKED, f"DUP{i:05d}", terms[i].payable, f"LAN 2 {reference_for(terms[i].pk)}")
             for i in range(0, 250, 10)][:25]
    rows += [(BOOKED, f"DUQ{i:05d}", terms[i].payable, reference_for(terms[i].pk)) for i in range(3, 250, 10)][:25]
    rows += [(BOOKED, f"UNK{i:05d}", 100_000 + i, f"CHUYEN TIEN {i}") for i in range(700)]
    rows += rows[:100]  # the bank exported the first rows twice
    assert len(rows) == 1100
    path = write_statement(media, rows)
    first = _import(manager, post, path)
    assert first.counts == {"matched": 200, "underpaid": 25, "overpaid": 25, "already_paid": 50, "unknown": 700,
                            "known": 100}
    payments = Payment.objects.filter(method=PaymentMethod.BANK_TRANSFER)
    assert payments.count() == Receipt.objects.count() == 200
    assert StatementLine.objects.count() == 1000
    second = _import(manager, post, path)
    assert second.counts == {"known": 1100} and payments.count() == 200
    scope = scope_for(manager)
    summary = statements.transfer_summary(manager, scope, Payment.objects.all(), date(2025, 8, 1), date(2025, 8, 31))
    credited = StatementLine.objects.aggregate(s=Sum("amount"))["s"]
    paid = payments.aggregate(s=Sum("amount"))["s"]
    assert summary.credits == credited and summary.paid == paid == summary.transfers
    assert summary.paid + summary.refund + summary.waiting + summary.dismissed == summary.credits
    assert Fact.objects.aggregate(s=Sum("amount"))["s"] == paid
