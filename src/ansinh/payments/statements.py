"""Bank-statement matching (issue 17 §3): each credit of a collector's statement is matched by the
payment reference in its description (``AS<id>C<check>``, enrollment/references.py) to a pending
enrolment the collector serves. The exact amount becomes a payment through ``record_payment`` (method:
bank transfer; idempotency key: the bank's transaction id, namespaced by the collector; time: the
bank's; agent: the enrolment's), with its receipt, facts and attribution like any cash payment. Every
other credit (underpaid, overpaid, unknown reference, already paid or sent twice) waits in the managers'
queue, where a manager matches it, marks it for a refund, or dismisses it; each decision audited.

A credit is kept once per (collector, bank transaction id): importing the same statement again, or
an overlapping one, finds every line known and changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from uuid import uuid4

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet, Sum, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.areas.queries import covered_ids
from ansinh.enrollment.models import Enrollment, EnrollmentStatus
from ansinh.enrollment.references import enrollment_ids_in
from ansinh.lib.errors import DomainError, ErrorCode, invalid_input
from ansinh.lib.money import format_vnd
from ansinh.lib.text import fold
from ansinh.org.models import Agent, OrgUnit, Role
from ansinh.org.queries import collectors
from ansinh.org.scope import Scope, not_found
from ansinh.payments.models import (
    LineOutcome,
    Payment,
    PaymentMethod,
    Resolution,
    StatementImport,
    StatementLine,
)
from ansinh.payments.services import record_payment
from ansinh.payments.statement_files import Credit, credits, parse_column_map
from ansinh.registry.audit import audit

PROGRESS_EVERY = 100  # lines between two saves of the import's progress
FILE_MAX = 20 * 1024 * 1024  # a month's statement of a busy post office is well under a megabyte
SUFFIXES = (".csv", ".xlsx", ".xls")


def key_of(collector_id: int, transaction_id: str) -> str:
    """The payment's idempotency key: the bank's id is unique only within the collector's account."""
    return f"bank:{collector_id}:{transaction_id}"


def served_areas(collector: OrgUnit, scope: Scope) -> frozenset[int]:
    """The communes whose enrolments a collector's statement may pay: those it serves, in the scope."""
    return frozenset(covered_ids(collector.areas.values_list("pk", flat=True))) & scope.area_ids


def may_import(scope: Scope) -> bool:
    """The collector's own staff reconcile its bank account (``rights.is_collector_staff``): a manager of
    the collector, or the province's admin; not its agents, nor BHXH's offices."""
    return scope.role in (Role.PROVINCE_ADMIN, Role.COLLECTOR_MANAGER)


def require_importer(scope: Scope) -> None:
    if not may_import(scope):
        raise DomainError(ErrorCode.FORBIDDEN,
                          _("Chỉ cán bộ quản lý của tổ chức dịch vụ thu đối chiếu sao kê ngân hàng."),
                          "Only the collector's managers reconcile its bank statement.")


def own_collectors(actor: AbstractBaseUser | None, scope: Scope) -> QuerySet[OrgUnit]:
    """The collectors whose statements the user reconciles (none for other roles)."""
    found = collectors(actor, scope)
    if scope.role == Role.PROVINCE_ADMIN:
        return found
    return found.filter(pk__in=scope.org_ids) if scope.role == Role.COLLECTOR_MANAGER else found.none()


def _collector(actor: AbstractBaseUser | None, scope: Scope, collector_id: int) -> OrgUnit:
    require_importer(scope)
    found = own_collectors(actor, scope).filter(pk=collector_id).first()
    if found is None:
        raise not_found()
    return found


