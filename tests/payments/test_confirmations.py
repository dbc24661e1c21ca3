"""BHXH's confirmation code per payment (issue 20): a manager records it by hand or by CSV, once
(the same code again changes nothing), audited; another code is refused; an agent or a viewer may not;
the receipt shows it."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from ansinh.cli.common import app
from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.org.scope import scope_for
from ansinh.payments import confirmations, documents
from ansinh.payments.models import Payment, Receipt
from ansinh.registry.models import AuditEntry

pytestmark = pytest.mark.django_db


def user(name: str) -> Any:
    from django.contrib.auth import get_user_model
    return get_user_model().objects.get(username=name)


def demo_receipt() -> Receipt:
    return Receipt.objects.select_related("payment").get(payment__idempotency_key="demo-vsi-hung")


def test_a_manager_records_the_code_once_and_the_receipt_shows_it(demo_data: None) -> None:
    manager, receipt = user("buudien"), demo_receipt()
    scope = scope_for(manager)
    before = AuditEntry.objects.filter(action="confirm").count()
    assert confirmations.record_confirmation(manager, scope, receipt.serial, " XN-2025-0001 ") is True
    assert confirmations.record_confirmation(manager, scope, receipt.serial, "XN-2025-0001") is False
    assert AuditEntry.objects.filter(action="confirm").count() == before + 1
    payment = Payment.objects.get(pk=receipt.payment_id)
    assert (payment.bhxh_confirmation, payment.confirmed_by_id) == ("XN-2025-0001", manager.pk)
    with pytest.raises(DomainError) as refused:
        confirmations.record_confirmation(manager, scope, receipt.serial, "XN-OTHER")
    assert refused.value.code == ErrorCode.IDEMPOTENCY_CONFLICT
    assert Payment.objects.get(pk=receipt.payment_id).bhxh_confirmation == "XN-2025-0001"
    receipt.refresh_from_db()
    document = documents.receipt_document(scope, receipt)
    assert ("Mã xác nhận của BHXH", "XN-2025-0001") in document.lines()
    text = PdfReader(BytesIO(documents.receipt_pdf(document))).pages[0].extract_text()
    assert "XN-2025-0001" in text


@pytest.mark.parametrize("who", ["daily", "xem"])
def test_an_agent_or_a_viewer_may_not(demo_data: None, who: str) -> None:
    receipt = demo_receipt()
    with pytest.raises(DomainError) as refused:
        confirmations.record_confirmation(user(who), scope_for(user(who)), receipt.serial, "XN-1")
    assert refused.value.code == ErrorCode.FORBIDDEN
    assert Payment.objects.get(pk=receipt.payment_id).bhxh_confirmation == ""


def test_a_bad_code_or_an_unknown_receipt_is_refused(demo_data: None) -> None:
    manager = user("buudien")
    with pytest.raises(DomainError) as bad:
        confirmations.record_confirmation(manager, scope_for(manager), demo_receipt().serial, "=1+1")
    assert bad.value.code == ErrorCode.INVALID_INPUT
    with pytest.raises(DomainError) as missing:
        confirmations.record_confirmation(manager, scope_for(manager), "KHONG-CO", "XN-1")
    assert missing.value.code == ErrorCode.NOT_FOUND


def test_the_csv_import_is_all_or_nothing_and_idempotent(demo_data: None, tmp_path: Path) -> None:
    hung = demo_receipt()
    mai = Receipt.objects.get(payment__idempotency_key="demo-hi-mai")
    bad = tmp_path / "bad.csv"
    bad.write_text(f"so_bien_lai,ma_xac_nhan\n{hung.serial},XN-A1\nKHONG-CO,XN-A2\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["import", "confirmations", str(bad), "--user", "buudien"])
    assert result.exit_code == 2 and "Dòng 3" in result.output
    assert Payment.objects.get(pk=hung.payment_id).bhxh_confirmation == ""
    good = tmp_path / "good.csv"
    good.write_text(f"\ufeffso_bien_lai,ma_xac_nhan\n{hung.serial},XN-A1\n{mai.serial},XN-A2\n", encoding="utf-8")
    for written, unchanged in ((2, 0), (0, 2)):
        result = CliRunner().invoke(app, ["import", "confirmations", str(good), "--user", "buudien"])
        assert result.exit_code == 0 and f"{written} mã mới, {unchanged} đã có sẵn" in result.output
    assert {Payment.objects.get(pk=r.payment_id).bhxh_confirmation for r in (hung, mai)} == {"XN-A1", "XN-A2"}
    assert AuditEntry.objects.filter(action="confirm", entity="payment").count() == 2


def test_the_receipt_page_takes_the_code_from_a_manager(demo_data: None) -> None:
    from django.test import Client
    receipt = demo_receipt()
    client = Client()
    client.force_login(user("buudien"))
    assert "Ghi mã xác nhận của BHXH" in client.get(f"/bien-lai/{receipt.pk}/").content.decode()
    assert client.post(f"/bien-lai/{receipt.pk}/xac-nhan/", {"code": "=bad"}).status_code == 400
    response = client.post(f"/bien-lai/{receipt.pk}/xac-nhan/", {"code": "XN-WEB-1"})
    assert response.status_code == 302
    page = client.get(f"/bien-lai/{receipt.pk}/").content.decode()
    assert "XN-WEB-1" in page and "Ghi mã xác nhận của BHXH (cán bộ" not in page
    agent = Client()
    agent.force_login(user("daily"))
    assert agent.post(f"/bien-lai/{receipt.pk}/xac-nhan/", {"code": "XN-WEB-2"}).status_code == 403


def test_an_unreadable_file_is_refused_with_a_reason(demo_data: None, tmp_path: Path) -> None:
    before = Payment.objects.exclude(bhxh_confirmation="").count()
    missing = CliRunner().invoke(app, ["import", "confirmations", str(tmp_path / "none.csv"), "--user", "buudien"])
    assert missing.exit_code == 2 and "Không đọc được tệp" in missing.output
    latin = tmp_path / "latin.csv"
    latin.write_bytes("so_bien_lai,ma_xac_nhan\nBL,m\xe3\n".encode("latin-1"))
    garbled = CliRunner().invoke(app, ["import", "confirmations", str(latin), "--user", "buudien"])
    assert garbled.exit_code == 2 and "Không đọc được tệp" in garbled.output
    assert Payment.objects.exclude(bhxh_confirmation="").count() == before
