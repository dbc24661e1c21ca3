"""The statement pages: a post office manager uploads a statement, the worker matches it, the queue
shows what is left, and a line is decided there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from ansinh.enrollment.references import reference_for
from ansinh.jobs.worker import serve
from ansinh.payments.models import ImportStatus, Payment, Resolution, StatementImport, StatementLine
from tests.builders import personas
from tests.payments.statement_builders import BOOKED, money_setup, pending_terms, write_statement

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


@pytest.mark.django_db(transaction=True)  # the worker closes its connection between jobs
def test_a_manager_uploads_a_statement_the_worker_matches_it_and_the_queue_is_decided(media: Path,
                                                                                      nghe_an_map: Any) -> None:
    who = personas()
    post, manager = money_setup(who)
    term = pending_terms(who, 1)[0]
    path = write_statement(media, [(BOOKED, "FT1", term.payable, f"NOP {reference_for(term.pk)}"),
                                   (BOOKED, "FT2", 40_000, "CHUYEN NHAM")])
    client = Client()
    client.force_login(manager)
    assert client.get(reverse("web:statements")).status_code == 200
    upload = SimpleUploadedFile("sao-ke.csv", path.read_bytes(), content_type="text/csv")
    answer = client.post(reverse("web:statements"), {"collector": post.pk, "file": upload})
    statement = StatementImport.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse("web:statement", args=[statement.pk])
    assert statement.status == ImportStatus.RUNNING and not Payment.objects.exists()  # the job's to do
    assert "Đang đối chiếu: 0 / 2" in client.get(answer["Location"]).content.decode()
    serve(lambda: False, burst=True)
    done = client.get(answer["Location"]).content.decode()
    assert "khớp, đã ghi khoản thu: 1" in done and Payment.objects.get().enrollment_id == term.pk
    queued = client.get(reverse("web:statement_queue")).content.decode()
    assert "CHUYEN NHAM" in queued and f"NOP {reference_for(term.pk)}" not in queued
    line = StatementLine.objects.get(transaction_id="FT2")
    assert client.get(reverse("web:statement_line", args=[line.pk])).status_code == 200
    refused = client.post(reverse("web:statement_resolve", args=[line.pk]), {"action": "refund"})
    assert refused.status_code == 400 and "Ghi lý do" in refused.content.decode()
    decided = client.post(reverse("web:statement_resolve", args=[line.pk]),
                          {"action": "refund", "note": "Chuyển nhầm, hoàn lại qua ngân hàng"})
    assert decided.status_code == 302
    line.refresh_from_db()
    assert (line.resolution, line.refund_amount) == (Resolution.REFUND, 40_000)
    money = client.get(reverse("web:money"), {"start": "2025-08-01", "end": "2025-08-31"}).content.decode()
    assert 'id="transfers"' in money


def test_a_file_that_is_no_statement_is_refused_beside_the_field_and_nothing_is_kept(media: Path) -> None:
    who = personas()
    post, manager = money_setup(who)
    client = Client()
    client.force_login(manager)
    upload = SimpleUploadedFile("anh.csv", b"a,b\n1,2\n", content_type="text/csv")
    answer = client.post(reverse("web:statements"), {"collector": post.pk, "file": upload})
    assert answer.status_code == 400 and "Không thấy dòng tiêu đề" in answer.content.decode()
    assert not StatementImport.objects.exists()
    assert not list((media / "media" / "statements").iterdir())


def test_an_agent_may_not_open_the_statement_pages(media: Path) -> None:
    who = personas()
    money_setup(who)
    client = Client()
    client.force_login(who.agent)
    assert client.get(reverse("web:statements")).status_code == 403
    assert client.get(reverse("web:statement_queue")).status_code == 403
