"""Large exports: counted, written to a file row by row with progress, downloadable by their owner
only, refused outside the scope; the money page starts them."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from python_calamine import CalamineWorkbook

from ansinh.enrollment import services as enrolling
from ansinh.jobs import worker
from ansinh.jobs.models import Lease
from ansinh.lib.errors import DomainError
from ansinh.org.models import Role
from ansinh.payments import exports
from ansinh.payments import services as paying
from ansinh.registry import services as registry
from ansinh.registry.models import AuditEntry
from ansinh.reports import jobs
from ansinh.reports.models import ExportJob, ExportStatus
from tests.builders import COMMUNE_X, Personas, commune, field_setup, person_data, personas, user

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
ON = date(2025, 8, 1)
PERIOD = {"start": "2025-08-01", "end": "2025-08-31"}


@pytest.fixture
def who(settings: Any, tmp_path: Path) -> tuple[Personas, Any]:
    settings.MEDIA_ROOT = tmp_path
    people = personas()
    post, _ = field_setup(people)
    scope = people.scope(people.agent)
    for i in range(5):
        person = registry.create_person(people.agent, scope, person_data(full_name=f"Người {i}", citizen_id=None))
        enrollment = enrolling.enroll_vsi(people.agent, scope, enrolling.quote_vsi(scope, person.pk, ON, 1_500_000, 1))
        paying.record_payment(people.agent, scope, enrollment.pk, amount=enrollment.payable, method="cash",
                              idempotency_key=f"x{i}", paid_at=datetime(2025, 8, 1, 9, i, tzinfo=TZ))
    return people, post


def read(path: Path) -> list[list[Any]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


def test_a_job_writes_every_row_with_progress_and_equals_the_direct_list(who: Any) -> None:
    people, post = who
    job = jobs.start(people.agent, "d05", {**PERIOD, "collector": post.pk}, background=False)
    assert (job.status, job.total, job.done) == (ExportStatus.DONE, 5, 5)
    table = read(jobs.file_of(job))
    assert len(table) == 6 and {row[0] for row in table[1:]} == {f"Người {i}" for i in range(5)}
    seen: list[int] = []
    direct = Path(jobs.export_dir()) / "direct.xlsx"
    written = exports.write_xlsx_to(str(direct), "D05", exports.D05_COLUMNS,
                                    ({"name": str(i), **dict.fromkeys(k for k, _ in exports.D05_COLUMNS[1:])}
                                     for i in range(2500)), progress=seen.append)
    assert written == 2500 and seen == [1000, 2000] and len(read(direct)) == 2501


def test_a_job_is_refused_outside_the_scope_and_hidden_from_others(who: Any) -> None:
    people, post = who
    with pytest.raises(DomainError):
        jobs.start(people.manager_elsewhere, "d05", {**PERIOD, "collector": post.pk}, background=False)
    with pytest.raises(DomainError, match="Ngày kết thúc"):
        jobs.start(people.agent, "payments", {"start": "2025-08-31", "end": "2025-08-01"}, background=False)
    assert not ExportJob.objects.exists()  # a refused request leaves nothing behind
    job = jobs.start(people.agent, "payments", PERIOD, background=False)
    assert read(jobs.file_of(job))[1][4] == 247_500  # Era B, no group: 330,000 − state 20 % − Nghệ An 5 % (NQ 07/2025)
    other = Client()
    other.force_login(people.admin)
    assert other.get(f"/xuat/{job.pk}/").status_code == 404
    assert other.get(f"/xuat/{job.pk}/tai/").status_code == 404


def test_the_money_page_starts_a_job_and_shows_its_progress(who: Any) -> None:
    people, post = who
    client = Client()
    client.force_login(people.agent)
    page = client.get("/thu-tien/", PERIOD).content.decode()
    assert 'value="d05"' in page and "xlsx=reconciliation" in page
    response = client.post("/xuat/", {"kind": "d05", "collector": post.pk, **PERIOD})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/xuat/{job.pk}/"
    queued = DBTaskResult.objects.get()  # a job of the queue, saved with the export's record
    assert (queued.task_path, queued.args_kwargs["args"]) == ("ansinh.reports.jobs.write_export", [job.pk])
    progress = client.get(f"/xuat/{job.pk}/").content.decode()
    assert "Đang xuất: 0 / 5 dòng" in progress and "<progress" in progress and 'hx-trigger="every 1s"' in progress
    assert worker.drain() == 1  # what `ansinh worker` does, here
    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL
    done = client.get(f"/xuat/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert "Đã xuất xong 5 dòng" in done and "hx-trigger" not in done
    download = client.get(f"/xuat/{job.pk}/tai/")
    assert download.status_code == 200
    saved = jobs.export_dir() / "downloaded.xlsx"
    saved.write_bytes(b"".join(download.streaming_content))
    assert len(read(saved)) == 6  # the header and the 5 payments


def test_the_money_tables_export_to_xlsx(who: Any, tmp_path: Path) -> None:
    people, _ = who
    client = Client()
    client.force_login(people.admin)
    path = tmp_path / "r.xlsx"
    path.write_bytes(client.get("/thu-tien/", {**PERIOD, "xlsx": "reconciliation"}).content)
    table = read(path)
    assert table[0][:4] == ["Ngày", "Nhân viên thu", "Còn giữ đầu ngày", "Thu tiền mặt trong ngày"]
    assert table[1][2:4] == [0, 5 * 247_500]


def test_a_job_given_up_by_the_queue_is_marked_failed_and_old_files_are_swept(who: Any, settings: Any) -> None:
    people, post = who
    settings.ANSINH_JOBS = {**settings.ANSINH_JOBS, "MAX_ATTEMPTS": 1}
    stalled = jobs.start(people.agent, "d05", {**PERIOD, "collector": post.pk})
    lease = Lease.objects.create(result=DBTaskResult.objects.get(), attempts=1,
                                 expires_at=timezone.now() - timedelta(seconds=1))
    DBTaskResult.objects.update(status=TaskResultStatus.RUNNING)  # its worker was killed, its lease expired
    assert worker.recover(timezone.now()) == 1
    lease.result.refresh_from_db()
    assert lease.result.status == TaskResultStatus.FAILED  # the last attempt: not "running" forever
    failed = jobs.job_of(people.agent, stalled.pk)
    assert failed.status == ExportStatus.FAILED and "hãy xuất lại" in failed.error
    old = jobs.start(people.agent, "payments", PERIOD, background=False)
    path = jobs.file_of(old)
    ExportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    jobs.start(people.agent, "payments", PERIOD, background=False)  # starting one sweeps the old
    assert not path.exists() and not ExportJob.objects.filter(pk=old.pk).exists()


FULL = ("040085000123", "4012345678")


def _known_person_paid(people: Personas) -> None:
    """A household whose head's citizen ID and SI code are known, paid for both schemes."""
    scope = people.scope(people.agent)
    household = registry.create_household(people.agent, scope, person_data(si_code="4012345678"), ON)
    head = household.head
    assert head is not None
    vsi = enrolling.enroll_vsi(people.agent, scope, enrolling.quote_vsi(scope, head.pk, ON, 1_500_000, 1))
    hi = enrolling.enroll_hi(people.agent, scope, enrolling.quote_hi(scope, household.pk, [head.pk], ON, 12))
    for key, enrollment in (("known-vsi", vsi), ("known-hi", hi)):
        paying.record_payment(people.agent, scope, enrollment.pk, amount=enrollment.payable, method="cash",
                              idempotency_key=key, paid_at=datetime(2025, 8, 2, 9, tzinfo=TZ))