def statement_dir() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "statements"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def start_import(actor: AbstractBaseUser | None, scope: Scope, collector_id: int, upload: UploadedFile | Path,
                 columns: str = "") -> StatementImport:
    """Check the collector and the file (read whole: a bad row refuses the statement now, with its
    row number), keep the file, and record the import; the caller runs or enqueues the matching."""
    collector = _collector(actor, scope, collector_id)
    wanted = parse_column_map(columns)
    name = upload.name if isinstance(upload, Path) else (upload.name or "")
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise invalid_input(_("Tệp sao kê phải là CSV hoặc XLSX."), "A statement is a CSV or XLSX file.", field="file")
    stored = statement_dir() / f"{uuid4().hex}{suffix}"
    if isinstance(upload, Path):
        stored.write_bytes(upload.read_bytes())
    else:
        if (upload.size or 0) > FILE_MAX:
            raise invalid_input(_("Tệp sao kê quá lớn (tối đa 20 MB)."), "The file is too large.", field="file")
        with stored.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
    try:
        total = sum(1 for _ in credits(stored, wanted))
    except DomainError:
        stored.unlink(missing_ok=True)
        raise
    return StatementImport.objects.create(collector=collector, user=actor if actor and actor.is_authenticated else None,
                                          file_name=Path(name).name[:200], stored_as=stored.name, columns=wanted,
                                          total=total)


def enrollment_agent(enrollment: Enrollment, collector_id: int, day: date) -> Agent | None:
    """Who the payment is credited to: the collector's agent who recorded the enrolment, else the
    collector's agent serving its commune (lowest id); active on the bank's day."""
    active = (Agent.objects.filter(collector_id=collector_id, active_from__lte=day)
              .filter(Q(active_to__isnull=True) | Q(active_to__gte=day)).order_by("pk"))
    own = active.filter(user_id=enrollment.created_by_id).first() if enrollment.created_by_id else None
    return own or active.filter(areas=enrollment.area_id).first()


@dataclass(frozen=True)
class Verdict:
    outcome: LineOutcome
    enrollment: Enrollment | None = None
    detail: str = ""


def judge(credit_amount: int, description: str, served: frozenset[int]) -> Verdict:
    """What a credit is, from its references and amount (nothing is written)."""
    ids = enrollment_ids_in(description)
    return verdict(credit_amount, ids, {e.pk: e for e in Enrollment.objects.filter(pk__in=ids, area_id__in=served)})


def verdict(credit_amount: int, ids: list[int], found: dict[int, Enrollment]) -> Verdict:
    """The rule of ``judge``, given the referenced terms of the collector's communes (by id): the first
    pending term of the exact amount, else the first pending one, else the first one."""
    if not ids:
        return Verdict(LineOutcome.UNKNOWN, detail=_("Nội dung chuyển khoản không có mã thanh toán."))
    terms = [found[i] for i in ids if i in found]
    if not terms:
        return Verdict(LineOutcome.UNKNOWN, detail=_("Mã thanh toán không thuộc đơn vị này."))
    pending = [t for t in terms if t.status == EnrollmentStatus.PENDING]
    term = next((t for t in pending if t.payable == credit_amount), pending[0] if pending else terms[0])
    if term.status != EnrollmentStatus.PENDING:
        return Verdict(LineOutcome.ALREADY_PAID, term, _("Khoản này đã được thu hoặc đã huỷ."))
    if credit_amount != term.payable:
        outcome = LineOutcome.UNDERPAID if credit_amount < term.payable else LineOutcome.OVERPAID
        return Verdict(outcome, term, _("Phải đóng {due}, chuyển {paid}.").format(due=format_vnd(term.payable),
                                                                            paid=format_vnd(credit_amount)))
    return Verdict(LineOutcome.MATCHED, term)


def _pay(actor: AbstractBaseUser | None, scope: Scope, collector: OrgUnit, enrollment: Enrollment, amount: int,
         transaction_id: str, booked_at: datetime) -> Payment:
    agent = enrollment_agent(enrollment, collector.pk, timezone.localdate(booked_at))
    if agent is None:
        raise DomainError(ErrorCode.INVALID_INPUT, _("Đơn vị không có nhân viên thu phụ trách xã của khoản này."),
                          "No agent of the collector serves the enrolment's commune.")
    return record_payment(actor, scope, enrollment.pk, amount=amount, method=PaymentMethod.BANK_TRANSFER,
                          idempotency_key=key_of(collector.pk, transaction_id), paid_at=booked_at, agent_id=agent.pk)


