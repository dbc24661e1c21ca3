"""D05-TS (voluntary SI) and D03-TS (household HI) of a collector for a period, as QĐ 490/QĐ-BHXH lays
them out (templates: forms/d05_ts.yaml, forms/d03_ts.yaml). A payment is a row of I Tăng; a reversal is a
row of II Giảm (its amounts negative, as recorded). Identifiers go through the field policy (``exported``):
a read-only viewer sees them masked. The caller audits a list that leaves with full identifiers."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone

from ansinh.enrollment.models import Enrollment, EnrollmentStatus, HiCardLine, PlanStatus, Scheme, VsiPlan
from ansinh.lib.documents.listform import ListDocument, Template, Unit, list_pdf, list_xlsx, load_template
from ansinh.org.fields import PersonalField, exported
from ansinh.org.models import OrgUnit
from ansinh.org.scope import Scope
from ansinh.payments.documents import dejavu_pdf
from ansinh.payments.models import Payer, Payment
from ansinh.payments.queries import payments
from ansinh.registry.models import Membership
from ansinh.rules import household_hi
from ansinh.rules.params import default_parameters

FORMS = Path(__file__).resolve().parent / "forms"
FORM_FILES = {"d05": "d05_ts.yaml", "d03": "d03_ts.yaml"}
# Row kinds as BHXH practice codes them (no official text found: ADR 0010).
KIND_NOTE = {"new": "TM - tăng mới", "continuing": "DT - đóng tiếp", "rejoining": "DL - đóng lại",
             "catch_up": "DB - đóng bù", "reversal": "GH - giảm (đảo bút toán)", "stop": "GH - dừng đóng",
             "removed": "GH - giảm thành viên (rời hộ)"}
SEX_VI = {"male": "Nam", "female": "Nữ"}


def template(form: str, on: date) -> Template:
    return load_template(FORMS / FORM_FILES[form], on)


def unit_of(collector: OrgUnit) -> Unit:
    return Unit(collector.name, collector.code, collector.tax_code, collector.address, collector.phone,
                collector.email)


def _period_payments(scope: Scope, collector_id: int, scheme: str, start: date, end: date) -> QuerySet[Payment]:
    earlier = Enrollment.objects.filter(scheme=scheme, status=EnrollmentStatus.PAID,
                                        period_start__lt=OuterRef("enrollment__period_start"))
    earlier = (earlier.filter(person_id=OuterRef("enrollment__person_id")) if scheme == Scheme.VSI
               else earlier.filter(household_id=OuterRef("enrollment__household_id")))
    return (payments(scope).filter(collector_id=collector_id, enrollment__scheme=scheme, paid_at__date__gte=start,
                                   paid_at__date__lte=end)
            .annotate(joined_before=Exists(earlier))
            .select_related("enrollment__person__area", "enrollment__calculation", "receipt", "agent", "reverses")
            .order_by("paid_at", "pk"))


def row_kind(p: Any) -> str:
    """new, continuing (a renewal), re-joining (paid before, not continuing), catch-up, or a reversal."""
    if p.reverses_id:
        return "reversal"
    if p.enrollment.method == "catch_up":
        return "catch_up"
    if p.enrollment.is_renewal:
        return "continuing"
    return "rejoining" if p.joined_before else "new"


def _percent(amount: int, enrollment: Enrollment, stored: str) -> int | float:
    """A support's percentage of 22% × rural poverty line per supported month: the calculation record's
    own rate when it stores one (``stored``), else derived from the amounts and parameters it recorded."""
    result = enrollment.calculation.result or {}
    if stored in result:
        value = Decimal(str(result[stored])) * 100
        return int(value) if value == int(value) else float(value)
    used = {p["name"]: p["value"] for p in enrollment.calculation.parameters or []}
    months = enrollment.supported_months or enrollment.months
    if not amount or "rural_poverty_line" not in used or "vsi/contribution_rate" not in used or not months:
        return 0
    base = Decimal(str(used["vsi/contribution_rate"])) * int(used["rural_poverty_line"]) * months
    value = (Decimal(abs(amount)) * 100 / base).quantize(Decimal("0.1"))
    return int(value) if value == int(value) else float(value)


def _sign(p: Payment) -> int:
    return -1 if p.reverses_id else 1


def _staff(p: Payment) -> str:
    return p.agent.code if p.agent else ""


def d05_document(scope: Scope, collector: OrgUnit, start: date, end: date, number: str = "01",
                 day: date | None = None) -> ListDocument:
    doc = ListDocument(unit_of(collector), number, day or end, start, end, place=collector.address.split(",")[-1]
                       .strip() if collector.address else "")
    books = 0
    noticed: dict[str, int] = {}  # a notice of the terms' calculations (a top-up not configured) → rows
    for p in _period_payments(scope, collector.pk, Scheme.VSI, start, end).iterator(chunk_size=2000):
        e, person = p.enrollment, p.enrollment.person
        assert person is not None
        sign, kind = _sign(p), row_kind(p)
        sponsored = p.payer == Payer.SPONSOR
        address = exported(scope, PersonalField.ADDRESS, person.address_detail)
        other = p.amount if sponsored else 0
        rows = doc.decreases if sign < 0 else doc.increases
        receipt = getattr(p.reverses if sign < 0 else p, "receipt", None)
        rows.append({
            "stt": len(rows) + 1, "name": person.full_name,
            "si_code": exported(scope, PersonalField.SI_CODE, person.si_code),
            "citizen_id": exported(scope, PersonalField.CITIZEN_ID, person.citizen_id),
            "address": f"{address}, {person.area.name}".strip(", "),
            "receipt_date": timezone.localdate(p.paid_at), "receipt_number": receipt.serial if receipt else "",
            "income": e.income, "months": e.months, "from_month": e.period_start, "due": sign * e.gross,
            "paid": 0 if sponsored else p.amount,
            "state_percent": _percent(e.state_support, e, "support_rate"), "state_support": sign * e.state_support,
            "local_percent": _percent(e.local_support, e, "local_rate"), "local_support": sign * e.local_support,
            "other_percent": round(abs(other) * 100 / e.gross) if other and e.gross else 0, "other_support": other,
            "staff_code": _staff(p), "note": KIND_NOTE[kind], "method_code": e.method,
        })
        books += kind == "new"
        for notice in (e.calculation.result or {}).get("notices", []):
            noticed[notice["message"]] = noticed.get(notice["message"], 0) + 1
    doc.decreases.extend(_vsi_stops(scope, collector.pk, start, end, len(doc.decreases)))
    doc.facts = {"books": books}
    doc.notes = [f"Lưu ý: {message} ({count} dòng)" for message, count in noticed.items()]
    return doc


def _last_payment(collector_id: int | None = None, standing: bool = True) -> QuerySet[Payment]:
    """A term's payments (not reversals; with ``standing``, not reversed either), latest first."""
    paid = Payment.objects.filter(reverses__isnull=True)
    if standing:
        paid = paid.filter(reversal__isnull=True)
    return (paid.filter(**({"collector_id": collector_id} if collector_id is not None else {}))
            .order_by("-paid_at", "-pk"))


