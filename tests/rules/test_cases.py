"""Runs the YAML rule cases in src/ansinh/rules/cases/: one pytest item per case."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from ansinh.lib.errors import DomainError
from ansinh.rules import allowances, benefits, household_hi, vsi

CASES_DIR = Path(vsi.__file__).parent / "cases"


def _load_cases() -> list[Any]:
    cases = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            cases.append(pytest.param(case, id=f"{path.stem}: {case['case']}"))
    return cases


def _vsi(inputs: dict[str, Any]) -> Any:
    rate = inputs.get("rate")
    return vsi.quote(
        vsi.VsiQuoteInput(
            on=inputs["date"],
            income=inputs["income"],
            months=inputs["months"],
            method=vsi.Method(inputs.get("method", "regular")),
            groups=frozenset(inputs.get("groups", ())),
            province=inputs.get("province"),
            supported_months_used=inputs.get("supported_months_used", 0),
            fund_return=Decimal(rate) if rate is not None else None,
            born=inputs.get("born"),
            sex=inputs.get("sex"),
            months_paid=inputs.get("months_paid"),
        )
    )


def _hi(inputs: dict[str, Any]) -> Any:
    members = inputs["members"]
    if isinstance(members, int):
        members = ["joining"] * members
    return household_hi.quote(
        household_hi.HiQuoteInput(
            on=inputs["date"],
            members=tuple(_member(m) for m in members),
            months=inputs["months"],
            already_joined=inputs.get("already_joined", 0),
            previous_card_end=inputs.get("previous_card_end"),
            province=inputs.get("province"),
        )
    )


def _member(word: str) -> household_hi.HiMember:
    """``joining`` (household), ``covered`` (another group), a state group, or ``<group>_as_household``."""
    if word in ("joining", "covered"):
        return household_hi.HiMember(covered_elsewhere=word == "covered")
    group, _, choice = word.partition("_as_")
    return household_hi.HiMember(group=group, as_household=choice == "household")


def _retirement(inputs: dict[str, Any]) -> Any:
    return benefits.retirement(inputs["born"], inputs["sex"])


def _pension_rate(inputs: dict[str, Any]) -> Any:
    result = benefits.pension_rate(inputs["sex"], inputs["months"], inputs["first_pension_month"])
    return {"eligible": result.eligible, "rate": str(result.rate.normalize() if result.rate else 0)}


def _lump_sum(inputs: dict[str, Any]) -> Any:
    return {"amount": benefits.lump_sum(inputs["average"], inputs["months_before_2014"], inputs["months_from_2014"],
                                        inputs["state_support_received"], inputs["date"],
                                        contributions=inputs.get("contributions"))}


def _lump_sum_condition(inputs: dict[str, Any]) -> Any:
    return {"case": benefits.lump_sum_condition(inputs["date"], inputs["months_paid"], inputs["joined"],
                                                inputs["last_contribution"], inputs.get("case", "after_break"))}


def _average_income(inputs: dict[str, Any]) -> Any:
    history = [benefits.IncomeYear(*row) for row in inputs["history"]]
    average, _ = benefits.average_income(history, inputs["settlement_year"])
    return {"average": average}


def _funeral(inputs: dict[str, Any]) -> Any:
    return {"amount": benefits.funeral_allowance(inputs["months"], inputs["date"])}


def _maternity(inputs: dict[str, Any]) -> Any:
    return {"amount": benefits.maternity_grant(inputs["months"], inputs["birth"], inputs.get("children", 1))}


def _allowance(inputs: dict[str, Any]) -> Any:
    arguments = dict(inputs)
    rule = getattr(allowances, arguments.pop("function"))
    if "date" in arguments:  # `on` would be read as a YAML boolean
        arguments["on"] = arguments.pop("date")
    if "groups" in arguments:
        arguments["groups"] = tuple(arguments["groups"])
    result = rule(**arguments).as_dict()
    return {key: value for key, value in result.items() if key != "parameters"}


def _deadline(inputs: dict[str, Any]) -> Any:
    found = vsi.payment_deadline(inputs["months"], inputs["period_start"])
    return {"deadline": found.deadline, "has_reason": bool(found.reason)}


RUNNERS = {"allowance": _allowance, "deadline": _deadline,
           "vsi": _vsi, "hi": _hi, "retirement": _retirement, "pension_rate": _pension_rate, "lump_sum": _lump_sum,
           "lump_sum_condition": _lump_sum_condition,
           "average_income": _average_income, "funeral": _funeral, "maternity": _maternity}


def _observed(result: Any, expected: dict[str, Any]) -> dict[str, Any]:
    """The result's fields named in ``expected``, in the cases' vocabulary."""
    per_member = {
        "amounts": lambda r: [m.amount for m in r.members],
        "monthly": lambda r: [m.monthly for m in r.members],
        "ranks": lambda r: [m.rank for m in r.members],
        "card": lambda r: [r.card.valid_from, r.card.valid_to],
        "notices": lambda r: [n.code for n in r.notices],
        "groups": lambda r: [m.group for m in r.members],
        "state_supports": lambda r: [m.state_support for m in r.members],
    }
    if isinstance(result, dict):
        return {key: result[key] for key in expected}
    return {key: per_member[key](result) if key in per_member else getattr(result, key) for key in expected}


@pytest.mark.parametrize("case", _load_cases())
def test_rule_case(case: dict[str, Any]) -> None:
    kind = next(k for k in RUNNERS if k in case)
    run, inputs = RUNNERS[kind], case[kind]
    if "refuse" in case:
        with pytest.raises(DomainError) as refused:
            run(inputs)
        assert refused.value.code == case["refuse"]
        assert refused.value.message  # a Vietnamese sentence the user can act on
    else:
        assert _observed(run(inputs), case["expect"]) == case["expect"]


def test_every_official_amount_of_the_domain_brief_has_a_case() -> None:
    text = "".join(p.read_text(encoding="utf-8") for p in CASES_DIR.glob("*.yaml"))
    official = [154000, 330000, 165000, 198000, 231000, 264000, 132000, 99000, 66000, 10296000,
                804600, 563220, 482760, 402300, 321840, 105300, 73710, 63180, 52650, 42120]
    assert [amount for amount in official if str(amount) not in text] == []
