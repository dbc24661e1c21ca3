"""Visit lists (issue 18): a campaign's manager picks a commune and filters, sees how many households
they take, makes the list and assigns it to the campaign's teams; each team prints its A4 sheet (HTML
print or PDF) and records each visit's outcome. Each view parses, calls one service or query, renders."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ansinh.areas.queries import communes
from ansinh.campaigns import queries, visit_queries, visits
from ansinh.campaigns.models import AdvisoryTeam, VisitOutcome
from ansinh.campaigns.visit_documents import sheet_pdf
from ansinh.campaigns.visit_queries import COVERED_ELSEWHERE, LAPSED, NEVER_COVERED, SUPPORT_FILTERS, Filters
from ansinh.enrollment.models import Scheme
from ansinh.enrollment.once import KEY_MAX_LENGTH
from ansinh.lib.errors import DomainError
from ansinh.org.scope import Scope, scope_for
from ansinh.registry.models import Sex
from ansinh.web.choices import GROUP_LABELS
from ansinh.web.common import or_404, refused, run_service, writers_only
from ansinh.web.forms import DATE_WIDGET, MESSAGES, ScopedChoiceField, optional_whole_number
from ansinh.web.registry_forms import DomainForm

GAP_LABELS = {
    NEVER_COVERED: gettext_lazy("Chưa từng tham gia"),
    LAPSED: gettext_lazy("Gián đoạn"),
    COVERED_ELSEWHERE: gettext_lazy("Tham gia nơi khác"),
}
SUPPORT_LABELS = {**GROUP_LABELS, "none": gettext_lazy("Không thuộc nhóm ưu tiên")}


def group_label(code: str) -> str:
    return str(GROUP_LABELS.get(code, code))


class ListForm(DomainForm):
    area = ScopedChoiceField(label=gettext_lazy("Xã/phường"), queryset=None, empty_label=None)
    min_age = optional_whole_number(gettext_lazy("Từ tuổi"), 0, visit_queries.MAX_AGE)
    max_age = optional_whole_number(gettext_lazy("Đến tuổi"), 0, visit_queries.MAX_AGE)
    sex = forms.ChoiceField(
        label=gettext_lazy("Giới tính"), required=False, choices=[("", gettext_lazy("Tất cả")), *Sex.choices]
    )
    support_group = forms.ChoiceField(
        label=gettext_lazy("Nhóm được hỗ trợ"),
        required=False,
        choices=[("", gettext_lazy("Tất cả")), *((c, SUPPORT_LABELS[c]) for c in SUPPORT_FILTERS)],
    )
    lapsed_within_months = optional_whole_number(
        gettext_lazy("Chỉ người gián đoạn trong vòng … tháng"), 1, visit_queries.MAX_LAPSED_MONTHS
    )
    gaps = forms.MultipleChoiceField(
        label=gettext_lazy("Tình trạng tham gia"),
        choices=list(GAP_LABELS.items()),
        initial=list(visit_queries.VISITABLE),
        widget=forms.CheckboxSelectMultiple,
        error_messages=MESSAGES,
    )
    key = forms.CharField(widget=forms.HiddenInput, max_length=KEY_MAX_LENGTH, required=False)

    def __init__(self, *args: Any, areas: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas

    def filters(self) -> Filters:
        d = self.cleaned_data
        return Filters(
            min_age=d["min_age"],
            max_age=d["max_age"],
            sex=d["sex"],
            support_group=d["support_group"],
            lapsed_within_months=d["lapsed_within_months"],
            gaps=tuple(d["gaps"]),
        )


def _campaign(request: HttpRequest, slug: str, scope: Scope) -> Any:
    return or_404(lambda: queries.visible(scope, request.user, slug))


@login_required
def visit_lists(request: HttpRequest, slug: str) -> HttpResponse:
    """The campaign's lists, and for its managers the form of a new one with its preview count (a GET)."""
    scope, today = scope_for(request.user), timezone.localdate()
    campaign = _campaign(request, slug, scope)
    manager = visits.may_make_lists(scope, campaign)
    if request.method == "POST" and not manager:
        writers_only(scope)
        return _forbidden(request, _("Chỉ cán bộ quản lý của địa bàn chiến dịch mới lập danh sách hộ cần đến."))
    areas = communes(today, queries.campaign_area_ids(campaign) & scope.area_ids)
    data = request.POST if request.method == "POST" else request.GET if "area" in request.GET else None
    form = ListForm(data, areas=areas, initial={"key": uuid.uuid4().hex}) if manager else None
    preview = None
    if form is not None and request.method == "POST":
        made = run_service(
            form,
            lambda: visits.create_list(
                request.user,
                scope,
                campaign,
                form.cleaned_data["area"].pk,
                today,
                form.filters(),
                form.cleaned_data["key"] or None,
            ),
        )
        if made is not None:
            messages.success(request, _("Đã lập danh sách {count} hộ.").format(count=made.assignments.count()))
            return redirect("web:visit_list", slug, made.pk)
    elif form is not None and data is not None:
        preview = run_service(
            form, lambda: len(visit_queries.candidates(form.cleaned_data["area"].pk, today, form.filters().checked()))
        )
    return render(
        request,
        "web/visit_lists.html",
        {
            "campaign": campaign,
            "form": form,
            "preview": preview,
            "gap_labels": GAP_LABELS,
            "lists": visit_queries.lists_of(scope, campaign),
        },
        status=400 if form is not None and form.errors else 200,
    )


