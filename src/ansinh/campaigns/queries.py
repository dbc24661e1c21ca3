"""Reads of a campaign: the totals a bulletin reports, counted from the recorded facts; who sees
and who may change what (asked by the services and, to draw the right buttons, by the views);
the follow-ups a user may see by name."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import BigIntegerField, Count, Exists, F, Func, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.areas.models import AdministrativeUnit
from ansinh.areas.queries import subtree_ids
from ansinh.campaigns import analytics
from ansinh.campaigns.models import (
    AdvisoryTeam,
    Attribution,
    Award,
    Campaign,
    ConsultationSession,
    EventSite,
    Lead,
    LeadOutcome,
    MediaItem,
    Parade,
    PrepTask,
    ResourceKind,
    SiteResource,
    Target,
    TeamMember,
)
from ansinh.enrollment.models import EnrollmentStatus, HiCardLine, Scheme
from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.org.fields import PersonalField, shown
from ansinh.org.models import OrgUnit
from ansinh.org.scope import Scope, not_found
from ansinh.payments.models import Payment


def campaign_area_ids(of: Campaign) -> set[int]:
    """The campaign's areas: those named, and those the org units of its scope serve (with subtrees).
    Read once per campaign object (a page asks for them several times: visibility, rights, funnel)."""
    found: set[int] | None = getattr(of, "_area_ids", None)
    if found is None:
        found = _read_reach(of)[0]
    return set(found)


def organiser_ids(of: Campaign) -> set[int]:
    found: set[int] | None = getattr(of, "_organiser_ids", None)
    if found is None:
        found = _read_reach(of)[1]
    return set(found)


def _read_reach(of: Campaign) -> tuple[set[int], set[int]]:
    """The campaign's areas with their subtrees and its organising units, in one statement (a
    recursive walk down the map in the database, not one query per level), kept on the object."""
    areas, scope = Campaign.areas.through._meta.db_table, Campaign.org_scope.through._meta.db_table
    organisers, served = Campaign.organisers.through._meta.db_table, OrgUnit.areas.through._meta.db_table
    units = AdministrativeUnit._meta.db_table
    sql = f"""
        WITH RECURSIVE tree(id) AS (
            SELECT administrativeunit_id FROM {areas} WHERE campaign_id = %s
            UNION SELECT s.administrativeunit_id FROM {served} s JOIN {scope} c ON c.orgunit_id = s.orgunit_id
                  WHERE c.campaign_id = %s
            UNION SELECT u.id FROM {units} u JOIN tree t ON u.parent_id = t.id)
        SELECT 'area', id FROM tree
        UNION ALL SELECT 'organiser', orgunit_id FROM {organisers} WHERE campaign_id = %s"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [of.pk, of.pk, of.pk])
        rows = cursor.fetchall()
    area_ids = {pk for kind, pk in rows if kind == "area"}
    organiser = {pk for kind, pk in rows if kind == "organiser"}
    of._area_ids, of._organiser_ids = area_ids, organiser  # type: ignore[attr-defined]
    return area_ids, organiser


def campaign(slug: str) -> Campaign:
    found = Campaign.objects.filter(slug=slug).first()
    if found is None:
        raise DomainError(ErrorCode.NOT_FOUND, _("Không có chiến dịch «{slug}».").format(slug=slug),
                          f"No campaign {slug!r}.")
    return found


def _scalar(rows: QuerySet[Any], function: str, field: str = "pk", distinct: bool = False) -> Coalesce:
    """``function`` (COUNT or SUM) of ``field`` over ``rows`` as a scalar subquery, 0 when there are
    none: a page's figures from several tables then cost one statement, not one each."""
    template = {"template": "%(function)s(DISTINCT %(expressions)s)"} if distinct else {}
    value = Func(F(field), function=function, output_field=BigIntegerField(), **template)
    return Coalesce(Subquery(rows.order_by().annotate(v=value).values("v")), Value(0),
                    output_field=BigIntegerField())


def _new_paid(of: Campaign) -> QuerySet[Attribution]:
    return Attribution.objects.filter(campaign=of, enrollment__status=EnrollmentStatus.PAID,
                                      enrollment__is_renewal=False)


