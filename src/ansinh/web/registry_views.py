"""The agent's registry screens. Each view parses input, calls one service or query, renders."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ansinh.areas.models import AdministrativeUnit
from ansinh.areas.queries import communes
from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.messaging import consent
from ansinh.org.fields import PersonalField, may_locate, may_reveal, sees_plain, shown
from ansinh.org.scope import Scope, scope_for
from ansinh.payments import queries as payment_queries
from ansinh.registry import lookups, queries, services, support
from ansinh.registry.models import Person
from ansinh.web.common import or_404, run_service, writers_only
from ansinh.web.consent_views import ConsentForm
from ansinh.web.registry_forms import (
    EndMembershipForm,
    HouseholdEditForm,
    HouseholdForm,
    IslandForm,
    MemberForm,
    PersonEditForm,
    PovertyForm,
    SearchForm,
    SupportDecisionForm,
)


def _communes(scope: Scope, on: date) -> QuerySet[AdministrativeUnit]:
    return communes(on, scope.area_ids)


def _shown(scope: Scope, p: Person) -> dict[str, str]:
    """A person's personal fields as the field policy shows them to this scope."""
    fields = {f.value: shown(scope, f, getattr(p, f.value)) for f in PersonalField}
    if sees_plain(scope, PersonalField.BIRTH_DATE):  # as recorded: "1965", "03/1965" or dd/mm/yyyy
        fields[PersonalField.BIRTH_DATE.value] = p.birth_shown
    return fields


