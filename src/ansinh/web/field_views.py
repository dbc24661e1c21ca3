"""The agent's field flow (quote → confirm → pay → receipt), the due list, and the managers' money pages.
Each view parses input and calls one service or query."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ansinh.enrollment import queries as coverage
from ansinh.enrollment import services as enrolling
from ansinh.enrollment.models import EnrollmentStatus, Scheme
from ansinh.org.queries import agents as org_agents
from ansinh.org.queries import collectors as org_collectors
from ansinh.org.scope import Scope, scope_for
from ansinh.payments import confirmations, declarations, documents, rights, statements
from ansinh.payments import queries as money
from ansinh.payments import services as paying
from ansinh.payments.models import PaymentMethod, Receipt
from ansinh.registry import queries as registry
from ansinh.rules.vsi import Method
from ansinh.web.common import export_query, export_table, or_404, run_service, vietqr_block, writers_only
from ansinh.web.field_forms import (
    ConfirmationForm,
    HiEnrollForm,
    MoneyPeriodForm,
    PaymentForm,
    RemittanceForm,
    ReversalDecisionForm,
    ReversalRequestForm,
    ReverseForm,
    StopPlanForm,
    VsiEnrollForm,
)


@login_required
def vsi_enroll(request: HttpRequest, person_id: int) -> HttpResponse:
    """Quote and, on "Xác nhận", save the term: one screen. A term waiting to be paid is shown, to pay
    it or cancel it (a wrong or stale quote: its months are then free to quote again)."""
    scope = scope_for(request.user)
    person = or_404(lambda: registry.person(scope, person_id))
    writers_only(scope)
    if request.method == "POST" and "cancel" in request.POST:
        return _cancel(request, "web:vsi_enroll", person_id)
    form = VsiEnrollForm(request.POST or None, initial={"on": timezone.localdate(), "months": 12,
                                                        "key": uuid.uuid4().hex})
    offer = None
    if request.method == "POST":
        offer = run_service(form, lambda: enrolling.quote_vsi(
            scope, person_id, form.cleaned_data["on"], form.cleaned_data["income"], form.cleaned_data["months"],
            Method(form.cleaned_data["method"]),
            enrolling.check_groups(form.cleaned_data["groups"]) if form.cleaned_data["override"] else None,
            form.cleaned_data["override_reason"], form.cleaned_data["rate"]))
        if offer is not None and "confirm" in request.POST:
            enrollment = run_service(form, lambda: enrolling.enroll_vsi(
                request.user, scope, offer, idempotency_key=form.cleaned_data["key"]))
            if enrollment is not None:
                return redirect("web:pay", enrollment.pk)
    pending = coverage.pending_terms(scope, person_id=person_id)
    return render(request, "web/vsi_enroll.html", {"form": form, "person": person, "offer": offer,
                                                   "pending": pending, "plan": coverage.vsi_plan(person_id),
                                                   "stop_form": StopPlanForm(initial={"on": timezone.localdate()})},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def vsi_stop(request: HttpRequest, person_id: int) -> HttpResponse:
    """The participant registers a stop (dừng đóng): the plan stops and the period's D05-TS lists it
    under II Giảm. Stopping again keeps the first day."""
    scope = scope_for(request.user)
    person = or_404(lambda: registry.person(scope, person_id))
    writers_only(scope)
    form = StopPlanForm(request.POST)
    if run_service(form, lambda: enrolling.stop_plan(request.user, scope, person_id, form.cleaned_data["on"])) is None:
        title = _("Dừng đóng BHXH tự nguyện — {full_name}").format(full_name=person.full_name)
        return render(request, "web/form.html", {"form": form, "title": title, "submit": _("Xác nhận dừng đóng")},
                      status=400)
    return redirect("web:vsi_enroll", person_id)


def _cancel(request: HttpRequest, page: str, target_id: int) -> HttpResponse:
    raw = request.POST.get("cancel", "")
    if not raw.isdigit():
        raise Http404
    or_404(lambda: enrolling.cancel_pending(request.user, scope_for(request.user), int(raw)))
    return redirect(page, target_id)


@login_required
def hi_enroll(request: HttpRequest, household_id: int) -> HttpResponse:
    scope = scope_for(request.user)
    card = or_404(lambda: registry.household_card(scope, household_id))
    writers_only(scope)
    if request.method == "POST" and "cancel" in request.POST:
        return _cancel(request, "web:hi_enroll", household_id)
    choices = [(str(m.person_id), m.person.full_name) for m in card.members]
    on = _posted_date(request) or timezone.localdate()
    form = HiEnrollForm(request.POST or None, member_choices=choices,
                        supported=enrolling.supported_group_on(scope, household_id, on),
                        initial={"on": timezone.localdate(), "members": [c[0] for c in choices],
                                 "key": uuid.uuid4().hex})
    offer = None
    if request.method == "POST":
        offer = run_service(form, lambda: enrolling.quote_hi(
            scope, household_id, [int(p) for p in form.cleaned_data["members"]], form.cleaned_data["on"],
            form.cleaned_data["months"], [int(p) for p in form.cleaned_data.get("as_household", [])]))
        if offer is not None and "confirm" in request.POST:
            enrollment = run_service(form, lambda: enrolling.enroll_hi(
                request.user, scope, offer, form.cleaned_data["initial_clinic"], form.cleaned_data["card_kind"],
                idempotency_key=form.cleaned_data["key"]))
            if enrollment is not None:
                return redirect("web:pay", enrollment.pk)
    rows = offer.rows if offer else []
    pending = coverage.pending_terms(scope, household_id=household_id)
    return render(request, "web/hi_enroll.html", {"form": form, "card": card, "offer": offer, "rows": rows,
                                                  "pending": pending}, status=400 if form.errors else 200)


def _posted_date(request: HttpRequest) -> date | None:
    """The date the form was posted with, to decide which fields it offers (the form validates it)."""
    try:
        return date.fromisoformat(request.POST.get("on", ""))
    except ValueError:
        return None


@login_required
def household_declaration(request: HttpRequest, household_id: int) -> HttpResponse:
    """NĐ 188 Mẫu số 4 of the household, to print for its signature (payments/declarations.py)."""
    doc = or_404(lambda: declarations.household_declaration(request.user, scope_for(request.user), household_id,
                                                            timezone.localdate()))
    return render(request, "web/household_declaration.html", {
        "doc": doc, "rows": [row.cells(index) for index, row in enumerate(doc.rows, 1)],
        "columns": declarations.COLUMNS, "title": declarations.TITLE, "form_code": declarations.FORM_CODE,
        "form_reference": declarations.FORM_REFERENCE, "declaration": declarations.DECLARATION})


@login_required
def household_declaration_pdf(request: HttpRequest, household_id: int) -> HttpResponse:
    doc = or_404(lambda: declarations.household_declaration(request.user, scope_for(request.user), household_id,
                                                            timezone.localdate()))
    response = HttpResponse(declarations.declaration_pdf(doc), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="mau-so-4-ho-{doc.household_code}.pdf"'
    return response


@login_required
def participant_declaration(request: HttpRequest, person_id: int) -> HttpResponse:
    """TK1-TS of the person, pre-filled from the registry, to print for signature (payments/declarations.py)."""
    doc = or_404(lambda: declarations.participant_declaration(request.user, scope_for(request.user), person_id,
                                                              timezone.localdate()))
    return render(request, "web/participant_declaration.html", {
        "doc": doc, "annex_columns": declarations.TK1_ANNEX, "title": declarations.TK1_TITLE,
        "form_code": declarations.TK1_CODE, "form_reference": declarations.TK1_REFERENCE,
        "declaration": declarations.DECLARATION})


@login_required
def participant_declaration_pdf(request: HttpRequest, person_id: int) -> HttpResponse:
    doc = or_404(lambda: declarations.participant_declaration(request.user, scope_for(request.user), person_id,
                                                              timezone.localdate()))
    response = HttpResponse(declarations.participant_pdf(doc), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="tk1-ts-{doc.person_id}.pdf"'
    return response


@login_required
def hi_declaration(request: HttpRequest, person_id: int) -> HttpResponse:
    """NĐ 188 Mẫu số 2 (HI only) of the person, pre-filled from the registry, to print for signature."""
    doc = or_404(lambda: declarations.hi_declaration(request.user, scope_for(request.user), person_id,
                                                     timezone.localdate()))
    return render(request, "web/hi_declaration.html", {
        "doc": doc, "title": declarations.HI2_TITLE, "form_code": declarations.HI2_CODE,
        "form_reference": declarations.HI2_REFERENCE, "declaration": declarations.DECLARATION})


@login_required
def hi_declaration_pdf(request: HttpRequest, person_id: int) -> HttpResponse:
    doc = or_404(lambda: declarations.hi_declaration(request.user, scope_for(request.user), person_id,
                                                     timezone.localdate()))
    response = HttpResponse(declarations.hi_declaration_pdf(doc), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="mau-so-2-{doc.person_id}.pdf"'
    return response


@login_required
def pay(request: HttpRequest, enrollment_id: int) -> HttpResponse:
    scope = scope_for(request.user)
    enrollment = or_404(lambda: money.enrollment_to_pay(scope, enrollment_id))
    writers_only(scope)
    if enrollment.status == EnrollmentStatus.PAID:
        return redirect("web:receipt", enrollment.payments.get(reverses__isnull=True).receipt.pk)
    form = PaymentForm(request.POST or None, initial={"amount": enrollment.payable, "key": uuid.uuid4().hex})
    if request.method == "POST":
        payment = run_service(form, lambda: paying.record_payment(
            request.user, scope_for(request.user), enrollment_id, amount=form.cleaned_data["amount"],
            method=form.cleaned_data["method"], idempotency_key=form.cleaned_data["key"],
            sponsor_id=form.cleaned_data["sponsor"].pk if form.cleaned_data["sponsor"] else None))
        if payment is not None:
            return redirect("web:receipt", payment.receipt.pk)
    return render(request, "web/pay.html", {"form": form, "enrollment": enrollment,
                                            "transfer": vietqr_block(money.transfer_request(enrollment, request.user))},
                  status=400 if form.errors else 200)


def _receipt(request: HttpRequest, receipt_id: int) -> tuple[Scope, Receipt]:
    scope = scope_for(request.user)
    found: Receipt = or_404(lambda: money.receipt(scope, receipt_id))
    return scope, found


def _size(request: HttpRequest) -> str:
    """The receipt's format from ``?kho=``: a 58 mm roll, or A5 (the default and anything else)."""
    return "58mm" if request.GET.get("kho") == "58mm" else "a5"