def match_credit(actor: AbstractBaseUser | None, scope: Scope, statement: StatementImport, served: frozenset[int],
                 credit: Credit) -> str:
    """One credit, in one transaction: its line, and its payment when it matches. Returns the outcome,
    or "known" for a line already imported (nothing is changed)."""
    collector = statement.collector
    if StatementLine.objects.filter(collector=collector, transaction_id=credit.transaction_id).exists():
        return "known"
    verdict = judge(credit.amount, credit.description, served)
    outcome, detail, payment = verdict.outcome, verdict.detail, None
    try:
        with transaction.atomic():
            if outcome == LineOutcome.MATCHED:
                try:
                    with transaction.atomic():
                        payment = _pay(actor, scope, collector, verdict.enrollment,  # type: ignore[arg-type]
                                       credit.amount, credit.transaction_id, credit.booked_at)
                except DomainError as error:
                    outcome, detail = LineOutcome.REFUSED, error.message[:300]
            StatementLine.objects.create(
                collector=collector, statement=statement, transaction_id=credit.transaction_id,
                booked_at=credit.booked_at, amount=credit.amount, description=credit.description,
                enrollment=verdict.enrollment, outcome=outcome, detail=detail, payment=payment,
                resolution=Resolution.AUTO if payment else Resolution.OPEN)
    except IntegrityError:  # the same line written meanwhile by another run of the import
        return "known"
    return str(outcome)


# ---- the managers' queue


def lines(actor: AbstractBaseUser | None, scope: Scope) -> QuerySet[StatementLine]:
    """The statement lines of the collectors the user works with (managers only see a queue)."""
    return (StatementLine.objects.filter(collector__in=own_collectors(actor, scope).values("pk"))
            .select_related("collector", "enrollment", "payment"))


def queue(actor: AbstractBaseUser | None, scope: Scope) -> QuerySet[StatementLine]:
    return lines(actor, scope).filter(resolution=Resolution.OPEN).order_by("booked_at", "pk")


def imports(actor: AbstractBaseUser | None, scope: Scope) -> QuerySet[StatementImport]:
    return (StatementImport.objects.filter(collector__in=own_collectors(actor, scope).values("pk"))
            .select_related("collector").order_by("-created_at", "-pk"))


def import_of(actor: AbstractBaseUser | None, scope: Scope, statement_id: int) -> StatementImport:
    require_importer(scope)
    found = imports(actor, scope).filter(pk=statement_id).first()
    if found is None:
        raise not_found()
    return found


def line_of(actor: AbstractBaseUser | None, scope: Scope, line_id: int) -> StatementLine:
    require_importer(scope)
    found = lines(actor, scope).filter(pk=line_id).first()
    if found is None:
        raise not_found()
    return found


def suggestions(line: StatementLine, scope: Scope, limit: int = 5) -> list[Enrollment]:
    """Pending enrolments the line may be for: the one its reference names, then those of the same
    amount whose person's folded name is written in the description (banks drop the accents)."""
    served = served_areas(line.collector, scope)
    pending = Enrollment.objects.filter(status=EnrollmentStatus.PENDING, area_id__in=served).select_related("person")
    named = list(pending.filter(pk__in=enrollment_ids_in(line.description))[:limit])
    text = f" {fold(line.description)} "
    by_name = (pending.filter(payable=line.amount).exclude(pk__in=[e.pk for e in named])
               .annotate(text=Value(text)).filter(person__isnull=False, text__contains=F("person__folded_name"))
               .order_by("pk")[:limit])
    return (named + list(by_name))[:limit]


def _note(note: str, message: str) -> str:
    if not note.strip():
        raise invalid_input(message, "A note is required.", field="note")
    return note.strip()[:300]


