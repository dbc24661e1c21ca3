"""Coverage and renewals: what is due, ending or lapsed, with the amount to pay now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Max, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ansinh.areas.queries import province_codes
from ansinh.enrollment.models import Enrollment, EnrollmentStatus, HiCardLine, PlanStatus, Scheme, VsiPlan
from ansinh.enrollment.services import GROUP_OF_STATUS, VsiHistory, derived_groups_of, vsi_histories
from ansinh.lib.errors import DomainError, invalid_input
from ansinh.lib.i18n import Labels
from ansinh.org.scope import Scope
from ansinh.registry.models import Household, HouseholdPoverty, Person
from ansinh.rules import household_hi, vsi
from ansinh.rules.params import UsedParameters, default_parameters


@dataclass(frozen=True)
class DueItem:
    kind: str  # vsi_due, vsi_overdue, hi_ending, hi_expired, hi_lapsed
    label: str
    person: Person | None
    household: Household | None
    due_date: date
    amount_now: int | None  # None when the rules refuse (the reason is in ``note``)
    note: str = ""
    deadline: date | None = None  # VSI: the method's last day to pay the period (rules.vsi.payment_deadline)
    deadline_note: str = ""  # VSI: why there is no deadline, when there is none

    @property
    def sort_date(self) -> date:
        return self.deadline or self.due_date

    @property
    def period_key(self) -> str:
        target = self.person.pk if self.person else self.household.pk if self.household else 0
        return f"{self.kind.split('_')[0]}:{target}:{self.due_date.isoformat()}"


LABELS = Labels({
    "vsi_due": gettext_lazy("BHXH tự nguyện đến kỳ đóng"),
    "vsi_overdue": gettext_lazy("BHXH tự nguyện quá hạn đóng"),
    "hi_ending": gettext_lazy("Thẻ BHYT sắp hết hạn"),
    "hi_expired": gettext_lazy("Thẻ BHYT đã hết hạn (gia hạn ngay để không gián đoạn)"),
    "hi_lapsed": gettext_lazy("BHYT đã gián đoạn"),
})


def pending_terms(scope: Scope, *, person_id: int | None = None, household_id: int | None = None) -> list[Enrollment]:
    """The person's VSI terms or the household's HI terms waiting to be paid (to pay, or cancel and re-quote)."""
    found = Enrollment.objects.filter(status=EnrollmentStatus.PENDING, area_id__in=scope.area_ids)
    found = (found.filter(scheme=Scheme.VSI, person_id=person_id) if person_id is not None
             else found.filter(scheme=Scheme.HOUSEHOLD_HI, household_id=household_id))
    return list(found.order_by("period_start"))


DUE_DAYS_MAX = 365  # a year ahead: every yearly card and payment shows once
DUE_ON = (date(1900, 1, 1), date(2999, 12, 31))  # far from date.max: the list adds days and months to it


def due_list(scope: Scope, on: date, days: int = 30) -> list[DueItem]:
    """Every item due, by deadline where there is one (the API, the reminders, the XLSX download)."""
    return DueList(scope, on, days).items()


@dataclass(frozen=True)
class _VsiRow:
    plan_id: int
    deadline: vsi.PaymentDeadline
    supported_months: int


@dataclass(frozen=True)
class _HiRow:
    household_id: int
    members: int
    group: str


# One item's place in the list, from plain values: (deadline or due date, due date, kind, the rest).
_Row = tuple[date, date, str, _VsiRow | _HiRow]


class DueList:
    """The due list, sorted, whose items are built and quoted only when sliced (issue 14): the order
    needs only plain values (the plans' ids, due months and deadlines, the cards' ends), so a page of
    50 costs the model instances and quotes of its 50 rows, and ``items()`` builds every one (the same
    items in the same order). A sequence for ``Paginator``: ``len()`` and slices."""

    def __init__(self, scope: Scope, on: date, days: int = 30) -> None:
        if not 1 <= days <= DUE_DAYS_MAX:
            raise invalid_input(_("Số ngày phải là số nguyên từ 1 đến {DUE_DAYS_MAX}.").format(
                                    DUE_DAYS_MAX=DUE_DAYS_MAX), "Days out of bounds.",
                                field="days")
        if not DUE_ON[0] <= on <= DUE_ON[1]:
            raise invalid_input(_("Ngày xem danh sách phải từ năm 1900 đến năm 2999."), "Day out of bounds.",
                                field="on")
        self.on = on
        self._plans = VsiPlan.objects.filter(status__in=[PlanStatus.ACTIVE, PlanStatus.LAPSED],  # lapsed: owed
                                             person__area_id__in=scope.area_ids)
        rows = _vsi_rows(self._plans, on) + _hi_rows(scope, on, days)
        self._rows = sorted(rows, key=lambda r: r[:3])  # by deadline where there is one, due date, kind

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, index: slice) -> list[DueItem]:
        rows = self._rows[index]
        whole = len(rows) == len(self._rows)
        vsi_rows = [r for r in rows if isinstance(r[3], _VsiRow)]
        hi_rows = [r for r in rows if isinstance(r[3], _HiRow)]
        built: dict[int, DueItem] = {}
        if vsi_rows:
            # the whole list reads its plans by the scope's subquery (5,000 ids in an IN list cost more)
            plans = self._plans if whole else self._plans.filter(pk__in=[r[3].plan_id for r in vsi_rows
                                                                       if isinstance(r[3], _VsiRow)])
            built.update(_vsi_items(self.on, vsi_rows, plans))
        if hi_rows:
            built.update(_hi_items(self.on, hi_rows))
        return [built[id(r)] for r in rows]

    def items(self) -> list[DueItem]:
        return self[:]


def _vsi_rows(active: QuerySet[VsiPlan], on: date) -> list[_Row]:
    """The active VSI plans whose next month is due, as plain values: a fixed number of queries however
    many plans (the paid history read once for all of them, by the services' bulk form), and each
    distinct deadline computed once."""
    histories = vsi_histories(active.values("person_id"))  # the plans' people as a subquery
    this_month = on.replace(day=1)
    params = default_parameters()  # read once for the deadlines of the whole list
    deadlines: dict[tuple[int, date], vsi.PaymentDeadline] = {}
    rows: list[_Row] = []
    for plan_id, person_id, term_months, start_month in (
            active.order_by("pk").values_list("pk", "person_id", "term_months", "start_month")):
        history = histories.get(person_id, VsiHistory())
        # services.next_vsi_month once this plan has a paid term; before that, the plan's first month
        due = history.next_month(on) if plan_id in history.plan_ids else start_month
        if due > this_month:
            continue
        if (term_months, due) not in deadlines:
            deadlines[term_months, due] = vsi.payment_deadline(term_months, due, params)
        deadline = deadlines[term_months, due]
        # Overdue once the method's deadline has passed (art. 36(3)); without a known deadline, once the
        # period's month has passed, and the line says why there is no deadline.
        late = on > deadline.deadline if deadline.deadline else due < this_month
        kind = "vsi_overdue" if late else "vsi_due"
        rows.append((deadline.deadline or due, due, kind, _VsiRow(plan_id, deadline, history.supported_months)))
    return rows


def _vsi_items(on: date, rows: list[_Row], plans: QuerySet[VsiPlan]) -> dict[int, DueItem]:
    """The items of these rows (by ``id(row)``): the plans, their people, groups and provinces read
    once for all of them, and each distinct quote computed once (a commune's plans share a few
    incomes and terms)."""
    found = {plan.pk: plan for plan in plans.select_related("person")}
    people = {plan.person_id: plan.person for plan in found.values()}
    derived = derived_groups_of(people.values(), on, plans.values("person_id"))
    provinces = province_codes({person.area_id for person in people.values()})  # the top-up, as quote_vsi does
    amounts: dict[tuple[int, int, frozenset[str], str | None, int], tuple[int | None, str]] = {}
    items = {}
    for row in rows:
        _unused, due, kind, rest = row
        assert isinstance(rest, _VsiRow)
        plan = found[rest.plan_id]
        groups = frozenset(plan.groups_override if plan.groups_override is not None else derived[plan.person_id])
        key = (plan.income, plan.term_months, groups, provinces[plan.person.area_id], rest.supported_months)
        if key not in amounts:
            amounts[key] = _vsi_amount(on, *key)
        amount, note = amounts[key]
        items[id(row)] = DueItem(kind, LABELS[kind], plan.person, None, due, amount, note,
                                 rest.deadline.deadline, rest.deadline.reason)
    return items


def _vsi_amount(on: date, income: int, months: int, groups: frozenset[str], province: str | None,
                used: int) -> tuple[int | None, str]:
    try:
        quote = vsi.quote(vsi.VsiQuoteInput(on=on, income=income, months=months, groups=groups, province=province,
                                            supported_months_used=used))
    except DomainError as error:
        return None, error.message
    # A province whose top-up is not configured: the amount is without it, and the line says so.
    return quote.payable, " ".join(n.message for n in quote.notices)


def _hi_rows(scope: Scope, on: date, days: int) -> list[_Row]:
    latest = (HiCardLine.objects.filter(enrollment__status=EnrollmentStatus.PAID,
                                        enrollment__household__area_id__in=scope.area_ids)
              .values("enrollment__household_id", "person_id").annotate(end=Max("valid_to"))
              .order_by("enrollment__household_id", "person_id"))
    ends: dict[int, list[tuple[int, date]]] = {}
    for row in latest:
        ends.setdefault(row["enrollment__household_id"], []).append((row["person_id"], row["end"]))
    use = UsedParameters(default_parameters(), on)
    poverty = _household_poverty_on(set(ends), on)
    rows: list[_Row] = []
    for household_id, members in ends.items():
        end = min(e for _unused, e in members)
        if end > on + timedelta(days=days):
            continue
        # as quote_hi derives it, from the statuses read once for the whole list
        group = GROUP_OF_STATUS.get(poverty.get(household_id, ""), household_hi.HOUSEHOLD)
        if group in STATE_PAID:
            continue  # the state pays these cards in full (commune list, ND 146/2018 art. 3, 8(1)(a)): nothing due
        # Still valid → ending; ended → within the era's continuity window, or lapsed.
        kind = "hi_ending" if end >= on else "hi_lapsed" if household_hi.lapsed(on, end, use) else "hi_expired"
        rows.append((end, end, kind, _HiRow(household_id, len(members), group)))
    return rows


def _hi_items(on: date, rows: list[_Row]) -> dict[int, DueItem]:
    """The items of these rows (by ``id(row)``), each distinct (members, group, province) priced once."""
    households = Household.objects.in_bulk([r[3].household_id for r in rows if isinstance(r[3], _HiRow)])
    provinces = province_codes({h.area_id for h in households.values()})  # the top-up, as quote_hi decides it
    priced: dict[tuple[int, str, str | None], tuple[int | None, str]] = {}
    items = {}
    for row in rows:
        _unused, end, kind, rest = row
        assert isinstance(rest, _HiRow)
        household = households[rest.household_id]
        key = (rest.members, rest.group, provinces[household.area_id])
        if key not in priced:
            priced[key] = _hi_amount(on, *key)
        amount, note = priced[key]
        items[id(row)] = DueItem(kind, LABELS[kind], None, household, end, amount, note)
    return items


STATE_PAID = (household_hi.POOR, household_hi.NEAR_POOR_FULL)  # the household pays nothing for these members


def _household_poverty_on(household_ids: set[int], on: date) -> dict[int, str]:
    """Each household's poverty status in force on ``on`` (the latest that started, then the latest
    recorded), as services.household_poverty reads it for one household: one query for the list."""
    latest: dict[int, tuple[date, int, str]] = {}
    for household_id, pk, valid_from, status in (
            HouseholdPoverty.objects.filter(household_id__in=household_ids, valid_from__lte=on)
            .exclude(valid_to__lt=on).values_list("household_id", "pk", "valid_from", "status")):
        if household_id not in latest or (valid_from, pk) > latest[household_id][:2]:
            latest[household_id] = (valid_from, pk, status)
    return {household_id: status for household_id, (_unused, _unused, status) in latest.items()}


def _hi_amount(on: date, members: int, group: str, province: str | None) -> tuple[int | None, str]:
    """What the household pays now for its members' next 12 months, priced as services.quote_hi does:
    each in the household's state group (near-poor: the state's share off), the province's top-up off."""
    try:
        quote = household_hi.quote(household_hi.HiQuoteInput(
            on=on, members=tuple(household_hi.HiMember(group=group) for _unused in range(members)), months=12,
            province=province))
    except DomainError as error:
        return None, error.message
    # A province whose top-up is not configured: the amount is without it, and the line says so.
    return quote.total, " ".join(n.message for n in quote.notices)


def vsi_plan(person_id: int) -> VsiPlan | None:
    """The person's standing voluntary-SI arrangement, if any (the caller has checked the person's scope)."""
    return VsiPlan.objects.filter(person_id=person_id).first()
