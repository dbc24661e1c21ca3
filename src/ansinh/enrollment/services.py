"""Quotes and enrollments: facts from the registry, amounts from the rules engine, a calculation
record with every parameter used. A quote writes nothing; an enrollment is one pending term, made once
(an idempotency key per actor; no second live term over the same months or days, ADR 0007)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.postgres.aggregates import ArrayAgg
from django.db import IntegrityError, transaction
from django.db.models import F, Max, OuterRef, QuerySet, Subquery, Sum
from django.db.models.fields.json import KeyTransform
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.areas.queries import province_code
from ansinh.config.prepared import Prepared
from ansinh.enrollment import once
from ansinh.enrollment.models import (
    CalculationRecord,
    CardKind,
    Enrollment,
    EnrollmentStatus,
    HiCardLine,
    PlanStatus,
    Scheme,
    VsiPlan,
)
from ansinh.lib.errors import DomainError, ErrorCode, invalid_input
from ansinh.lib.money import format_vnd
from ansinh.lib.periods import add_months, end_of_term
from ansinh.org.scope import Scope, not_found
from ansinh.registry.audit import audit
from ansinh.registry.ethnicities import KINH, UNKNOWN
from ansinh.registry.models import Household, HouseholdPoverty, Membership, Person
from ansinh.rules import household_hi, vsi
from ansinh.rules.vsi import SUPPORT_GROUPS

# Apps above enrollment told of each new term, inside its transaction (campaigns link the leads of
# the people it covers); enrollment imports nothing above it.
ENROLLMENT_LISTENERS: list[Callable[[Enrollment], None]] = []


def _announce(enrollment: Enrollment) -> Enrollment:
    for listener in ENROLLMENT_LISTENERS:
        listener(enrollment)
    return enrollment


def _person(scope: Scope, person_id: int) -> Person:
    person = Person.objects.filter(pk=person_id).select_related("area").first()
    if person is None or not scope.has_area(person.area_id):
        raise not_found()
    return person


def _household(scope: Scope, household_id: int) -> Household:
    household = Household.objects.filter(pk=household_id).first()
    if household is None or not scope.has_area(household.area_id):
        raise not_found()
    return household


def _poverty_on(person: Any, on: date) -> QuerySet[HouseholdPoverty, str]:
    """The poverty statuses of the person's household on ``on``, latest first; ``person`` is a Person
    or a reference to one (nested twice: this is a subquery of a subquery)."""
    household_ids = Membership.objects.filter(person=person, valid_from__lte=on).exclude(valid_to__lt=on)
    return (HouseholdPoverty.objects.filter(household_id__in=household_ids.values("household_id"), valid_from__lte=on)
            .exclude(valid_to__lt=on).order_by("-valid_from").values_list("status", flat=True))


def _supported_months(person: Any) -> Subquery:
    """The state-supported months of the person's paid voluntary-SI terms, as a subquery."""
    paid = Enrollment.objects.filter(person=person, scheme=Scheme.VSI, status=EnrollmentStatus.PAID)
    return Subquery(paid.order_by().values("person").annotate(total=Sum("supported_months")).values("total"))


def _groups(status: str | None, person: Person) -> list[str]:
    groups = [VSI_GROUP_OF_STATUS[status]] if status in VSI_GROUP_OF_STATUS else []
    if person.ethnicity not in (KINH, UNKNOWN):
        groups.append("ethnic_minority")
    if person.island_resident:  # recorded through a manager's approval (registry.support)
        groups.append("island")
    return groups


def derived_groups(person: Person, on: date) -> list[str]:
    """Support groups from the registry on ``on``: the poverty status of the person's household
    that day, ethnicity and island residence (each changed only with a manager's approval,
    registry.support). An unknown
    ethnicity derives no ethnic-minority support: the agent records the group, or overrides with a reason."""
    return derived_groups_of([person], on)[person.pk]


def derived_groups_of(people: Iterable[Person], on: date,
                      person_ids: QuerySet[Any, Any] | None = None) -> dict[int, list[str]]:
    """``derived_groups`` for many people at once (the due list): two queries however many.
    ``person_ids``: the same people as a subquery (cheaper than thousands of ids in an ``IN`` list)."""
    people = list(people)
    statuses = poverty_statuses_on({p.pk for p in people} if person_ids is None else person_ids, on)
    return {p.pk: _groups(statuses.get(p.pk), p) for p in people}


