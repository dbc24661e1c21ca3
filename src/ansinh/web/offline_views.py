"""The agent's offline app (issue 16, docs/adr/0016-offline-app.md): its shell at /ung-dung/, the service
worker that caches it (/ung-dung/sw.js, so its scope covers the app), the install manifest, and the
parameters the app quotes with (GET /api/v1/offline/parameters). The shell carries no personal data and
no user: it is the same for everyone, so it may be cached and opened without a connection; what the
agent downloads comes from the sync API with the device's token (OFFLINE_CONTRACT.md)."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import DjangoTranslation
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET
from django.views.i18n import JavaScriptCatalog

from ansinh.campaigns import queries as campaign_queries
from ansinh.campaigns.models import EventSite
from ansinh.lib.errors import DomainError
from ansinh.org.scope import scope_for
from ansinh.rules import offline
from ansinh.rules.params import default_parameters
from ansinh.web.common import or_404

# What the service worker caches on install: the shell and everything it needs to open offline.
SHELL_FILES = ("web/offline/app.css", "web/offline/app.js", "web/offline/store.js", "web/offline/sync.js",
               "web/offline/rules.js", "web/offline/kiosk.js", "web/offline/i18n.js", "web/vendor/dexie/dexie.min.js",
               "vendor/fonts/DejaVuSans.ttf", "vendor/fonts/DejaVuSans-Bold.ttf", "web/favicon.svg")


KIOSK_PREFIX = "/ra-quan/kiosk/"
WEB_LOCALE = Path(__file__).resolve().parent / "locale"


def page_strings() -> str:
    """The scripts' text in the language shown (issue 15), as JSON: web's djangojs catalogue (Django's
    JavaScriptCatalog, `makemessages -d djangojs`), carried by the page (a <meta>, not an inline script: the CSP)
    so that the cached page speaks it offline (static/web/offline/i18n.js)."""
    catalog = JavaScriptCatalog()
    catalog.translation = DjangoTranslation(get_language() or "vi", domain="djangojs", localedirs=[WEB_LOCALE])
    strings = {msgid: text for msgid, text in catalog.get_catalog().items() if isinstance(text, str)}
    return json.dumps(strings, ensure_ascii=False, sort_keys=True)


def _error(code: str, message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


def parameter_window(start: date, months: int) -> dict[str, Any]:
    """The window the endpoint serves (overrides included); also the offline slice's ``parameters``."""
    return offline.window(default_parameters(), start, months)


@require_GET
def parameters(request: HttpRequest) -> JsonResponse:
    """The parameters in force from ``?from=YYYY-MM-DD`` (today by default) for ``?months=`` (12): public,
    like /api/parameters, and the same values the server quotes with (administrators' overrides included)."""
    raw_from, raw_months = request.GET.get("from"), request.GET.get("months", "12")
    try:
        start = date.fromisoformat(raw_from) if raw_from else timezone.localdate()
    except ValueError:
        return _error(
            "invalid_input",
            _("Ngày «{raw_from}» không hợp lệ; dùng dạng YYYY-MM-DD, ví dụ 2025-08-01.").format(raw_from=raw_from),
        )
    if not raw_months.isdigit():
        return _error(
            "invalid_input",
            _("Số tháng «{raw_months}» không hợp lệ; nhập một số từ 1 đến {MAX_MONTHS}.").format(
                raw_months=raw_months, MAX_MONTHS=offline.MAX_MONTHS
            ),
        )
    try:
        body = parameter_window(start, int(raw_months))
    except DomainError as refused:
        return _error(str(refused.code), refused.message)
    except (ValueError, OverflowError):  # a window past the year 9999
        return _error(
            "invalid_input",
            _("Ngày «{raw_from}» nằm ngoài khoảng tính được; chọn một ngày trước năm 9000.").format(raw_from=raw_from),
        )
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


def _version() -> str:
    """Changes whenever a cached file does, so the worker replaces its cache (and not otherwise), and with the
    language: the cached shell is in one language, so a switch installs a new worker that caches it again."""
    digest = hashlib.sha256((get_language() or "vi").encode())
    for name in SHELL_FILES:
        found = finders.find(name)
        digest.update(Path(str(found)).read_bytes() if found else name.encode())
    digest.update(Path(__file__).with_name("templates").joinpath("web/offline/app.html").read_bytes())
    return digest.hexdigest()[:16]


@require_GET
@ensure_csrf_cookie  # the app's own POST (device registration, logout) reads the cookie; the page has no form
def app(request: HttpRequest) -> HttpResponse:
    return render(request, "web/offline/app.html",
                  {"manifest": "/ung-dung/manifest.webmanifest", "strings": page_strings()})


@require_GET
def service_worker(request: HttpRequest, scope: str = "/ung-dung/") -> HttpResponse:
    """The same worker for the app (/ung-dung/sw.js) and the rally kiosk (/ra-quan/kiosk/sw.js, each under its
    own scope): one cache list, one version; the kiosk's pages are cached as they are opened (sw.js)."""
    body = render(
        request,
        "web/offline/sw.js",
        {
            "version": _version(),
            "shell": json.dumps(["/ung-dung/", *map(static, SHELL_FILES)]),
            "static_prefix": json.dumps(static("")),
            "kiosk_prefix": json.dumps(KIOSK_PREFIX),
        },
        content_type="text/javascript; charset=utf-8",
    )
    body["Cache-Control"] = "no-cache"  # the browser checks for a new worker on every visit
    body["Service-Worker-Allowed"] = scope
    return body


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {
            "name": _("ansinh — Đại lý thu (ngoại tuyến)"),
            "short_name": "ansinh",
            "lang": get_language() or "vi",
            "start_url": "/ung-dung/",
            "scope": "/ung-dung/",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#0b5394",
            "icons": [{"src": static("web/favicon.svg"), "sizes": "any", "type": "image/svg+xml"}],
        },
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False},
    )


@require_GET
@login_required
@ensure_csrf_cookie
def kiosk(request: HttpRequest, slug: str, site_id: int) -> HttpResponse:
    """The launch-day kiosk (issue 16): a shared tablet at one rally site. The page carries the site's
    readiness checklist (no personal data) and is cached by the worker when opened; sessions, leads and
    ticks are queued in the offline app's store and posted through the same sync API."""
    campaign = or_404(lambda: campaign_queries.visible(scope_for(request.user), request.user, slug))
    site = EventSite.objects.filter(event__campaign=campaign, pk=site_id).first()
    if site is None:
        raise Http404(_("Không tìm thấy chiến dịch hoặc điểm cầu này trong phạm vi của bạn."))
    tasks = list(site.tasks.order_by("deadline", "pk"))
    return render(
        request,
        "web/offline/kiosk.html",
        {"campaign": campaign, "site": site, "tasks": tasks, "worker": f"{KIOSK_PREFIX}sw.js",
         "strings": page_strings()},
    )