def _vsi_stops(scope: Scope, collector_id: int, start: date, end: date, before: int) -> list[dict[str, Any]]:
    """II Giảm: the plans stopped (dừng đóng) in the period whose last payment (reversed or not) this collector
    took. A stop moves no money: its amounts are 0 and the totals are unchanged (ADR 0010 addendum)."""
    last = _last_payment(standing=False).filter(enrollment__plan_id=OuterRef("pk"))
    plans = (VsiPlan.objects.filter(scope.areas_q("person__area"), status=PlanStatus.STOPPED,
                                    stopped_on__gte=start, stopped_on__lte=end)
             .annotate(last_collector=Subquery(last.values("collector_id")[:1]),
                       last_agent=Subquery(last.values("agent__code")[:1]))
             .filter(last_collector=collector_id).select_related("person__area").order_by("stopped_on", "pk"))
    rows = []
    for plan in plans:
        person = plan.person
        address = exported(scope, PersonalField.ADDRESS, person.address_detail)
        assert plan.stopped_on is not None
        rows.append({
            "stt": before + len(rows) + 1, "name": person.full_name,
            "si_code": exported(scope, PersonalField.SI_CODE, person.si_code),
            "citizen_id": exported(scope, PersonalField.CITIZEN_ID, person.citizen_id),
            "address": f"{address}, {person.area.name}".strip(", "), "receipt_date": None, "receipt_number": "",
            "income": plan.income, "months": 0, "from_month": plan.stopped_on.replace(day=1), "due": 0, "paid": 0,
            "state_percent": 0, "state_support": 0, "local_percent": 0, "local_support": 0, "other_percent": 0,
            "other_support": 0, "staff_code": plan.last_agent or "",  # type: ignore[attr-defined]
            "note": f"{KIND_NOTE['stop']} từ {plan.stopped_on:%d/%m/%Y}", "method_code": "stop",
        })
    return rows


