"""The province's what-if page (issue 18) for its leadership: a period, a few changed figures, and what
they would have cost the state budget and the province per district (from 01/07/2025: commune) and year,
with the table as XLSX and the page as PDF (``?xlsx=1``, ``?pdf=1``). A GET that only reads: the changed
figures live in the address and in this run, never in the database.

Two modes: the terms and card lines paid in the period (``reports.whatif``), or "if everyone joined"
(``mode=everyone``, ``reports.whatif_gap``): the people with no coverage on the period's last day priced as if
each joined for a few months. The minimum VSI age is asked for, not assumed: no parameter file states it."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ansinh.lib.errors import DomainError
from ansinh.org.scope import scope_for
from ansinh.reports import jobs, whatif, whatif_changes, whatif_gap
from ansinh.rules.params import default_parameters
from ansinh.web.common import export_query, export_table, or_404, refused
from ansinh.web.field_forms import DATE_WIDGET, PeriodForm

MAX_DAYS = 366 * 15  # the synthetic province's whole history fits; a longer period is a typing slip
PAID, EVERYONE = "paid", "everyone"


class WhatIfForm(PeriodForm):
    mode = forms.ChoiceField(label=gettext_lazy("Tính trên"), required=False, initial=PAID, widget=forms.RadioSelect,
                             choices=[(PAID, gettext_lazy("Các kỳ đóng đã thu trong kỳ")),
                                      (EVERYONE, gettext_lazy("Nếu mọi người chưa có bảo hiểm vào ngày cuối kỳ "
                                                              "đều tham gia"))])
    vsi_min_age = forms.IntegerField(
        label=gettext_lazy("Nếu mọi người tham gia: tuổi tối thiểu tham gia BHXH tự nguyện (theo văn bản hiện hành)"),
        required=False, min_value=0, max_value=100)
    income = forms.IntegerField(
        label=gettext_lazy("Nếu mọi người tham gia: thu nhập đóng BHXH tự nguyện (đồng/tháng; để trống: mức thấp "
                           "nhất theo tham số)"), required=False, min_value=1, max_value=1_000_000_000)
    join_months = forms.TypedChoiceField(label=gettext_lazy("Nếu mọi người tham gia: số tháng tham gia"),
                                         required=False, coerce=int, empty_value=12, initial=12,
                                         choices=[(12, "12"), (6, "6"), (3, "3")])
    effective = forms.DateField(label=gettext_lazy("Áp dụng thay đổi từ ngày (mặc định: từ ngày đầu kỳ; nếu mọi "
                                                   "người tham gia: ngày cuối kỳ)"),
                                required=False, widget=DATE_WIDGET)

    def __init__(self, *args: Any, province: str, today: dict[str, Any], **kwargs: Any) -> None:
        """``today``: the figures in force today, shown in the empty boxes (an empty box changes nothing: a
        figure filled in for the reader would be a change on a day where it is not in force)."""
        super().__init__(*args, **kwargs)
        for item in whatif_changes.editable(province):
            shown = {"placeholder": f"{today[item.field].normalize():f}" if item.unit == "percent"
                     else str(today[item.field])}
            if item.unit == "percent":
                self.fields[item.field] = forms.DecimalField(label=item.label, required=False, min_value=0,
                                                             max_value=100, decimal_places=2,
                                                             widget=forms.NumberInput(attrs=shown))
            else:
                self.fields[item.field] = forms.IntegerField(label=item.label, required=False, min_value=0,
                                                             max_value=1_000_000_000,
                                                             widget=forms.NumberInput(attrs=shown))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and (cleaned["end"] - cleaned["start"]).days > MAX_DAYS:
            self.add_error("end", _("Kỳ tính tối đa 15 năm."))
        cleaned["mode"] = cleaned.get("mode") or PAID
        if cleaned["mode"] == EVERYONE and cleaned.get("vsi_min_age") is None and "vsi_min_age" not in self.errors:
            self.add_error("vsi_min_age", _("Hãy nhập tuổi tối thiểu tham gia BHXH tự nguyện theo văn bản hiện "
                                            "hành: ansinh không tự đặt con số này."))
        return cleaned


def _form(request: HttpRequest, data: Any) -> tuple[WhatIfForm, str, Any]:
    """The form of the reader's province (its leadership only: others are refused), bound to ``data``."""
    scope = scope_for(request.user)
    province = or_404(lambda: whatif_changes.province_of(scope))
    base, today = default_parameters(), timezone.localdate()
    return WhatIfForm(data, province=province, today=whatif_changes.current(base, province, today),
                      initial={"start": date(today.year, 1, 1), "end": today}), province, scope


