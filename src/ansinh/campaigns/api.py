"""Campaigns API: totals, funnel, sites, ranking, targets, bulletin, tasks and media; team members log
sessions and leads. Visibility and rules are those of the web screens (queries.visible, services)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Router, Schema, Status

from ansinh.areas.queries import unit_on
from ansinh.campaigns import analytics, bulletin, queries, services, visits
from ansinh.campaigns.models import Campaign, LeadOutcome, LocationKind, MediaChannel, TaskStatus, VisitOutcome
from ansinh.campaigns.services import MAX_COUNT, MAX_LEADS, MAX_PEOPLE_ADVISED
from ansinh.enrollment.models import Scheme
from ansinh.enrollment.once import KEY_MAX_LENGTH
from ansinh.lib.errors import invalid_input
from ansinh.org.scope import scope_for

router = Router(tags=["campaigns"])


def _visible(request: HttpRequest, slug: str) -> Campaign:
    return queries.visible(scope_for(request.user), request.user, slug)


Id = Annotated[int, Field(ge=1, le=MAX_COUNT)]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]


class LeadIn(Schema):
    full_name: str = Field(min_length=1, max_length=200)
    scheme: Scheme
    outcome: LeadOutcome
    phone: str = Field("", max_length=20)
    reason: str = Field("", max_length=300)
    follow_up_on: date | None = None
    date_of_birth: date | None = None

    def data(self) -> services.LeadData:
        return services.LeadData(full_name=self.full_name, scheme=self.scheme, outcome=self.outcome,
                                 phone=self.phone, reason=self.reason, follow_up_on=self.follow_up_on,
                                 date_of_birth=self.date_of_birth)


class SessionIn(Schema):
    team_id: Id
    location_name: str = Field(min_length=1, max_length=300)
    location_kind: LocationKind
    people_advised: int = Field(ge=1, le=MAX_PEOPLE_ADVISED)
    area_code: str | None = Field(None, max_length=10)
    leads: list[LeadIn] = Field(default_factory=list, max_length=MAX_LEADS)


class LeadPost(LeadIn):
    team_id: Id


class MediaIn(Schema):
    channel: MediaChannel
    outlet: str = Field(min_length=1, max_length=200)
    title: str = Field(min_length=1, max_length=300)
    published_on: date
    link: str = Field("", max_length=200)
    views: Count = 0
    likes: Count = 0
    shares: Count = 0


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
def funnel(request: HttpRequest, slug: str, site_id: Id | None = None, team_id: Id | None = None,
           agent_id: Id | None = None) -> dict[str, int]:
    campaign = _visible(request, slug)
    site = queries.site(campaign, site_id) if site_id is not None else None
    team = queries.team(campaign, team_id) if team_id is not None else None
    return analytics.funnel(campaign, site=site, team=team, agent_id=agent_id)


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
            for p in analytics.targets_progress(campaign, day)]


@router.get("/{slug}/bulletin")
def bulletin_text(request: HttpRequest, slug: str) -> dict[str, str]:
    return {"text": bulletin.bulletin_text(_visible(request, slug))}


@router.get("/{slug}/tasks")
def tasks(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    campaign = _visible(request, slug)
    return [{"id": t.pk, "title": t.title, "site": t.site.venue if t.site else None, "deadline": t.deadline,
             "status": t.status, "overdue": t.status != TaskStatus.DONE and t.deadline < timezone.now()}
            for t in queries.tasks(campaign)]


@router.patch("/{slug}/tasks/{task_id}", summary="Change a task's status (its site's area or the managers)")
def update_task(request: HttpRequest, slug: str, task_id: Id, body: TaskPatch) -> dict[str, Any]:
    task = services.set_task_status(scope_for(request.user), _visible(request, slug), task_id, body.status)
    return {"id": task.pk, "status": task.status}


@router.get("/{slug}/media")
def media(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    return [{"channel": m.channel, "outlet": m.outlet, "title": m.title, "published_on": m.published_on,
             "views": m.views, "likes": m.likes, "shares": m.shares}
            for m in queries.media(_visible(request, slug))]


@router.post("/{slug}/media", response={201: dict})
def add_media(request: HttpRequest, slug: str, body: MediaIn) -> Status[dict[str, Any]]:
    item = services.add_media(scope_for(request.user), _visible(request, slug), services.MediaData(**body.dict()))
    return Status(201, {"id": item.pk})


@router.post("/{slug}/sessions", response={201: dict}, summary="A team member logs a session and its leads")
def log_session(request: HttpRequest, slug: str, body: SessionIn) -> Status[dict[str, Any]]:
    _visible(request, slug)
    today = timezone.localdate()
    area = unit_on(body.area_code, today) if body.area_code else None
    if body.area_code and area is None:
        raise invalid_input(_("Không có xã/phường mã «{area_code}».").format(area_code=body.area_code),
                            "Unknown area.", field="area_code")
    session = services.record_session(request.user, scope_for(request.user), body.team_id, today, services.SessionData(
        body.location_name, body.location_kind, body.people_advised, area.pk if area else None,
        [lead.data() for lead in body.leads]))
    return Status(201, {"id": session.pk, "leads": len(body.leads)})


@router.post("/{slug}/leads", response={201: dict}, summary="A team member records a lead")
def add_lead(request: HttpRequest, slug: str, body: LeadPost) -> Status[dict[str, Any]]:
    _visible(request, slug)
    lead = services.record_lead(request.user, scope_for(request.user), body.team_id, timezone.localdate(),
                                body.data())
    return Status(201, {"id": lead.pk, "outcome": lead.outcome})


class OverrideIn(Schema):
    reason: str = Field(max_length=300)
    site_id: Id | None = None
    team_id: Id | None = None


@router.put("/{slug}/attributions/{enrollment_id}", summary="Override an enrollment's attribution, with a reason")
def override(request: HttpRequest, slug: str, enrollment_id: Id, body: OverrideIn) -> dict[str, Any]:
    found = services.override_attribution(scope_for(request.user), _visible(request, slug), enrollment_id,
                                          body.reason, body.site_id, body.team_id)
    return {"enrollment_id": enrollment_id, "site_id": found.site_id, "team_id": found.team_id,
            "override_reason": found.override_reason}


@router.get("/{slug}/awards")
def awards(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    return [{"id": a.pk, "rank": a.rank, "title": a.title, "site": a.site.venue if a.site else None,
             "agent": a.agent.code if a.agent else None, "awarded_on": a.awarded_on}
            for a in _visible(request, slug).awards.select_related("site", "agent").order_by("rank")]


VISIT_KEY = Header(..., alias="Idempotency-Key", min_length=1, max_length=KEY_MAX_LENGTH,
                   description="Chosen by the client (at most 100 characters); your own repeat returns the first "
                               "visit, the same key for another visit is refused (409).")


class VisitIn(Schema):
    assignment_id: Id = Field(description="The household's row of a visit list (web: the list's page).")
    outcome: VisitOutcome
    person_id: Id | None = Field(None, description="The member met; default the household's head.")
    scheme: Scheme = Scheme.VSI
    follow_up_on: date | None = None
    note: str = Field("", max_length=300)


@router.post("/visits", response={201: dict}, summary="Record a visit to a household of a visit list")
def record_visit(request: HttpRequest, body: VisitIn, idempotency_key: str = VISIT_KEY) -> Status[dict[str, Any]]:
    """By the household's team (or the list's managers) while the campaign runs; the time is the server's."""
    visit = visits.record_visit(request.user, scope_for(request.user), body.assignment_id, visits.VisitData(
        outcome=body.outcome, person_id=body.person_id, note=body.note, scheme=body.scheme,
        follow_up_on=body.follow_up_on), idempotency_key)
    return Status(201, {"id": visit.pk, "outcome": visit.outcome, "visited_at": visit.visited_at,
                        "lead_id": visit.lead_id, "enrollment_id": visit.enrollment_id})