def _cells(job: ExportJob) -> set[str]:
    return {str(cell) for row in read(jobs.file_of(job)) for cell in row}


def test_the_viewers_lists_are_masked_and_write_no_audit(who: Any) -> None:
    people, post = who
    _known_person_paid(people)
    viewer = user(Role.VIEWER, COMMUNE_X)
    for kind in ("d05", "bhyt"):
        cells = _cells(jobs.start(viewer, kind, {**PERIOD, "collector": post.pk}, background=False))
        assert not any(full in cell for full in FULL for cell in cells), kind
        assert "040******123" in cells and "40******78" in cells
        assert not any("Khối 5" in cell for cell in cells)  # the address detail is withheld too
    assert not AuditEntry.objects.filter(action="export").exists()


def test_the_collectors_lists_carry_full_ids_and_write_one_audit_entry_each(who: Any) -> None:
    people, post = who
    _known_person_paid(people)
    params = {**PERIOD, "collector": post.pk}
    d05 = jobs.start(people.agent, "d05", params, background=False)
    assert set(FULL) <= _cells(d05)
    entry = AuditEntry.objects.get(action="export")
    assert (entry.actor, entry.entity_id, entry.area_id) == (people.agent, d05.pk, commune(COMMUNE_X).pk)
    assert entry.changes["rows"] == 6 and entry.changes["filter"] == params and entry.changes["kind"] == "d05"
    jobs.start(people.agent, "bhyt", params, background=False)
    assert [e.changes["rows"] for e in AuditEntry.objects.filter(action="export").order_by("id")] == [6, 1]
    jobs.start(people.agent, "payments", PERIOD, background=False)  # no personal field: nothing to audit
    assert AuditEntry.objects.filter(action="export").count() == 2


def test_the_viewer_exports_from_the_money_page_masked(who: Any) -> None:
    people, post = who
    _known_person_paid(people)
    viewer = Client()
    viewer.force_login(user(Role.VIEWER, COMMUNE_X))
    response = viewer.post("/xuat/", {"kind": "d05", "collector": post.pk, **PERIOD})
    assert response.status_code == 302 and worker.drain() == 1
    download = viewer.get(f"{response['Location']}tai/")
    saved = jobs.export_dir() / "viewer.xlsx"
    saved.write_bytes(b"".join(download.streaming_content))
    cells = {str(cell) for row in CalamineWorkbook.from_path(str(saved)).get_sheet_by_index(0).to_python()
             for cell in row}
    assert "040******123" in cells and not any(full in cell for full in FULL for cell in cells)
    assert not AuditEntry.objects.filter(action="export").exists()
