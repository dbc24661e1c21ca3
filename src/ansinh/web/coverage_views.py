"""Coverage pages (issue 18): a person's coverage through another group (recorded and ended by the
staff of their commune), and the coverage report by commune with its gap lists."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ansinh.areas.models import AdministrativeUnit
from ansinh.enrollment.models import Scheme
from ansinh.lib.i18n import Labels
from ansinh.lib.money import format_share
from ansinh.lib.periods import format_date_vi
from ansinh.org.scope import scope_for
from ansinh.registry import other_coverage, queries
from ansinh.registry.models import Person
from ansinh.reports import coverage as reporting
from ansinh.reports.queries import LEVEL_NAMES
from ansinh.web.common import export_query, export_table, or_404, run_service, writers_only
from ansinh.web.coverage_forms import CoverageReportForm, EndCoverageForm, OtherCoverageForm


@login_required
def other_coverage_page(request: HttpRequest, person_id: int) -> HttpResponse:
    """The person's records and a form to add one; a POST with ``end`` ends that record instead."""
    scope = scope_for(request.user)
    found: Person = or_404(lambda: queries.person(scope, person_id))
    writers_only(scope)
    ending = request.method == "POST" and "end" in request.POST
    form = OtherCoverageForm(request.POST if request.method == "POST" and not ending else None)
    end_form = EndCoverageForm(request.POST if ending else None)
    if (
        ending
        and run_service(
            end_form,
            lambda: other_coverage.end(
                request.user, scope, end_form.cleaned_data["end"], end_form.cleaned_data["valid_to"]
            ),
        )
        is not None
    ):
        return redirect("web:other_coverage", person_id)
    if (
        request.method == "POST"
        and not ending
        and run_service(
            form,
            lambda: other_coverage.add(
                request.user,
                scope,
                person_id,
                form.cleaned_data["kind"],
                form.cleaned_data["source"],
                form.cleaned_data["valid_from"],
                form.cleaned_data["valid_to"],
            ),
        )
        is not None
    ):
        return redirect("web:other_coverage", person_id)
    records = list(other_coverage.of_person(scope, person_id))
    return render(
        request,
        "web/other_coverage.html",
        {
            "person": found,
            "records": records,
            "form": form,
            "end_form": end_form,
            "title": _("Bảo hiểm qua nhóm khác — {full_name}").format(full_name=found.full_name),
        },
        status=400 if form.errors or end_form.errors else 200,
    )


COVERAGE_COLUMNS = [
    ("name", gettext_lazy("Địa bàn")),
    ("population", gettext_lazy("Dân số theo sổ")),
    ("covered_vsi", gettext_lazy("Đang tham gia BHXH TN")),
    ("covered_hi", gettext_lazy("Đang có thẻ BHYT HGĐ")),
    ("covered_elsewhere", gettext_lazy("Tham gia nơi khác")),
    ("lapsed", gettext_lazy("Gián đoạn")),
    ("never_covered", gettext_lazy("Chưa từng tham gia")),
    ("rate_registry", gettext_lazy("Tỷ lệ bao phủ (theo sổ)")),
    ("official", gettext_lazy("Dân số chính thức")),
    ("rate_official", gettext_lazy("Tỷ lệ bao phủ (theo dân số chính thức)")),
    ("vsi_target", gettext_lazy("Mục tiêu BHXH")),
    ("vsi_needed", gettext_lazy("Còn thiếu (BHXH)")),
    ("hi_target", gettext_lazy("Mục tiêu BHYT")),
    ("hi_needed", gettext_lazy("Còn thiếu (BHYT)")),
]
def _share(value: float | None) -> str:
    return format_share(value) if value is not None else "—"


def _as_dict(row: reporting.CoverageRow) -> dict[str, Any]:
    vsi, hi = row.targets.get(Scheme.VSI), row.targets.get(Scheme.HOUSEHOLD_HI)
    return {
        "name": row.name,
        **row.counts,
        "rate_registry": _share(row.rate_registry),
        "official": row.official if row.official is not None else "—",
        "rate_official": _share(row.rate_official),
        "vsi_target": _target_text(vsi),
        "vsi_needed": _needed(vsi),
        "hi_target": _target_text(hi),
        "hi_needed": _needed(hi),
    }


