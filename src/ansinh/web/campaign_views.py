"""Campaign screens: workspace, launch-day board (htmx polling), a team member's session log, bulletin."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ansinh.areas.models import AdministrativeUnit
from ansinh.areas.queries import communes
from ansinh.campaigns import bulletin, queries
from ansinh.campaigns import services as campaign_services
from ansinh.campaigns.models import (
    AdvisoryTeam,
    Campaign,
    LeadOutcome,
    LocationKind,
    RankingRule,
    TaskStatus,
    TeamMember,
)
from ansinh.enrollment.models import Scheme
from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.lib.money import format_number, format_vnd
from ansinh.lib.periods import format_date_vi
from ansinh.org.scope import Scope, scope_for
from ansinh.web.common import export_table, or_404, run_service
from ansinh.web.forms import DATE_WIDGET, MESSAGES, ScopedChoiceField
from ansinh.web.registry_forms import DomainForm

LEAD_ROWS = 3


def _campaign(request: HttpRequest, slug: str, scope: Scope | None = None) -> Campaign:
    """The campaign if the user may see it (``scope``: the one the view already read, read once)."""
    return or_404(lambda: queries.visible(scope or scope_for(request.user), request.user, slug))


def _refused(request: HttpRequest, title: str, error: DomainError) -> HttpResponse:
    """A service's refusal as a page: 404 for what is out of scope, 403 for a right the user lacks."""
    if error.code is ErrorCode.NOT_FOUND:
        raise Http404(error.message)
    status = 403 if error.code is ErrorCode.FORBIDDEN else 400
    return render(request, "web/form.html", {"form": None, "title": title, "empty": error.message}, status=status)


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = queries.visible_campaigns(scope_for(request.user), request.user)
    return render(request, "web/campaign_list.html", {"campaigns": campaigns})


@login_required
def workspace(request: HttpRequest, slug: str) -> HttpResponse:
    """The campaign's workspace. What is the same for every reader is counted once per poll interval
    (queries.workspace_figures); the reader's follow-ups, team and rights are read per request."""
    scope, today = scope_for(request.user), timezone.localdate()
    campaign = or_404(lambda: queries.visible(scope, request.user, slug))
    figures = queries.workspace_figures(campaign, today)
    totals, sites = figures["totals"], figures["sites"]
    exported = export_table(request, f"chien-dich-{campaign.slug}", campaign.name, _summary_lines(campaign, totals),
                            SITE_COLUMNS, [_site_row(r) for r in sites])
    if exported:
        return exported
    tasks, now = figures["tasks"], timezone.now()
    follow_ups, others = queries.follow_ups(scope, request.user, campaign, today + timedelta(days=7))
    ranking, agents, funnel = figures["ranking"], figures["agents"], figures["funnel"]
    new_participants = totals["vsi_new"] + totals["hi_new"]
    context: dict[str, Any] = {
        "campaign": campaign, "totals": totals, "funnel": funnel, "sites": sites,
        "new_participants": new_participants,
        "unlinked": max(0, new_participants - (funnel["paid"] - funnel["renewed"])),
        "overdue": [t for t in tasks if t.status != TaskStatus.DONE and t.deadline < now],
        "tasks_done": sum(t.status == TaskStatus.DONE for t in tasks), "tasks_total": len(tasks),
        "follow_ups": follow_ups, "follow_ups_elsewhere": others, "targets": figures["targets"],
        "ranking": ranking[:RANKING_ROWS], "ranking_total": len(ranking), "ranking_error": figures["ranking_error"],
        "ranking_rule": RankingRule(campaign.ranking_rule).label if campaign.ranking_rule in RankingRule.values
        else _("cách xếp hạng chưa xác định"),
        "media": figures["media"], "resources": figures["resources"], "awards": figures["awards"],
        "my_teams": campaign_services.logs_sessions(scope, campaign, queries.is_member(campaign), today),
        "agents": agents[:AGENT_ROWS], "agents_total": len(agents),
        "can_award": bool(ranking) and queries.may_award(scope, campaign),
    }
    return render(request, "web/campaign_workspace.html", context)


RANKING_ROWS, AGENT_ROWS = 30, 20  # the workspace shows the head of each ranking and says how many there are


SITE_COLUMNS = [
    ("venue", gettext_lazy("Điểm cầu")),
    ("ready", gettext_lazy("Sẵn sàng")),
    ("teams", gettext_lazy("Số tổ tư vấn")),
    ("people_advised", gettext_lazy("Người được tư vấn")),
    ("vsi_new", gettext_lazy("BHXH tự nguyện (mới)")),
    ("hi_new", gettext_lazy("BHYT hộ gia đình (mới)")),
]


