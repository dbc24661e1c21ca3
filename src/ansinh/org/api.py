"""Org API: org units and agents, within the caller's scope."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from ansinh.org import queries
from ansinh.org.scope import scope_for

router = Router(tags=["org"])


class OrgUnitOut(Schema):
    code: str
    name: str
    kind: str
    parent_code: str | None
    area_codes: list[str]


class AgentOut(Schema):
    code: str
    name: str
    collector_code: str
    area_codes: list[str]
    active_from: date
    active_to: date | None


@router.get("/org-units", response=list[OrgUnitOut])
def org_units(request: HttpRequest) -> list[dict[str, Any]]:
    return [{"code": u.code, "name": u.name, "kind": u.kind, "parent_code": u.parent.code if u.parent else None,
             "area_codes": [a.code for a in u.areas.all()]} for u in queries.org_units(scope_for(request.user))]


@router.get("/agents", response=list[AgentOut])
def agents(request: HttpRequest) -> list[dict[str, Any]]:
    return [{"code": a.code, "name": a.name, "collector_code": a.collector.code,
             "area_codes": [u.code for u in a.areas.all()], "active_from": a.active_from, "active_to": a.active_to}
            for a in queries.agents(scope_for(request.user))]
