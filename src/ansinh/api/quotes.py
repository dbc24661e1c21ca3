"""Quote endpoints: the same rules as the CLI and the quote page, as JSON."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from ninja import Field, Router, Schema

from ansinh.rules import household_hi, vsi

router = Router(tags=["quotes"])


class VsiQuoteIn(Schema):
    on: date
    income: int
    months: int
    method: vsi.Method = vsi.Method.REGULAR
    groups: list[str] = Field(default_factory=list)
    province: str | None = None
    supported_months_used: int = 0
    rate: Decimal | None = None


class HiQuoteIn(Schema):
    on: date
    members: int
    months: int
    already_joined: int = 0
    covered_elsewhere: int = 0
    previous_card_end: date | None = None


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
    members = (household_hi.HiMember(),) * max(body.members, 0)
    covered = (household_hi.HiMember(covered_elsewhere=True),) * max(body.covered_elsewhere, 0)
    return household_hi.quote(
        household_hi.HiQuoteInput(
            on=body.on,
            members=members + covered,
            months=body.months,
            already_joined=body.already_joined,
            previous_card_end=body.previous_card_end,
        )
    ).as_dict()