def _site_row(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "venue": row["site"].venue,
        "ready": row["ready"],
        "teams": row["teams"],
        "people_advised": row["people_advised"],
        "vsi_new": row["vsi_new"],
        "hi_new": row["hi_new"],
    }


def _summary_lines(campaign: Campaign, totals: dict[str, int]) -> list[str]:
    return [
        _("Từ {format_date_vi} đến {format_date_vi2} · {get_status_display}").format(
            format_date_vi=format_date_vi(campaign.starts_on),
            format_date_vi2=format_date_vi(campaign.ends_on),
            get_status_display=campaign.get_status_display(),
        ),
        _(
            "{format_number} điểm cầu, {format_number2} tổ tư vấn, {format_number3} địa điểm, "
            "{format_number4} người được tư vấn."
        ).format(
            format_number=format_number(totals["sites"]),
            format_number2=format_number(totals["advisory_teams"]),
            format_number3=format_number(totals["locations"]),
            format_number4=format_number(totals["people_advised"]),
        ),
        _(
            "BHXH tự nguyện (mới): {format_number} người; BHYT hộ gia đình (mới): {format_number2} "
            "người; đã thu {format_vnd}."
        ).format(
            format_number=format_number(totals["vsi_new"]),
            format_number2=format_number(totals["hi_new"]),
            format_vnd=format_vnd(totals["amount_collected"]),
        ),
    ]


@login_required
def board(request: HttpRequest, slug: str) -> HttpResponse:
    """The projector board: full screen, its figures on the first paint, then polled."""
    campaign = _campaign(request, slug)
    return render(request, "web/campaign_board.html", {"campaign": campaign, **_board(campaign)})


@login_required
def board_data(request: HttpRequest, slug: str) -> HttpResponse:
    """The board's figures; the page asks for them again every poll interval (htmx). Counted once
    per interval for all projectors (queries.board_figures)."""
    return render(request, "web/_board_data.html", _board(_campaign(request, slug)))


def _board(campaign: Campaign) -> dict[str, Any]:
    figures = queries.board_figures(campaign)
    sites = figures["sites"]
    half = (len(sites) + 1) // 2  # two columns: 21 sites fit a projector's screen without scrolling
    return {
        "campaign": campaign,
        "totals": figures["totals"],
        "sites": sites,
        "columns": [sites[:half], sites[half:]] if len(sites) > 1 else [sites],
        "now": figures["counted_at"],
        "poll": queries.BOARD_POLL_SECONDS,
    }


