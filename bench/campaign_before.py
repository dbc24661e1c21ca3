"""The campaign workspace's shared figures as they were counted before issue 14's rework (main @
1317ab3), kept here as bench/campaign.py's baseline: the same figures, one statement per table and
figure (totals in eight, sites in five, the ranking's sites again in three, agents in four), the
campaign's areas walked one map level per query, and the funnel's stages as an EXISTS per lead.
Only what changed is here; the unchanged reads (targets, tasks, resources, media, awards) are the
current ones on both sides. Read-only, for timing: not used by the application."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, Sum

from ansinh.areas.queries import subtree_ids
from ansinh.campaigns import analytics, queries
from ansinh.campaigns.models import (
    AdvisoryTeam,
    Attribution,
    Campaign,
    ConsultationSession,
    EventSite,
    Lead,
    Parade,
)
from ansinh.enrollment.models import Enrollment, EnrollmentStatus, HiCardLine, Scheme
from ansinh.org.models import Agent, OrgUnit
from ansinh.payments.models import Payment


def area_ids(of: Campaign) -> set[int]:
    served = OrgUnit.areas.through.objects.filter(orgunit__in=of.org_scope.all())
    return subtree_ids([a.pk for a in of.areas.all()] + list(served.values_list("administrativeunit_id", flat=True)))


def summary(of: Campaign) -> dict[str, int]:
    paid = of.attributions.filter(enrollment__status=EnrollmentStatus.PAID, enrollment__is_renewal=False)
    parades = Parade.objects.filter(site__event__campaign=of).aggregate(
        n=Count("pk"), cars=Sum("cars"), motorbikes=Sum("motorbikes"))
    sessions = ConsultationSession.objects.filter(team__campaign=of).aggregate(n=Count("pk"),
                                                                               people=Sum("people_advised"))
    sites = EventSite.objects.filter(event__campaign=of, is_central=False).aggregate(
        n=Count("pk"), ready=Count("pk", filter=Q(ready_at__isnull=False)))
    counted = Campaign.objects.filter(pk=of.pk).aggregate(teams=Count("teams", distinct=True),
                                                          media=Count("media_items", distinct=True))
    return {
        "sites": sites["n"], "sites_ready": sites["ready"], "advisory_teams": counted["teams"],
        "locations": sessions["n"], "people_advised": int(sessions["people"] or 0),
        "vsi_new": paid.filter(enrollment__scheme=Scheme.VSI).values("enrollment__person").distinct().count(),
        "hi_new": HiCardLine.objects.filter(enrollment__in=paid.filter(enrollment__scheme=Scheme.HOUSEHOLD_HI)
                                            .values("enrollment")).values("person").distinct().count(),
        "parades": parades["n"], "cars": int(parades["cars"] or 0), "motorbikes": int(parades["motorbikes"] or 0),
        "media_items": counted["media"],
        "amount_collected": int(Payment.objects.filter(enrollment__attributions__campaign=of)
                                .aggregate(s=Sum("amount"))["s"] or 0),
    }


def by_site(of: Campaign) -> list[dict[str, Any]]:
    sites = list(EventSite.objects.filter(event__campaign=of, is_central=False).select_related("area").order_by("pk"))
    teams = dict(AdvisoryTeam.objects.filter(campaign=of, site__isnull=False).values("site_id")
                 .annotate(n=Count("pk")).values_list("site_id", "n"))
    advised = dict(ConsultationSession.objects.filter(team__campaign=of, team__site__isnull=False)
                   .values("team__site_id").annotate(n=Sum("people_advised")).values_list("team__site_id", "n"))
    paid = of.attributions.filter(enrollment__status=EnrollmentStatus.PAID, enrollment__is_renewal=False,
                                  site__isnull=False)
    vsi = dict(paid.filter(enrollment__scheme=Scheme.VSI).values("site_id").annotate(n=Count("pk"))
               .values_list("site_id", "n"))
    hi = dict(paid.filter(enrollment__scheme=Scheme.HOUSEHOLD_HI).values("site_id")
              .annotate(n=Count("enrollment__hi_lines")).values_list("site_id", "n"))
    return [{"site": site, "ready": site.ready_at is not None, "teams": teams.get(site.pk, 0),
             "people_advised": int(advised.get(site.pk) or 0), "vsi_new": vsi.get(site.pk, 0),
             "hi_new": hi.get(site.pk, 0)} for site in sites]


def _participants_by(attributions: Any, key: str) -> dict[Any, int]:
    paid = attributions.filter(enrollment__status=EnrollmentStatus.PAID, enrollment__is_renewal=False)
    counts: dict[Any, int] = {}
    vsi = (paid.filter(enrollment__scheme=Scheme.VSI).values(key)
           .annotate(n=Count("enrollment__person", distinct=True)).values_list(key, "n"))
    hi = (paid.filter(enrollment__scheme=Scheme.HOUSEHOLD_HI).values(key)
          .annotate(n=Count("enrollment__hi_lines__person", distinct=True)).values_list(key, "n"))
    for group, n in (*vsi, *hi):
        counts[group] = counts.get(group, 0) + n
    return counts


def ranking(of: Campaign) -> list[tuple[EventSite, int]]:
    sites = list(EventSite.objects.filter(event__campaign=of, is_central=False).select_related("area"))
    new = _participants_by(Attribution.objects.filter(campaign=of, site__in=sites), "site_id")
    return sorted(((site, new.get(site.pk, 0)) for site in sites), key=lambda s: (-s[1], s[0].pk))


def funnel(of: Campaign) -> dict[str, int]:
    during = Enrollment.objects.filter(quoted_on__gte=of.starts_on, quoted_on__lte=of.ends_on) \
        .exclude(status=EnrollmentStatus.CANCELLED)
    vsi = during.filter(scheme=Scheme.VSI, person_id=OuterRef("person_id"))
    hi = during.filter(scheme=Scheme.HOUSEHOLD_HI, hi_lines__person_id=OuterRef("person_id"))

    def any_of(**conditions: Any) -> Q:
        return Q(Exists(vsi.filter(**conditions))) | Q(Exists(hi.filter(**conditions)))

    paid = {"status": EnrollmentStatus.PAID, "attributions__campaign": of}
    counts = Lead.objects.filter(campaign=of).aggregate(
        leads=Count("pk"), registered=Count("pk", filter=any_of()), paid=Count("pk", filter=any_of(**paid)),
        renewed=Count("pk", filter=any_of(**paid, is_renewal=True)))
    advised = ConsultationSession.objects.filter(team__campaign=of).aggregate(n=Sum("people_advised"))["n"]
    return {"advised": int(advised or 0), **counts}


def agent_ranking(of: Campaign) -> list[tuple[Agent, int]]:
    new = Attribution.objects.filter(campaign=of, agent__isnull=False, enrollment__is_renewal=False,
                                     enrollment__status=EnrollmentStatus.PAID)
    counts: dict[int, int] = dict.fromkeys(Attribution.objects.filter(campaign=of, agent__isnull=False)
                                           .values_list("agent_id", flat=True).distinct(), 0)
    vsi = (new.filter(enrollment__scheme=Scheme.VSI).values("agent_id")
           .annotate(n=Count("enrollment__person", distinct=True)).values_list("agent_id", "n"))
    hi = (new.filter(enrollment__scheme=Scheme.HOUSEHOLD_HI).values("agent_id")
          .annotate(n=Count("enrollment__hi_lines__person", distinct=True)).values_list("agent_id", "n"))
    for agent_id, n in (*vsi, *hi):
        counts[agent_id] += n
    agents = Agent.objects.in_bulk(list(counts))
    return sorted(((agents[pk], n) for pk, n in counts.items()), key=lambda r: (-r[1], r[0].code))


def shared_figures(of: Campaign, on: date) -> dict[str, Any]:
    """What ``queries.workspace_figures`` counts on a cold cache, the way it was counted before."""
    return {"areas": area_ids(of), "organisers": set(of.organisers.values_list("pk", flat=True)),
            "ranking": ranking(of), "totals": summary(of), "sites": by_site(of), "funnel": funnel(of),
            "targets": analytics.targets_progress(of, on), "agents": agent_ranking(of),
            "tasks": list(queries.tasks(of)), "resources": queries.resources(of), "media": list(queries.media(of)[:30]),
            "awards": list(of.awards.select_related("site", "agent"))}
