"""The parameter catalogue as JSON (public, like the quotes): every legal parameter with its history,
its unit, the reference of each value, and which value was in force on ``?on=YYYY-MM-DD`` (today by
default). The same data as the browser at ``/tham-so/`` (rules/catalogue.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from ansinh.reports.parameter_use import parameter_use
from ansinh.rules import catalogue
from ansinh.rules.params import default_parameters

router = Router(tags=["parameters"])


class ReferenceOut(Schema):
    title: str
    url: str | None = None
    note: str | None = None
    unverified: bool = Field(description="The figure was found second-hand and awaits the text.")
    configured_by_admin: bool = Field(False, description="An administrator configured this value in /admin/, "
                                                         "on top of the parameter files.")


class VersionOut(Schema):
    effective: date
    status: str = Field(description="value, unpublished (the text exists, its figure is not known) or ended")
    value: Any = Field(None, description="A number (decimals as strings), a list or a mapping; null when "
                                         "unpublished or ended")
    text: str = Field(description="The value as written for a Vietnamese reader")
    in_force: bool = Field(description="Whether this version is the one in force on the day asked")
    reference: ReferenceOut
    calculations: int = Field(0, description="Stored calculations (quotes and enrolments) that used this value")
    enrollments: int = Field(0, description="Of those, the enrolments")


class ParameterOut(Schema):
    name: str
    description: str
    unit: str = Field(description="vnd, rate, months, days, multiple, count or boolean")
    unit_label: str
    yearly: bool = Field(description="Each value holds for its own calendar year only")
    in_force: VersionOut | None
    history: list[VersionOut]


class CatalogueOut(Schema):
    on: date
    parameters: list[ParameterOut]


class CatalogueQuery(Schema):
    on: date | None = Field(None, description="The day (YYYY-MM-DD); today by default")
    prefix: str = Field("", max_length=60, description="Only the parameters whose name starts with it")


@router.get("", response=CatalogueOut, summary="Legal parameters, with history and what is in force on a day")
def list_parameters(request: Any, query: Query[CatalogueQuery]) -> dict[str, Any]:
    on = query.on or timezone.localdate()
    entries = catalogue.catalogue(default_parameters(), on, query.prefix)
    uses = parameter_use()
    out = []
    for entry in entries:
        data = entry.as_dict()
        for version in [*data["history"], *([data["in_force"]] if data["in_force"] else [])]:
            use = uses.get((entry.name, version["effective"]))
            version["calculations"], version["enrollments"] = (use.calculations, use.enrollments) if use else (0, 0)
        out.append(data)
    return {"on": on, "parameters": out}
