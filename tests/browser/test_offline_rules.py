"""The offline quote equals the server's to the đồng (issue 16): every YAML rule case of the VSI and
household-HI calculators and 10,000 seeded random cases run through ``web/static/web/offline/rules.js`` in
Debian's Chromium and through the Python engine; any difference in an amount, a card date, a notice or a
refusal's code fails. The parameters reach the browser as the JSON the app downloads (rules/offline.py),
with an administrator's overrides applied, so a province with a configured top-up is checked too."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from ansinh.lib.errors import DomainError
from ansinh.rules import household_hi, offline, vsi
from ansinh.rules.params import Override, ParameterSet, apply_overrides, file_parameters

RULES_JS = Path(vsi.__file__).parents[1] / "web" / "static" / "web" / "offline" / "rules.js"
CASES_DIR = Path(vsi.__file__).parent / "cases"
ORIGIN = "http://ansinh.offline"
SEED = 20251201
RANDOM_CASES = 10_000


def _with_overrides() -> ParameterSet:
    """The shipped files plus what an administrator configured: Nghệ An's HI top-up (shipped unpublished) and a
    VSI top-up for a province without a file (01), so both engines see a configured and an unconfigured one."""
    configured = (
        Override("household_hi/local_support/40", date(2026, 1, 1),
                 {"poor": Decimal("0"), "near_poor": Decimal("0.2"), "household": Decimal("0.1"),
                  "other": Decimal("0.05")}, "NQ thử", "admin"),
        Override("local_support/01", date(2024, 1, 1), {"poor": Decimal("0.35"), "other": Decimal("0.15")},
                 "NQ thử", "admin"),
    )
    return apply_overrides(file_parameters(), configured, lambda name: f"Hỗ trợ của tỉnh {name}")


def _serve(script: Path) -> Callable[[Any], None]:
    """A route handler answering with one of the app's scripts (Playwright passes the request too to a handler
    that takes two arguments, so the file is bound here, not as a default argument)."""
    def handler(route: Any) -> None:
        route.fulfill(body=script.read_text(encoding="utf-8"), content_type="text/javascript; charset=utf-8")
    return handler


@pytest.fixture(scope="module")
def rules_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    page = context.new_page()
    for name in ("rules.js", "i18n.js"):
        page.route(f"{ORIGIN}/{name}", _serve(RULES_JS.parent / name))
    page.route(f"{ORIGIN}/", lambda route: route.fulfill(body="<!doctype html><title>rules</title>",
                                                          content_type="text/html"))
    page.goto(f"{ORIGIN}/")
    yield page
    context.close()


# Arguments and results cross as JSON text: Playwright's value-by-value serialisation of 10,000 objects takes seconds.
JS_RUN = """async ([parametersText, casesText]) => {
  const R = await import("/rules.js");
  const P = JSON.parse(parametersText);
  return JSON.stringify(JSON.parse(casesText).map(([kind, input]) => {
    try {
      const q = kind === "vsi" ? R.quoteVsi(P, input) : R.quoteHi(P, input);
      if (kind === "vsi") return {gross: q.gross, state_support: q.state_support, local_support: q.local_support,
        payable: q.payable, supported_months: q.supported_months, notices: q.notices.map((n) => n.code)};
      return {members: q.members.map((m) => [m.rank, m.monthly, m.amount, m.group, m.gross, m.state_support,
        m.local_support]), total: q.total, card: [q.card.valid_from, q.card.valid_to, q.card.waiting],
        notices: q.notices.map((n) => n.code)};
    } catch (e) {
      return e instanceof R.QuoteError ? {error: e.code} : {crash: String(e && e.stack || e)};
    }
  }));
}"""


def _python(params: ParameterSet, kind: str, data: dict[str, Any]) -> dict[str, Any]:
    try:
        if kind == "vsi":
            q = vsi.quote(_vsi_input(data), params)
            return {"gross": q.gross, "state_support": q.state_support, "local_support": q.local_support,
                    "payable": q.payable, "supported_months": q.supported_months,
                    "notices": [n.code for n in q.notices]}
        h = household_hi.quote(_hi_input(data), params)
        return {"members": [[m.rank, m.monthly, m.amount, m.group, m.gross, m.state_support, m.local_support]
                            for m in h.members], "total": h.total,
                "card": [h.card.valid_from.isoformat(), h.card.valid_to.isoformat(), h.card.waiting],
                "notices": [n.code for n in h.notices]}
    except DomainError as refused:
        return {"error": str(refused.code)}


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _vsi_input(d: dict[str, Any]) -> vsi.VsiQuoteInput:
    rate = d.get("fund_return")
    return vsi.VsiQuoteInput(on=date.fromisoformat(d["on"]), income=d["income"], months=d["months"],
                             method=vsi.Method(d.get("method", "regular")), groups=frozenset(d.get("groups", ())),
                             province=d.get("province"), supported_months_used=d.get("supported_months_used", 0),
                             fund_return=Decimal(rate) if rate is not None else None, born=_day(d.get("born")),
                             sex=d.get("sex"), months_paid=d.get("months_paid"))


def _hi_input(d: dict[str, Any]) -> household_hi.HiQuoteInput:
    members = tuple(household_hi.HiMember(**m) for m in d["members"])
    return household_hi.HiQuoteInput(on=date.fromisoformat(d["on"]), members=members, months=d["months"],
                                     already_joined=d.get("already_joined", 0),
                                     previous_card_end=_day(d.get("previous_card_end")), province=d.get("province"))


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _yaml_cases() -> list[tuple[str, dict[str, Any]]]:
    """The VSI and HI cases of rules/cases/ in the calculators' vocabulary (as tests/rules/test_cases.py reads them)."""
    found: list[tuple[str, dict[str, Any]]] = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            if "vsi" in case:
                raw = {k: _iso(v) for k, v in case["vsi"].items()}
                raw["on"] = raw.pop("date")
                if "rate" in raw:
                    raw["fund_return"] = str(raw.pop("rate"))
                found.append(("vsi", raw))
            elif "hi" in case:
                raw = {k: _iso(v) for k, v in case["hi"].items()}
                raw["on"] = raw.pop("date")
                words = raw["members"] if isinstance(raw["members"], list) else ["joining"] * raw["members"]
                raw["members"] = [_member(w) for w in words]
                found.append(("hi", raw))
    return found