@transaction.atomic
def resolve_line(actor: AbstractBaseUser | None, scope: Scope, line_id: int, action: str, *,
                 enrollment_id: int | None = None, note: str = "") -> StatementLine:
    """A manager's decision on a queued line: ``match`` (to a pending enrolment of the collector: a
    payment of the amount due; an excess is noted for a refund), ``refund`` or ``dismiss`` (with a
    note). The same decision again returns the line; another one on a decided line is a conflict."""
    require_importer(scope)
    found = lines(actor, scope).filter(pk=line_id).values_list("pk", flat=True).first()
    if found is None:
        raise not_found()
    line = StatementLine.objects.select_for_update().select_related("collector").get(pk=found)
    _collector(actor, scope, line.collector_id)
    wanted = {"match": Resolution.MATCHED, "refund": Resolution.REFUND, "dismiss": Resolution.DISMISSED}.get(action)
    if wanted is None:
        raise invalid_input(_("Chọn cách xử lý: khớp, hoàn trả hoặc bỏ qua."), "Unknown action.", field="action")
    if line.resolution != Resolution.OPEN:
        if line.resolution == wanted and (action != "match" or line.enrollment_id == enrollment_id):
            return line
        raise DomainError(ErrorCode.IDEMPOTENCY_CONFLICT,
                          _("Giao dịch này đã được xử lý: {resolution}.").format(
                              resolution=Resolution(line.resolution).label.lower()),
                          "The line was already resolved.")
    area_id = line.enrollment.area_id if line.enrollment else None
    if action == "match":
        term = Enrollment.objects.filter(pk=enrollment_id or 0, area_id__in=served_areas(line.collector, scope)).first()
        if term is None:
            raise not_found()
        if line.amount < term.payable:
            raise invalid_input(_("Giao dịch {amount} ít hơn số phải đóng {due}: không khớp được, hãy hoàn trả "
                                  "hoặc đề nghị người tham gia chuyển bổ sung.").format(amount=format_vnd(line.amount),
                                                                          due=format_vnd(term.payable)),
                                "The credit is less than the amount due.", field="enrollment")
        excess = line.amount - term.payable
        line.note = _note(note, _("Chuyển thừa: ghi cách hoàn trả phần thừa.")) if excess else note.strip()[:300]
        line.payment = _pay(actor, scope, line.collector, term, term.payable, line.transaction_id, line.booked_at)
        line.enrollment, line.refund_amount, area_id = term, excess, term.area_id
    else:
        line.note = _note(note, _("Ghi lý do (hoàn trả cho ai, vì sao bỏ qua)."))
        line.refund_amount = line.amount if action == "refund" else 0
    line.resolution, line.resolved_by, line.resolved_at = wanted, actor, timezone.now()
    line.save(update_fields=["note", "payment", "enrollment", "refund_amount", "resolution", "resolved_by",
                             "resolved_at"])
    audit(actor, {"match": "bank_match", "refund": "bank_refnd", "dismiss": "bank_skip"}[action], "bank_line",
          line.pk, area_id or min(served_areas(line.collector, scope), default=None),
          {"resolution": (Resolution.OPEN.value, wanted.value), "note": ("", line.note),
           "enrollment": (None, line.enrollment_id), "refund": (0, line.refund_amount)})
    return line


@dataclass(frozen=True)
class TransferSummary:
    """The bank side of the reconciliation: credits received, as payments, refunds, waiting, dismissed."""

    credits: int
    paid: int
    refund: int
    waiting: int
    dismissed: int
    transfers: int  # every bank-transfer payment of the period in scope
    cash: int


def transfer_summary(actor: AbstractBaseUser | None, scope: Scope, payments: QuerySet[Payment], start: date,
                     end: date) -> TransferSummary:
    """Credits booked in the period (by the bank's day) beside the period's payments by method. The
    credits equal paid + refund + waiting + dismissed; paid is the part of the transfers that came by
    statement (a transfer may also be typed by hand)."""
    booked = lines(actor, scope).filter(booked_at__date__gte=start, booked_at__date__lte=end)
    got = booked.aggregate(credits=Sum("amount"), paid=Sum("payment__amount"), refund=Sum("refund_amount"),
                           waiting=Sum("amount", filter=Q(resolution=Resolution.OPEN)),
                           dismissed=Sum("amount", filter=Q(resolution=Resolution.DISMISSED)))
    by_method = payments.aggregate(transfers=Sum("amount", filter=Q(method=PaymentMethod.BANK_TRANSFER)),
                                   cash=Sum("amount", filter=Q(method=PaymentMethod.CASH)))
    return TransferSummary(**{k: int(v or 0) for k, v in {**got, **by_method}.items()})
