"""The public quote page: anyone computes both quotes, server-side, with the legal references."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from ansinh.reports.parameter_use import parameter_use
from ansinh.rules import catalogue, household_hi, vsi
from ansinh.rules.params import default_parameters
from ansinh.web.common import run_service
from ansinh.web.forms import HiQuoteForm, ParameterDateForm, VsiQuoteForm


def quote_page(request: HttpRequest) -> HttpResponse:
    scheme = request.GET.get("scheme")
    today = timezone.localdate()
    vsi_form = VsiQuoteForm(request.GET if scheme == "vsi" else None, initial={"on": today}, prefix="vsi")
    hi_form = HiQuoteForm(request.GET if scheme == "hi" else None, initial={"on": today}, prefix="hi")
    context: dict[str, Any] = {"vsi_form": vsi_form, "hi_form": hi_form, "scheme": scheme or "vsi"}
    if scheme == "vsi":
        context["vsi_quote"] = run_service(vsi_form, lambda: vsi.quote(vsi_form.to_request()))
    elif scheme == "hi":
        context["hi_quote"] = run_service(hi_form, lambda: household_hi.quote(hi_form.to_request()))
    status = 400 if scheme in ("vsi", "hi") and not context.get(f"{scheme}_quote") else 200
    return render(request, "web/quote.html", context, status=status)


def parameters(request: HttpRequest) -> HttpResponse:
    """The public parameter browser: every legal figure the system applies, its history and references,
    and what was in force on the day picked (today by default). No login: the page a province official
    uses to check the figures."""
    form = ParameterDateForm(request.GET or None)
    on = timezone.localdate()
    status = 200
    if form.is_bound:
        if form.is_valid():
            on = form.cleaned_data["on"] or on
        else:
            status = 400
    entries = catalogue.catalogue(default_parameters(), on)
    uses = parameter_use()
    rows = [(entry, [(v, uses.get((entry.name, v.effective.isoformat()))) for v in entry.versions])
            for entry in entries]
    context = {"form": form, "on": on, "entries": entries, "rows": rows,
               "unverified": sum(1 for e in entries if e.current and e.current.reference.unverified),
               "unpublished": sum(1 for e in entries if e.current and e.current.status == "unpublished")}
    return render(request, "web/parameters.html", context, status=status)