def _member(word: str) -> dict[str, Any]:
    if word in ("joining", "covered"):
        return {"covered_elsewhere": word == "covered"}
    group, _, choice = word.partition("_as_")
    return {"group": group, "as_household": choice == "household"}


def _change_dates(params: ParameterSet) -> list[date]:
    """Every effective date of every parameter the two calculators read, the day before it and the day itself."""
    days: set[date] = set()
    for name in params.names():
        read = name.startswith(("vsi/", "household_hi/", "local_support/"))
        if read or name in ("base_salary", "rural_poverty_line"):
            for effective in params.get(name).change_dates():
                days |= {effective, effective - timedelta(days=1)}
    return sorted(days)


def _random_cases(params: ParameterSet, count: int) -> list[tuple[str, dict[str, Any]]]:
    rng = random.Random(SEED)
    changes = _change_dates(params)
    start, span = date(2015, 11, 1), (date(2031, 6, 30) - date(2015, 11, 1)).days

    def on() -> date:
        if rng.random() < 0.5:
            return rng.choice(changes) + timedelta(days=rng.choice((0, 0, 1, -1, 15, -15)))
        return start + timedelta(days=rng.randrange(span))

    makers: list[Callable[[], tuple[str, dict[str, Any]]]] = [lambda: ("vsi", _random_vsi(rng, on())),
                                                             lambda: ("hi", _random_hi(rng, on()))]
    return [makers[i % 2]() for i in range(count)]


def _random_vsi(rng: random.Random, on: date) -> dict[str, Any]:
    method = rng.choices(["regular", "advance", "catch_up"], [60, 25, 15])[0]
    roll = rng.random()
    if roll < 0.75:
        income = rng.choice((700_000, 1_500_000)) + 50_000 * rng.randrange(0, 120 if roll < 0.6 else 1000)
    elif roll < 0.9:
        income = rng.choice((36_000_000, 46_800_000, 50_600_000, 26_000_000, 29_800_000))
    else:
        income = rng.randrange(500_000, 60_000_000, 1000)
    months = {"regular": lambda: rng.choice((1, 3, 6, 12, 1, 3, 6, 12, 2)),
              "advance": lambda: rng.choice((24, 36, 48, 60, 24, 36, 48, 60, 12, 18)),
              "catch_up": lambda: rng.randrange(0, 130)}[method]()
    groups = rng.sample(vsi.SUPPORT_GROUPS, rng.choice((0, 0, 1, 1, 2, 3)))
    if rng.random() < 0.01:
        groups.append("veteran")
    data: dict[str, Any] = {"on": on.isoformat(), "income": income, "months": months, "method": method,
                            "groups": groups,
                            "province": rng.choice((None, None, "40", "40", "01", "79")),
                            "supported_months_used": 0 if rng.random() < 0.7 else rng.randrange(0, 130)}
    if method != "regular":
        data["fund_return"] = None if rng.random() < 0.05 else f"0.00{rng.randrange(10, 99)}"
    if method == "catch_up" and rng.random() < 0.95:
        data["born"] = date(rng.randrange(1950, 1972), rng.randrange(1, 13), rng.randrange(1, 29)).isoformat()
        data["sex"] = rng.choice(("male", "female"))
        data["months_paid"] = None if rng.random() < 0.3 else rng.randrange(60, 240)
    return data