class SessionForm(DomainForm):
    team = ScopedChoiceField(label=gettext_lazy("Tổ tư vấn"), queryset=AdvisoryTeam.objects.none(), empty_label=None)
    location_name = forms.CharField(label=gettext_lazy("Địa điểm"), max_length=300, error_messages=MESSAGES)
    location_kind = forms.ChoiceField(label=gettext_lazy("Loại địa điểm"), choices=LocationKind.choices)
    area = forms.ModelChoiceField(
        label=gettext_lazy("Xã/phường"), queryset=AdministrativeUnit.objects.none(), required=False
    )
    people_advised = forms.IntegerField(
        label=gettext_lazy("Số người được tư vấn"),
        min_value=1,
        max_value=campaign_services.MAX_PEOPLE_ADVISED,
        error_messages=MESSAGES,
    )

    def __init__(self, *args: Any, teams: Any = None, communes: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams if teams is not None else AdvisoryTeam.objects.none()
        self.fields["area"].queryset = communes if communes is not None else AdministrativeUnit.objects.none()
        for i in range(1, LEAD_ROWS + 1):
            self.fields[f"lead{i}_name"] = forms.CharField(
                label=_("Người {i}: họ tên").format(i=i), required=False, max_length=200
            )
            self.fields[f"lead{i}_phone"] = forms.CharField(
                label=_("Người {i}: điện thoại").format(i=i),
                required=False,
                widget=forms.TextInput(attrs={"inputmode": "tel"}),
            )
            self.fields[f"lead{i}_born"] = forms.DateField(
                label=_("Người {i}: ngày sinh (nếu biết)").format(i=i), required=False, widget=DATE_WIDGET
            )
            self.fields[f"lead{i}_scheme"] = forms.ChoiceField(
                label=_("Người {i}: quan tâm").format(i=i), choices=Scheme.choices, required=False
            )
            self.fields[f"lead{i}_outcome"] = forms.ChoiceField(
                label=_("Người {i}: kết quả").format(i=i), choices=LeadOutcome.choices, required=False
            )
            self.fields[f"lead{i}_follow_up"] = forms.DateField(
                label=_("Người {i}: hẹn gặp lại").format(i=i), required=False, widget=DATE_WIDGET
            )

    def session_data(self) -> campaign_services.SessionData:
        d = self.cleaned_data
        leads = [
            campaign_services.LeadData(
                full_name=d[f"lead{i}_name"],
                scheme=d[f"lead{i}_scheme"] or "vsi",
                outcome=d[f"lead{i}_outcome"] or "undecided",
                phone=d[f"lead{i}_phone"],
                follow_up_on=d[f"lead{i}_follow_up"],
                date_of_birth=d[f"lead{i}_born"],
            )
            for i in range(1, LEAD_ROWS + 1)
            if d[f"lead{i}_name"].strip()
        ]
        return campaign_services.SessionData(
            d["location_name"], d["location_kind"], d["people_advised"], d["area"].pk if d["area"] else None, leads
        )


@login_required
def log_session(request: HttpRequest, slug: str) -> HttpResponse:
    """A team member logs a session and the people met, on a phone, in under a minute."""
    scope, today = scope_for(request.user), timezone.localdate()
    campaign = _campaign(request, slug, scope)
    teams = campaign_services.active_teams(scope, request.user, today).filter(campaign=campaign)
    in_campaign = communes(today, queries.campaign_area_ids(campaign))
    if not teams.exists():
        return render(
            request,
            "web/form.html",
            {"form": None, "title": _("Ghi buổi tư vấn"), "empty": _("Bạn không thuộc tổ tư vấn nào đang hoạt động.")},
            status=403 if request.method == "POST" else 200,
        )
    form = SessionForm(request.POST or None, teams=teams, communes=in_campaign)
    if request.method == "POST":
        session = run_service(
            form,
            lambda: campaign_services.record_session(
                request.user, scope, form.cleaned_data["team"].pk, today, form.session_data()
            ),
        )
        if session is not None:
            messages.success(
                request, _("Đã ghi buổi tư vấn tại {location_name}.").format(location_name=session.location_name)
            )
            return redirect("web:campaign_session", slug)
    return render(
        request,
        "web/form.html",
        {
            "form": form,
            "title": _("Ghi buổi tư vấn — {name}").format(name=campaign.name),
            "submit": _("Lưu buổi tư vấn"),
        },
        status=400 if form.errors else 200,
    )


@login_required
def bulletin_page(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(request, slug)
    if request.GET.get("pdf"):
        response = HttpResponse(bulletin.bulletin_pdf(campaign), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="thong-cao-{slug}.pdf"'
        return response
    return render(
        request, "web/campaign_bulletin.html", {"campaign": campaign, "text": bulletin.bulletin_text(campaign)}
    )


@login_required
@require_POST
def award(request: HttpRequest, slug: str) -> HttpResponse:
    scope = scope_for(request.user)
    campaign = _campaign(request, slug, scope)
    try:
        given = campaign_services.give_awards(
            scope, campaign, _("Đơn vị xuất sắc trong tháng vận động"), timezone.localdate()
        )
    except DomainError as error:
        return _refused(request, _("Khen thưởng"), error)
    messages.success(request, _("Đã khen thưởng {len} đơn vị.").format(len=len(given)))
    return redirect("web:campaign", slug)


@login_required
def certificate(request: HttpRequest, slug: str, award_id: int) -> HttpResponse:
    found = or_404(lambda: queries.award(_campaign(request, slug), award_id))
    response = HttpResponse(bulletin.certificate_pdf(found), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="giay-khen-{award_id}.pdf"'
    return response


class TaskForm(DomainForm):
    task = forms.IntegerField(min_value=1, max_value=campaign_services.MAX_COUNT, error_messages=MESSAGES)


@login_required
def site_checklist(request: HttpRequest, slug: str, site_id: int) -> HttpResponse:
    """One site's preparation: tasks (overdue highlighted; the people of the site's area mark them
    done), resources, parades, teams and their sessions."""
    scope = scope_for(request.user)
    campaign = _campaign(request, slug, scope)
    site = or_404(lambda: queries.site(campaign, site_id))
    form = TaskForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return render(
                request,
                "web/form.html",
                {"form": None, "title": site.venue, "empty": _("Không rõ công việc cần đánh dấu.")},
                status=400,
            )
        try:
            campaign_services.set_task_status(scope, campaign, form.cleaned_data["task"], TaskStatus.DONE, site.pk)
        except DomainError as error:
            return _refused(request, site.venue, error)
        return redirect("web:campaign_site", slug, site_id)
    return render(
        request,
        "web/campaign_site.html",
        {
            "campaign": campaign,
            "site": site,
            "now": timezone.now(),
            "can_write": queries.may_change_tasks(scope, campaign, site),
            "tasks": site.tasks.order_by("deadline"),
            "resources": site.resources.all(),
            "parades": site.parades.all(),
            "teams": site.teams.prefetch_related(
                "sessions", Prefetch("members", queryset=TeamMember.objects.select_related("user"))
            ),
        },
    )