@login_required
def receipt(request: HttpRequest, receipt_id: int) -> HttpResponse:
    scope, found = _receipt(request, receipt_id)
    reversed_by = getattr(found.payment, "reversal", None)
    manager = rights.is_money_manager(scope)
    doc, size = documents.receipt_document(scope, found), _size(request)
    return render(request, "web/receipt.html", {"receipt": found, "doc": doc, "size": size,
                                                "roll_height": documents.roll_height_mm(doc) if size == "58mm" else 0,
                                                "reversed_by": reversed_by,
                                                "can_write": scope.can_write, "is_manager": manager,
                                                "reversal_request": money.last_reversal_request(found.payment),
                                                "reverse_form": ReverseForm(initial={"key": uuid.uuid4().hex}),
                                                "request_form": ReversalRequestForm(initial={"key": uuid.uuid4().hex}),
                                                "confirm_form": ConfirmationForm(),
                                                # a read-only role is not offered the writes (issue 13 #9)
                                                "may_confirm": confirmations.may_confirm(scope)})


@login_required
def receipt_pdf(request: HttpRequest, receipt_id: int) -> HttpResponse:
    scope, found = _receipt(request, receipt_id)
    document = documents.receipt_document(scope, found)
    response = HttpResponse(documents.receipt_pdf(document, _size(request)), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bien-lai-{found.serial}.pdf"'
    return response


@login_required
@require_POST
def reverse(request: HttpRequest, receipt_id: int) -> HttpResponse:
    """A manager cancels a payment at once, with a reason (an agent asks: ``reversal_request``)."""
    scope, found = _receipt(request, receipt_id)
    writers_only(scope)
    form = ReverseForm(request.POST)
    if run_service(form, lambda: paying.reverse_payment(request.user, scope, found.payment.pk,
                                                 form.cleaned_data["reason"], form.cleaned_data["key"],
                                                 timezone.now())) is None:
        return render(request, "web/form.html", {"form": form, "title": _("Huỷ khoản thu"), "submit": _("Huỷ")},
                      status=400)
    return redirect("web:receipt", receipt_id)


@login_required
@require_POST
def reversal_request(request: HttpRequest, receipt_id: int) -> HttpResponse:
    """An agent asks a manager to cancel a payment: nothing changes until it is approved."""
    scope, found = _receipt(request, receipt_id)
    writers_only(scope)
    form = ReversalRequestForm(request.POST)
    if run_service(form, lambda: paying.request_reversal(request.user, scope, found.payment.pk,
                                                        form.cleaned_data["reason"],
                                                        form.cleaned_data["key"])) is None:
        return render(request, "web/form.html", {"form": form, "title": _("Đề nghị huỷ khoản thu"), "submit": _("Gửi")},
                      status=400)
    return redirect("web:receipt", receipt_id)


@login_required
def reversal_requests(request: HttpRequest) -> HttpResponse:
    """The managers' queue: agents' requests to cancel a payment, waiting for a decision."""
    scope = scope_for(request.user)
    waiting = list(money.reversal_requests(scope)[:200])
    return render(request, "web/reversal_requests.html", {
        "waiting": waiting, "may_decide": rights.is_money_manager(scope) and scope.can_write,
        "form": ReversalDecisionForm()})


@login_required
@require_POST
def reversal_decide(request: HttpRequest, request_id: int) -> HttpResponse:
    """A manager's decision on a request (the service answers 404 out of scope, then 403 for other roles)."""
    scope = scope_for(request.user)
    form = ReversalDecisionForm(request.POST)
    if run_service(form, lambda: paying.decide_reversal(request.user, scope, request_id,
                                                       form.cleaned_data["decision"] == "approve",
                                                       form.cleaned_data["reason"])) is None:
        return render(request, "web/form.html", {"form": form, "title": _("Duyệt đề nghị huỷ khoản thu"),
                                                 "submit": _("Ghi quyết định")}, status=400)
    return redirect("web:reversal_requests")


@login_required
@require_POST
def confirm(request: HttpRequest, receipt_id: int) -> HttpResponse:
    """A manager records BHXH's confirmation code of this receipt (payments/confirmations.py)."""
    scope, found = _receipt(request, receipt_id)
    form = ConfirmationForm(request.POST)
    if run_service(form, lambda: confirmations.record_confirmation(
            request.user, scope, found.serial, form.cleaned_data["code"])) is None:  # type: ignore[arg-type]
        return render(request, "web/form.html", {"form": form, "title": _("Mã xác nhận của BHXH"), "submit": "Ghi"},
                      status=400)
    return redirect("web:receipt", receipt_id)


@login_required
def due(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("days", "30").strip() or "30"
    days = int(raw) if raw.isdigit() and 1 <= int(raw) <= 365 else None
    error = "" if days is not None else _("Số ngày phải là số nguyên từ 1 đến 365.")
    today = timezone.localdate()
    listed = coverage.DueList(scope_for(request.user), today, days or 30)
    if request.GET.get("xlsx"):  # the download keeps every row
        exported = export_table(request, f"viec-can-lam-{today:%Y%m%d}", _("Việc cần làm"), [], DUE_COLUMNS,
                                [_due_row(i) for i in listed.items()], pdf=False)
        if exported:
            return exported
    # One page of the list on screen (issue 14: an agent may have thousands of items due): the list
    # is sorted from plain values, and only the page's items are built and quoted.
    number = request.GET.get("page", "1")
    page = Paginator(listed, DUE_PAGE_SIZE).get_page(int(number) if number.isascii() and number.isdigit() else 1)
    return render(request, "web/due.html", {"items": page.object_list, "page": page, "days": days or 30,
                                            "error": error}, status=400 if error else 200)


DUE_PAGE_SIZE = 50


DUE_COLUMNS = [
    ("label", gettext_lazy("Việc")),
    ("due_date", gettext_lazy("Hạn")),
    ("deadline", gettext_lazy("Hạn đóng")),
    ("who", gettext_lazy("Người / hộ")),
    ("amount", gettext_lazy("Cần đóng")),
    ("note", gettext_lazy("Ghi chú")),
]


def _due_row(item: Any) -> dict[str, Any]:
    who = (
        item.person.full_name
        if item.person
        else _("Hộ {code}").format(code=item.household.code)
        if item.household
        else ""
    )
    return {
        "label": item.label,
        "due_date": item.due_date,
        "deadline": item.deadline or "",
        "who": who,
        "amount": item.amount_now if item.amount_now is not None else "",
        "note": " ".join(n for n in (item.note, item.deadline_note) if n),
    }


def _period(request: HttpRequest) -> tuple[MoneyPeriodForm, date, date]:
    today = timezone.localdate()
    form = MoneyPeriodForm(request.GET or None, initial={"start": today.replace(day=1), "end": today})
    if form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"]
    return form, today.replace(day=1), today


@login_required
def money_overview(request: HttpRequest) -> HttpResponse:
    """Managers: payments, reconciliation per day and agent, commission, and the lists for BHXH."""
    scope = scope_for(request.user)
    form, start, end = _period(request)
    paid = money.payments(scope).filter(paid_at__date__gte=start, paid_at__date__lte=end).order_by("-paid_at")
    collectors = org_collectors(request.user, scope)
    commission = money.commission_statements(scope, start, end)
    reconciliation, held = money.reconciliation_with_summary(scope, start, end, GRACE_DAYS)
    period = f"{start:%Y%m%d}-{end:%Y%m%d}"
    exported = export_table(
        request,
        f"doi-soat-{period}",
        _("Đối soát theo ngày và nhân viên thu"),
        [],
        RECONCILIATION_COLUMNS,
        [_reconciled(r) for r in reconciliation],
        "reconciliation",
        pdf=False,
    ) or export_table(
        request,
        f"hoa-hong-{period}",
        _("Hoa hồng"),
        [],
        COMMISSION_COLUMNS,
        [_commission(s, line) for s in commission.statements for line in s.lines],
        "commission",
        pdf=False,
    )
    if exported:
        return exported
    context: dict[str, Any] = {
        "form": form,
        "start": start,
        "end": end,
        "payments": paid[:200],
        "collectors": collectors,
        "reconciliation": reconciliation,
        "held": held,
        "grace_days": GRACE_DAYS,
        "commission": commission,
        "query": export_query(request),
        "waiting_reversals": money.reversal_requests(scope).count(),
        "transfers": statements.transfer_summary(request.user, scope, paid, start, end),  # type: ignore[arg-type]
        "may_import": statements.may_import(scope),
    }
    return render(request, "web/money.html", context, status=400 if form.errors else 200)


GRACE_DAYS = 1  # the page's remittance delay: cash of a day is handed over by the end of the next day
RECONCILIATION_COLUMNS = [
    ("day", gettext_lazy("Ngày")),
    ("agent", gettext_lazy("Nhân viên thu")),
    ("opening", gettext_lazy("Còn giữ đầu ngày")),
    ("collected", gettext_lazy("Thu tiền mặt trong ngày")),
    ("remitted", gettext_lazy("Nộp về đơn vị trong ngày")),
    ("outstanding", gettext_lazy("Còn giữ cuối ngày")),
    ("overdue", gettext_lazy("Trong đó quá hạn nộp")),
]
COMMISSION_COLUMNS = [
    ("month", gettext_lazy("Tháng")),
    ("agent", gettext_lazy("Nhân viên thu")),
    ("scheme", gettext_lazy("Loại hình")),
    ("renewal", gettext_lazy("Mới/tái tục")),
    ("method", gettext_lazy("Hình thức")),
    ("collected", gettext_lazy("Đã thu")),
    ("commission", gettext_lazy("Hoa hồng")),
]


def _reconciled(row: Any) -> dict[str, Any]:
    withheld = _("thu cả ngoài phạm vi của bạn")  # see ReconciliationRow: an agent's handovers are not split by area
    return {
        "day": row.day,
        "agent": row.agent.name,
        "collected": row.collected,
        **{
            name: withheld if getattr(row, name) is None else getattr(row, name)
            for name in ("opening", "remitted", "outstanding", "overdue")
        },
    }


def _commission(statement: money.MonthStatement, line: Any) -> dict[str, Any]:
    agent = statement.agent
    return {
        "month": f"{statement.month:%m/%Y}",
        "agent": f"{agent.name} ({agent.code})",
        "scheme": Scheme(line.scheme).label,
        "renewal": _("tái tục") if line.is_renewal else _("mới"),
        "method": PaymentMethod(line.method).label,
        "collected": line.collected,
        "commission": _("chưa có tỷ lệ theo hợp đồng") if line.commission is None else line.commission,
    }


NO_COLLECTOR = gettext_lazy(
    "Chưa ghi nộp tiền được: không có tổ chức dịch vụ thu nào phục vụ địa bàn trong phạm vi của bạn. "
    "Đề nghị quản trị tỉnh gán tổ chức dịch vụ thu cho địa bàn (trang quản trị, Tổ chức) hoặc cho tài "
    "khoản của bạn."
)


@login_required
def remittance_new(request: HttpRequest) -> HttpResponse:
    scope = writers_only(scope_for(request.user))
    choices = org_collectors(request.user, scope)
    if not choices.exists():  # a form with no possible choice says why instead of an empty list
        return render(
            request,
            "web/form.html",
            {"form": None, "title": _("Ghi nộp tiền"), "empty": NO_COLLECTOR},
            status=403 if request.method == "POST" else 200,
        )
    form = RemittanceForm(
        request.POST or None,
        collectors=choices,
        agents=org_agents(scope),
        initial={"on": timezone.localdate(), "key": uuid.uuid4().hex},
    )
    if (
        request.method == "POST"
        and run_service(
            form,
            lambda: paying.record_remittance(
                request.user,
                scope,
                kind=form.cleaned_data["kind"],
                collector_id=form.cleaned_data["collector"].pk,
                amount=form.cleaned_data["amount"],
                on=form.cleaned_data["on"],
                idempotency_key=form.cleaned_data["key"],
                agent_id=form.cleaned_data["agent"].pk if form.cleaned_data["agent"] else None,
                reference=form.cleaned_data["reference"],
            ),
        )
        is not None
    ):
        return redirect("web:money")
    return render(
        request,
        "web/form.html",
        {"form": form, "title": _("Ghi nộp tiền"), "submit": _("Lưu")},
        status=400 if form.errors else 200,
    )
