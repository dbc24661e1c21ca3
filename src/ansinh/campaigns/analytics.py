"""The funnel, targets and the emulation ranking of a campaign: reads of the attributions that
`attribution.py` writes with each payment (ADR 0005). Nothing here writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from ansinh.areas.queries import subtree_ids
from ansinh.campaigns.models import (
    AdvisoryTeam,
    Attribution,
    Campaign,
    ConsultationSession,
    EventSite,
    Lead,
    Metric,
    RankingRule,
    Target,
    TeamMember,
)
from ansinh.campaigns.queries import campaign_area_ids
from ansinh.enrollment.models import Enrollment, EnrollmentStatus, HiCardLine, Scheme
from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.lib.ranking import competition_ranks
from ansinh.org.models import Agent
from ansinh.payments.models import Payment


def _participants(attributions: QuerySet[Attribution], scheme: str) -> int:
    paid = attributions.filter(enrollment__status=EnrollmentStatus.PAID, enrollment__is_renewal=False,
                               enrollment__scheme=scheme)
    if scheme == Scheme.VSI:
        return paid.values("enrollment__person").distinct().count()
    return HiCardLine.objects.filter(enrollment__in=paid.values("enrollment")).values("person").distinct().count()


def funnel(campaign: Campaign, site: EventSite | None = None, team: AdvisoryTeam | None = None,
           agent_id: int | None = None) -> dict[str, int]:
    """advised → lead → registered → paid → renewed, for the campaign or one site, team or agent."""
    sessions = ConsultationSession.objects.filter(team__campaign=campaign)
    leads = Lead.objects.filter(campaign=campaign)
    linked = Attribution.objects.filter(campaign=campaign)
    if site is not None:
        sessions, leads = sessions.filter(team__site=site), leads.filter(team__site=site)
        linked = linked.filter(site=site)
    if team is not None:
        sessions, leads, linked = sessions.filter(team=team), leads.filter(team=team), linked.filter(team=team)
    if agent_id is not None:
        linked = linked.filter(agent_id=agent_id)
        leads = leads.filter(recorded_by__agent__pk=agent_id)
        sessions = sessions.none()
    paid = linked.filter(enrollment__status=EnrollmentStatus.PAID)
    # Registered: terms the campaign's people saved in its areas and period, paid or not yet.
    people = set(TeamMember.objects.filter(team__campaign=campaign).values_list("user_id", flat=True))
    registered = Enrollment.objects.filter(
        Q(attributions__in=linked) | Q(created_by_id__in=people, attributions__isnull=True,
                                       area_id__in=campaign_area_ids(campaign), quoted_on__gte=campaign.starts_on,
                                       quoted_on__lte=campaign.ends_on, status=EnrollmentStatus.PENDING)).distinct()
    if site is not None or team is not None or agent_id is not None:
        registered = registered.filter(attributions__in=linked)
    return {
        "advised": int(sessions.aggregate(n=Sum("people_advised"))["n"] or 0),
        "leads": leads.count(),
        "registered": registered.count(),
        "paid": paid.filter(enrollment__is_renewal=False).count(),
        "renewed": paid.filter(enrollment__is_renewal=True).count(),
    }


@dataclass(frozen=True)
class TargetProgress:
    target: Target
    actual: int
    share: Decimal  # of the target
    pace: Decimal  # actual against the target pro rata of the days elapsed (1 = on plan)
    forecast: int  # at this rate, by the end date


def _target_attributions(target: Target) -> QuerySet[Attribution]:
    linked = Attribution.objects.filter(campaign=target.campaign)
    if target.area_id is not None:
        linked = linked.filter(enrollment__area_id__in=subtree_ids([target.area_id]))
    if target.org_unit_id is not None:
        linked = linked.filter(agent__collector_id=target.org_unit_id)
    if target.agent_id is not None:
        linked = linked.filter(agent_id=target.agent_id)
    return linked


def target_progress(target: Target, on: date) -> TargetProgress:
    linked = _target_attributions(target)
    if target.metric == Metric.AMOUNT:
        actual = int(Payment.objects.filter(enrollment__attributions__in=linked, enrollment__scheme=target.scheme)
                     .aggregate(s=Sum("amount"))["s"] or 0)
    else:
        actual = _participants(linked, target.scheme)
    campaign = target.campaign
    total_days = (campaign.ends_on - campaign.starts_on).days + 1
    elapsed = min(total_days, max(1, (on - campaign.starts_on).days + 1))
    share = Decimal(actual) / target.value
    expected = Decimal(target.value) * elapsed / total_days
    return TargetProgress(target, actual, share, Decimal(actual) / expected, actual * total_days // elapsed)


@dataclass(frozen=True)
class Ranked:
    rank: int
    site: EventSite
    score: Decimal
    new_participants: int


def ranking(campaign: Campaign, rule: str | None = None) -> list[Ranked]:
    """Sites ranked by the campaign's emulation rule; equal scores share a rank (1, 2, 2, 4)."""
    rule = rule or campaign.ranking_rule
    scores = []
    for site in EventSite.objects.filter(event__campaign=campaign, is_central=False).select_related("area"):
        linked = Attribution.objects.filter(campaign=campaign, site=site)
        new = sum(_participants(linked, scheme) for scheme in (Scheme.VSI, Scheme.HOUSEHOLD_HI))
        scores.append((site, _score(campaign, site, new, rule), new))
    scores.sort(key=lambda s: (-s[1], s[0].pk))
    ranks = competition_ranks([score for _, score, _ in scores])
    return [Ranked(rank, site, score, new) for rank, (site, score, new) in zip(ranks, scores, strict=True)]