def _forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(
        request, "web/form.html", {"form": None, "title": _("Danh sách hộ cần đến"), "empty": message}, status=403
    )


def _assignments(request: HttpRequest) -> dict[int, int | None] | None:
    """The by-hand choices ``team_<row>``: a team's id or empty (none); None if one is not a number."""
    found: dict[int, int | None] = {}
    for name, value in request.POST.items():
        if not name.startswith("team_"):
            continue
        row, team = name.removeprefix("team_"), value.strip()
        if not row.isdigit() or (team and not team.isdigit()) or len(row) > 18 or len(team) > 18:
            return None
        found[int(row)] = int(team) if team else None
    return found


@login_required
def visit_list(request: HttpRequest, slug: str, list_id: int) -> HttpResponse:
    """A list's households, their teams and visits; its managers assign them (evenly or by hand)."""
    scope = scope_for(request.user)
    campaign = _campaign(request, slug, scope)
    found = or_404(lambda: visit_queries.list_for(scope, campaign, list_id))
    manager = visits.may_make_lists(scope, campaign, found.area_id)
    if request.method == "POST":
        writers_only(scope)
        if not manager:
            return _forbidden(request, _("Chỉ cán bộ quản lý của địa bàn chiến dịch mới giao danh sách hộ cần đến."))
        chosen = _assignments(request)
        try:
            if request.POST.get("mode") == "even":
                done = visits.assign_evenly(request.user, scope, campaign, found.pk)
            elif chosen is None:
                return _bad(request, _("Chọn tổ tư vấn trong danh sách."))
            else:
                done = visits.assign(request.user, scope, campaign, found.pk, chosen)
        except DomainError as error:
            page = refused(error)
            if page is not None:
                raise page from None
            return _bad(request, error.message)
        messages.success(request, _("Đã giao {count} hộ.").format(count=done))
        return redirect("web:visit_list", slug, found.pk)
    rows = list(visit_queries.rows_of(found))
    for r in rows:
        r.gap_label = str(GAP_LABELS.get(r.gap, r.gap))  # type: ignore[attr-defined]
    teams = visit_queries.teams_of(found)
    return render(
        request,
        "web/visit_list.html",
        {
            "campaign": campaign,
            "list": found,
            "rows": rows,
            "teams": teams,
            "manager": manager,
            "gap_labels": GAP_LABELS,
            "filters": _filters_text(found.filters),
        },
    )


def _bad(request: HttpRequest, message: str) -> HttpResponse:
    return render(
        request, "web/form.html", {"form": None, "title": _("Danh sách hộ cần đến"), "empty": message}, status=400
    )


