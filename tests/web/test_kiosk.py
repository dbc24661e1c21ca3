"""The rally kiosk's server side (issue 16): its page per campaign and site, the worker under its scope, and the
``site_task`` sync operation that carries a checklist tick made offline."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone

from ansinh.campaigns.models import PrepTask
from tests.builders import running_campaign
from tests.fieldsync.helpers import Phone, op, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def phone() -> Phone:
    return register()


def test_the_page_shows_the_sites_checklist_and_loads_its_module_only(phone: Phone) -> None:
    made = running_campaign(phone.who)
    PrepTask.objects.create(event=made["event"], site=made["site"], title="Treo băng rôn", deadline=timezone.now())
    client = Client()
    client.force_login(phone.who.agent)
    response = client.get(f"/ra-quan/kiosk/{made['campaign'].slug}/{made['site'].pk}/")
    html = response.content.decode()
    assert response.status_code == 200 and "Treo băng rôn" in html and 'lang="vi"' in html
    assert re.findall(r"<script[^>]*>", html) == ['<script type="module" src="/static/web/offline/kiosk.js">']
    missing = client.get(f"/ra-quan/kiosk/{made['campaign'].slug}/{made['site'].pk + 999}/")
    assert missing.status_code == 404 and 'lang="vi"' in missing.content.decode()


def test_the_same_worker_serves_the_kiosk_under_its_scope() -> None:
    app, kiosk = Client().get("/ung-dung/sw.js"), Client().get("/ra-quan/kiosk/sw.js")
    assert kiosk["Service-Worker-Allowed"] == "/ra-quan/kiosk/" and app["Service-Worker-Allowed"] == "/ung-dung/"
    shell = re.search(r"const SHELL = (\[.*?\]);", kiosk.content.decode()).group(1)
    assert shell == re.search(r"const SHELL = (\[.*?\]);", app.content.decode()).group(1)
    assert "/static/web/offline/kiosk.js" in shell and "/static/web/offline/sync.js" in shell


def test_a_tick_made_offline_marks_the_task_done_and_a_replay_changes_nothing(phone: Phone) -> None:
    made = running_campaign(phone.who)
    task = PrepTask.objects.create(event=made["event"], site=made["site"], title="Kê bàn", deadline=timezone.now())
    tick = op("site_task", campaign_slug=made["campaign"].slug, site_id=made["site"].pk, task_id=task.pk,
              status="done")
    assert phone.results(tick)[0]["status"] == "applied"
    task.refresh_from_db()
    assert task.status == "done"
    assert phone.results(tick)[0]["status"] == "replayed"
    other = op("site_task", campaign_slug=made["campaign"].slug, site_id=made["site"].pk + 1, task_id=task.pk,
               status="todo")
    assert phone.results(other)[0]["status"] == "failed"  # a task of another site: refused, the task untouched
    task.refresh_from_db()
    assert task.status == "done"
