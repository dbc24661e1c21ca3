"""The batch path of POST /api/v1/sync (fieldsync.batch) answers and writes what the per-operation path
(fieldsync.services.apply_batch, the reference) does: the same mixed batch applied by each from the same
database, undone in between, leaves the same rows in every table the sync touches."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, models, transaction
from django.utils import timezone

from ansinh.enrollment.models import Enrollment
from ansinh.fieldsync import batch, services
from ansinh.fieldsync.models import Device, SyncOperation
from ansinh.payments import services as paying
from ansinh.payments.models import Payment
from tests.builders import COMMUNE_X
from tests.fieldsync.helpers import Phone, household_ops, new_id, op, register

pytestmark = pytest.mark.django_db
APPS = ("registry", "enrollment", "payments", "fieldsync", "reports", "campaigns")


class _Undo(Exception):
    pass


def _family(n: int, number: str, amount: int | None = None, **payment: Any) -> list[dict[str, Any]]:
    household, person, enrolment = new_id(), new_id(), new_id()
    ops = [*household_ops(household, person, COMMUNE_X, citizen_id=f"04008500{n:04d}", full_name=f"Người Số {n}"),
           op("enrol_vsi", enrolment_id=enrolment, person_id=person, monthly_income=1_500_000, term_months=1,
              start_month=timezone.localdate().strftime("%Y-%m"), quoted_amount=None)]
    pay = op("payment", payment_id=new_id(), enrolment_id=enrolment, amount=amount, receipt_number=number,
             collected_at=timezone.now().isoformat(), collection_point_id=None)
    pay["data"].update(payment)
    return [*ops, pay]


def _models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m._meta.app_label in APPS and m._meta.managed and not m._meta.proxy]


def _snapshot() -> dict[str, list[str]]:
    """Every row of the sync's tables, ids left out (the operations' rows may be written in another
    order: what points at one names its op id); every other reference and value as stored."""
    rows: dict[str, list[str]] = {}
    ops = dict(SyncOperation.objects.values_list("pk", "op_id"))
    for model in _models():
        fields = [f for f in model._meta.concrete_fields if not (f.primary_key and isinstance(f, models.AutoField))]
        out = []
        for row in model.objects.all().values(*[f.attname for f in fields]):
            for f in fields:
                if f.is_relation and f.related_model is SyncOperation and row[f.attname] is not None:
                    row[f.attname] = str(ops[row[f.attname]])
            out.append(repr(sorted(row.items())))
        rows[model._meta.label] = sorted(out)
    return rows


def _sequences() -> list[tuple[str, int, bool]]:
    """PostgreSQL's id sequences (not rolled back with the transaction), to put back between the runs."""
    if connection.vendor != "postgresql":
        return []
    found = []
    with connection.cursor() as cursor:
        for model in _models():
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [model._meta.db_table, model._meta.pk.column])
            name = cursor.fetchone()[0]
            if name:
                cursor.execute(f"SELECT last_value, is_called FROM {name}")
                found.append((name, *cursor.fetchone()))
    return found


def _run(apply: Any, device: Device, batch_id: uuid.UUID, ops: list[dict[str, Any]],
         sequences: list[tuple[str, int, bool]]) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    try:
        with transaction.atomic():
            answers = apply(device, batch_id, [{**o, "id": uuid.UUID(o["id"])} for o in ops])["results"]
            snapshot = _snapshot()
            raise _Undo
    except _Undo:
        pass
    with connection.cursor() as cursor:
        for name, value, called in sequences:
            cursor.execute("SELECT setval(%s, %s, %s)", [name, value, called])
    return answers, snapshot


def test_the_batch_path_and_the_per_operation_path_write_the_same_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    phone: Phone = register()
    numbers = phone.block["numbers"]
    # an earlier batch: a family enrolled (its payment in the mixed batch goes one by one) and a person
    # whose citizen ID the mixed batch registers again under another name (a conflict)
    earlier = _family(1, numbers[0], amount=0)[:3]
    assert [r["status"] for r in phone.results(*earlier)] == ["applied"] * 3
    payable = Enrollment.objects.get().payable
    long_ago = (timezone.now() - timedelta(days=3)).isoformat()
    plain = [_family(n, numbers[n], payable) for n in range(2, 6)]
    differs = _family(6, numbers[6], payable - 1_000)  # flagged: collected money is never corrected
    before = _family(7, numbers[7], payable, collected_at=long_ago)  # flagged: before the block, clock skew
    before[3]["device_time"] = long_ago
    outside = _family(8, "BL40-2025-0000051", payable)  # refused and flagged
    twice = _family(9, numbers[2], payable)  # the number of a payment earlier in the batch: refused
    lone = op("payment", payment_id=new_id(), enrolment_id=earlier[2]["data"]["enrolment_id"], amount=payable,
              receipt_number=numbers[1], collected_at=timezone.now().isoformat(), collection_point_id=None)
    clash = op("register_person", person_id=new_id(), household_id=None, commune_code=COMMUNE_X,
               full_name="Trần Văn Khác", birth_date="1985-03-02", sex="male", citizen_id="040085000001",
               phone=None, relationship=None)
    replay = earlier[0]
    mixed = [*plain[0], *plain[1], *differs, clash, *plain[2], lone, *before, *outside, op("teleport"), *twice,
             replay, *plain[3]]
    mixed.append({**plain[3][3]})  # the same op twice in one batch: answered as a replay
    device = Device.objects.get(client_id=phone.device_id)
    fixed = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: fixed)
    batch_id = uuid.uuid4()
    sequences = _sequences()
    one_by_one, reference = _run(services.apply_batch, device, batch_id, mixed, sequences)
    batched, written = _run(batch.apply_batch, device, batch_id, mixed, sequences)
    statuses = [r["status"] for r in batched]
    failed = [(i, r["error"]) for i, r in enumerate(batched) if r["status"] == "failed"]
    assert len(failed) == 3 and statuses.count("replayed") == 2, failed  # outside, teleport, twice
    assert batched == one_by_one
    assert written == reference
    assert sum(len(rows) for rows in written.values()) > 100  # the rows compared are there


def test_the_plain_payments_of_a_batch_take_the_set_based_write(monkeypatch: pytest.MonkeyPatch) -> None:
    """Guards the fast path itself: a batch of families writes their payments without the per-payment path."""
    phone: Phone = register()
    first = [_family(n, phone.block["numbers"][n], 0) for n in range(2)]
    calls: list[int] = []
    real = paying.record_collected_payment
    monkeypatch.setattr(paying, "record_collected_payment", lambda *a, **k: calls.append(1) or real(*a, **k))
    results = phone.results(*first[0], *first[1])
    assert [r["status"] for r in results] == ["applied"] * 3 + ["flagged"] + ["applied"] * 3 + ["flagged"]
    assert calls == [] and Payment.objects.count() == 2
