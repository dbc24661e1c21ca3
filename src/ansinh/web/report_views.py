"""The dashboards, read from the pre-aggregated facts and limited to the user's scope: the province
overview with its drill-down, the agent leaderboard, renewals and lapses. Every table exports to
XLSX and every dashboard to PDF (``?xlsx=1``, ``?pdf=1`` on the same address)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ansinh.areas.models import AdministrativeUnit
from ansinh.enrollment.models import Scheme
from ansinh.lib.errors import DomainError
from ansinh.lib.money import format_number, format_share, format_vnd
from ansinh.lib.periods import format_date_vi
from ansinh.org.models import Agent, OrgUnit
from ansinh.org.scope import scope_for
from ansinh.reports import queries
from ansinh.reports.queries import COLUMNS, LEVEL_NAMES, LEVELS, NO_POINT, Row, Slice
from ansinh.web.common import export_query, export_table
from ansinh.web.field_forms import ReportForm
from ansinh.web.forms import RenewalPeriodForm

DRILL = ("level", "area", "commune", "point")  # where the drill-down stands, in the address
NEXT_LEVEL = {"area": "commune", "commune": "point", "point": "agent"}
SCHEME_NAMES = dict(Scheme.choices)
COHORT_COLUMNS = [
    ("month", gettext_lazy("Tháng hết hạn")),
    ("scheme_name", gettext_lazy("Loại hình")),
    ("ended", gettext_lazy("Số kỳ hết hạn")),
    ("renewed", gettext_lazy("Đã tái tục")),
    ("rate", gettext_lazy("Tỷ lệ tái tục")),
    ("open", gettext_lazy("Còn trong thời gian chờ")),
]
LAPSE_COLUMNS = [
    ("label", gettext_lazy("Lý do")),
    ("vsi", gettext_lazy("BHXH tự nguyện")),
    ("hi", gettext_lazy("BHYT hộ gia đình")),
    ("total", gettext_lazy("Cộng")),
]


def _slice(request: HttpRequest) -> tuple[ReportForm, Slice]:
    today = timezone.localdate()
    data = request.GET if "start" in request.GET else None
    form = ReportForm(data, initial={"start": today - timedelta(days=30), "end": today, "map": "recorded"})
    start, end, on_map = today - timedelta(days=30), today, None
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        on_map = today if form.cleaned_data["map"] == "today" else None
    return form, Slice(start, end, scope_for(request.user).area_ids, on_map)


def _int(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


def _period_line(view: Slice) -> str:
    shown = (
        _("quy đổi về đơn vị hành chính hiện nay") if view.on_map_of else _("theo đơn vị hành chính tại thời điểm thu")
    )
    return _("Từ {format_date_vi} đến {format_date_vi2}; {shown}.").format(
        format_date_vi=format_date_vi(view.start), format_date_vi2=format_date_vi(view.end), shown=shown
    )


def _bars(rows: Iterable[Row], count: int = 15) -> dict[str, Any]:
    """The top ``count`` rows for a ranked bar chart, and a height that fits them."""
    every = list(rows)
    top = every[:count]
    return {
        "data": {"labels": [r.name for r in top], "vsi": [r.vsi_new for r in top], "hi": [r.hi_new for r in top]},
        "height": 70 + 28 * len(top),
        "shown": len(top),
        "total": len(every),
    }  # the page says "the first 15 of 21" (issue 13 #15)


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    form, view = _slice(request)
    level = request.GET.get("level", "area")
    level = level if level in LEVELS else "area"
    area, commune, point = _int(request, "area"), _int(request, "commune"), _int(request, "point")
    rows = queries.drill(view, level, area, commune, point)
    note = ""
    if level == "area" and rows and all(r.key is None for r in rows):
        level, rows = "commune", queries.drill(view, "commune")
        note = _("Bản đồ này không còn cấp huyện (từ 01/07/2025): số liệu hiện theo xã/phường.")
    tiles = queries.overview_of(view)
    targets = queries.targets(view.end.year, view.end, view.area_ids)
    crumbs = _crumbs(request, level, area, commune, point)
    lines = [
        _period_line(view),
        " › ".join(c["name"] for c in crumbs),
        _(
            "BHXH tự nguyện (mới): {format_number} người; BHYT hộ gia đình (mới): {format_number2} "
            "người; tái tục: {format_number3} người; đã thu {format_vnd}; NSNN hỗ trợ {format_vnd2}; "
            "NSĐP hỗ trợ {format_vnd3}."
        ).format(
            format_number=format_number(tiles["vsi_new_people"]),
            format_number2=format_number(tiles["hi_new_people"]),
            format_number3=format_number(tiles["renewal_people"]),
            format_vnd=format_vnd(tiles["amount"]),
            format_vnd2=format_vnd(tiles["state_support"]),
            format_vnd3=format_vnd(tiles["local_support"]),
        ),
    ]
    top_up = queries.top_up_notices(view)
    lines += top_up
    lines += [
        _("Chỉ tiêu {value} năm {year}: {format_number}, đạt {format_number2} ({format_share})").format(
            value=t["label"],
            year=view.end.year,
            format_number=format_number(t["target"]),
            format_number2=format_number(t["done"]),
            format_share=format_share(t["share"]),
        )
        for t in targets
        if t["target"]
    ]
    exported = export_table(
        request,
        f"tong-hop-{level}-{view.start:%Y%m%d}-{view.end:%Y%m%d}",
        _("Tổng hợp kết quả — {value}").format(value=LEVEL_NAMES[level]),
        lines,
        COLUMNS,
        [r.as_dict() for r in rows],
    )
    if exported:
        return exported
    days = sorted({r["day"] for r in tiles["by_day"]})
    people = {(r["day"], r["scheme"]): int(r["people"]) for r in tiles["by_day"]}
    chart = {
        "labels": [d.strftime("%d/%m") for d in days],
        "vsi": [people.get((d, Scheme.VSI), 0) for d in days],
        "hi": [people.get((d, Scheme.HOUSEHOLD_HI), 0) for d in days],
    }
    return render(
        request,
        "web/report_overview.html",
        {
            "form": form,
            "view": tiles,
            "rows": rows,
            "level": level,
            "level_name": LEVEL_NAMES[level],
            "next_level": NEXT_LEVEL.get(level),
            "area": area,
            "commune": commune,
            "crumbs": crumbs,
            "note": note,
            "top_up": top_up,
            "targets": targets,
            "chart": chart,
            "bars": _bars(rows),
            "query": export_query(request),
            "base": export_query(request, *DRILL),
            "start": view.start,
            "end": view.end,
            "keep": [(name, request.GET[name]) for name in DRILL if name in request.GET],
        },
    )


def _crumbs(
    request: HttpRequest, level: str, area: int | None, commune: int | None, point: int | None
) -> list[dict[str, Any]]:
    """Where the drill-down stands: province › area › commune › collection point."""
    base = export_query(request, *DRILL)
    crumbs = [{"name": LEVEL_NAMES["province"], "href": f"?{base}"}]
    if area is not None and (unit := AdministrativeUnit.objects.filter(pk=area).first()):
        crumbs.append({"name": unit.name, "href": f"?{base}&level=commune&area={area}"})
    if commune is not None and (unit := AdministrativeUnit.objects.filter(pk=commune).first()):
        within = f"&area={area}" if area is not None else ""
        crumbs.append({"name": unit.name, "href": f"?{base}&level=point{within}&commune={commune}"})
    if point == NO_POINT:
        crumbs.append({"name": _("(không ghi điểm thu)"), "href": ""})
    elif point is not None and (org := OrgUnit.objects.filter(pk=point).first()):
        crumbs.append({"name": org.name, "href": ""})
    crumbs.append({"name": LEVEL_NAMES[level], "href": ""})
    return crumbs


@login_required
def leaderboard(request: HttpRequest) -> HttpResponse:
    form, view = _slice(request)
    rows = queries.leaderboard(view)
    names = {
        a.pk: a.collector.name for a in Agent.objects.filter(pk__in=[r.key for r in rows]).select_related("collector")
    }
    exported = export_table(
        request,
        f"xep-hang-nhan-vien-thu-{view.start:%Y%m%d}-{view.end:%Y%m%d}",
        _("Xếp hạng nhân viên thu"),
        [_period_line(view)],
        COLUMNS,
        [r.as_dict() for r in rows],
    )
    if exported:
        return exported
    return render(
        request,
        "web/report_leaderboard.html",
        {
            "form": form,
            "rows": [(r, names.get(r.key, "")) for r in rows],
            "bars": _bars(rows, 20),
            "query": export_query(request),
        },
    )


@login_required
def renewals(request: HttpRequest) -> HttpResponse:
    form = RenewalPeriodForm(request.GET or None)
    today, months = timezone.localdate(), 12
    if form.is_bound:
        if not form.is_valid():
            return render(
                request,
                "web/report_renewals.html",
                {
                    "form": form,
                    "cohorts": [],
                    "lapses": [],
                    "chart": {},
                    "today": today,
                    "months": months,
                    "lapse_total": 0,
                    "query": "",
                },
                status=400,
            )
        today = form.cleaned_data["until"] or today
        months = form.cleaned_data["months"] or months
    area_ids = scope_for(request.user).area_ids
    try:
        days = queries.lapse_days(today)
    except DomainError as error:  # the rule in force is not day-based: say so rather than guess
        return render(
            request,
            "web/form.html",
            {"form": None, "title": _("Tái tục và gián đoạn"), "empty": error.message},
            status=409,
        )
    cohorts = [c | {"scheme_name": SCHEME_NAMES[c["scheme"]]} for c in queries.renewal_cohorts(today, area_ids, months)]
    lapsed = queries.lapses(today, area_ids, months)
    lines = [
        _(
            "Các kỳ đóng hết hạn trong {months} tháng trước {format_date_vi}; tái tục: kỳ sau bắt đầu "
            "chưa đến {days} ngày sau ngày hết hạn."
        ).format(months=months, format_date_vi=format_date_vi(today.replace(day=1)), days=days)
    ]
    lines += [f"{r['label']}: {format_number(r['total'])}" for r in lapsed]
    exported = export_table(
        request, f"tai-tuc-{today:%Y%m%d}", _("Tái tục và gián đoạn"), lines, COHORT_COLUMNS, cohorts
    ) or export_table(
        request, f"gian-doan-{today:%Y%m%d}", _("Gián đoạn theo lý do"), [], LAPSE_COLUMNS, lapsed, "lapses", pdf=False
    )
    if exported:
        return exported
    ended = sorted({c["month"] for c in cohorts})
    rate = {(c["month"], c["scheme"]): round(c["rate"] * 100, 1) for c in cohorts}
    chart = {
        "labels": [m.strftime("%m/%Y") for m in ended],
        "vsi": [rate.get((m, Scheme.VSI)) for m in ended],
        "hi": [rate.get((m, Scheme.HOUSEHOLD_HI)) for m in ended],
    }
    return render(
        request,
        "web/report_renewals.html",
        {
            "form": form,
            "months": months,
            "query": export_query(request),
            "cohorts": cohorts,
            "lapses": lapsed,
            "chart": chart,
            "today": today,
            "lapse_days": days,
            "lapse_total": sum(r["total"] for r in lapsed),
        },
    )