@login_required
def search(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    text = str(request.GET.get("q", ""))[:100]
    # An identifier typed in is echoed back as the policy shows it, never in full (the page may be
    # cached, printed or seen over a shoulder).
    identifier = queries.identifier_in(text)
    echo = shown(scope, identifier.by, identifier.value) if identifier and identifier.by else text
    form = SearchForm({"q": echo})
    page_number = request.GET.get("page", "1")
    page = int(page_number) if page_number.isascii() and page_number.isdigit() else 1
    try:
        found = lookups.search_people(request.user, scope, text, page)
    except DomainError as refused:  # beyond the hourly allowance of identifier look-ups
        return render(request, "web/search.html", {"form": form, "q": echo, "notice": refused.message,
                                                   "has_scope": bool(scope.area_ids)}, status=429)
    people = list(found.page)
    homes = queries.households_of_people(scope, [p.pk for p in people])
    rows = [{"person": p, "shown": _shown(scope, p), "households": homes[p.pk]} for p in people]
    return render(request, "web/search.html", {"form": form, "page": found.page, "rows": rows, "q": echo,
                                               "notice": found.notice, "can_write": scope.can_write,
                                               "can_locate": found.elsewhere and may_locate(scope),
                                               "has_scope": bool(scope.area_ids)})


@login_required
def household_new(request: HttpRequest) -> HttpResponse:
    scope, today = writers_only(scope_for(request.user)), timezone.localdate()
    # A lead from a campaign opens this form with the name and phone already filled in; an agent who
    # works in a single commune finds it already chosen.
    communes = _communes(scope, today)
    initial = {"joined": today, "full_name": request.GET.get("full_name", ""), "phone": request.GET.get("phone", ""),
               "area": communes.first() if communes.count() == 1 else None}
    form = HouseholdForm(request.POST or None, areas=communes, initial=initial)
    if request.method == "POST":
        household = run_service(form, lambda: services.create_household(
            request.user, scope, form.person_data(), form.cleaned_data["joined"],
            confirm_probable_duplicate=form.cleaned_data["confirm_duplicate"]))
        if household is not None:
            return redirect("web:household", household.pk)
    return render(request, "web/form.html", {"form": form, "title": _("Đăng ký hộ gia đình mới"),
                                             "submit": _("Lưu hộ và chủ hộ")}, status=400 if form.errors else 200)


@login_required
def household(request: HttpRequest, household_id: int) -> HttpResponse:
    scope, today = scope_for(request.user), timezone.localdate()
    card = or_404(lambda: queries.household_card(scope, household_id))
    members = [{"membership": m, "shown": _shown(scope, m.person)} for m in card.members]
    return render(request, "web/household.html", {
        "card": card, "members": members, "status": card.status_on(today), "can_write": scope.can_write,
        "address": shown(scope, PersonalField.ADDRESS, card.household.address_detail),
        "end_form": EndMembershipForm(initial={"left": today}),
    })


@login_required
def household_edit(request: HttpRequest, household_id: int) -> HttpResponse:
    scope = scope_for(request.user)
    card = or_404(lambda: queries.household_card(scope, household_id))
    writers_only(scope)
    form = HouseholdEditForm(request.POST or None, initial={"address_detail": card.household.address_detail})
    if request.method == "POST" and run_service(form, lambda: services.update_household(
            request.user, scope, household_id, form.cleaned_data["address_detail"])) is not None:
        return redirect("web:household", household_id)
    return render(request, "web/form.html", {"form": form, "title": _("Sửa hộ {code}").format(code=card.household.code),
                                             "submit": _("Lưu")}, status=400 if form.errors else 200)


@login_required
def member_add(request: HttpRequest, household_id: int) -> HttpResponse:
    scope, today = scope_for(request.user), timezone.localdate()
    card = or_404(lambda: queries.household_card(scope, household_id))
    writers_only(scope)
    initial = {"joined": today, "area": card.household.area_id, "address_detail": card.household.address_detail}
    form = MemberForm(request.POST or None, areas=_communes(scope, today), initial=initial)
    if request.method == "POST":
        membership = run_service(form, lambda: services.add_member(
            request.user, scope, household_id, form.cleaned_data["relationship"], form.cleaned_data["joined"],
            new_person=form.person_data(), confirm_probable_duplicate=form.cleaned_data["confirm_duplicate"]))
        if membership is not None:
            return redirect("web:household", household_id)
    return render(
        request,
        "web/form.html",
        {
            "form": form,
            "title": _("Thêm thành viên hộ {code}").format(code=card.household.code),
            "submit": _("Thêm thành viên"),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def member_end(request: HttpRequest, household_id: int, membership_id: int) -> HttpResponse:
    scope = scope_for(request.user)
    or_404(lambda: queries.household_card(scope, household_id))
    writers_only(scope)
    form = EndMembershipForm(request.POST)
    if (
        run_service(
            form, lambda: services.end_membership(request.user, scope, membership_id, form.cleaned_data["left"])
        )
        is None
    ):
        return render(
            request,
            "web/form.html",
            {"form": form, "title": _("Cho thành viên rời hộ"), "submit": _("Xác nhận")},
            status=400,
        )
    return redirect("web:household", household_id)


def _request_title(scope: Scope, title: str) -> str:
    """An agent's change of what unlocks support is a request: the form says so."""
    return title if support.is_checker(scope) else _("{title} — đề nghị, chờ duyệt").format(title=title)


@login_required
def poverty_set(request: HttpRequest, household_id: int) -> HttpResponse:
    scope = scope_for(request.user)
    card = or_404(lambda: queries.household_card(scope, household_id))
    writers_only(scope)
    form = PovertyForm(request.POST or None, initial={"valid_from": timezone.localdate()})
    if (
        request.method == "POST"
        and run_service(
            form,
            lambda: services.request_poverty_change(
                request.user,
                scope,
                household_id,
                form.cleaned_data["status"],
                form.cleaned_data["valid_from"],
                form.support_document(),
            ),
        )
        is not None
    ):
        return redirect("web:household", household_id)
    title = _request_title(scope, _("Tình trạng nghèo — hộ {code}").format(code=card.household.code))
    return render(
        request,
        "web/form.html",
        {"form": form, "title": title, "submit": _("Lưu") if support.is_checker(scope) else _("Gửi đề nghị")},
        status=400 if form.errors else 200,
    )


@login_required
def island_set(request: HttpRequest, person_id: int) -> HttpResponse:
    """Island residence (the "island" support group): an agent's change is a request (registry.support)."""
    scope = scope_for(request.user)
    found: Person = or_404(lambda: queries.person(scope, person_id))
    writers_only(scope)
    form = IslandForm(request.POST or None, initial={"island": "no" if found.island_resident else "yes"})
    if request.method == "POST" and run_service(form, lambda: services.request_island_change(
            request.user, scope, person_id, form.cleaned_data["island"], form.support_document())) is not None:
        return redirect("web:person", person_id)
    title = _request_title(scope, _("Cư trú ở xã đảo, đặc khu — {full_name}").format(full_name=found.full_name))
    return render(request, "web/form.html", {
        "form": form, "title": title, "submit": _("Lưu") if support.is_checker(scope) else _("Gửi đề nghị")},
        status=400 if form.errors else 200)


@login_required
def support_requests(request: HttpRequest) -> HttpResponse:
    """The managers' queue: agents' requests to change what unlocks support, waiting for a decision."""
    scope = scope_for(request.user)
    waiting = list(support.queue(scope)[:200])
    return render(request, "web/support_requests.html", {
        "waiting": waiting, "may_decide": support.is_checker(scope), "me": request.user.pk,
        "form": SupportDecisionForm()})


@login_required
@require_POST
def support_decide(request: HttpRequest, support_request_id: int) -> HttpResponse:
    """A manager's decision (the service answers 404 out of scope, then 403 for other roles and the requester)."""
    scope = scope_for(request.user)
    form = SupportDecisionForm(request.POST)
    if run_service(form, lambda: support.decide(request.user, scope, support_request_id,
                                                form.cleaned_data["decision"] == "approve",
                                                form.cleaned_data["reason"])) is None:
        return render(request, "web/form.html", {"form": form, "title": _("Duyệt đề nghị thay đổi đối tượng hỗ trợ"),
                                                 "submit": _("Ghi quyết định")}, status=400)
    return redirect("web:support_requests")


REVEALABLE = (PersonalField.CITIZEN_ID, PersonalField.PHONE, PersonalField.SI_CODE)


@login_required
def person(request: HttpRequest, person_id: int) -> HttpResponse:
    """A person's card, masked; a POST reveals one field in full (audited) for the roles allowed."""
    scope = scope_for(request.user)
    found: Person = or_404(lambda: queries.person(scope, person_id))
    values = _shown(scope, found)
    revealed = None
    if request.method == "POST":
        wanted = next((f for f in REVEALABLE if f.value == request.POST.get("field", "citizen_id")), None)
        if wanted is None or not may_reveal(scope, wanted):
            return _forbidden(request, _("Vai trò của bạn không được xem giá trị đầy đủ."))
        values[wanted.value] = or_404(lambda: services.reveal(request.user, scope, person_id, wanted))
        revealed = wanted.value
    reveal = [
        {"field": f.value, "label": label}
        for f, label in zip(REVEALABLE, (_("số định danh"), _("điện thoại"), _("mã số BHXH")), strict=True)
        if may_reveal(scope, f) and getattr(found, f.value) and f.value != revealed
    ]
    return render(
        request,
        "web/person.html",
        {
            "person": found,
            "shown": values,
            "reveal": reveal,
            "can_write": scope.can_write,
            "households": queries.households_of(scope, person_id),
            "pending_support": support.pending_of_person(scope, found),
            "history": payment_queries.person_history(scope, person_id),
            "consents": consent.history(person_id),
            "consent_form": ConsentForm(),
        },
    )


def _forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "web/forbidden.html", {"message": message}, status=403)


@login_required
def person_edit(request: HttpRequest, person_id: int) -> HttpResponse:
    scope = scope_for(request.user)
    try:
        found, masked = services.person_for_edit(request.user, scope, person_id)
    except DomainError as refused:
        if refused.code is ErrorCode.NOT_FOUND:
            raise Http404(refused.message) from None
        return _forbidden(request, refused.message)
    initial = {
        f: getattr(found, f)
        for f in ("full_name", "date_of_birth", "sex", "ethnicity", "citizen_id", "si_code", "phone", "address_detail")
        if f not in masked
    }
    initial["area"] = found.area_id
    if "date_of_birth" in initial:
        initial["date_of_birth"] = found.birth_shown
    form = PersonEditForm(
        request.POST or None, areas=_communes(scope, timezone.localdate()), initial=initial, masked=masked
    )
    if (
        request.method == "POST"
        and run_service(
            form, lambda: services.update_person(request.user, scope, person_id, form.person_data(), keep=form.kept(),
                                                 document=form.support_document())
        )
        is not None
    ):
        return redirect("web:person", person_id)
    return render(
        request,
        "web/form.html",
        {
            "form": form,
            "title": _("Sửa thông tin — {full_name}").format(full_name=found.full_name),
            "submit": _("Lưu thay đổi"),
        },
        status=400 if form.errors else 200,
    )