def _hi_removals(scope: Scope, collector_id: int, start: date, end: date, before: int) -> list[dict[str, Any]]:
    """II Giảm: members who left the household in the period while a card of a paid household-HI term this
    collector took still covered them (the card is reported from the day after they left). No money moves:
    the amounts are 0 (ADR 0010 addendum)."""
    left = list(Membership.objects.filter(scope.areas_q("household__area"), valid_to__gte=start, valid_to__lte=end)
                .values_list("household_id", "person_id", "valid_to"))
    if not left:
        return []
    standing = _last_payment(collector_id).filter(enrollment_id=OuterRef("enrollment_id"))
    lines = (HiCardLine.objects.filter(live=True, enrollment__status=EnrollmentStatus.PAID,
                                       enrollment__scheme=Scheme.HOUSEHOLD_HI,
                                       person_id__in={p for _, p, _ in left})
             .filter(Exists(standing))
             .annotate(agent_code=Subquery(standing.values("agent__code")[:1]))
             .select_related("person__area", "enrollment").order_by("valid_from", "pk"))
    rows: list[dict[str, Any]] = []
    for line in lines:
        for household_id, person_id, day in left:
            if (household_id, person_id) != (line.enrollment.household_id, line.person_id) or \
                    not line.valid_from <= day < line.valid_to:
                continue
            person = line.person
            address = exported(scope, PersonalField.ADDRESS, person.address_detail)
            rows.append({
                "stt": before + len(rows) + 1, "name": person.full_name,
                "si_code": exported(scope, PersonalField.SI_CODE, person.si_code),
                "citizen_id": exported(scope, PersonalField.CITIZEN_ID, person.citizen_id),
                "date_of_birth": exported(scope, PersonalField.BIRTH_DATE, person.date_of_birth),
                "sex": SEX_VI.get(person.sex, person.sex), "address": f"{address}, {person.area.name}".strip(", "),
                "initial_clinic": line.initial_clinic, "receipt_date": None, "receipt_number": "", "amount": 0,
                "local_support": 0, "other_support": 0, "valid_from": day + timedelta(days=1), "months": 0,
                "staff_code": line.agent_code or "",  # type: ignore[attr-defined]
                "note": f"{KIND_NOTE['removed']} ngày {day:%d/%m/%Y}",
            })
    return rows