def poverty_statuses_on(person_ids: Iterable[int] | QuerySet[Any, Any], on: date) -> dict[int, str]:
    """The poverty status on ``on`` of each person's household (the latest valid record; none: left
    out), in two queries. ``person_ids``: ids, or a subquery giving them."""
    households: dict[int, list[int]] = {}
    ids = person_ids if isinstance(person_ids, QuerySet) else set(person_ids)
    for person_id, household_id in (Membership.objects.filter(person_id__in=ids, valid_from__lte=on)
                                    .exclude(valid_to__lt=on).values_list("person_id", "household_id")):
        households.setdefault(household_id, []).append(person_id)
    if not households:
        return {}
    latest: dict[int, tuple[date, str]] = {}
    for household_id, valid_from, status in (
            HouseholdPoverty.objects.filter(household_id__in=list(households), valid_from__lte=on)
            .exclude(valid_to__lt=on).values_list("household_id", "valid_from", "status")):
        for person_id in households[household_id]:
            if person_id not in latest or valid_from > latest[person_id][0]:
                latest[person_id] = (valid_from, status)
    return {person_id: status for person_id, (_unused, status) in latest.items()}


@dataclass(frozen=True)
class VsiHistory:
    """A person's paid voluntary-SI terms, as far as the next term needs them."""

    last_start: date | None = None  # the latest paid term's first month
    last_months: int = 0
    supported_months: int = 0  # state-supported months used (the cap is 120)
    plan_ids: frozenset[int] = frozenset()  # the plans with a paid term

    def next_month(self, on: date) -> date:
        """The first month not yet paid: after the last paid term, or the month of ``on``."""
        return add_months(self.last_start, self.last_months) if self.last_start else on.replace(day=1)


def vsi_histories(person_ids: Iterable[int] | QuerySet[Any, Any]) -> dict[int, VsiHistory]:
    """Each person's paid VSI history in one query (people with none: left out); the one copy of the
    rules of ``supported_months_used`` and ``next_vsi_month``, for one person or the due list's many
    (``person_ids``: ids, or a subquery giving them)."""
    found: dict[int, tuple[date, int, int, set[int]]] = {}
    ids = person_ids if isinstance(person_ids, QuerySet) else set(person_ids)
    for person_id, plan_id, start, months, used in (
            Enrollment.objects.filter(person_id__in=ids, scheme=Scheme.VSI, status=EnrollmentStatus.PAID)
            .values_list("person_id", "plan_id", "period_start", "months", "supported_months")):
        last_start, last_months, total, plans = found.get(person_id, (start, months, 0, set()))
        if start > last_start:
            last_start, last_months = start, months
        if plan_id is not None:
            plans.add(plan_id)
        found[person_id] = (last_start, last_months, total + (used or 0), plans)
    return {person_id: VsiHistory(start, months, total, frozenset(plans))
            for person_id, (start, months, total, plans) in found.items()}


def _history(person: Person) -> VsiHistory:
    return vsi_histories([person.pk]).get(person.pk, VsiHistory())


def supported_months_used(person: Person) -> int:
    """State-supported months in the person's paid voluntary-SI history (the cap is 120)."""
    return _history(person).supported_months


def next_vsi_month(person: Person, on: date) -> date:
    """The first month not yet paid: after the last paid term, or the payment month."""
    return _history(person).next_month(on)


@dataclass(frozen=True)
class VsiOffer:
    person: Person
    quote: vsi.VsiQuote
    groups: list[str]
    period_start: date
    is_renewal: bool
    inputs: dict[str, Any]


def quote_vsi(scope: Scope, person_id: int, on: date, income: int, months: int,
              method: vsi.Method = vsi.Method.REGULAR, groups_override: list[str] | None = None,
              override_reason: str = "", fund_return: Decimal | None = None) -> VsiOffer:
    """The provincial top-up comes from the province of the person's commune on record, decided
    here and stored with the inputs (a client never chooses it)."""
    person = _person(scope, person_id)
    province = province_code(person.area)
    if groups_override is not None and not override_reason.strip():
        raise invalid_input(_("Ghi lý do khi thay đổi nhóm hỗ trợ so với dữ liệu hộ gia đình."),
                       "Give a reason for overriding the support groups.", field="override_reason")
    groups = list(groups_override) if groups_override is not None else derived_groups(person, on)
    history = _history(person)  # one query for the months used, the next month and whether paid before
    used = history.supported_months
    request = vsi.VsiQuoteInput(on=on, income=income, months=months, method=method, groups=frozenset(groups),
                                province=province, supported_months_used=used, fund_return=fund_return)
    inputs = {"person": person.pk, "on": on.isoformat(), "income": income, "months": months, "method": str(method),
              "groups": groups, "override_reason": override_reason.strip(), "supported_months_used": used,
              "fund_return": str(fund_return) if fund_return is not None else None, "province": province}
    paid_before = history.last_start is not None
    return VsiOffer(person, vsi.quote(request), groups, history.next_month(on), paid_before, inputs)


