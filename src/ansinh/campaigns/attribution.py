"""Attribution: which campaigns (and event, site, team, agent) a paid enrollment counts for (ADR 0005).

Written where the money is written, never on a read: `count_payment` is one of the payment listeners
(`payments.services.PAYMENT_LISTENERS`, registered in `apps.py`) and runs inside the payment's own
transaction, so a payment is never committed without its attributions, nor a reversal with them.
`refresh(campaign)` links what the listener could not see: payments bulk-loaded past the writing
services, and payments made before the campaign was created. An override (with its reason) is
written by `services.override_attribution` and never touched again by either path.

The rule (ADR 0005): a payment counts for **every** campaign whose period holds its day (local time)
and whose areas hold the enrollment's commune, when a member of one of the campaign's teams or an
agent recorded it; once per (enrollment, campaign). The team is the recorder's team in that campaign
(the lowest id if they are in several), the site the team's or else the nearest site up the map from
the commune, the event the first launch event held that day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from ansinh.areas.models import AdministrativeUnit
from ansinh.areas.queries import ancestors
from ansinh.campaigns.models import AdvisoryTeam, Attribution, Campaign, EventSite, LaunchEvent, TeamMember
from ansinh.campaigns.queries import campaign_area_ids, forget_board
from ansinh.enrollment.models import EnrollmentStatus
from ansinh.payments.models import Payment


@dataclass(frozen=True)
class _Rules:
    """What one campaign needs to attribute a payment, read in a fixed number of queries."""

    campaign: Campaign
    teams: dict[int, AdvisoryTeam]  # user id → their team in this campaign
    sites: dict[int, EventSite]  # area id → the campaign's site for that area
    events: list[LaunchEvent]  # by start time

    @classmethod
    def of(cls, campaign: Campaign, users: list[int] | None = None, areas: list[int] | None = None) -> _Rules:
        """The campaign's rules, for the given recorders and areas only (a single payment) or for all."""
        members = TeamMember.objects.filter(team__campaign=campaign).select_related("team").order_by("-team_id")
        sites = EventSite.objects.filter(event__campaign=campaign, is_central=False, area__isnull=False)
        if users is not None:
            members = members.filter(user_id__in=users)
        if areas is not None:
            sites = sites.filter(area_id__in=areas)
        # Later rows overwrite earlier ones: the lowest team id and the lowest site id win.
        teams = {member.user_id: member.team for member in members}
        return cls(campaign, teams, {s.area_id: s for s in sites.order_by("-pk")},
                   list(campaign.events.order_by("starts_at", "pk")))

    def link(self, payment: Payment, chain: list[int]) -> Attribution | None:
        """The attribution of ``payment`` (whose commune and its ancestors are ``chain``), or None."""
        recorder = payment.recorded_by_id or (payment.agent.user_id if payment.agent else None)
        team = self.teams.get(recorder) if recorder is not None else None
        if team is None and payment.agent_id is None:
            return None  # neither a team member nor an agent recorded it
        day = timezone.localdate(payment.paid_at)
        site = team.site if team is not None and team.site_id else next(
            (self.sites[a] for a in chain if a in self.sites), None)
        event = next((e for e in self.events if timezone.localdate(e.starts_at) == day), None)
        return Attribution(enrollment_id=payment.enrollment_id, campaign=self.campaign, event=event, site=site,
                           team=team, agent_id=payment.agent_id)


def _chain(area_id: int) -> list[int]:
    """The commune and every unit above it, nearest first."""
    unit = AdministrativeUnit.objects.get(pk=area_id)
    return [unit.pk, *(u.pk for u in ancestors(unit))]


def campaigns_on(day: date, chain: list[int]) -> list[Campaign]:
    """The campaigns running on ``day`` whose areas (named, or served by their org units) hold the
    commune at the start of ``chain``; oldest first."""
    found = (Campaign.objects.filter(starts_on__lte=day, ends_on__gte=day)
             .filter(Q(areas__in=chain) | Q(org_scope__areas__in=chain)).distinct().order_by("pk"))
    return list(found)


def count_payment(payment: Payment) -> None:
    """Attribute a new payment to the campaigns it qualifies for; a reversal takes its enrollment out
    of every campaign (a cancelled enrollment counts for none). Runs inside the writer's transaction."""
    if payment.reverses_id is not None:
        gone = Attribution.objects.filter(enrollment_id=payment.enrollment_id)
        forget_board(gone.values_list("campaign_id", flat=True))
        gone.delete()
        return
    chain = _chain(payment.enrollment.area_id)
    recorders = [u for u in (payment.recorded_by_id, payment.agent.user_id if payment.agent else None) if u]
    links = [link for campaign in campaigns_on(timezone.localdate(payment.paid_at), chain)
             if (link := _Rules.of(campaign, recorders, chain).link(payment, chain)) is not None]
    # A refresh running at the same moment may have linked it first: the constraint keeps one.
    Attribution.objects.bulk_create(links, ignore_conflicts=True)
    forget_board(link.campaign_id for link in links)


@transaction.atomic
def refresh(campaign: Campaign) -> tuple[int, int]:
    """Link the qualifying paid enrollments not linked yet, and unlink the cancelled ones; returns
    (added, removed). Idempotent; for bulk loads and for campaigns created after their payments."""
    removed, _ = Attribution.objects.filter(campaign=campaign, enrollment__status=EnrollmentStatus.CANCELLED).delete()
    rules = _Rules.of(campaign)
    payments = (Payment.objects.filter(reverses__isnull=True, reversal__isnull=True,
                                       paid_at__date__gte=campaign.starts_on, paid_at__date__lte=campaign.ends_on,
                                       enrollment__area_id__in=campaign_area_ids(campaign),
                                       enrollment__status=EnrollmentStatus.PAID)
                .exclude(enrollment__attributions__campaign=campaign)
                .select_related("enrollment", "agent").order_by("pk"))
    chain = cache(_chain)  # one walk up the map per commune, not per payment
    added = [link for payment in payments if (link := rules.link(payment, chain(payment.enrollment.area_id)))]
    Attribution.objects.bulk_create(added, batch_size=1000, ignore_conflicts=True)
    with connection.cursor() as cursor:  # a bulk writer leaves the planner's statistics current
        cursor.execute(f"ANALYZE {Attribution._meta.db_table}")
    forget_board([campaign.pk])
    return len(added), removed