def d03_document(scope: Scope, collector: OrgUnit, start: date, end: date, number: str = "01",
                 day: date | None = None) -> ListDocument:
    doc = ListDocument(unit_of(collector), number, day or end, start, end, place=collector.address.split(",")[-1]
                       .strip() if collector.address else "")
    paid = _period_payments(scope, collector.pk, Scheme.HOUSEHOLD_HI, start, end).prefetch_related(
        Prefetch("enrollment__hi_lines", HiCardLine.objects.select_related("person__area").order_by("rank", "pk")))
    cards = 0
    shares: dict[tuple[str, int | float], int] = {}  # (member group, the state's %) → cards of the list
    for p in paid.iterator(chunk_size=1000):
        sign, kind = _sign(p), row_kind(p)
        rows = doc.decreases if sign < 0 else doc.increases
        receipt = getattr(p.reverses if sign < 0 else p, "receipt", None)
        sponsored = p.payer == Payer.SPONSOR
        for line in p.enrollment.hi_lines.all():
            person = line.person
            address = exported(scope, PersonalField.ADDRESS, person.address_detail)
            rows.append({
                "stt": len(rows) + 1, "name": person.full_name,
                "si_code": exported(scope, PersonalField.SI_CODE, person.si_code),
                "citizen_id": exported(scope, PersonalField.CITIZEN_ID, person.citizen_id),
                "date_of_birth": exported(scope, PersonalField.BIRTH_DATE, person.date_of_birth),
                "sex": SEX_VI.get(person.sex, person.sex), "address": f"{address}, {person.area.name}".strip(", "),
                "initial_clinic": line.initial_clinic, "receipt_date": timezone.localdate(p.paid_at),
                "receipt_number": receipt.serial if receipt else "",
                "amount": 0 if sponsored else sign * line.amount, "local_support": sign * line.local_support,
                "other_support": sign * line.amount if sponsored else 0,
                "valid_from": line.valid_from, "months": p.enrollment.months,
                "staff_code": _staff(p), "note": KIND_NOTE[kind],
            })
            cards += sign > 0
            if sign > 0:
                share = (line.group, _state_share(line))
                shares[share] = shares.get(share, 0) + 1
    doc.decreases.extend(_hi_removals(scope, collector.pk, start, end, len(doc.decreases)))
    base = default_parameters().at("base_salary", end).value
    doc.facts = {"cards": cards, "base_salary": base, **_share_facts(shares)}
    return doc


def _state_share(line: HiCardLine) -> int | float:
    """The state budget's share of the member's contribution, in %, as the card line was priced (poor 100,
    near-poor 70, the near-poor 100 % cases 100; a household member 0)."""
    if not line.gross or not line.state_support:
        return 0
    value = (Decimal(line.state_support) * 100 / line.gross).quantize(Decimal("0.1"))
    return int(value) if value == int(value) else float(value)


SHARE_LABELS = {household_hi.HOUSEHOLD: "hộ gia đình", household_hi.POOR: "hộ nghèo",
                household_hi.NEAR_POOR: "hộ cận nghèo", household_hi.NEAR_POOR_FULL: "hộ cận nghèo được hỗ trợ 100%"}


def _share_facts(shares: dict[tuple[str, int | float], int]) -> dict[str, str]:
    """The header's "Nguồn đóng" and "Tỷ lệ NSNN hỗ trợ": the form has no column for the state's share, so
    when the list holds members of a state-supported group the line names each group with its share and
    its cards (issue: the header said 0% whatever the members)."""
    supported = {k: n for k, n in shares.items() if k[1]}
    if not supported:
        return {"sources": "Người tham gia", "state_share": "0%"}
    order = {g: i for i, g in enumerate(household_hi.MEMBER_GROUPS)}
    parts = [f"{percent}% ({SHARE_LABELS.get(group, group)}: {count:,} thẻ)".replace(",", ".")
             for (group, percent), count in sorted(shares.items(), key=lambda kv: (order.get(kv[0][0], 99),
                                                                                    -kv[0][1]))]
    return {"sources": "Người tham gia, NSNN hỗ trợ", "state_share": "; ".join(parts)}


def render(form: str, scope: Scope, collector: OrgUnit, start: date, end: date, medium: str = "xlsx",
           number: str = "01") -> bytes:
    """The list ``form`` ("d05" or "d03") of a collector's period as XLSX or PDF (A4 landscape)."""
    build = d05_document if form == "d05" else d03_document
    doc = build(scope, collector, start, end, number)
    shape = template(form, doc.day)
    if medium == "pdf":
        return list_pdf(dejavu_pdf((210, 297), orientation="landscape"), shape, doc)
    return list_xlsx(shape, doc)