def enroll_vsi(actor: AbstractBaseUser | None, scope: Scope, offer: VsiOffer, *,
               idempotency_key: str | None = None) -> Enrollment:
    """Save the offer as a pending term; the plan takes the new income and method for later terms.
    The same key again (same actor, same request) returns the first term; ``None`` only for internal
    writers (the demo), every entry point from outside sends a key."""
    key = once.clean_key(idempotency_key)
    request_digest = once.digest(_vsi_request(offer)) if key else ""
    end = end_of_term(offer.period_start, offer.quote.months)
    try:
        return _enroll_vsi(actor, scope, offer, key, request_digest)
    except IntegrityError:
        # A concurrent request won the race: with this key (return its term) or for these months.
        first = once.replay(actor, key, request_digest)
        if first is not None:
            return first
        once.refuse_vsi_overlap(offer.person, offer.period_start, end)
        raise


def _vsi_request(offer: VsiOffer) -> dict[str, Any]:
    """What the client chose; the derived facts (groups from the registry, months used) may change
    once the first term is paid, and a replay must still be recognised."""
    i = offer.inputs
    chosen = ("person", "on", "income", "months", "method", "override_reason", "fund_return", "province")
    return {"scheme": Scheme.VSI, **{k: i[k] for k in chosen}, "groups": i["groups"] if i["override_reason"] else None}


@transaction.atomic
def _enroll_vsi(actor: AbstractBaseUser | None, scope: Scope, offer: VsiOffer, key: str | None,
                request_digest: str) -> Enrollment:
    scope.require_write(offer.person.area_id)
    once.lock_people([offer.person.pk])
    first = once.replay(actor, key, request_digest)
    if first is not None:
        return first
    q = offer.quote
    end = end_of_term(offer.period_start, q.months)
    once.refuse_vsi_overlap(offer.person, offer.period_start, end)
    overridden = offer.inputs["override_reason"] != ""
    terms = {"income": q.income, "term_months": q.months if q.method is vsi.Method.REGULAR else 1,
             "groups_override": offer.groups if overridden else None,
             "override_reason": offer.inputs["override_reason"]}
    # Changing the plan changes later terms only: paid terms keep their own enrollment and calculation.
    plan, _unused = VsiPlan.objects.update_or_create(person=offer.person, defaults=terms,
                                               create_defaults={**terms, "start_month": offer.period_start})
    record = CalculationRecord.objects.create(
        scheme=Scheme.VSI, computed_on=date.fromisoformat(offer.inputs["on"]), inputs=offer.inputs,
        result=q.as_dict(), parameters=[p.as_dict() for p in q.parameters])
    return _announce(Enrollment.objects.create(
        scheme=Scheme.VSI, person=offer.person, plan=plan, area_id=offer.person.area_id, is_renewal=offer.is_renewal,
        quoted_on=record.computed_on, period_start=offer.period_start,
        period_end=end, months=q.months, method=str(q.method),
        income=q.income, support_groups=offer.groups, supported_months=q.supported_months, gross=q.gross,
        state_support=q.state_support, local_support=q.local_support, payable=q.payable, calculation=record,
        created_by=once.user_of(actor), idempotency_key=key, request_digest=request_digest))


# The household's poverty status on the date → its members' group (DOMAIN.md §3.2; ND 146/2018 art. 3, 4, 8).
# The 100 % near-poor cases (household_hi.NEAR_POOR_FULL) are not recorded in the registry: not derived.
GROUP_OF_STATUS = {"poor": household_hi.POOR, "near_poor": household_hi.NEAR_POOR,
                   "near_poor_full": household_hi.NEAR_POOR_FULL}