def _target_text(target: reporting.Target | None) -> str:
    if target is None:
        return "—"
    return _("{share}% {basis} đến {day}").format(
        share=str(target.share.normalize()).replace(".", ","),
        basis=BASIS_NAMES[target.basis],
        day=format_date_vi(target.target_date),
    )


def _needed(target: reporting.Target | None) -> int | str:
    return target.needed if target is not None and target.needed is not None else "—"


BASIS_NAMES = Labels({"working_age": gettext_lazy("lao động trong độ tuổi"), "population": gettext_lazy("dân số")})


def _view(request: HttpRequest) -> tuple[CoverageReportForm, reporting.CoverageView, bool]:
    today = timezone.localdate()
    form = CoverageReportForm(request.GET if "on" in request.GET else None, initial={"on": today, "map": "today"})
    on, remap = today, True
    if form.is_bound and form.is_valid():
        on, remap = form.cleaned_data["on"], form.cleaned_data["map"] != "recorded"
    return (
        form,
        reporting.CoverageView(on, scope_for(request.user).area_ids, on if remap else None),
        form.is_bound and not form.is_valid(),
    )


@login_required
def coverage_report(request: HttpRequest) -> HttpResponse:
    """Coverage by commune on a day, with drill-down province › area › commune › the commune's gap list."""
    form, view, refused = _view(request)
    scope = scope_for(request.user)
    level = request.GET.get("level", "area")
    level = level if level in ("area", "commune") else "area"
    area, commune = _int(request, "area"), _int(request, "commune")
    rows = [] if refused else reporting.table(view, level, area)
    note = ""
    if level == "area" and rows and all(r.key is None for r in rows):
        level, rows = "commune", reporting.table(view, "commune")
        note = _("Bản đồ này không còn cấp huyện (từ 01/07/2025): số liệu hiện theo xã/phường.")
    units = {u.pk: u for u in AdministrativeUnit.objects.filter(pk__in=[k for k in (area, commune) if k])}
    crumbs = _crumbs(request, area, commune, units, level)
    lines = [
        _("Ngày {day}; {shown}.").format(
            day=format_date_vi(view.on),
            shown=_("quy đổi về đơn vị hành chính tại ngày này")
            if view.on_map_of
            else _("theo đơn vị hành chính đã ghi"),
        )
    ]
    lines.append(" › ".join(c["name"] for c in crumbs))
    gaps = None
    if commune is not None and not refused:
        # the whole list as XLSX is an export job (reports.jobs, kind "gaps"), audited: the form below the list
        gaps = reporting.gap_people(view, commune, page=_int(request, "page") or 1)
    exported = export_table(
        request,
        f"bao-phu-{level}-{view.on:%Y%m%d}",
        _("Tỷ lệ bao phủ theo địa bàn"),
        lines,
        COVERAGE_COLUMNS,
        [_as_dict(r) for r in rows],
    )
    if exported:
        return exported
    return render(
        request,
        "web/report_coverage.html",
        {
            "form": form,
            "rows": [(r, _as_dict(r)) for r in rows],
            "level": level,
            "area": area,
            "commune": commune,
            "crumbs": crumbs,
            "note": note,
            "gaps": gaps,
            "gap_rows": [reporting.gap_dict(scope, r) for r in gaps.rows] if gaps else [],
            "gap_export": {"on": view.on.isoformat(), "commune": commune,
                           "map": "today" if view.on_map_of else "recorded"},
            "query": export_query(request),
            "base": export_query(request, "level", "area", "commune", "page"),
            "page_base": export_query(request, "page"),
            "keep": [(n, request.GET[n]) for n in ("level", "area", "commune") if n in request.GET],
            "on": view.on,
            "commune_name": units[commune].name if commune in units else "",
        },
        status=400 if refused else 200,
    )


def _int(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and len(value) < 12 else None


def _crumbs(
    request: HttpRequest, area: int | None, commune: int | None, units: dict[int, AdministrativeUnit], level: str
) -> list[dict[str, str]]:
    base = export_query(request, "level", "area", "commune", "page")
    crumbs = [{"name": str(LEVEL_NAMES["province"]), "href": f"?{base}"}]
    if area in units:
        crumbs.append({"name": units[area].name, "href": f"?{base}&level=commune&area={area}"})
    if commune in units:
        crumbs.append({"name": units[commune].name, "href": ""})
    else:
        crumbs.append({"name": str(LEVEL_NAMES[level]), "href": ""})
    return crumbs