def _score(campaign: Campaign, site: EventSite, new: int, rule: str) -> Decimal:
    if rule == RankingRule.ABSOLUTE:
        return Decimal(new)
    if rule == RankingRule.SHARE_OF_TARGET:
        target = (Target.objects.filter(campaign=campaign, area=site.area, metric=Metric.NEW_PARTICIPANTS)
                  .aggregate(total=Sum("value"))["total"])
        if not target:
            message = f"{site.venue} chưa có chỉ tiêu, không xếp hạng theo tỷ lệ được."
            raise DomainError(ErrorCode.INVALID_INPUT, message, "A site has no target.")
        return (Decimal(new) / target).quantize(Decimal("0.0001"))
    if rule == RankingRule.GROWTH:
        if campaign.previous is None:
            raise DomainError(ErrorCode.INVALID_INPUT, "Chưa chọn chiến dịch năm trước để so sánh tăng trưởng.",
                              "No previous campaign.")
        before = Attribution.objects.filter(campaign=campaign.previous, site__area=site.area)
        last = sum(_participants(before, s) for s in (Scheme.VSI, Scheme.HOUSEHOLD_HI))
        return Decimal(new - last)
    raise DomainError(ErrorCode.INVALID_INPUT, f"Cách xếp hạng «{rule}» không hợp lệ.", "Unknown rule.")


def agent_ranking(campaign: Campaign) -> list[dict[str, Any]]:
    """Agents by new participants they brought in (paid, first term); equal counts share a rank."""
    new = Attribution.objects.filter(campaign=campaign, agent__isnull=False, enrollment__is_renewal=False,
                                     enrollment__status=EnrollmentStatus.PAID)
    counts: dict[int, int] = dict.fromkeys(Attribution.objects.filter(campaign=campaign, agent__isnull=False)
                                           .values_list("agent_id", flat=True).distinct(), 0)
    vsi = (new.filter(enrollment__scheme=Scheme.VSI).values("agent_id")
           .annotate(n=Count("enrollment__person", distinct=True)).values_list("agent_id", "n"))
    hi = (new.filter(enrollment__scheme=Scheme.HOUSEHOLD_HI).values("agent_id")
          .annotate(n=Count("enrollment__hi_lines__person", distinct=True)).values_list("agent_id", "n"))
    for agent_id, n in (*vsi, *hi):
        counts[agent_id] += n
    agents = Agent.objects.in_bulk(list(counts))
    rows = sorted(({"agent": agents[pk], "new_participants": n} for pk, n in counts.items()),
                  key=lambda r: (-r["new_participants"], r["agent"].code))
    for rank, row in zip(competition_ranks([r["new_participants"] for r in rows]), rows, strict=True):
        row["rank"] = rank
    return rows