# For voluntary SI a near-poor household supported at 100 % for HI is a near-poor household (vsi/state_support_rate).
VSI_GROUP_OF_STATUS = {"poor": "poor", "near_poor": "near_poor", "near_poor_full": "near_poor"}


@dataclass(frozen=True)
class HiOffer:
    household: Household
    members: list[Person]
    quote: household_hi.HiQuote
    already_joined: int
    previous_card_end: date | None
    is_renewal: bool
    inputs: dict[str, Any]
    poverty: HouseholdPoverty | None = None  # the status (and its document) the groups come from

    @property
    def rows(self) -> list[tuple[Person, household_hi.HiMemberQuote, str]]:
        """Each member with its line and its group's label."""
        return [(person, line, household_hi.GROUP_LABELS[line.group])
                for person, line in zip(self.members, self.quote.members, strict=True)]

    @property
    def state_pays_all(self) -> bool:
        """Every chosen member is in the group the state budget pays for: the household pays nothing."""
        return all(line.group == household_hi.POOR for line in self.quote.members)


def household_poverty(household: Household, on: date) -> HouseholdPoverty | None:
    """The household's poverty status in force on ``on`` (the latest that started), with its document."""
    return (household.poverty_statuses.filter(valid_from__lte=on).exclude(valid_to__lt=on)
            .order_by("-valid_from", "-pk").first())


def supported_group_on(scope: Scope, household_id: int, on: date) -> bool:
    """Whether the household's members are in a group the state supports on ``on`` (near-poor): the HI
    screen then offers them the choice to join as a household, which the rules allow from 01/07/2025."""
    poverty = household_poverty(_household(scope, household_id), on)
    return poverty is not None and GROUP_OF_STATUS.get(poverty.status) in household_hi.SUPPORTED_GROUPS


def _poverty_input(poverty: HouseholdPoverty | None) -> dict[str, Any] | None:
    if poverty is None:
        return None
    return {"id": poverty.pk, "status": poverty.status, "document": poverty.document,
            "valid_from": poverty.valid_from.isoformat(),
            "valid_to": poverty.valid_to.isoformat() if poverty.valid_to else None}


def quote_hi(scope: Scope, household_id: int, person_ids: list[int], on: date, months: int,
             as_household: list[int] | None = None) -> HiOffer:
    """Each member's group comes from the household's poverty status on ``on`` (poor: the state pays;
    near-poor: the state supports), the provincial top-up from the province of the household's commune on
    record; ``as_household`` lists members of a supported group who choose to join as a household, which
    the rules allow only from 01/07/2025 (Luật 51/2024)."""
    household = _household(scope, household_id)
    current = {m.person_id: m.person for m in household.memberships.filter(valid_from__lte=on)
               .exclude(valid_to__lt=on).select_related("person")}
    if not person_ids:
        raise DomainError(ErrorCode.HOUSEHOLD_EMPTY, _("Chọn ít nhất một thành viên tham gia BHYT."),
                          "Choose at least one member.", field="members")
    if len(set(person_ids)) != len(person_ids):
        raise invalid_input(_("Mỗi thành viên chỉ chọn một lần."), "A member is listed twice.", field="members")
    outsiders = [pid for pid in person_ids if pid not in current]
    if outsiders:
        raise invalid_input(_("Chỉ thành viên hiện tại của hộ mới tham gia BHYT hộ gia đình."),
                       "Only current household members can join.", field="members")
    chosen = sorted(set(as_household or []))
    if any(pid not in person_ids for pid in chosen):
        raise invalid_input(_("Chỉ thành viên được chọn tham gia mới chọn được tham gia theo hộ gia đình."),
                            "Only joining members can choose to join as a household.", field="as_household")
    poverty = household_poverty(household, on)
    group = GROUP_OF_STATUS.get(poverty.status, household_hi.HOUSEHOLD) if poverty else household_hi.HOUSEHOLD
    province = province_code(household.area)
    paid_lines = HiCardLine.objects.filter(enrollment__household=household, enrollment__status=EnrollmentStatus.PAID)
    # Ranks continue after members of this household who joined earlier in the same calendar year as
    # household members (rank 0: a state group, not counted).
    already = (paid_lines.filter(enrollment__quoted_on__year=on.year, rank__gt=0).exclude(person_id__in=person_ids)
               .values("person_id").distinct().count())
    previous_end = paid_lines.filter(person_id__in=person_ids).aggregate(end=Max("valid_to"))["end"]
    members = tuple(household_hi.HiMember(group=group, as_household=pid in chosen) for pid in person_ids)
    request = household_hi.HiQuoteInput(on=on, members=members, months=months, already_joined=already,
                                        previous_card_end=previous_end, province=province)
    inputs = {"household": household.pk, "members": person_ids, "on": on.isoformat(), "months": months,
              "already_joined": already, "previous_card_end": previous_end.isoformat() if previous_end else None,
              "group": group, "as_household": chosen, "province": province, "poverty": _poverty_input(poverty)}
    return HiOffer(household, [current[p] for p in person_ids], household_hi.quote(request), already, previous_end,
                   previous_end is not None, inputs, poverty)


