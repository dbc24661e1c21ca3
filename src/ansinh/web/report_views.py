"""The province overview, read from the pre-aggregated facts and limited to the user's scope."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from ansinh.org.scope import scope_for
from ansinh.payments.exports import write_xlsx
from ansinh.reports import queries
from ansinh.web.field_forms import PeriodForm

COMMUNE_COLUMNS = [("code", "Mã xã"), ("name", "Xã/phường"), ("vsi_new", "BHXH tự nguyện (mới)"),
                   ("hi_new", "BHYT hộ gia đình (mới)"), ("amount", "Số tiền đã thu")]


def _period(request: HttpRequest) -> tuple[PeriodForm, Any, Any]:
    today = timezone.localdate()
    form = PeriodForm(request.GET or None, initial={"start": today - timedelta(days=30), "end": today})
    if form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"]
    return form, today - timedelta(days=30), today


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    form, start, end = _period(request)
    scope = scope_for(request.user)
    view = queries.overview(start, end, set(scope.area_ids))
    rows = queries.by_commune(start, end, set(scope.area_ids))
    if request.GET.get("xlsx"):
        response = HttpResponse(write_xlsx("Theo xa", COMMUNE_COLUMNS, rows),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="tong-hop-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"'
        return response
    days = sorted({r["day"] for r in view["by_day"]})
    series = {scheme: [next((int(r["people"]) for r in view["by_day"] if r["day"] == d and r["scheme"] == scheme), 0)
                       for d in days] for scheme in ("vsi", "household_hi")}
    chart = {"labels": [d.strftime("%d/%m") for d in days], "vsi": series["vsi"], "hi": series["household_hi"]}
    return render(request, "web/report_overview.html", {"form": form, "view": view, "rows": rows[:100],
                                                        "chart": json.dumps(chart), "start": start, "end": end})
