"""The set-based path makes what the per-credit path makes: the same statement pattern, once through
``record_payment`` credit by credit and once set-based, gives the same payments, receipts, lines, facts
(the read models double exactly) and campaign attributions."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Sum
from django.utils import timezone

from ansinh.campaigns.models import Attribution
from ansinh.enrollment.models import Enrollment, EnrollmentStatus
from ansinh.enrollment.references import reference_for
from ansinh.org.models import Agent, OrgKind
from ansinh.org.scope import scope_for
from ansinh.payments import statement_bulk, statements
from ansinh.payments.models import Payment, Receipt, StatementImport, StatementLine
from ansinh.registry import services as registry
from ansinh.reports.models import AreaDay, CohortDay, Fact
from tests.builders import COMMUNE_X, commune, org_unit, person_data, personas, running_campaign
from tests.payments.statement_builders import money_setup, pending_terms, write_statement

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


def _rows(terms: list[Any], tag: str, at: Any) -> list[Any]:
    rows = []
    for i, term in enumerate(terms):
        amount = term.payable - 500 if i % 5 == 1 else term.payable
        rows.append((at, f"{tag}{i}", amount, f"DONG BHXH {reference_for(term.pk)}"))
    rows.append((at, f"{tag}-dup", terms[0].payable, reference_for(terms[0].pk)))  # sent twice
    rows.append((at, f"{tag}-none", 123_000, "CHUYEN TIEN"))
    return rows


def _payments(terms: list[Any]) -> list[tuple[Any, ...]]:
    found = Payment.objects.filter(enrollment__in=terms).select_related("receipt").order_by("enrollment_id")
    return [(p.method, p.amount, p.payer, p.agent_id, p.collector_id, p.collection_point_id, p.recorded_by_id,
             p.paid_at, p.receipt.amount, p.receipt.amount_words, p.receipt.issued_at) for p in found]


def _lines(tag: str) -> list[tuple[Any, ...]]:
    found = StatementLine.objects.filter(transaction_id__startswith=tag)
    return sorted([(line.transaction_id.removeprefix(tag), line.outcome, line.resolution, line.payment_id is not None,
             line.detail.split(",")[0][:9]) for line in found])


def _read_models() -> tuple[Any, ...]:
    return (tuple(Fact.objects.aggregate(*(Sum(m) for m in ("people", "enrollments", "amount", "state_support",
                                                              "local_support"))).values()),
            tuple(AreaDay.objects.aggregate(Sum("enrollments"), Sum("vsi_amount"), Sum("vsi_new")).values()),
            CohortDay.objects.aggregate(Sum("terms"))["terms__sum"], Attribution.objects.count())


def test_set_based_and_per_credit_imports_agree(media: Path) -> None:
    who = personas()
    post, manager = money_setup(who)
    running_campaign(who)
    terms = pending_terms(who, 24)
    first, second = terms[:12], terms[12:]
    scope = scope_for(manager)
    at = timezone.now() - timedelta(hours=1)
    # the same amounts on both sides: the second half's people are paid the same as the first's
    assert [t.payable for t in first] == [t.payable for t in second]
    one = statements.start_import(manager, scope, post.pk, write_statement(media, _rows(first, "A", at), "a.csv"))
    statement_bulk.run_import(one.pk, manager, scope, chunk=0)  # credit by credit, through record_payment
    after_one = _read_models()
    two = statements.start_import(manager, scope, post.pk, write_statement(media, _rows(second, "B", at), "b.csv"))
    done = statement_bulk.run_import(two.pk, manager, scope)  # set-based
    assert done.counts == one.__class__.objects.get(pk=one.pk).counts
    assert _payments(first) == _payments(second) and len(_payments(first)) == 9
    assert _lines("A") == _lines("B")
    numbers = list(Receipt.objects.order_by("payment_id").values_list("number", flat=True))
    assert numbers == list(range(1, 19))  # no gap, no duplicate, in the credits' order
    doubled = tuple(tuple(2 * v for v in part) if isinstance(part, tuple) else 2 * part for part in after_one)
    assert _read_models() == doubled and after_one[-1] == 9  # attributed to the running campaign


def test_a_term_whose_support_no_longer_holds_is_refused_on_the_set_based_path_as_on_the_other(
        media: Path) -> None:
    who = personas()
    post, manager = money_setup(who)
    term = pending_terms(who, 1)[0]
    scope = who.scope(who.agent)
    household = registry.create_household(who.agent, scope, person_data(full_name="Lê Văn Chủ", citizen_id=None,
                                                                         phone=""), term.quoted_on)
    registry.add_member(who.agent, scope, household.pk, "other", term.quoted_on, person_id=term.person_id)
    registry.set_poverty_status(who.agent, scope, household.pk, "poor", term.quoted_on - timedelta(days=30),
                                "QĐ 1/QĐ-UBND")
    manager_scope = scope_for(manager)
    one = statements.start_import(manager, manager_scope, post.pk, write_statement(
        media, [(timezone.now(), "T1", term.payable, reference_for(term.pk))]))
    done = statement_bulk.run_import(one.pk, manager, manager_scope)
    assert done.counts == {"refused": 1} and not Payment.objects.exists()
    assert "tính lại mức đóng" in StatementLine.objects.get().detail


def test_independent_matched_credits_take_the_set_based_path_not_the_per_credit_one(
        media: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The agreement above holds even if the set-based path silently fell back to the per-credit one
    for every chunk (it did once, on PostgreSQL): matched VSI credits of distinct terms never go there."""
    who = personas()
    post, manager = money_setup(who)
    terms = pending_terms(who, 6)
    scope = scope_for(manager)
    at = timezone.now() - timedelta(hours=1)
    rows = [(at, f"F{i}", t.payable, f"DONG BHXH {reference_for(t.pk)}") for i, t in enumerate(terms)]
    per_credit: list[object] = []
    real = statement_bulk.match_credit

    def counted(*args: Any, **kwargs: Any) -> str:
        per_credit.append(args[-1])
        return real(*args, **kwargs)

    monkeypatch.setattr(statement_bulk, "match_credit", counted)
    started = statements.start_import(manager, scope, post.pk, write_statement(media, rows, "f.csv"))
    done = statement_bulk.run_import(started.pk, manager, scope)
    assert per_credit == [] and done.counts.get("matched") == 6
    assert Payment.objects.filter(enrollment__in=terms).count() == 6