def _joining(data: dict[str, Any]) -> dict[str, Any]:
    """The "if everyone joined" of the form, as the job's parameters."""
    return {"on": data["end"].isoformat(), "effective": (data["effective"] or data["end"]).isoformat(),
            "vsi_min_age": data["vsi_min_age"], "income": data["income"], "months": data["join_months"]}


def _refused(request: HttpRequest, form: WhatIfForm, context: dict[str, Any], error: DomainError) -> HttpResponse:
    """A refusal of the rules or the queue: out of scope or not the role's is the 404/403 page, the rest is
    said above the form (400)."""
    page = refused(error)
    if page is not None:
        raise page from None
    form.add_error(None, error.message)
    return render(request, "web/report_whatif.html", context, status=400)


@login_required
def what_if(request: HttpRequest) -> HttpResponse:
    bound = "start" in request.GET
    form, province, scope = _form(request, request.GET if bound else None)
    context: dict[str, Any] = {"form": form, "found": None, "query": export_query(request)}
    if not bound or not form.is_valid():
        return render(request, "web/report_whatif.html", context, status=400 if bound else 200)
    data = form.cleaned_data
    everyone = data["mode"] == EVERYONE
    if everyone and whatif_gap.population(province, scope.area_ids) > whatif_gap.INLINE_PEOPLE:
        # minutes of work at a province's size: asked for by a POST, priced by the queue with a progress bar
        kept = request.GET.copy()
        for name in ("xlsx", "pdf"):
            kept.pop(name, None)
        context["background"] = [(name, value) for name, values in kept.lists() for value in values]
        return render(request, "web/report_whatif.html", context)
    base = default_parameters()
    effective = data["effective"] or (data["end"] if everyone else data["start"])
    entered = {item.field: data.get(item.field) for item in whatif_changes.editable(province)}
    try:
        scenario, changes = whatif_changes.scenario(base, province, effective, entered, request.user.get_username())
        if everyone:
            found = whatif_gap.everyone_joined(data["end"], scenario, vsi_min_age=data["vsi_min_age"],
                                               income=data["income"], months=data["join_months"], province=province,
                                               baseline=base, area_ids=scope.area_ids)
        else:
            found = whatif.what_if(data["start"], data["end"], scenario, province=province, baseline=base,
                                   area_ids=scope.area_ids)
    except DomainError as error:
        return _refused(request, form, context, error)
    lines = whatif_changes.describe(found, changes, effective, _joining(data) if everyone else None)
    rows = [r.as_dict() for r in found.rows]
    stem = (f"phuong-an-moi-nguoi-tham-gia-{found.end:%Y%m%d}" if everyone
            else f"phuong-an-{found.start:%Y%m%d}-{found.end:%Y%m%d}")
    columns = [*whatif.COLUMNS, *whatif.PAYABLE_COLUMNS] if everyone else whatif.COLUMNS
    exported = export_table(request, stem, _("Phương án hỗ trợ — chi phí NSNN và NSĐP"), lines, columns, rows)
    if exported:
        return exported
    context.update(found=found, total=found.total(), rows=rows, lines=lines, changes=changes, everyone=everyone)
    return render(request, "web/report_whatif.html", context)


@login_required
@require_POST
def what_if_start(request: HttpRequest) -> HttpResponse:
    """"If everyone joined" for a large registry: the same form, posted, becomes a job of the queue
    (``reports.jobs``, kind "whatif"); its page shows the progress, then the totals and the table as XLSX."""
    form, province, _scope = _form(request, request.POST)
    context: dict[str, Any] = {"form": form, "found": None, "query": ""}
    if form.is_valid() and form.cleaned_data["mode"] != EVERYONE:
        form.add_error("mode", _("Chỉ phương án “nếu mọi người tham gia” được tính trong nền."))
    if not form.is_valid():
        return render(request, "web/report_whatif.html", context, status=400)
    data = form.cleaned_data
    entered = {item.field: data.get(item.field) for item in whatif_changes.editable(province)}
    params = _joining(data) | {"entered": whatif_changes.entered_as_json(province, entered),
                               "language": translation.get_language()}
    try:
        job = jobs.start(request.user, "whatif", params)  # type: ignore[arg-type]
    except DomainError as error:
        return _refused(request, form, context, error)
    if job.params != params:
        messages.info(request, _("Bạn đang có một phương án đang tính: hãy chờ nó xong rồi tính phương án khác."))
    return redirect("web:export", job_id=job.pk)