def summary(of: Campaign, funnel: bool = False) -> dict[str, int]:
    """Sites (excluding the central bridge), teams, locations, people advised, new participants by
    scheme among the attributed paid enrollments, parades and their vehicles, media items, money;
    with ``funnel``, the leads and how many reached each stage (analytics.lead_stages) too. One
    statement (scalar subqueries), however many rows there are."""
    paid = _new_paid(of)
    sites = EventSite.objects.filter(event__campaign=of, is_central=False)
    sessions = ConsultationSession.objects.filter(team__campaign=of)
    parades = Parade.objects.filter(site__event__campaign=of)
    hi_paid = paid.filter(enrollment__scheme=Scheme.HOUSEHOLD_HI).values("enrollment_id")
    figures = {
        "sites": _scalar(sites, "COUNT"),
        "sites_ready": _scalar(sites.filter(ready_at__isnull=False), "COUNT"),
        "advisory_teams": _scalar(AdvisoryTeam.objects.filter(campaign=of), "COUNT"),
        "locations": _scalar(sessions, "COUNT"),
        "people_advised": _scalar(sessions, "SUM", "people_advised"),
        "vsi_new": _scalar(paid.filter(enrollment__scheme=Scheme.VSI), "COUNT", "enrollment__person_id", True),
        "hi_new": _scalar(HiCardLine.objects.filter(enrollment_id__in=hi_paid), "COUNT", "person_id", True),
        "parades": _scalar(parades, "COUNT"),
        "cars": _scalar(parades, "SUM", "cars"),
        "motorbikes": _scalar(parades, "SUM", "motorbikes"),
        "media_items": _scalar(MediaItem.objects.filter(campaign=of), "COUNT"),
        "amount_collected": _scalar(Payment.objects.filter(enrollment__attributions__campaign=of), "SUM", "amount"),
    }
    if funnel:
        leads = Lead.objects.filter(campaign=of)
        figures["leads"] = _scalar(leads, "COUNT")
        figures.update({stage: _scalar(leads.filter(linked), "COUNT")
                        for stage, linked in analytics.lead_stages(of).items()})
    named = {f"figure_{name}": value for name, value in figures.items()}  # not the model's own names
    row = Campaign.objects.filter(pk=of.pk).annotate(**named).values(*named).get()
    return {name: int(row[f"figure_{name}"]) for name in figures}


def by_site(of: Campaign) -> list[dict[str, Any]]:
    """Per site: teams, people advised, new participants by scheme (for the board and the bulletin:
    paid first terms and their card lines; for the ranking: distinct people). Two statements however
    many sites there are (issue 14): the sites with their teams and people advised, and the paid
    attributions grouped by site once (a subquery per site and figure scanned the terms per site)."""
    sites = (EventSite.objects.filter(event__campaign=of, is_central=False).select_related("area").order_by("pk")
             .annotate(team_count=_scalar(AdvisoryTeam.objects.filter(campaign=of, site=OuterRef("pk")), "COUNT"),
                       advised=_scalar(ConsultationSession.objects.filter(team__campaign=of,
                                                                          team__site=OuterRef("pk")),
                                       "SUM", "people_advised")))
    vsi, hi = Q(enrollment__scheme=Scheme.VSI), Q(enrollment__scheme=Scheme.HOUSEHOLD_HI)
    counted = {row["site_id"]: row for row in _new_paid(of).filter(site__isnull=False).values("site_id").annotate(
        vsi_new=Count("pk", filter=vsi, distinct=True), hi_new=Count("enrollment__hi_lines", filter=hi),
        vsi_people=Count("enrollment__person_id", filter=vsi, distinct=True),
        hi_people=Count("enrollment__hi_lines__person_id", filter=hi, distinct=True))}
    none = {"vsi_new": 0, "hi_new": 0, "vsi_people": 0, "hi_people": 0}
    return [{"site": site, "ready": site.ready_at is not None, "teams": int(site.team_count),
             "people_advised": int(site.advised), "vsi_new": counted.get(site.pk, none)["vsi_new"],
             "hi_new": counted.get(site.pk, none)["hi_new"],
             "new_participants": counted.get(site.pk, none)["vsi_people"] + counted.get(site.pk, none)["hi_people"]}
            for site in sites]


BOARD_POLL_SECONDS = 10  # the projector board asks for its figures this often


def _board_key(campaign_id: int) -> str:
    return f"campaign-board:{campaign_id}"


def _workspace_key(campaign_id: int) -> str:
    return f"campaign-workspace:{campaign_id}"


def _areas_key(campaign_id: int) -> str:
    return f"campaign-areas:{campaign_id}"


def forget_board(campaign_ids: Iterable[int]) -> None:
    """A payment (or a session, lead, task, award, media item) changed these campaigns' figures: the
    next poll or workspace view counts them again (now, and once the
    writer's transaction commits, so that no poll in between keeps the old figures for an interval)."""
    keys = [key(pk) for pk in set(campaign_ids) for key in (_board_key, _workspace_key, _areas_key)]
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))


# How a changed row names its campaign: the cached figures of that campaign are forgotten when one of
# these is saved or deleted (pages, the admin, the services; bulk writers call forget_board themselves).
_CAMPAIGN_OF: dict[type, str] = {
    Campaign: "pk", Lead: "campaign_id", ConsultationSession: "team__campaign_id", PrepTask: "event__campaign_id",
    MediaItem: "campaign_id", Award: "campaign_id", Attribution: "campaign_id", Target: "campaign_id",
    EventSite: "event__campaign_id", AdvisoryTeam: "campaign_id", TeamMember: "team__campaign_id",
    SiteResource: "site__event__campaign_id", Parade: "site__event__campaign_id",
}


