"""The citizen's own page, /tra-cuu/ (no account; messaging/citizen.py): citizen ID and date of birth →
a code to the phone on record → the person's coverage with a VietQR for what is due. The session holds
the code's id, then the person's id, for a short time; "Thoát" ends it."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_ratelimit.core import get_usage

from ansinh.config.middleware import refusal
from ansinh.lib.errors import ErrorCode
from ansinh.messaging import citizen
from ansinh.registry.audit import audit_read
from ansinh.web.common import vietqr_block
from ansinh.web.forms import DATE_WIDGET, MESSAGES

SESSION_CODE, SESSION_PERSON = "citizen_code", "citizen_person"
CODE_STEP = timedelta(minutes=10)  # the session lives while the code may be entered
PAGE_STEP = timedelta(minutes=15)  # and then this long after the right code
ASKED = gettext_lazy("Nếu số định danh và ngày sinh khớp với hồ sơ, mã tra cứu đã được gửi tới số điện thoại "
                     "đã đăng ký với đại lý thu. Mã có hiệu lực 5 phút.")


class AskForm(forms.Form):
    citizen_id = forms.RegexField(label=gettext_lazy("Số định danh cá nhân (CCCD, 12 chữ số)"), regex=r"^\d{12}$",
                                  error_messages={**MESSAGES, "invalid": gettext_lazy("Cần đủ 12 chữ số.")},
                                  widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    born = forms.DateField(label=gettext_lazy("Ngày sinh"), widget=DATE_WIDGET, error_messages=MESSAGES)


class CodeForm(forms.Form):
    code = forms.RegexField(label=gettext_lazy("Mã tra cứu (6 chữ số)"), regex=r"^\s*\d{6}\s*$",
                            error_messages={**MESSAGES, "invalid": gettext_lazy("Mã gồm 6 chữ số.")},
                            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))


def _id_key(citizen_id: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:{citizen_id}".encode()).hexdigest()


def _too_many(request: HttpRequest, citizen_id: str) -> bool:
    usage = get_usage(request, group="citizen-id", key=lambda group, req: _id_key(citizen_id),
                      rate=settings.ANSINH_RATE_CITIZEN_ID, method=["POST"], increment=True)
    return usage is not None and bool(usage["should_limit"])


def ask(request: HttpRequest) -> HttpResponse:
    form = AskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cid = form.cleaned_data["citizen_id"]
        if _too_many(request, cid):
            return refusal(request, 429, ErrorCode.RATE_LIMITED, _("Quá nhiều yêu cầu"),
                           _("Số định danh này đã xin mã nhiều lần. Vui lòng thử lại sau một giờ."),
                           "Too many codes asked for this ID; retry later.")
        code_id = citizen.ask_code(cid, form.cleaned_data["born"], timezone.now())
        request.session.cycle_key()
        request.session.pop(SESSION_PERSON, None)
        request.session[SESSION_CODE] = code_id
        request.session.set_expiry(int(CODE_STEP.total_seconds()))
        return redirect("web:citizen_code")
    return render(request, "web/citizen_ask.html", {"form": form}, status=400 if form.errors else 200)


def enter_code(request: HttpRequest) -> HttpResponse:
    code_id = request.session.get(SESSION_CODE)
    if code_id is None:
        return redirect("web:citizen")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person_id = citizen.check_code(code_id, form.cleaned_data["code"], timezone.now())
        if person_id is not None:
            request.session.cycle_key()
            request.session.pop(SESSION_CODE, None)
            request.session[SESSION_PERSON] = person_id
            request.session.set_expiry(int(PAGE_STEP.total_seconds()))
            return redirect("web:citizen_mine")
        form.add_error("code", _("Mã không đúng hoặc đã hết hạn. Mỗi mã chỉ được nhập sai 3 lần; "
                                 "hãy xin mã mới nếu cần."))
    return render(request, "web/citizen_code.html", {"form": form, "asked": ASKED},
                  status=400 if form.errors else 200)


def mine(request: HttpRequest) -> HttpResponse:
    person_id = request.session.get(SESSION_PERSON)
    if person_id is None:
        return redirect("web:citizen")
    found = citizen.coverage(person_id, timezone.localdate())
    audit_read(None, "cit_view", "person", person_id, None, {"viewed": "coverage"})
    dues = [(due, vietqr_block(due.transfer)) for due in found.dues]
    return render(request, "web/citizen_mine.html", {"c": found, "dues": dues})


@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    person_id = request.session.get(SESSION_PERSON)
    if person_id is not None:
        audit_read(None, "cit_out", "person", person_id, None, {})
    request.session.flush()
    return redirect("web:citizen")