def _refuse_state_paid(offer: HiOffer) -> None:
    """Members of poor households get their cards from the state budget, through the commune's list of
    poor households sent to BHXH (ND 146/2018 art. 3): they are not enrolled, nor charged, as a household."""
    poor = [p.full_name for p, line in zip(offer.members, offer.quote.members, strict=True)
            if line.group == household_hi.POOR]
    if not poor:
        return
    document = offer.poverty.document if offer.poverty is not None and offer.poverty.document else ""
    raise DomainError(
        ErrorCode.NOT_ELIGIBLE,
        _("Thành viên hộ nghèo{value} do NSNN đóng BHYT, hộ không phải đóng: thẻ được cấp theo danh sách hộ nghèo "
          "của UBND xã gửi cơ quan BHXH, không thu tiền BHYT hộ gia đình ({value2}).").format(
            value=f' ({document})' if document else '', value2=', '.join(poor)),
        "Members of a poor household are covered by the state budget: nothing to collect as household HI.",
        field="members")


def enroll_hi(actor: AbstractBaseUser | None, scope: Scope, offer: HiOffer, initial_clinic: str = "",
              card_kind: str = CardKind.ELECTRONIC, *, idempotency_key: str | None = None) -> Enrollment:
    """Save the offer as a pending term with one card line per member; keyed as ``enroll_vsi``. A poor
    household's members are refused (the state pays them through another channel)."""
    _refuse_state_paid(offer)
    key = once.clean_key(idempotency_key)
    request = {"scheme": Scheme.HOUSEHOLD_HI, **{k: offer.inputs[k] for k in ("household", "members", "on", "months")},
               "initial_clinic": initial_clinic.strip(), "card_kind": str(card_kind)}
    if offer.inputs["as_household"]:
        request["as_household"] = offer.inputs["as_household"]
    request_digest = once.digest(request) if key else ""
    try:
        return _enroll_hi(actor, scope, offer, initial_clinic, card_kind, key, request_digest)
    except IntegrityError:
        first = once.replay(actor, key, request_digest)
        if first is not None:
            return first
        once.refuse_hi_overlap([p.pk for p in offer.members], offer.quote.card.valid_from, offer.quote.card.valid_to)
        raise


@transaction.atomic
def _enroll_hi(actor: AbstractBaseUser | None, scope: Scope, offer: HiOffer, initial_clinic: str, card_kind: str,
               key: str | None, request_digest: str) -> Enrollment:
    scope.require_write(offer.household.area_id)
    once.lock_people([p.pk for p in offer.members])
    first = once.replay(actor, key, request_digest)
    if first is not None:
        return first
    q = offer.quote
    once.refuse_hi_overlap([p.pk for p in offer.members], q.card.valid_from, q.card.valid_to)
    record = CalculationRecord.objects.create(
        scheme=Scheme.HOUSEHOLD_HI, computed_on=date.fromisoformat(offer.inputs["on"]), inputs=offer.inputs,
        result=q.as_dict(), parameters=[p.as_dict() for p in q.parameters])
    groups = sorted({line.group for line in q.members} - {household_hi.HOUSEHOLD})
    enrollment = Enrollment.objects.create(
        scheme=Scheme.HOUSEHOLD_HI, household=offer.household, area_id=offer.household.area_id,
        is_renewal=offer.is_renewal, quoted_on=record.computed_on, period_start=q.card.valid_from,
        period_end=q.card.valid_to, months=q.months, support_groups=groups,
        gross=sum(line.gross for line in q.members), state_support=q.state_support, local_support=q.local_support,
        payable=q.total, calculation=record,
        created_by=once.user_of(actor), idempotency_key=key, request_digest=request_digest)
    HiCardLine.objects.bulk_create(
        HiCardLine(enrollment=enrollment, person=person, group=line.group, rank=line.rank or 0, factor=line.factor,
                   monthly=line.monthly, gross=line.gross, state_support=line.state_support,
                   local_support=line.local_support, amount=line.amount, valid_from=q.card.valid_from,
                   valid_to=q.card.valid_to, initial_clinic=initial_clinic.strip(), card_kind=card_kind)
        for person, line in zip(offer.members, q.members, strict=True))
    return _announce(enrollment)


