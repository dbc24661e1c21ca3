"""Visit lists on the agent's phone (issue 18, "later, the offline app's slice"): the households the
agent's advisory teams are to visit come down with the slice, priced as the team's printed sheet
(campaigns.visit_queries.priced), and a visit recorded offline comes back as a ``visit`` operation
that goes through the same service as ``POST /api/campaigns/visits`` (campaigns.visits.record_visit),
so the campaign's funnel moves the same way and a replay finds the first visit by its key.

Who receives a list: a member of the team it is assigned to, while the team's campaign runs, and only
for households in the agent's scope; another team's or another commune's rows never leave the server."""

from __future__ import annotations

import uuid
from datetime import date
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AbstractBaseUser
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from ansinh.campaigns import visits
from ansinh.campaigns.models import Visit, VisitAssignment
from ansinh.campaigns.services import active_teams
from ansinh.campaigns.visit_queries import priced
from ansinh.lib.errors import DomainError, invalid_input
from ansinh.org.scope import Scope

if TYPE_CHECKING:
    from ansinh.fieldsync.operations import Context

# A team's list is a few dozen households a day; the phone carries at most this many rows (the oldest
# lists' last), so a slice stays within the 2 MB of issue 16 whatever a manager assigned.
MAX_SLICE_VISITS = 1_000


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def for_slice(scope: Scope, user: AbstractBaseUser, on: date, code_of: dict[int, str]) -> dict[str, Any]:
    """The rows of the visit lists assigned to the user's running teams, in the communes of the slice
    (``code_of``: commune id → code), newest list first; ``truncated`` when there were more."""
    teams = active_teams(scope, user, on).values("pk")
    found = list(
        VisitAssignment.objects.filter(team_id__in=teams, household__area_id__in=list(code_of))
        .select_related("household", "household__head", "team", "team__campaign", "visit_list")
        .order_by("-visit_list_id", "household__address_detail", "household__code", "pk")[: MAX_SLICE_VISITS + 1]
    )
    rows = found[:MAX_SLICE_VISITS]
    last: dict[int, str] = {}
    for assignment_id, outcome in (Visit.objects.filter(assignment_id__in=[r.pk for r in rows])
                                   .order_by("visited_at", "pk").values_list("assignment_id", "outcome")):
        last[assignment_id] = outcome
    out = []
    for row in priced(scope, rows, on):
        a = row.assignment
        team = a.team
        assert team is not None  # filtered on the team
        out.append({
            "id": a.pk, "list_id": a.visit_list_id, "campaign": team.campaign.name, "campaign_slug": team.campaign.slug,
            "team": team.name, "commune_code": code_of[a.household.area_id], "household_id": str(a.household_id),
            "household_code": a.household.code, "head": row.head, "address": row.address, "phone_masked": row.phone,
            "gap": a.gap, "lapsed_since": _iso(a.lapsed_since), "hi_yearly": row.hi_yearly, "hi_group": row.hi_group,
            "members": [{"id": str(m.person_id), "full_name": m.name, "age": m.age, "groups": m.groups,
                         "vsi_monthly": m.vsi_monthly} for m in row.members],
            "last_outcome": last.get(a.pk),
        })
    return {"rows": out, "truncated": len(found) > MAX_SLICE_VISITS}


def _bad(name: str) -> DomainError:
    return invalid_input(_("Thiếu hoặc sai trường «{name}» của thao tác.").format(name=name),
                         f"Missing or invalid {name}.", field=name)


def _text(data: dict[str, Any], name: str, default: str = "") -> str:
    value = data.get(name)
    if value is None:
        return default
    if not isinstance(value, str):
        raise _bad(name)
    return value


def _id(value: Any, name: str) -> int:
    """A server id as the slice gave it (a number, or its text for a member)."""
    if isinstance(value, str) and value.isdigit() and len(value) <= 12:
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 10**12:
        raise _bad(name)
    return value


def record(ctx: Context, data: dict[str, Any]) -> int:
    """A visit recorded offline (``visit_id``: its client UUID, the idempotency key of the visit, so the
    same visit sent again under another operation id is the first one). The time is the server's, as
    for every visit (the device's is kept with the operation)."""
    try:
        client_id = uuid.UUID(str(data["visit_id"]))
    except (KeyError, ValueError):
        raise _bad("visit_id") from None
    ctx.creates = client_id
    follow_up = _text(data, "follow_up_on")
    try:
        follow_up_on = parse_date(follow_up) if follow_up else None
    except ValueError:
        follow_up_on = None
    if follow_up and follow_up_on is None:
        raise _bad("follow_up_on")
    person = data.get("person_id")
    visit = visits.record_visit(ctx.actor, ctx.scope, _id(data.get("assignment_id"), "assignment_id"),
                                visits.VisitData(outcome=_text(data, "outcome"),
                                                 person_id=None if person in (None, "") else _id(person, "person_id"),
                                                 note=_text(data, "note"), scheme=_text(data, "scheme", "vsi"),
                                                 follow_up_on=follow_up_on),
                                key=f"sync-{client_id}", now=ctx.now)
    ctx.area_id = VisitAssignment.objects.filter(pk=visit.assignment_id).values_list(
        "household__area_id", flat=True).first()
    return visit.pk