def _forget_changed(sender: type, instance: Any, **_unused: Any) -> None:
    path = _CAMPAIGN_OF[sender]
    if path == "pk":
        forget_board([instance.pk])
    elif "__" not in path:
        forget_board([getattr(instance, path)])
    else:
        first, rest = path.split("__", 1)
        related = getattr(instance, f"{first}_id", None)
        if related is not None:
            model = instance._meta.get_field(first).related_model
            forget_board(model.objects.filter(pk=related).values_list(rest, flat=True))


def _forget_areas(sender: type, instance: Any, **_unused: Any) -> None:
    if isinstance(instance, Campaign):
        forget_board([instance.pk])


def watch_for_changes() -> None:
    for through in (Campaign.areas.through, Campaign.org_scope.through, Campaign.organisers.through):
        m2m_changed.connect(_forget_areas, sender=through, dispatch_uid=f"campaign-areas-{through.__name__}")
    for model in _CAMPAIGN_OF:
        post_save.connect(_forget_changed, sender=model, dispatch_uid=f"campaign-figures-save-{model.__name__}")
        post_delete.connect(_forget_changed, sender=model, dispatch_uid=f"campaign-figures-delete-{model.__name__}")


def workspace_figures(of: Campaign, on: date) -> dict[str, Any]:
    """Everything the workspace shows that is the same for every reader (totals, sites, funnel,
    targets, rankings, tasks, resources, media, awards), counted once per poll interval for all of
    them and forgotten as soon as one of its rows changes (watch_for_changes, forget_board). What
    depends on the reader (follow-ups by name, their team, their rights) is read per request."""
    key = _workspace_key(of.pk)
    found = cache.get(key)
    if found is None or found["on"] != on:
        sites, totals = by_site(of), summary(of, funnel=True)
        funnel = {"advised": totals["people_advised"],
                  **{stage: totals.pop(stage) for stage in ("leads", "registered", "paid", "renewed")}}
        try:
            ranking = analytics.ranking(of, new=[(row["site"], row["new_participants"]) for row in sites])
            ranking_error = ""
        except DomainError as error:
            ranking, ranking_error = [], error.message
        found = {"on": on, "totals": totals, "sites": sites,
                 "funnel": funnel,
                 "targets": analytics.targets_progress(of, on), "ranking": ranking, "ranking_error": ranking_error,
                 "agents": analytics.agent_ranking(of), "tasks": list(tasks(of)), "resources": resources(of),
                 "media": list(media(of)[:30]), "awards": list(of.awards.select_related("site", "agent")),
                 "area_ids": campaign_area_ids(of), "organiser_ids": organiser_ids(of)}
        cache.set(key, found, BOARD_POLL_SECONDS)
    of._area_ids, of._organiser_ids = found["area_ids"], found["organiser_ids"]  # type: ignore[attr-defined]
    return found  # type: ignore[no-any-return]


def board_figures(of: Campaign) -> dict[str, Any]:
    """The launch-day board's figures, computed once per poll interval for every projector showing
    it (Django's cache, bounded by the interval): the totals, the sites' rows and when they were
    counted. Plain values only, so that every reader gets the same payload."""
    key = _board_key(of.pk)
    found = cache.get(key)
    if found is None:
        rows = [{"venue": r["site"].venue, "ready": r["ready"], "teams": r["teams"],
                 "people_advised": r["people_advised"], "vsi_new": r["vsi_new"], "hi_new": r["hi_new"]}
                for r in by_site(of)]
        found = {"totals": summary(of), "sites": rows, "counted_at": timezone.now()}
        cache.set(key, found, BOARD_POLL_SECONDS)
    return found  # type: ignore[no-any-return]


def visible(scope: Scope, user: AbstractBaseUser | AnonymousUser, slug: str) -> Campaign:
    """The campaign, if it covers an area of the user's scope or the user is in one of its teams."""
    campaigns = Campaign.objects.filter(slug=slug)
    if user.is_authenticated:  # read with the campaign, not in a query of its own
        campaigns = campaigns.annotate(member=Exists(TeamMember.objects.filter(team__campaign=OuterRef("pk"),
                                                                              user_id=user.pk)))
    found = campaigns.first()
    if found is None:
        raise not_found()
    if not is_member(found) and not (_shared_area_ids(found) & scope.area_ids):
        raise not_found()
    return found


def is_member(of: Campaign) -> bool:
    """The reader is in one of the campaign's teams, as ``visible`` read it with the campaign."""
    return bool(getattr(of, "member", False))