@transaction.atomic
def cancel_pending(actor: AbstractBaseUser | None, scope: Scope, enrollment_id: int) -> Enrollment:
    """Cancel a term nobody has paid (a wrong quote, or one to re-quote): its months and days are free
    again. A paid term is cancelled only by reversing its payment (payments app). Cancelling twice is
    harmless."""
    enrollment = Enrollment.objects.select_for_update().filter(pk=enrollment_id).first()
    if enrollment is None or not scope.has_area(enrollment.area_id):
        raise not_found()
    scope.require_write(enrollment.area_id)
    if enrollment.status == EnrollmentStatus.PAID:
        raise DomainError(ErrorCode.ALREADY_PAID, _("Kỳ này đã thu tiền: muốn huỷ, hãy huỷ khoản thu (biên lai)."),
                          "This term is paid: reverse its payment instead.")
    if enrollment.status == EnrollmentStatus.PENDING:
        enrollment.status = EnrollmentStatus.CANCELLED
        enrollment.save(update_fields=["status"])
    return enrollment


# What the recheck reads of the person (compiled once: the payment path's CPU, issue 14): ethnicity,
# the household's poverty status on the quote's day, and the supported months of its paid terms.
_RECHECKED = Prepared(
    lambda pk, on: Person.objects.filter(pk=pk).only("ethnicity", "island_resident").annotate(
        poverty_then=Subquery(_poverty_on(OuterRef(OuterRef("pk")), on)[:1]),
        months_paid=_supported_months(OuterRef("pk"))),
    pk=-990_001, on=date(1901, 2, 3))


def recheck_before_payment(enrollment: Enrollment) -> None:
    """Inside the payment's transaction (``payments.services._record``, the enrollment row locked):
    are the stored amounts still right? The 120-month cap on state support counts PAID terms, and the
    support groups come from the registry on the quote's day, so two pending terms quoted against the
    same remaining months, or a poverty status recorded after the quote, would otherwise both be paid
    with support. The person's row is locked so that two payments of one person are counted one after
    the other. Nothing is changed: a term whose amounts no longer hold is refused, to be re-quoted."""
    if enrollment.scheme == Scheme.HOUSEHOLD_HI and enrollment.household is not None:
        _recheck_hi_group(enrollment, enrollment.household)
        return
    if enrollment.scheme != Scheme.VSI or enrollment.person_id is None:
        return
    # The person's row locked first, then read with the household's poverty status on the quote's day
    # and the supported months already paid: in a statement of its own, whose snapshot is taken after
    # the lock, so a concurrent payment of the same person committed meanwhile is counted (one
    # statement locking and reading would read the months as they were before the wait).
    once.lock_person(enrollment.person_id)
    person = _RECHECKED.first(pk=enrollment.person_id, on=enrollment.quoted_on)
    assert person is not None  # the enrolment's person is PROTECTed
    error = _outdated(enrollment, person)
    if error is not None:
        raise error


def recheck_vsi_terms(terms: list[Enrollment]) -> dict[int, DomainError]:
    """``recheck_before_payment`` of many voluntary-SI terms of distinct people at once (bank-statement
    matching, payments/statement_bulk.py): the people locked in one statement (by id, so two callers
    never deadlock), then read with the same annotations, one query per quote day. Returns the refusal
    of each term whose amounts no longer hold; nothing is changed."""
    once.lock_people(sorted({t.person_id for t in terms if t.person_id is not None}))
    by_day: dict[date, list[Enrollment]] = {}
    for term in terms:
        by_day.setdefault(term.quoted_on, []).append(term)
    refused: dict[int, DomainError] = {}
    # The same inputs give the same quote within one call (the parameters do not move under it): a
    # statement's many terms of one income and period are quoted once (bench/statement.py). Not kept
    # across calls: the parameters in force may change between two imports.
    memo: dict[vsi.VsiQuoteInput, Any] = {}

    def quote(request: vsi.VsiQuoteInput) -> Any:
        if request not in memo:
            memo[request] = vsi.quote(request)
        return memo[request]

    for on, group in by_day.items():
        people = {p.pk: p for p in Person.objects.filter(pk__in=[t.person_id for t in group])
                  .only("ethnicity", "island_resident")
                  .annotate(poverty_then=Subquery(_poverty_on(OuterRef(OuterRef("pk")), on)[:1]),
                            months_paid=_supported_months(OuterRef("pk")))}
        for term in group:
            error = _outdated(term, people[term.person_id], quote)  # type: ignore[index]
            if error is not None:
                refused[term.pk] = error
    return refused