def _filters_text(filters: dict[str, Any]) -> str:
    parts = [", ".join(str(GAP_LABELS.get(g, g)) for g in filters.get("gaps", []))]
    if filters.get("min_age") is not None or filters.get("max_age") is not None:
        parts.append(_("tuổi {low}–{high}").format(low=filters.get("min_age") or 0, high=filters.get("max_age") or "…"))
    if filters.get("sex"):
        parts.append(str(Sex(filters["sex"]).label))
    if filters.get("support_group"):
        parts.append(str(SUPPORT_LABELS.get(filters["support_group"], filters["support_group"])))
    if filters.get("lapsed_within_months"):
        parts.append(_("gián đoạn trong {n} tháng").format(n=filters["lapsed_within_months"]))
    return " · ".join(p for p in parts if p)


@login_required
def visit_sheet(request: HttpRequest, slug: str, list_id: int, team_id: int) -> HttpResponse:
    """A team's printable A4 sheet (print CSS), or its PDF (``?pdf=1``)."""
    scope, today = scope_for(request.user), timezone.localdate()
    campaign = _campaign(request, slug, scope)
    found = or_404(lambda: visit_queries.list_for(scope, campaign, list_id))
    team = or_404(lambda: queries.team(campaign, team_id))
    rows = visit_queries.sheet(scope, found, team, today)
    if request.GET.get("pdf"):
        response = HttpResponse(sheet_pdf(found, team, rows, group_label), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="danh-sach-ho-{found.pk}-to-{team.pk}.pdf"'
        return response
    return render(
        request,
        "web/visit_sheet.html",
        {"campaign": campaign, "list": found, "team": team, "rows": rows, "group_labels": GROUP_LABELS, "today": today},
    )


class VisitForm(DomainForm):
    outcome = forms.ChoiceField(
        label=gettext_lazy("Kết quả"), choices=VisitOutcome.choices, widget=forms.RadioSelect, error_messages=MESSAGES
    )
    person = ScopedChoiceField(
        label=gettext_lazy("Người gặp"), queryset=None, required=False, empty_label=gettext_lazy("Chủ hộ")
    )
    scheme = forms.ChoiceField(label=gettext_lazy("Quan tâm"), choices=Scheme.choices, initial=Scheme.VSI)
    follow_up_on = forms.DateField(
        label=gettext_lazy("Hẹn gặp lại (nếu hẹn tham gia)"),
        required=False,
        widget=DATE_WIDGET,
        error_messages=MESSAGES,
    )
    note = forms.CharField(label=gettext_lazy("Ghi chú"), required=False, max_length=300, error_messages=MESSAGES)
    key = forms.CharField(widget=forms.HiddenInput, max_length=KEY_MAX_LENGTH)

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = members

    def data_of(self) -> visits.VisitData:
        d = self.cleaned_data
        return visits.VisitData(
            outcome=d["outcome"],
            person_id=d["person"].pk if d["person"] else None,
            note=d["note"],
            scheme=d["scheme"],
            follow_up_on=d["follow_up_on"],
        )


@login_required
def visit_record(request: HttpRequest, slug: str, assignment_id: int) -> HttpResponse:
    """The outcome of a visit to one household of a list, by its team or the list's managers."""
    scope, today = scope_for(request.user), timezone.localdate()
    campaign = _campaign(request, slug, scope)
    row = or_404(lambda: visit_queries.assignment(scope, campaign, assignment_id))
    writers_only(scope)
    form = VisitForm(
        request.POST or None, members=visit_queries.members_of(row, today), initial={"key": uuid.uuid4().hex}
    )
    if request.method == "POST":
        visit = run_service(
            form, lambda: visits.record_visit(request.user, scope, row.pk, form.data_of(), form.cleaned_data["key"])
        )
        if visit is not None:
            messages.success(
                request,
                _("Đã ghi kết quả đến hộ {code}: {outcome}.").format(
                    code=row.household.code, outcome=visit.get_outcome_display()
                ),
            )
            return redirect("web:visit_list", slug, row.visit_list_id)
    head = row.household.head
    return render(
        request,
        "web/form.html",
        {
            "form": form,
            "submit": _("Lưu kết quả"),
            "title": _("Đến hộ {code} — {head}").format(code=row.household.code, head=head.full_name if head else "—"),
        },
        status=400 if form.errors else 200,
    )


def team_choices(teams: list[AdvisoryTeam]) -> list[tuple[str, str]]:
    return [("", "—"), *((str(t.pk), t.name) for t in teams)]