def _shared_area_ids(of: Campaign) -> set[int]:
    """The campaign's areas (and its organisers) for the pages' visibility check, kept for the poll
    interval for every reader (forgotten when the campaign or its areas change: watch_for_changes)."""
    key = _areas_key(of.pk)
    found: tuple[set[int], set[int]] | None = cache.get(key)
    if found is None:
        found = _read_reach(of)
        cache.set(key, found, BOARD_POLL_SECONDS)
    of._area_ids, of._organiser_ids = found  # type: ignore[attr-defined]
    return set(found[0])


def resources(of: Campaign) -> list[dict[str, Any]]:
    labels = dict(ResourceKind.choices)
    rows = (SiteResource.objects.filter(site__event__campaign=of).values("kind")
            .annotate(planned=Sum("planned"), used=Sum("used")).order_by("kind"))
    return [{**row, "kind": labels.get(row["kind"], row["kind"])} for row in rows]


def visible_campaigns(scope: Scope, user: AbstractBaseUser | AnonymousUser) -> list[Campaign]:
    member_of = set(TeamMember.objects.filter(user_id=user.pk).values_list("team__campaign_id", flat=True)) \
        if user.is_authenticated else set()
    return [c for c in Campaign.objects.order_by("-starts_on")
            if c.pk in member_of or campaign_area_ids(c) & scope.area_ids]


def site(of: Campaign, site_id: int) -> EventSite:
    found = EventSite.objects.filter(event__campaign=of, pk=site_id).select_related("area").first()
    if found is None:
        raise not_found()
    return found


def team(of: Campaign, team_id: int) -> AdvisoryTeam:
    found = of.teams.filter(pk=team_id).first()
    if found is None:
        raise not_found()
    return found


def manages(scope: Scope, of: Campaign) -> bool:
    """The user runs the campaign: staff of an organiser, or a manager of all its areas."""
    return scope.can_manage_campaign(campaign_area_ids(of), organiser_ids(of))


def may_award(scope: Scope, of: Campaign) -> bool:
    return scope.can_award(campaign_area_ids(of), organiser_ids(of))


def may_change_tasks(scope: Scope, of: Campaign, at: EventSite | None) -> bool:
    """The campaign's managers change any task; a writer, the tasks of a site whose area overlaps
    their scope (an agent of a commune, the site of the commune or of its district) or whose org
    unit is theirs. Tasks of the event as a whole and of the central bridge are the managers'."""
    if not scope.can_write:
        return False
    if at is not None and not at.is_central:  # the site's own people first: no need to read the campaign's areas
        if at.org_unit_id is not None and at.org_unit_id in scope.org_ids:
            return True
        if at.area_id is not None and (at.area_id in scope.area_ids or subtree_ids([at.area_id]) & scope.area_ids):
            return True
    return manages(scope, of)


def tasks(of: Campaign) -> QuerySet[PrepTask]:
    return PrepTask.objects.filter(event__campaign=of).select_related("site").order_by("deadline", "pk")


def media(of: Campaign) -> QuerySet[MediaItem]:
    return MediaItem.objects.filter(campaign=of).order_by("-published_on", "-pk")


def award(of: Campaign, award_id: int) -> Award:
    found = of.awards.filter(pk=award_id).select_related("site", "agent", "campaign").first()
    if found is None:
        raise not_found()
    return found


@dataclass(frozen=True)
class FollowUp:
    on: date
    full_name: str
    phone: str  # as the field policy shows it to the reader
    scheme: str
    team: str


def follow_ups(scope: Scope, user: AbstractBaseUser | AnonymousUser, of: Campaign,
               until: date) -> tuple[list[FollowUp], int]:
    """Leads promised or undecided with a follow-up due by ``until``: those the user may read by
    name — their own team's, or those of an area in their scope (the session's commune, else the
    registered person's, else the team site's) — and how many others there are."""
    due = Lead.objects.filter(campaign=of, follow_up_on__lte=until,
                              outcome__in=[LeadOutcome.PROMISED, LeadOutcome.UNDECIDED])
    own_teams = TeamMember.objects.filter(user_id=user.pk, team__campaign=of).values("team_id")
    named = (due.annotate(lead_area=Coalesce("session__area_id", "person__area_id", "team__site__area_id"))
             .filter(Q(team_id__in=own_teams) | Q(lead_area__in=scope.area_ids)))
    rows = [FollowUp(lead.follow_up_on, lead.full_name, shown(scope, PersonalField.PHONE, lead.phone), lead.scheme,
                     lead.team.name)
            for lead in named.select_related("team").order_by("follow_up_on", "pk")[:50]]  # type: ignore[misc]
    counted = due.aggregate(due=Count("pk"), named=Count("pk", filter=Q(pk__in=named.values("pk"))))
    return rows, counted["due"] - counted["named"]
