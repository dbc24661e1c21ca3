"""The coverage page (issue 18, /bao-cao/bao-phu/): per commune, the registry's people by status and the
rates; a commune's gap list with masked identifiers, and both as XLSX."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from python_calamine import CalamineWorkbook

from ansinh.jobs import worker
from ansinh.org.models import Role
from ansinh.registry.models import AuditEntry
from ansinh.reports import jobs
from ansinh.reports.models import ExportJob
from tests.builders import COMMUNE_X, COMMUNE_Y, Personas, commune, personas, user
from tests.registry.test_coverage_gaps import someone, vsi_term

pytestmark = pytest.mark.django_db
URL = "/bao-cao/bao-phu/"


@pytest.fixture
def who() -> Personas:
    return personas()


def client_for(someone_: object) -> Client:
    client = Client()
    client.force_login(someone_)  # type: ignore[arg-type]
    return client


def test_a_manager_drills_to_the_gap_list_of_a_commune_masked(who: Personas) -> None:
    x = commune(COMMUNE_X)
    lapsed = someone(who, 80, phone="0912345678")
    vsi_term(lapsed, date(2025, 1, 1), date(2025, 3, 31))
    vsi_term(someone(who, 81), date(2025, 8, 1), date(2025, 8, 31))
    manager = user(Role.OFFICE_MANAGER, COMMUNE_X)
    client = client_for(manager)
    page = client.get(URL, {"on": "2025-08-01", "map": "recorded", "level": "commune"}).content.decode()
    assert x.name in page and "50,0%" in page
    listed = client.get(URL, {"on": "2025-08-01", "map": "recorded", "level": "commune", "commune": x.pk})
    text = listed.content.decode()
    assert listed.status_code == 200 and lapsed.full_name in text and "01/04/2025" in text
    assert "040185000080" not in text and "040******080" in text and "091****678" in text
    table = client.get(URL, {"on": "2025-08-01", "map": "recorded", "level": "commune", "xlsx": "1"})
    assert table.status_code == 200 and table["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_gap_list_exports_through_the_audited_export_job(who: Personas, settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    x = commune(COMMUNE_X)
    lapsed = someone(who, 80, phone="0912345678")
    vsi_term(lapsed, date(2025, 1, 1), date(2025, 3, 31))
    someone(who, 81)
    manager = user(Role.OFFICE_MANAGER, COMMUNE_X)
    client = client_for(manager)
    wanted = {"on": "2025-08-01", "map": "recorded", "commune": x.pk}
    page = client.get(URL, {**wanted, "level": "commune"}).content.decode()
    assert 'name="kind" value="gaps"' in page and "xlsx=gaps" not in page
    assert client.get(URL, {**wanted, "xlsx": "gaps"})["Content-Type"].startswith("text/html")  # no file by GET
    assert not AuditEntry.objects.filter(action="export").exists()
    started = client.post("/xuat/", {"kind": "gaps", **wanted})
    job = ExportJob.objects.get()
    assert started.status_code == 302 and started["Location"] == f"/xuat/{job.pk}/"
    assert worker.drain() == 1
    job.refresh_from_db()
    assert (job.status, job.total, job.done) == ("done", 2, 2)
    rows = CalamineWorkbook.from_path(str(jobs.file_of(job))).get_sheet_by_index(0).to_python()
    cells = [str(c) for row in rows for c in row]
    assert lapsed.full_name in cells and "040******080" in cells and "040185000080" not in cells  # the list's masking
    assert "091****678" in cells and "01/04/2025" in cells
    entry = AuditEntry.objects.get(action="export")
    assert (entry.actor_id, entry.entity_id, entry.area_id, entry.changes["rows"]) == (manager.pk, job.pk, x.pk, 2)


def test_a_gap_export_of_a_commune_outside_the_scope_is_not_found(who: Personas) -> None:
    manager = user(Role.OFFICE_MANAGER, COMMUNE_X)
    other = commune(COMMUNE_Y)
    posted = client_for(manager).post("/xuat/", {"kind": "gaps", "on": "2025-08-01", "commune": other.pk})
    assert posted.status_code == 404 and not ExportJob.objects.exists()


def test_an_outsider_sees_no_commune_and_a_bad_day_is_a_400(who: Personas) -> None:
    someone(who, 82)
    page = client_for(who.outsider).get(URL, {"on": "2025-08-01", "level": "commune"})
    assert page.status_code == 200 and commune(COMMUNE_X).name not in page.content.decode()
    assert client_for(who.admin).get(URL, {"on": "31/02/2025"}).status_code == 400


def test_the_gap_list_costs_the_same_queries_whatever_its_rows(who: Personas) -> None:
    x = commune(COMMUNE_X)
    client = client_for(who.admin)
    address = {"on": "2025-08-01", "level": "commune", "commune": x.pk}
    someone(who, 90)
    client.get(URL, address)
    with CaptureQueriesContext(connection) as before:
        client.get(URL, address)
    for n in range(4):
        vsi_term(someone(who, 91 + n), date(2025, 1, 1), date(2025, 1, 31))
    newest = someone(who, 99)
    with CaptureQueriesContext(connection) as after:
        assert newest.full_name in client.get(URL, address).content.decode()
    assert len(after) == len(before) <= 20