def recheck_vsi_grouped(terms: QuerySet[Enrollment]) -> dict[int, DomainError]:
    """``recheck_vsi_terms`` (PostgreSQL) for terms given as a query, read grouped by what quotes them
    (the stored amounts, the calculation's inputs, the person's groups and supported months used): one
    quote and one comparison per group, not per term, and no object per term. The people are locked
    first (by id, as ``lock_people``). Returns the refusal of each term whose amounts no longer hold."""
    once.lock_people(list(terms.filter(person_id__isnull=False).values_list("person_id", flat=True)))
    refused: dict[int, DomainError] = {}
    memo: dict[vsi.VsiQuoteInput, Any] = {}

    def quote(request: vsi.VsiQuoteInput) -> Any:
        if request not in memo:
            memo[request] = vsi.quote(request)
        return memo[request]

    shown = ("income", "months", "method", "support_groups", "supported_months", "state_support", "local_support",
             "payable", "override", "province", "fund_return", "ethnicity", "island", "poverty_then", "months_paid")
    for on in sorted(set(terms.order_by().values_list("quoted_on", flat=True).distinct())):
        groups = (terms.filter(quoted_on=on).order_by()
                  .annotate(poverty_then=Subquery(_poverty_on(OuterRef(OuterRef("person_id")), on)[:1]),
                            months_paid=_supported_months(OuterRef("person_id")),
                            override=KeyTransform("override_reason", "calculation__inputs"),
                            province=KeyTransform("province", "calculation__inputs"),
                            fund_return=KeyTransform("fund_return", "calculation__inputs"),
                            ethnicity=F("person__ethnicity"), island=F("person__island_resident"))
                  .values(*shown).annotate(ids=ArrayAgg("pk")))
        for row in groups:
            calculation = CalculationRecord(inputs={"override_reason": row["override"], "province": row["province"],
                                                    "fund_return": row["fund_return"]})
            term = Enrollment(quoted_on=on, income=row["income"], months=row["months"], method=row["method"],
                              support_groups=row["support_groups"], supported_months=row["supported_months"],
                              state_support=row["state_support"], local_support=row["local_support"],
                              payable=row["payable"], calculation=calculation)
            person = Person(ethnicity=row["ethnicity"], island_resident=row["island"])
            person.poverty_then, person.months_paid = row["poverty_then"], row["months_paid"]  # type: ignore[attr-defined]
            if _outdated(term, person, quote) is None:
                continue
            for pk in row["ids"]:  # the refusal names its term
                term.pk = pk
                refused[pk] = _outdated(term, person, quote)  # type: ignore[assignment]
    return refused