def _random_hi(rng: random.Random, on: date) -> dict[str, Any]:
    size = rng.choice((1, 2, 3, 4, 5, 6, 7, 9))
    kinds = [{}, {}, {}, {}, {"covered_elsewhere": True}, {"group": "poor"}, {"group": "near_poor"},
             {"group": "near_poor_full"}, {"group": "near_poor", "as_household": True},
             {"group": "near_poor_full", "as_household": True}]
    as_household = 3 if on >= date(2025, 7, 1) else 0.3  # a choice only since Luật 51/2024 (else refused)
    weights = (20, 20, 20, 20, 5, 4, 4, 3, as_household, as_household)
    members = [dict(rng.choices(kinds, weights)[0]) for _ in range(size)]
    if rng.random() < 0.01:
        members.append({"group": "veteran"})
    previous = None if rng.random() < 0.3 else (on + timedelta(days=rng.randrange(-200, 60))).isoformat()
    return {"on": on.isoformat(), "members": members, "months": rng.choice((3, 6, 12, 3, 6, 12, 1)),
            "already_joined": 0 if rng.random() < 0.8 else rng.randrange(0, 5), "previous_card_end": previous,
            "province": rng.choice((None, None, "40", "40", "01"))}


def _differences(page: Any, params: ParameterSet, cases: list[tuple[str, dict[str, Any]]],
                 server_side: list[dict[str, Any]] | None = None) -> list[Any]:
    browser_side = json.loads(page.evaluate(JS_RUN, [json.dumps(offline.everything(params)), json.dumps(cases)]))
    assert len(browser_side) == len(cases)
    if server_side is None:
        server_side = [_python(params, kind, data) for kind, data in cases]
    return [(kind, data, py, js) for (kind, data), py, js in zip(cases, server_side, browser_side, strict=True)
            if py != js]


def test_every_yaml_rule_case_quotes_the_same_in_the_browser(rules_page: Any) -> None:
    cases = _yaml_cases()
    assert sum(kind == "vsi" for kind, _ in cases) >= 70 and sum(kind == "hi" for kind, _ in cases) >= 40
    assert _differences(rules_page, file_parameters(), cases) == []


def test_ten_thousand_random_cases_quote_the_same_in_the_browser(rules_page: Any) -> None:
    params = _with_overrides()
    cases = _random_cases(params, RANDOM_CASES)
    outcomes = [_python(params, kind, data) for kind, data in cases]
    # The sample is worth something: most cases are quotes, the rest refusals of many kinds, both sides of 01/07/2025.
    quoted = [o for o in outcomes if "error" not in o]
    assert len(quoted) > RANDOM_CASES // 2
    assert len({o["error"] for o in outcomes if "error" in o}) >= 8
    assert {d["on"] < "2025-07-01" for _, d in cases} == {True, False}
    assert any(o.get("local_support", 0) > 0 for o in quoted) and any(o.get("notices") for o in quoted)
    assert any(m[6] > 0 for o in quoted for m in o.get("members", ()))
    assert _differences(rules_page, params, cases, outcomes)[:5] == []


JS_REFUSAL = """async (parametersText) => {
  const R = await import("/rules.js");
  try {
    R.quoteVsi(JSON.parse(parametersText), {on: "2025-08-01", income: 1000000, months: 12});
  } catch (e) {
    return [e.code, e.message];
  }
  return null;
}"""


def test_the_ported_rules_refuse_in_the_language_of_the_page(browser: Any, rules_page: Any) -> None:
    from django.utils import translation

    from ansinh.web.offline_views import page_strings

    with translation.override("en"):
        strings = page_strings()
    context = browser.new_context()
    page = context.new_page()
    for name in ("rules.js", "i18n.js"):
        page.route(f"{ORIGIN}/{name}", _serve(RULES_JS.parent / name))
    meta = strings.replace("&", "&amp;").replace('"', "&quot;")
    page.route(f"{ORIGIN}/", lambda route: route.fulfill(
        body=f'<!doctype html><meta name="ansinh-strings" content="{meta}"><title>rules</title>',
        content_type="text/html; charset=utf-8"))
    page.goto(f"{ORIGIN}/")
    parameters = json.dumps(offline.everything(file_parameters()))
    try:
        code, english = page.evaluate(JS_REFUSAL, parameters)
    finally:
        context.close()
    code_vi, vietnamese = rules_page.evaluate(JS_REFUSAL, parameters)
    assert code == code_vi == "income_below_floor"
    assert vietnamese.startswith("Thu nhập 1.000.000 đ thấp hơn mức tối thiểu ")
    assert english.startswith("Income 1.000.000 đ is below the floor ") and english.endswith("(rural poverty line).")
