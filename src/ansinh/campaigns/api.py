"""Campaigns API: totals, funnel, sites, ranking, targets, bulletin, tasks and media; team members log
sessions and leads. Visibility and rules are those of the web screens (queries.visible, services)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from ansinh.areas.models import COMMUNE_LEVELS, AdministrativeUnit
from ansinh.campaigns import analytics, bulletin, queries, services
from ansinh.campaigns.models import Campaign, EventSite, MediaChannel, MediaItem, PrepTask, TaskStatus
from ansinh.enrollment.models import Enrollment
from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.org.scope import not_found, scope_for

router = Router(tags=["campaigns"])


def _visible(request: HttpRequest, slug: str) -> Campaign:
    found = queries.visible(scope_for(request.user), request.user, slug)
    analytics.attribute(found)  # link payments made since the last read
    return found


class LeadIn(Schema):
    full_name: str
    scheme: str
    outcome: str
    phone: str = ""
    reason: str = ""
    follow_up_on: date | None = None


class SessionIn(Schema):
    team_id: int
    location_name: str
    location_kind: str
    people_advised: int
    area_code: str | None = None
    leads: list[LeadIn] = Field(default_factory=list)


class LeadPost(LeadIn):
    team_id: int


class MediaIn(Schema):
    channel: MediaChannel
    outlet: str
    title: str
    published_on: date
    link: str = ""
    views: int = 0
    likes: int = 0
    shares: int = 0


class TaskPatch(Schema):
    status: TaskStatus


@router.get("", summary="Campaigns visible to the caller")
def campaigns(request: HttpRequest) -> list[dict[str, Any]]:
    return [{"slug": c.slug, "name": c.name, "starts_on": c.starts_on, "ends_on": c.ends_on, "status": c.status}
            for c in queries.visible_campaigns(scope_for(request.user), request.user)]


@router.get("/{slug}/summary")
def summary(request: HttpRequest, slug: str) -> dict[str, int]:
    return queries.summary(_visible(request, slug))


@router.get("/{slug}/funnel")
def funnel(request: HttpRequest, slug: str, site_id: int | None = None, team_id: int | None = None,
           agent_id: int | None = None) -> dict[str, int]:
    campaign = _visible(request, slug)
    site = _get(campaign, "site", site_id) if site_id is not None else None
    team = _get(campaign, "team", team_id) if team_id is not None else None
    return analytics.funnel(campaign, site=site, team=team, agent_id=agent_id)


def _get(campaign: Campaign, kind: str, pk: int) -> Any:
    found = (EventSite.objects.filter(event__campaign=campaign, pk=pk).first() if kind == "site"
             else campaign.teams.filter(pk=pk).first())
    if found is None:
        raise not_found()
    return found


@router.get("/{slug}/sites")
def sites(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    return [{"id": r["site"].pk, "venue": r["site"].venue, "area_code": r["site"].area.code if r["site"].area else None,
             "ready": r["ready"], "teams": r["teams"], "people_advised": r["people_advised"], "vsi_new": r["vsi_new"],
             "hi_new": r["hi_new"]} for r in queries.by_site(_visible(request, slug))]


@router.get("/{slug}/ranking")
def ranking(request: HttpRequest, slug: str, rule: str | None = None) -> list[dict[str, Any]]:
    return [{"rank": r.rank, "site_id": r.site.pk, "venue": r.site.venue, "score": str(r.score),
             "new_participants": r.new_participants} for r in analytics.ranking(_visible(request, slug), rule)]


@router.get("/{slug}/targets")
def targets(request: HttpRequest, slug: str, on: date | None = None) -> list[dict[str, Any]]:
    campaign = _visible(request, slug)
    day = on or timezone.localdate()
    return [{"id": p.target.pk, "scheme": p.target.scheme, "metric": p.target.metric, "value": p.target.value,
             "actual": p.actual, "share": str(p.share), "pace": str(p.pace), "forecast": p.forecast}
            for p in (analytics.target_progress(t, day) for t in campaign.targets.all())]


@router.get("/{slug}/bulletin")
def bulletin_text(request: HttpRequest, slug: str) -> dict[str, str]:
    return {"text": bulletin.bulletin_text(_visible(request, slug))}


@router.get("/{slug}/tasks")
def tasks(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    campaign = _visible(request, slug)
    return [{"id": t.pk, "title": t.title, "site": t.site.venue if t.site else None, "deadline": t.deadline,
             "status": t.status, "overdue": t.status != TaskStatus.DONE and t.deadline < timezone.now()}
            for t in PrepTask.objects.filter(event__campaign=campaign).select_related("site").order_by("deadline")]


@router.patch("/{slug}/tasks/{task_id}")
def update_task(request: HttpRequest, slug: str, task_id: int, body: TaskPatch) -> dict[str, Any]:
    services.set_task_status(scope_for(request.user), _visible(request, slug), task_id, body.status)
    return {"id": task_id, "status": body.status}


@router.get("/{slug}/media")
def media(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    return [{"channel": m.channel, "outlet": m.outlet, "title": m.title, "published_on": m.published_on,
             "views": m.views, "likes": m.likes, "shares": m.shares}
            for m in MediaItem.objects.filter(campaign=_visible(request, slug)).order_by("-published_on")]


@router.post("/{slug}/media", response={201: dict})
def add_media(request: HttpRequest, slug: str, body: MediaIn) -> Status[dict[str, Any]]:
    item = services.add_media(scope_for(request.user), _visible(request, slug), **body.dict())
    return Status(201, {"id": item.pk})


@router.post("/{slug}/sessions", response={201: dict}, summary="A team member logs a session and its leads")
def log_session(request: HttpRequest, slug: str, body: SessionIn) -> Status[dict[str, Any]]:
    campaign = _visible(request, slug)
    area = None
    if body.area_code:
        area = AdministrativeUnit.objects.filter(code=body.area_code, level__in=COMMUNE_LEVELS,
                                                 pk__in=queries.campaign_area_ids(campaign)).first()
        if area is None:
            raise DomainError(ErrorCode.INVALID_INPUT, "Xã/phường không thuộc địa bàn chiến dịch.", "Unknown area.")
    session = services.record_session(request.user, body.team_id, timezone.localdate(), body.location_name,
                                      body.location_kind, area.pk if area else None, body.people_advised,
                                      [services.LeadData(**lead.dict()) for lead in body.leads])
    return Status(201, {"id": session.pk, "leads": session.leads.count()})


@router.post("/{slug}/leads", response={201: dict}, summary="A team member records a lead")
def add_lead(request: HttpRequest, slug: str, body: LeadPost) -> Status[dict[str, Any]]:
    _visible(request, slug)
    data = body.dict()
    team_id = data.pop("team_id")
    lead = services.record_lead(request.user, team_id, timezone.localdate(), services.LeadData(**data))
    return Status(201, {"id": lead.pk, "outcome": lead.outcome})


class OverrideIn(Schema):
    reason: str
    site_id: int | None = None
    team_id: int | None = None


@router.put("/{slug}/attributions/{enrollment_id}", summary="Override an enrollment's attribution, with a reason")
def override(request: HttpRequest, slug: str, enrollment_id: int, body: OverrideIn) -> dict[str, Any]:
    campaign = _visible(request, slug)
    scope = scope_for(request.user)
    enrollment = Enrollment.objects.filter(pk=enrollment_id).first()
    if enrollment is None or not scope.has_area(enrollment.area_id):
        raise not_found()
    scope.require_write(enrollment.area_id)
    site = _get(campaign, "site", body.site_id) if body.site_id is not None else None
    team = _get(campaign, "team", body.team_id) if body.team_id is not None else None
    found = analytics.override_attribution(enrollment_id, campaign, body.reason, site, team)
    return {"enrollment_id": enrollment_id, "site_id": found.site_id, "team_id": found.team_id,
            "override_reason": found.override_reason}


@router.get("/{slug}/awards")
def awards(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    return [{"id": a.pk, "rank": a.rank, "title": a.title, "site": a.site.venue if a.site else None,
             "agent": a.agent.code if a.agent else None, "awarded_on": a.awarded_on}
            for a in _visible(request, slug).awards.select_related("site", "agent").order_by("rank")]
