"""The funnel, targets and the emulation ranking of a campaign: reads of the attributions that
`attribution.py` writes with each payment (ADR 0005). Nothing here writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from ansinh.areas.tree import map_tree
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
)
from ansinh.enrollment.models import Enrollment, EnrollmentStatus, Scheme
from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.lib.ranking import competition_ranks
from ansinh.org.models import Agent


def funnel(campaign: Campaign, site: EventSite | None = None, team: AdvisoryTeam | None = None,
           agent_id: int | None = None, advised: int | None = None) -> dict[str, int]:
    """advised → leads → registered → paid → of which renewed, in people, for the campaign or one
    site, team or agent (whose leads are those they recorded). Each stage is a subset of the one
    before: advised are the head counts the teams give per session; leads, the people recorded by
    name; registered, the leads linked to a person (leads.py) who has a term quoted during the
    campaign; paid, those whose term is paid and counted for the campaign; renewed, those paid whose
    term continues an earlier one. Two queries however many leads there are (one when the caller
    gives ``advised``, the campaign's people advised it counted already; the workspace counts the
    whole campaign's stages with its totals, from ``lead_stages``)."""
    sessions = ConsultationSession.objects.filter(team__campaign=campaign)
    leads = Lead.objects.filter(campaign=campaign)
    if site is not None:
        sessions, leads = sessions.filter(team__site=site), leads.filter(team__site=site)
    if team is not None:
        sessions, leads = sessions.filter(team=team), leads.filter(team=team)
    if agent_id is not None:
        leads = leads.filter(recorded_by__agent__pk=agent_id)
        sessions = sessions.none()
    counts = leads.aggregate(leads=Count("pk"), **{stage: Count("pk", filter=linked)
                                                   for stage, linked in lead_stages(campaign).items()})
    if advised is None:
        advised = int(sessions.aggregate(n=Sum("people_advised"))["n"] or 0)
    return {"advised": advised, **counts}


def lead_stages(campaign: Campaign) -> dict[str, Q]:
    """Which leads reached each stage after ``leads`` (registered, paid, renewed), as filters on leads."""
    during = Enrollment.objects.filter(quoted_on__gte=campaign.starts_on, quoted_on__lte=campaign.ends_on) \
        .exclude(status=EnrollmentStatus.CANCELLED)
    # The people with such a term, per scheme on its own key (the person; a household term's card
    # lines), as IN (subquery): PostgreSQL hashes each set once, where an EXISTS per lead was a probe
    # per lead and scheme whose estimated cost set off JIT compilation (~80 ms on the seed demo).
    vsi = during.filter(scheme=Scheme.VSI)
    hi = during.filter(scheme=Scheme.HOUSEHOLD_HI)

    def any_of(**conditions: Any) -> Q:
        return (Q(person_id__in=vsi.filter(**conditions).values("person_id"))
                | Q(person_id__in=hi.filter(**conditions).values("hi_lines__person_id")))

    paid = {"status": EnrollmentStatus.PAID, "attributions__campaign": campaign}
    return {"registered": any_of(), "paid": any_of(**paid), "renewed": any_of(**paid, is_renewal=True)}


@dataclass(frozen=True)
class TargetProgress:
    target: Target
    actual: int
    share: Decimal  # of the target
    pace: Decimal  # actual against the target pro rata of the days elapsed (1 = on plan)
    forecast: int  # at this rate, by the end date


def _subtrees(roots: set[int]) -> dict[int, set[int]]:
    """Each root's subtree, walked on the map's shape kept per process (not one walk per target)."""
    tree = map_tree()
    return {root: tree.subtree(root) for root in roots}


def targets_progress(campaign: Campaign, on: date) -> list[TargetProgress]:
    """Every target of the campaign, read in a fixed number of queries however many targets there
    are: the campaign's paid attributions once (commune, agent, collector, scheme, people, amount),
    then each target's share of them counted here."""
    targets = list(campaign.targets.select_related("area"))
    if not targets:
        return []
    paid = Attribution.objects.filter(campaign=campaign, enrollment__status=EnrollmentStatus.PAID)
    keys = ("enrollment__area_id", "agent_id", "agent__collector_id", "enrollment__scheme")
    new = paid.filter(enrollment__is_renewal=False)
    people = list(new.filter(enrollment__scheme=Scheme.VSI).values_list(*keys, "enrollment__person_id").union(
        new.filter(enrollment__scheme=Scheme.HOUSEHOLD_HI).values_list(*keys, "enrollment__hi_lines__person_id"),
        all=True))
    amounts = list(Attribution.objects.filter(campaign=campaign).values(*keys)
                   .annotate(s=Sum("enrollment__payments__amount")).values_list(*keys, "s"))
    subtrees = _subtrees({t.area_id for t in targets if t.area_id is not None})
    total_days = (campaign.ends_on - campaign.starts_on).days + 1
    elapsed = min(total_days, max(1, (on - campaign.starts_on).days + 1))

    def matches(target: Target, area: int, agent: int | None, collector: int | None, scheme: str) -> bool:
        return (scheme == target.scheme and (target.area_id is None or area in subtrees[target.area_id])
                and (target.org_unit_id is None or collector == target.org_unit_id)
                and (target.agent_id is None or agent == target.agent_id))

    rows = []
    for target in targets:
        if target.metric == Metric.AMOUNT:
            actual = int(sum(row[4] or 0 for row in amounts if matches(target, *row[:4])))
        else:
            actual = len({row[4] for row in people if row[4] is not None and matches(target, *row[:4])})
        expected = Decimal(target.value) * elapsed / total_days
        rows.append(TargetProgress(target, actual, Decimal(actual) / target.value, Decimal(actual) / expected,
                                   actual * total_days // elapsed))
    return rows


@dataclass(frozen=True)
class Ranked:
    rank: int
    site: EventSite
    score: Decimal
    new_participants: int


def _participants_by(attributions: QuerySet[Attribution], key: str) -> dict[Any, int]:
    """New participants (paid first terms, distinct people per scheme) grouped by ``key``, a field of
    the attribution: two queries however many groups there are."""
    paid = attributions.filter(enrollment__status=EnrollmentStatus.PAID, enrollment__is_renewal=False)
    counts: dict[Any, int] = {}
    vsi = (paid.filter(enrollment__scheme=Scheme.VSI).values(key)
           .annotate(n=Count("enrollment__person", distinct=True)).values_list(key, "n"))
    hi = (paid.filter(enrollment__scheme=Scheme.HOUSEHOLD_HI).values(key)
          .annotate(n=Count("enrollment__hi_lines__person", distinct=True)).values_list(key, "n"))
    for group, n in (*vsi, *hi):
        counts[group] = counts.get(group, 0) + n
    return counts


def ranking(campaign: Campaign, rule: str | None = None,
            new: list[tuple[EventSite, int]] | None = None) -> list[Ranked]:
    """Sites ranked by the campaign's emulation rule; equal scores share a rank (1, 2, 2, 4). Read
    grouped by site (a fixed number of queries however many sites there are); ``new``: the sites
    (not the central bridge) and their new participants when the caller has counted them already
    (the workspace, with its site rows)."""
    rule = rule or campaign.ranking_rule
    if new is None:
        sites = list(EventSite.objects.filter(event__campaign=campaign, is_central=False).select_related("area"))
        counted = _participants_by(Attribution.objects.filter(campaign=campaign, site__in=sites), "site_id")
        new = [(site, counted.get(site.pk, 0)) for site in sites]
    sites = [site for site, _unused in new]
    if rule == RankingRule.SHARE_OF_TARGET:
        targets = dict(Target.objects.filter(campaign=campaign, area_id__in=[s.area_id for s in sites],
                                             metric=Metric.NEW_PARTICIPANTS)
                       .values("area_id").annotate(total=Sum("value")).values_list("area_id", "total"))
    elif rule == RankingRule.GROWTH:
        if campaign.previous is None:
            raise DomainError(ErrorCode.INVALID_INPUT, _("Chưa chọn chiến dịch năm trước để so sánh tăng trưởng."),
                              "No previous campaign.")
        last = _participants_by(Attribution.objects.filter(campaign=campaign.previous), "site__area_id")
    elif rule != RankingRule.ABSOLUTE:
        raise DomainError(ErrorCode.INVALID_INPUT, _("Cách xếp hạng «{rule}» không hợp lệ.").format(rule=rule),
                          "Unknown rule.")
    scores = []
    for site, count in new:
        if rule == RankingRule.SHARE_OF_TARGET:
            target = targets.get(site.area_id)
            if not target:
                message = _("{venue} chưa có chỉ tiêu, không xếp hạng theo tỷ lệ được.").format(
                              venue=site.venue)
                raise DomainError(ErrorCode.INVALID_INPUT, message, "A site has no target.")
            score = (Decimal(count) / target).quantize(Decimal("0.0001"))
        elif rule == RankingRule.GROWTH:
            score = Decimal(count - last.get(site.area_id, 0))
        else:
            score = Decimal(count)
        scores.append((site, score, count))
    scores.sort(key=lambda s: (-s[1], s[0].pk))
    ranks = competition_ranks([score for _unused, score, _unused in scores])
    return [Ranked(rank, site, score, n) for rank, (site, score, n) in zip(ranks, scores, strict=True)]


def agent_ranking(campaign: Campaign) -> list[dict[str, Any]]:
    """Agents by new participants they brought in (paid, first term; distinct people per scheme);
    every agent with an attribution in the campaign is listed, equal counts share a rank. One
    statement however many agents there are: the attributions grouped by agent, with the agent's
    columns (the same in every row of a group) read in the same rows."""
    new = Q(enrollment__is_renewal=False, enrollment__status=EnrollmentStatus.PAID)
    columns = [f.attname for f in Agent._meta.concrete_fields]
    grouped = Attribution.objects.filter(campaign=campaign, agent__isnull=False).values(
        *(f"agent__{name}" for name in columns)).annotate(
        vsi=Count("enrollment__person_id", filter=new & Q(enrollment__scheme=Scheme.VSI), distinct=True),
        hi=Count("enrollment__hi_lines__person_id", filter=new & Q(enrollment__scheme=Scheme.HOUSEHOLD_HI),
                 distinct=True)).order_by()
    rows = sorted(({"agent": Agent.from_db(grouped.db, columns, [row[f"agent__{name}"] for name in columns]),
                    "new_participants": row["vsi"] + row["hi"]} for row in grouped),
                  key=lambda r: (-r["new_participants"], r["agent"].code))
    for rank, row in zip(competition_ranks([r["new_participants"] for r in rows]), rows, strict=True):
        row["rank"] = rank
    return rows
