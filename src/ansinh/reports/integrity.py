"""The domain's own consistency check (`ansinh check integrity`): read-only queries that each name
what is wrong, one problem per row, so an operator (and the test suite, on the demo data) can tell
that the money trail still holds after a bulk load, a repair or a crash.

The facts are recomputed here from the payments independently of `services.refresh`: a check that
reused the writer's own query would agree with the writer's bugs.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.campaigns.models import Attribution
from ansinh.enrollment.models import Enrollment, EnrollmentStatus, HiCardLine, Scheme
from ansinh.org.models import Agent
from ansinh.payments.models import Payment, Receipt, ReceiptPool
from ansinh.reports.models import AreaDay, Fact, FrozenPeriod

TZ = timezone.get_default_timezone()
SHOWN_PER_CHECK = 50  # a broken bulk load can break thousands of rows; the first ones say enough


@dataclass(frozen=True)
class Problem:
    check: str  # a stable name, for scripts (`--json`)
    subject: str  # what it is about, e.g. "payment 12" or "pool BL40-2025"
    message: str  # Vietnamese, one line

    def __str__(self) -> str:
        return f"[{self.check}] {self.subject}: {self.message}"

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


# Numbers of a pool that are accounted for without a receipt row. Returned or voided receipts do not
# exist yet; when they do, their module appends a function here giving the numbers of one pool.
ACCOUNTED_NUMBERS: list[Callable[[ReceiptPool], QuerySet[Any, int]]] = [
    lambda pool: Receipt.objects.filter(pool=pool).values_list("number", flat=True),
]


def payments_without_receipt() -> Iterator[Problem]:
    """Every payment of a term carries exactly one receipt (one-to-one in the schema, so "at most one"
    holds by construction; a missing one is the failure). A reversal gets no receipt of its own."""
    for pk in Payment.objects.filter(reverses__isnull=True, receipt__isnull=True).values_list("pk", flat=True):
        yield Problem("payment_receipt", _("khoản thu {pk}").format(pk=pk), _("không có biên lai"))
    mismatched = Receipt.objects.exclude(amount=F("payment__amount")).values_list("number", "pool__series",
                                                                                 "payment_id")
    for number, series, payment_id in mismatched:
        yield Problem("payment_receipt", _("khoản thu {payment_id}").format(payment_id=payment_id),
                      _("biên lai {series}-{number:07d} ghi số tiền khác khoản thu").format(
                          series=series, number=number))


def receipt_pool_gaps() -> Iterator[Problem]:
    """Every number from 1 to next_number - 1 of a pool is used exactly once, none beyond."""
    for pool in ReceiptPool.objects.order_by("pk"):
        used = Counter(n for numbers in ACCOUNTED_NUMBERS for n in numbers(pool))
        issued = range(1, pool.next_number)
        missing = [n for n in issued if n not in used]
        twice = sorted(n for n, times in used.items() if times > 1)
        beyond = sorted(n for n in used if not 1 <= n < pool.next_number)
        subject = _("quyển {series} (đơn vị {collector_id})").format(
                      series=pool.series, collector_id=pool.collector_id)
        if missing:
            yield Problem("receipt_gap", subject, _("thiếu {value} số: {value2}").format(
                                                      value=len(missing), value2=_sample(missing)))
        if twice:
            yield Problem("receipt_gap", subject, _("số dùng hơn một lần: {value}").format(
                                                      value=_sample(twice)))
        if beyond:
            yield Problem("receipt_gap", subject,
                          _("số vượt quá số đã cấp ({value}): {value2}").format(
                              value=pool.next_number - 1, value2=_sample(beyond)))


def _sample(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:10])
    return shown + (f" … (+{len(numbers) - 10})" if len(numbers) > 10 else "")


def _net_paid() -> Subquery:
    total = Payment.objects.filter(enrollment=OuterRef("pk")).values("enrollment").annotate(t=Sum("amount")).values("t")
    return Coalesce(Subquery(total), Value(0), output_field=IntegerField())


def enrollments_paid_twice() -> Iterator[Problem]:
    """The payments of one enrollment sum to 0 (never paid, or reversed) or to what it costs; its
    status agrees with them."""
    netted = Enrollment.objects.annotate(net=_net_paid())
    for pk, net, payable in netted.exclude(net=0).exclude(net=F("payable")).values_list("pk", "net", "payable"):
        yield Problem("paid_twice", _("đợt đóng {pk}").format(pk=pk),
                      _("tổng đã thu {net} đ khác 0 và khác số phải đóng "
                                                             "{payable} đ").format(
                                                               net=net, payable=payable))
    live = Payment.objects.filter(enrollment=OuterRef("pk"), reverses__isnull=True, reversal__isnull=True)
    unpaid = Enrollment.objects.filter(status=EnrollmentStatus.PAID).exclude(Exists(live))
    for pk in unpaid.values_list("pk", flat=True):
        yield Problem("paid_twice", _("đợt đóng {pk}").format(pk=pk),
                      _("trạng thái «đã thu» nhưng không có khoản thu còn hiệu lực"))
    anything = Payment.objects.filter(enrollment=OuterRef("pk"))
    for pk in Enrollment.objects.filter(status=EnrollmentStatus.PENDING).filter(Exists(anything)).values_list(
            "pk", flat=True):
        yield Problem("paid_twice", _("đợt đóng {pk}").format(pk=pk), _("trạng thái «chờ thu» nhưng đã có khoản thu"))


def months_paid_twice() -> Iterator[Problem]:
    """Nobody is paid for the same VSI month, or the same card day, in two live terms."""
    live = Enrollment.objects.annotate(net=_net_paid()).filter(net__gt=0).values("pk")
    overlapping = Enrollment.objects.filter(pk__in=live, scheme=Scheme.VSI, person=OuterRef("person"),
                                            pk__lt=OuterRef("pk"), period_start__lte=OuterRef("period_end"),
                                            period_end__gte=OuterRef("period_start"))
    for pk, person_id in (Enrollment.objects.filter(pk__in=live, scheme=Scheme.VSI).filter(Exists(overlapping))
                          .values_list("pk", "person_id")):
        yield Problem("paid_twice", _("đợt đóng {pk}").format(pk=pk),
                      _("người {person_id} đã được thu cho cùng tháng ở đợt "
                                                             "khác").format(
                                                               person_id=person_id))
    cards = HiCardLine.objects.filter(enrollment__in=live, person=OuterRef("person"), pk__lt=OuterRef("pk"),
                                      valid_from__lte=OuterRef("valid_to"), valid_to__gte=OuterRef("valid_from"))
    for enrollment_id, person_id in (HiCardLine.objects.filter(enrollment__in=live).filter(Exists(cards))
                                     .values_list("enrollment_id", "person_id")):
        yield Problem("paid_twice", _("đợt đóng {enrollment_id}").format(enrollment_id=enrollment_id),
                      _("thẻ BHYT của người {person_id} trùng thời hạn với thẻ đã thu ở đợt khác").format(
                          person_id=person_id))


def _frozen_days() -> list[tuple[date, date]]:
    return list(FrozenPeriod.objects.values_list("start", "end"))


def _outside(frozen: list[tuple[date, date]], day: date) -> bool:
    return not any(a <= day <= b for a, b in frozen)


def _expected_per_day_and_area() -> dict[tuple[date, int], tuple[int, int, int]]:
    """(day, commune) → (amount, terms, people) straight from the payments, net of reversals."""
    holders = dict(HiCardLine.objects.values("enrollment").annotate(n=Count("pk")).values_list("enrollment", "n"))
    expected: dict[tuple[date, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    rows = (Payment.objects.annotate(day=TruncDate("paid_at", tzinfo=TZ))
            .values("day", "enrollment_id", "enrollment__area_id", "enrollment__scheme")
            .annotate(amount=Sum("amount"), terms=Count("pk", filter=Q(reverses__isnull=True)),
                      reversals=Count("pk", filter=Q(reverses__isnull=False))))
    for row in rows:
        cell = expected[row["day"], row["enrollment__area_id"]]
        sign = row["terms"] - row["reversals"]
        people = holders.get(row["enrollment_id"], 0) if row["enrollment__scheme"] == Scheme.HOUSEHOLD_HI else 1
        cell[0] += row["amount"]
        cell[1] += sign
        cell[2] += sign * people
    return {key: (a, t, p) for key, (a, t, p) in expected.items()}


def facts_equal_payments() -> Iterator[Problem]:
    """The dashboards' facts (full grain and the per-day roll-up) equal the payments per day and
    commune, except on frozen days, which keep the figures they were reported with."""
    frozen = _frozen_days()
    expected = _expected_per_day_and_area()
    facts = {(r["day"], r["area_id"]): (r["a"], r["t"], r["p"]) for r in Fact.objects.values("day", "area_id")
             .annotate(a=Sum("amount"), t=Sum("enrollments"), p=Sum("people"))}
    rolled = {(r["day"], r["area_id"]): (r["a"], r["t"], r["p"]) for r in AreaDay.objects.annotate(
        a=F("vsi_amount") + F("hi_amount"), t=F("enrollments"),
        p=F("vsi_new") + F("vsi_renewed") + F("hi_new") + F("hi_renewed")).values("day", "area_id", "a", "t", "p")}
    for check, table, label in (("facts", facts, "Fact"), ("facts", rolled, "AreaDay")):
        for key in sorted(set(expected) | set(table)):
            if not _outside(frozen, key[0]):
                continue
            want, got = expected.get(key, (0, 0, 0)), table.get(key, (0, 0, 0))
            if want != got:
                yield Problem(check, _("{label} {value:%d/%m/%Y} địa bàn {value2}").format(
                                         label=label, value=key[0], value2=key[1]),
                              _("(tiền, đợt, người) = {got}, theo khoản thu phải là {want}").format(
                                  got=got, want=want))


def payments_inside_frozen_periods() -> Iterator[Problem]:
    """A payment dated inside a period frozen before it was written is on a receipt and in the
    ledger but never in the reported figures: frozen means frozen."""
    for start, end, frozen_at in FrozenPeriod.objects.values_list("start", "end", "frozen_at"):
        late = (Payment.objects.annotate(day=TruncDate("paid_at", tzinfo=TZ))
                .filter(day__gte=start, day__lte=end, created_at__gt=frozen_at).values_list("pk", "day"))
        for pk, day in late:
            yield Problem("frozen_period", _("khoản thu {pk}").format(pk=pk),
                          _("ghi ngày {day:%d/%m/%Y} vào kỳ đã khoá {start:%d/%m/%Y}–{end:%d/%m/%Y} "
                            "sau khi khoá").format(
                              day=day, start=start, end=end))


def attributions_unique() -> Iterator[Problem]:
    """An enrollment counts at most once for a campaign."""
    twice = (Attribution.objects.values("enrollment_id", "campaign_id").annotate(n=Count("pk")).filter(n__gt=1)
             .values_list("enrollment_id", "campaign_id", "n"))
    for enrollment_id, campaign_id, n in twice:
        yield Problem("attribution", _("đợt đóng {enrollment_id}").format(enrollment_id=enrollment_id),
                      _("được tính {n} lần cho chiến dịch "
                                                                         "{campaign_id}").format(
                                                                           n=n, campaign_id=campaign_id))


def payments_match_their_agent() -> Iterator[Problem]:
    """A payment's collector is its agent's, and its collection point one of the agent's."""
    for pk in Payment.objects.filter(agent__isnull=False).exclude(collector=F("agent__collector")).values_list(
            "pk", flat=True):
        yield Problem("payment_agent", _("khoản thu {pk}").format(pk=pk), _("đơn vị thu khác đơn vị của nhân viên thu"))
    own_point = Agent.collection_points.through.objects.filter(agent_id=OuterRef("agent_id"),
                                                               orgunit_id=OuterRef("collection_point_id"))
    points = Payment.objects.filter(agent__isnull=False, collection_point__isnull=False).exclude(Exists(own_point))
    for pk in points.values_list("pk", flat=True):
        yield Problem("payment_agent", _("khoản thu {pk}").format(pk=pk), _("điểm thu không thuộc nhân viên thu"))


CHECKS: tuple[Callable[[], Iterator[Problem]], ...] = (
    payments_without_receipt, receipt_pool_gaps, enrollments_paid_twice, months_paid_twice, facts_equal_payments,
    payments_inside_frozen_periods, attributions_unique, payments_match_their_agent,
)


def check_integrity() -> list[Problem]:
    """Every problem found, at most SHOWN_PER_CHECK per check (reads only)."""
    found: list[Problem] = []
    for check in CHECKS:
        for i, problem in enumerate(check()):
            if i == SHOWN_PER_CHECK:
                break
            found.append(problem)
    return found