def _tricky_rows(terms: list[Any], tag: str, at: Any) -> list[Any]:
    """Credits the verdict and the chunk's independence must decide as the per-credit path does: two
    references in one description, a term named by two credits, a reference of no term of the
    collector, a term already paid, a bank id repeated in the file, no reference."""
    a, b, c, d, paid = terms
    return [(at, f"{tag}0", a.payable, f"NOP {reference_for(a.pk)}"),
            (at, f"{tag}1", b.payable, f"{reference_for(c.pk)} VA {reference_for(b.pk)}"),  # c first
            (at, f"{tag}2", d.payable, f"NOP {reference_for(d.pk)}"),
            (at, f"{tag}3", d.payable, f"LAN 2 {reference_for(d.pk)}"),  # d named twice: the per-credit path
            (at, f"{tag}4", 100_000, f"NOP {reference_for(99_999_999)}"),  # no term of the collector
            (at, f"{tag}5", paid.payable, f"NOP {reference_for(paid.pk)}"),  # paid already
            (at, f"{tag}0", a.payable, f"NOP {reference_for(a.pk)}"),  # the bank's line exported twice
            (at, f"{tag}6", a.payable + 1000, "CHUYEN TIEN")]


def test_the_set_based_verdicts_agree_on_tricky_credits_and_a_second_import_changes_nothing(
        media: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    who = personas()
    post, manager = money_setup(who)
    terms = pending_terms(who, 10)
    first, second = terms[:5], terms[5:]
    Enrollment.objects.filter(pk__in=[first[4].pk, second[4].pk]).update(status=EnrollmentStatus.PAID)
    scope = scope_for(manager)
    at = timezone.now() - timedelta(hours=1)
    path = write_statement(media, _tricky_rows(first, "A", at), "a.csv")
    one = statements.start_import(manager, scope, post.pk, path)
    statement_bulk.run_import(one.pk, manager, scope, chunk=0)
    per_credit: list[object] = []
    real = statement_bulk.match_credit

    def counted(*args: Any, **kwargs: Any) -> str:
        per_credit.append(args[-1].transaction_id)
        return real(*args, **kwargs)

    monkeypatch.setattr(statement_bulk, "match_credit", counted)
    path = write_statement(media, _tricky_rows(second, "B", at), "b.csv")
    two = statements.start_import(manager, scope, post.pk, path)
    done = statement_bulk.run_import(two.pk, manager, scope)
    assert done.counts == StatementImport.objects.get(pk=one.pk).counts
    assert done.counts == {"matched": 3, "already_paid": 2, "unknown": 2, "known": 1}
    assert sorted(per_credit) == ["B2", "B3"]  # only the two credits naming one term went one by one
    assert _payments(first[:4]) == _payments(second[:4]) and _lines("A") == _lines("B")
    # b and c of one payable, c named first: c is paid, b still waits
    assert Enrollment.objects.get(pk=second[1].pk).status == EnrollmentStatus.PENDING
    before = (Payment.objects.count(), Receipt.objects.count(), StatementLine.objects.count(), _read_models())
    again = statements.start_import(manager, scope, post.pk, path)
    assert statement_bulk.run_import(again.pk, manager, scope).counts == {"known": 8}
    assert (Payment.objects.count(), Receipt.objects.count(), StatementLine.objects.count(), _read_models()) == before


def test_the_agent_and_its_collection_point_follow_the_per_credit_rule(media: Path) -> None:
    """The recorder's agent inactive on the bank's day: the lowest-id active agent of the commune, with
    its only collection point; no active agent at all: refused, on both paths alike."""
    who = personas()
    post, manager = money_setup(who)
    terms = pending_terms(who, 4)
    scope = scope_for(manager)
    at = timezone.now() - timedelta(hours=1)
    Agent.objects.filter(collector=post, user=who.agent).update(active_to=timezone.localdate(at) - timedelta(days=1))
    point = org_unit(OrgKind.COLLECTION_POINT, COMMUNE_X, parent=post)
    second, third = (Agent.objects.create(code=f"DLX{i}", name=f"Đại lý {i}", collector=post,
                                          active_from=timezone.localdate(at) - timedelta(days=9)) for i in (2, 3))
    for agent in (second, third):
        agent.areas.set([commune(COMMUNE_X)])
    second.collection_points.set([point])

    def run(tag: str, term: Any, chunk: int) -> Any:
        rows = [(at, tag, term.payable, f"NOP {reference_for(term.pk)}")]
        started = statements.start_import(manager, scope, post.pk, write_statement(media, rows, f"{tag}.csv"))
        return statement_bulk.run_import(started.pk, manager, scope, chunk=chunk).counts

    assert run("A", terms[0], 0) == run("B", terms[1], statement_bulk.CHUNK) == {"matched": 1}
    paid = Payment.objects.filter(enrollment__in=terms[:2]).order_by("enrollment_id")
    assert [(p.agent_id, p.collection_point_id) for p in paid] == [(second.pk, point.pk)] * 2
    Agent.objects.filter(pk__in=[second.pk, third.pk]).update(active_from=timezone.localdate(at) + timedelta(days=1))
    assert run("C", terms[2], 0) == run("D", terms[3], statement_bulk.CHUNK) == {"refused": 1}
    assert _lines("C") == _lines("D") and not Payment.objects.filter(enrollment__in=terms[2:]).exists()
