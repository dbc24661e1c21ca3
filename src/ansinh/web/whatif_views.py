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
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ansinh.lib.errors import DomainError
from ansinh.lib.money import format_vnd
from ansinh.lib.periods import format_date_vi
from ansinh.org.scope import scope_for
from ansinh.reports import whatif, whatif_changes, whatif_gap
from ansinh.rules.params import default_parameters
from ansinh.web.common import export_query, export_table, or_404, refused
from ansinh.web.field_forms import DATE_WIDGET, PeriodForm

MAX_DAYS = 366 * 15  # the synthetic province's whole history fits; a longer period is a typing slip
PAID, EVERYONE = "paid", "everyone"
PAYABLE_COLUMNS = [("payable_before", gettext_lazy("Người tham gia đóng — hiện hành")),
                   ("payable_after", gettext_lazy("Người tham gia đóng — phương án"))]


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

    def __init__(self, *args: Any, province: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for item in whatif_changes.editable(province):
            if item.unit == "percent":
                self.fields[item.field] = forms.DecimalField(label=item.label, required=False, min_value=0,
                                                             max_value=100, decimal_places=2)
            else:
                self.fields[item.field] = forms.IntegerField(label=item.label, required=False, min_value=0,
                                                             max_value=1_000_000_000)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and (cleaned["end"] - cleaned["start"]).days > MAX_DAYS:
            self.add_error("end", _("Kỳ tính tối đa 15 năm."))
        cleaned["mode"] = cleaned.get("mode") or PAID
        if cleaned["mode"] == EVERYONE and cleaned.get("vsi_min_age") is None and "vsi_min_age" not in self.errors:
            self.add_error("vsi_min_age", _("Hãy nhập tuổi tối thiểu tham gia BHXH tự nguyện theo văn bản hiện "
                                            "hành: ansinh không tự đặt con số này."))
        return cleaned


@login_required
def what_if(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    province = or_404(lambda: whatif_changes.province_of(scope))
    base, today = default_parameters(), timezone.localdate()
    start = date(today.year, 1, 1)
    initial = {"start": start, "end": today, **whatif_changes.current(base, province, start)}
    bound = "start" in request.GET
    form = WhatIfForm(request.GET if bound else None, province=province, initial=initial)
    context: dict[str, Any] = {"form": form, "found": None, "query": export_query(request)}
    if not bound or not form.is_valid():
        return render(request, "web/report_whatif.html", context, status=400 if bound else 200)
    data = form.cleaned_data
    everyone = data["mode"] == EVERYONE
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
        page = refused(error)
        if page is not None:
            raise page from None
        form.add_error(None, error.message)
        return render(request, "web/report_whatif.html", context, status=400)
    total = found.total()
    if everyone:
        income = whatif_gap.minimum_income(base, data["end"]) if data["income"] is None else data["income"]
        lines = [_("Nếu mọi người chưa có bảo hiểm ngày {on} (chưa từng tham gia hoặc đã dừng; không gồm người có "
                   "bảo hiểm khác) đều tham gia {months} tháng: BHXH tự nguyện từ {age} tuổi, thu nhập {income}/tháng; "
                   "BHYT hộ gia đình cho mọi người. Thay đổi áp dụng từ {effective}.").format(
                       on=format_date_vi(data["end"]), months=data["join_months"], age=data["vsi_min_age"],
                       income=format_vnd(income), effective=format_date_vi(effective))]
    else:
        lines = [_("Các kỳ đóng đã thu, tính từ {start} đến {end}; thay đổi áp dụng từ {effective}.").format(
            start=format_date_vi(found.start), end=format_date_vi(found.end), effective=format_date_vi(effective))]
    lines += [
        *(changes or [_("Không thay đổi tham số nào: phương án bằng quy định hiện hành.")]),
        _("Toàn tỉnh: NSNN {state} (chênh lệch {state_change}); NSĐP {local} (chênh lệch {local_change}).").format(
            state=format_vnd(total.state_after), state_change=format_vnd(total.state_change),
            local=format_vnd(total.local_after), local_change=format_vnd(total.local_change)),
    ]
    if everyone:
        lines.append(_("Người tham gia đóng: {before} theo quy định hiện hành, {after} theo phương án.").format(
            before=format_vnd(total.payable_before), after=format_vnd(total.payable_after)))
    rows = [r.as_dict() for r in found.rows]
    stem = (f"phuong-an-moi-nguoi-tham-gia-{found.end:%Y%m%d}" if everyone
            else f"phuong-an-{found.start:%Y%m%d}-{found.end:%Y%m%d}")
    columns = [*whatif.COLUMNS, *PAYABLE_COLUMNS] if everyone else whatif.COLUMNS
    exported = export_table(request, stem, _("Phương án hỗ trợ — chi phí NSNN và NSĐP"), lines, columns, rows)
    if exported:
        return exported
    context.update(found=found, total=total, rows=rows, lines=lines, changes=changes, everyone=everyone)
    return render(request, "web/report_whatif.html", context)
