"""Quote endpoints: the same rules as the CLI and the quote page, as JSON. Public, so every input is
bounded in the schema (and the OpenAPI): the rules refuse what the law refuses, the bounds keep an
anonymous request from buying minutes of CPU (5,000,000 members once took 82 s)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Router, Schema
from pydantic import model_validator

from ansinh.lib.bounds import MAX_INCOME, MAX_MEMBERS, MAX_MONTHS
from ansinh.rules import household_hi, vsi

router = Router(tags=["quotes"])


GroupName = Annotated[str, Field(max_length=20)]


class VsiQuoteIn(Schema):
    on: date
    income: int = Field(ge=0, le=MAX_INCOME)
    months: int = Field(ge=1, le=MAX_MONTHS)
    method: vsi.Method = vsi.Method.REGULAR
    groups: list[GroupName] = Field(default_factory=list, max_length=len(vsi.SUPPORT_GROUPS))
    province: str | None = Field(None, max_length=10)
    supported_months_used: int = Field(0, ge=0, le=1200)
    rate: Decimal | None = Field(None, ge=0, le=1)


class HiQuoteIn(Schema):
    on: date
    members: int = Field(ge=0, le=MAX_MEMBERS, description="Members who join (at most 50 with covered_elsewhere).")
    months: int = Field(ge=1, le=12)
    already_joined: int = Field(0, ge=0, le=MAX_MEMBERS)
    covered_elsewhere: int = Field(0, ge=0, le=MAX_MEMBERS)
    previous_card_end: date | None = None
    group: Literal["household", "poor", "near_poor", "near_poor_full"] = Field(
        "household", description="The household's poverty status on the date (ND 146/2018 art. 3-4).")
    as_household: bool = Field(False, description="Near-poor members join as a household (from 01/07/2025).")
    province: str | None = Field(None, max_length=10, description="Province code, for its HI top-up.")

    @model_validator(mode="after")
    def at_most_50_people(self) -> HiQuoteIn:
        if self.members + self.covered_elsewhere > MAX_MEMBERS:
            raise ValueError(f"members + covered_elsewhere must be at most {MAX_MEMBERS}")
        return self


@router.post("/vsi", summary="Voluntary SI quote")
def quote_vsi(request: Any, body: VsiQuoteIn) -> dict[str, Any]:
    return vsi.quote(
        vsi.VsiQuoteInput(
            on=body.on,
            income=body.income,
            months=body.months,
            method=body.method,
            groups=frozenset(body.groups),
            province=body.province,
            supported_months_used=body.supported_months_used,
            fund_return=body.rate,
        )
    ).as_dict()


@router.post("/hi", summary="Household health insurance quote")
def quote_hi(request: Any, body: HiQuoteIn) -> dict[str, Any]:
    members = (household_hi.HiMember(group=body.group, as_household=body.as_household),) * body.members
    covered = (household_hi.HiMember(covered_elsewhere=True),) * body.covered_elsewhere
    return household_hi.quote(
        household_hi.HiQuoteInput(
            on=body.on,
            members=members + covered,
            months=body.months,
            already_joined=body.already_joined,
            previous_card_end=body.previous_card_end,
            province=body.province,
        )
    ).as_dict()
