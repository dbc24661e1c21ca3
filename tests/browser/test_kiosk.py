"""The rally kiosk in Chromium (issue 16): opened online at /ra-quan/kiosk/<campaign>/<site>/ (the tablet registered
as a device, the parameters stored), reloaded offline from the offline app's service worker; a session and a lead
logged, a checklist item ticked and a VSI quote shown without a connection (equal to the server's); back online, the
queue posted to POST /api/v1/sync: all exist on the server and the campaign's funnel counts the lead."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from ansinh.campaigns import analytics
from ansinh.campaigns.models import ConsultationSession, Lead, PrepTask
from tests.browser.conftest import snap
from tests.browser.test_agent_in_browser import login
from tests.builders import field_setup, personas, running_campaign

pytestmark = pytest.mark.django_db(transaction=True)
PIN = "135790"


def test_a_kiosk_logs_offline_and_its_leads_join_the_campaigns_funnel(page: Any, live_server: Any,
                                                                     nghe_an_map: None) -> None:
    who = personas()
    field_setup(who)
    made = running_campaign(who)
    task = PrepTask.objects.create(event=made["event"], site=made["site"], title="Dựng bàn tư vấn",
                                   deadline=timezone.now())
    base = live_server.url
    url = f"{base}/ra-quan/kiosk/{made['campaign'].slug}/{made['site'].pk}/"
    page.set_viewport_size({"width": 800, "height": 1200})  # a tablet
    login(page, base, "agent_x")
    page.goto(url)
    page.wait_for_selector("body[data-ready='1']")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")  # the worker claimed the page
    page.reload()  # now through the worker, which keeps the page
    page.wait_for_selector("body[data-ready='1']")
    page.fill("#pin", PIN)
    page.click("#unlock-form button[type=submit]")
    page.click("#k-prepare")
    page.wait_for_function("() => document.getElementById('prepare-result').textContent.includes('sẵn sàng')")

    page.context.set_offline(True)
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    assert "Mất mạng" in page.inner_text("#st-online")
    assert page.inner_text("#checklist").strip().startswith("Dựng bàn tư vấn")  # the site's checklist, offline
    page.fill("#pin", PIN)
    page.click("#unlock-form button[type=submit]")
    page.wait_for_selector("#k-work:not([hidden])")
    page.check(f"[data-task='{task.pk}']")
    page.fill("#s-people", "12")
    page.click("#session-form button[type=submit]")
    page.wait_for_function("() => document.getElementById('k-result').textContent.includes('buổi tư vấn')")
    page.fill("#l-name", "Võ Thị Hoa")
    page.fill("#l-phone", "0912000555")
    page.click("#lead-form button[type=submit]")
    page.wait_for_function("() => document.getElementById('st-waiting').textContent === '3'")
    page.fill("#q-income", "2000000")
    page.click("#quote-form button[type=submit]")
    page.wait_for_selector("#quote-result table")
    shown = int("".join(ch for ch in page.inner_text("#quote-result tr:last-child td") if ch.isdigit()))
    server = Client().post("/api/quotes/vsi", {"on": timezone.localdate().isoformat(), "income": 2000000, "months": 12,
                                               "groups": []}, content_type="application/json")
    assert server.status_code == 200, server.content
    assert shown == int(server.json()["payable"])
    snap(page, "kiosk-offline")
    assert not Lead.objects.exists() and not ConsultationSession.objects.exists()

    page.context.set_offline(False)
    page.click("#sync-now")
    page.wait_for_function("() => document.getElementById('sync-result').textContent.startsWith('Đã gửi')")
    assert page.inner_text("#sync-result") == "Đã gửi 3 thao tác."
    lead = Lead.objects.get()
    assert (lead.campaign_id, lead.team_id, lead.full_name) == (made["campaign"].pk, made["team"].pk, "Võ Thị Hoa")
    session = ConsultationSession.objects.get()
    assert (session.team_id, session.people_advised) == (made["team"].pk, 12)
    task.refresh_from_db()
    assert task.status == "done"
    funnel = analytics.funnel(made["campaign"], site=made["site"])
    assert (funnel["advised"], funnel["leads"]) == (12, 1)
    page.click("#sync-now")  # nothing left to send: the queue was settled
    page.wait_for_function("() => document.getElementById('sync-result').textContent.startsWith('Không có')")
    assert Lead.objects.count() == 1