def _outdated(enrollment: Enrollment, person: Person,
              quote: Callable[[vsi.VsiQuoteInput], Any] = vsi.quote) -> DomainError | None:
    """The refusal of a term whose stored amounts differ from a quote made again now (the person read
    with ``poverty_then`` and ``months_paid``), or None when they still hold."""
    inputs = enrollment.calculation.inputs
    overridden = bool(inputs.get("override_reason"))
    groups = list(enrollment.support_groups) if overridden else _groups(person.poverty_then, person)
    used = int(person.months_paid or 0)
    fund_return = inputs.get("fund_return")
    now = quote(vsi.VsiQuoteInput(
        on=enrollment.quoted_on, income=enrollment.income or 0, months=enrollment.months,
        method=vsi.Method(enrollment.method), groups=frozenset(groups), province=inputs.get("province"),
        supported_months_used=used, fund_return=Decimal(fund_return) if fund_return is not None else None))
    stored = (enrollment.supported_months, enrollment.state_support, enrollment.local_support, enrollment.payable)
    if (now.supported_months, now.state_support, now.local_support, now.payable) == stored:
        return None
    return DomainError(
        ErrorCode.QUOTE_OUTDATED,
        _("Mức đóng của kỳ số {pk} đã tính với {supported_months} tháng được Nhà nước hỗ trợ (nhóm: {value}); "
          "theo dữ liệu hiện nay người này đã dùng {used} tháng hỗ trợ và thuộc nhóm: {value2}, nên kỳ này còn "
          "{supported_months2} tháng được hỗ trợ và phải đóng {value3} thay vì {value4}. Hãy huỷ kỳ chờ thu này "
          "và tính lại mức đóng trước khi thu tiền.").format(
            pk=enrollment.pk, supported_months=enrollment.supported_months,
            value=', '.join(enrollment.support_groups) or _('không có'), used=used,
            value2=', '.join(groups) or _('không có'),
            supported_months2=now.supported_months, value3=format_vnd(now.payable),
            value4=format_vnd(enrollment.payable)),
        "The term's support no longer holds (support cap or groups changed): cancel and re-quote it.",
        enrollment_id=enrollment.pk)


def _recheck_hi_group(enrollment: Enrollment, household: Household) -> None:
    """A household-HI term's members' group was the household's poverty status on the quote's day; a status
    recorded since for that day (near-poor, poor, or none) changes who pays what: refuse, to re-quote."""
    poverty = household_poverty(household, enrollment.quoted_on)
    now = GROUP_OF_STATUS.get(poverty.status, household_hi.HOUSEHOLD) if poverty else household_hi.HOUSEHOLD
    quoted = (enrollment.calculation.inputs or {}).get("group", household_hi.HOUSEHOLD)
    if now == quoted:
        return
    labels = household_hi.GROUP_LABELS
    raise DomainError(
        ErrorCode.QUOTE_OUTDATED,
        _("Kỳ số {pk} đã tính các thành viên thuộc nhóm «{value}»; theo dữ liệu hiện nay hộ thuộc nhóm «{value2}» "
          "vào ngày {quoted_on:%d/%m/%Y}. Hãy huỷ kỳ chờ thu này và tính lại mức đóng trước khi thu tiền.").format(
            pk=enrollment.pk, value=labels[quoted], value2=labels[now], quoted_on=enrollment.quoted_on),
        "The household's poverty status on the quote's day changed: cancel and re-quote the term.",
        enrollment_id=enrollment.pk)


def check_groups(groups: list[str]) -> list[str]:
    unknown = [g for g in groups if g not in SUPPORT_GROUPS]
    if unknown:
        raise invalid_input(_("Nhóm hỗ trợ không hợp lệ: {value}.").format(value=', '.join(unknown)), "Unknown "
                                                                                                      "support group.",
                            field="groups")
    return groups


@transaction.atomic
def stop_plan(actor: AbstractBaseUser | None, scope: Scope, person_id: int, on: date) -> VsiPlan:
    """The participant registers a stop of voluntary SI (dừng đóng) on ``on``: the plan is stopped and the
    collector's D05-TS of that period lists it under II Giảm (payments.lists490). Stopping twice keeps the
    first day."""
    plan = VsiPlan.objects.select_for_update().filter(person_id=person_id).first()
    if plan is None or not scope.has_area(plan.person.area_id):
        raise not_found()
    scope.require_write(plan.person.area_id)
    if on > timezone.localdate():
        raise invalid_input(_("Ngày dừng đóng không được sau hôm nay: chỉ ghi khi người tham gia đã đăng ký dừng."),
                            "A stop cannot be dated in the future.", field="on")
    if on < plan.start_month:
        raise invalid_input(_("Ngày dừng đóng phải từ tháng bắt đầu tham gia ({start_month:%m/%Y}) trở đi.").format(
                                start_month=plan.start_month),
                            "A stop cannot come before the plan started.", field="on")
    if plan.status != PlanStatus.STOPPED:
        before = plan.status
        plan.status, plan.stopped_on = PlanStatus.STOPPED, on
        plan.save(update_fields=["status", "stopped_on"])
        audit(actor, "update", "vsi_plan", plan.pk, plan.person.area_id,
              {"status": (before, PlanStatus.STOPPED), "stopped_on": (None, on)})
    return plan
