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
from datetime import date, datetime, time, timedelta
from functools import cache

from django.db import connection, models, transaction
from django.db.models import Max, Min, Q
from django.utils import timezone

from ansinh.areas.models import AdministrativeUnit
from ansinh.areas.queries import ancestors
from ansinh.campaigns.models import AdvisoryTeam, Attribution, Campaign, EventSite, LaunchEvent, TeamMember
from ansinh.campaigns.queries import campaign_area_ids, forget_board
from ansinh.enrollment.models import EnrollmentStatus
from ansinh.org.models import OrgUnit
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
    of every campaign (a cancelled enrollment counts for none). Runs inside the writer's transaction,
    as one ``INSERT … SELECT`` (``_ATTRIBUTE``): the rule of ``_Rules.link`` for every campaign at once."""
    if payment.reverses_id is not None:
        gone = Attribution.objects.filter(enrollment_id=payment.enrollment_id)
        forget_board(gone.values_list("campaign_id", flat=True))
        gone.delete()
        return
    recorder = payment.recorded_by_id or (payment.agent.user_id if payment.agent else None)
    day = timezone.localdate(payment.paid_at)
    day_starts = datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())
    at = connection.ops.adapt_datetimefield_value  # as the ORM stores it (SQLite: UTC text)
    params = {"area": payment.enrollment.area_id, "recorder": recorder, "day": day, "from": at(day_starts),
              "to": at(day_starts + timedelta(days=1)), "enrollment": payment.enrollment_id,
              "agent": payment.agent_id}
    # A refresh running at the same moment may have linked it first: the constraint keeps one.
    with connection.cursor() as cursor:
        cursor.execute(_attribute_sql(with_agent=payment.agent_id is not None), params)
        linked = [row[0] for row in cursor.fetchall()]
    forget_board(linked)


def count_payments(payments: list[Payment]) -> None:
    """Many new payments at once (bulk listener, payments/services.py): the campaigns running on their
    days are refreshed, which links each qualifying payment by the same rule as ``count_payment``."""
    if not payments:
        return
    days = [timezone.localdate(p.paid_at) for p in payments]
    for campaign in Campaign.objects.filter(starts_on__lte=max(days), ends_on__gte=min(days)).order_by("pk"):
        refresh(campaign)


def count_payment_ids(ids: list[int]) -> None:
    """``count_payments`` given the new payments' ids: their days read in one query."""
    if not ids:
        return
    if connection.vendor == "postgresql":  # one array parameter, not a list of thousands of ids
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(Payment._meta.db_table)
            cursor.execute(f"SELECT MIN(paid_at), MAX(paid_at) FROM {table} WHERE id = ANY(%s)", [ids])
            first, last = cursor.fetchone()
    else:
        first, last = Payment.objects.filter(pk__in=ids).aggregate(Min("paid_at"), Max("paid_at")).values()
    days = [timezone.localdate(first), timezone.localdate(last)]
    for campaign in Campaign.objects.filter(starts_on__lte=days[1], ends_on__gte=days[0]).order_by("pk"):
        refresh(campaign)


@cache
def _attribute_sql(with_agent: bool) -> str:
    """The attribution of one payment to every campaign it qualifies for (ADR 0005, as ``_Rules.link``
    and ``campaigns_on``): the commune and the units above it (``chain``, nearest first); the campaigns
    running that day whose areas or org units' areas hold one of them; the recorder's lowest team;
    the team's site, else the nearest site up the map (lowest id); the first event that day."""
    def table(model: type[models.Model]) -> str:
        return connection.ops.quote_name(model._meta.db_table)

    def through(model: type[models.Model], name: str) -> str:
        return table(model._meta.get_field(name).remote_field.through)  # type: ignore[union-attr]

    areas, org_areas = table(AdministrativeUnit), through(OrgUnit, "areas")
    campaign_areas, campaign_orgs = through(Campaign, "areas"), through(Campaign, "org_scope")
    team, member, event, site = table(AdvisoryTeam), table(TeamMember), table(LaunchEvent), table(EventSite)
    # An agent's payment counts even when its recorder is in no team; without an agent, a team is needed.
    qualifies = "TRUE" if with_agent else "found.team_id IS NOT NULL"
    return f"""
WITH RECURSIVE chain (id, depth) AS (
    SELECT id, 0 FROM {areas} WHERE id = %(area)s
    UNION ALL SELECT unit.parent_id, chain.depth + 1 FROM {areas} unit JOIN chain ON unit.id = chain.id
    WHERE unit.parent_id IS NOT NULL
), found AS (
    SELECT campaign.id AS campaign_id,
           (SELECT MIN(t.id) FROM {team} t JOIN {member} m ON m.team_id = t.id
            WHERE t.campaign_id = campaign.id AND m.user_id = %(recorder)s) AS team_id
    FROM {table(Campaign)} campaign
    WHERE campaign.starts_on <= %(day)s AND campaign.ends_on >= %(day)s
      AND (EXISTS (SELECT 1 FROM {campaign_areas} ca WHERE ca.campaign_id = campaign.id
                   AND ca.administrativeunit_id IN (SELECT id FROM chain))
           OR EXISTS (SELECT 1 FROM {campaign_orgs} co JOIN {org_areas} oa ON oa.orgunit_id = co.orgunit_id
                      WHERE co.campaign_id = campaign.id AND oa.administrativeunit_id IN (SELECT id FROM chain)))
)
INSERT INTO {table(Attribution)} (enrollment_id, campaign_id, event_id, site_id, team_id, agent_id, override_reason)
SELECT %(enrollment)s, found.campaign_id,
       (SELECT e.id FROM {event} e WHERE e.campaign_id = found.campaign_id AND e.starts_at >= %(from)s
        AND e.starts_at < %(to)s ORDER BY e.starts_at, e.id LIMIT 1),
       COALESCE((SELECT t.site_id FROM {team} t WHERE t.id = found.team_id),
                (SELECT s.id FROM {site} s JOIN {event} e ON s.event_id = e.id JOIN chain ON chain.id = s.area_id
                 WHERE e.campaign_id = found.campaign_id AND NOT s.is_central ORDER BY chain.depth, s.id LIMIT 1)),
       found.team_id, {"%(agent)s" if with_agent else "NULL"}, ''
FROM found WHERE {qualifies}
ON CONFLICT (enrollment_id, campaign_id) DO NOTHING
RETURNING campaign_id"""


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
