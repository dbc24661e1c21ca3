"""Benchmark: offline sync throughput (`POST /api/v1/sync`, issue 16) against a baseline measured in
the same run: the same operations through the existing API, one request each (create a household
with its head, enrol in VSI, record the payment), as an agent online would send them.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_sync_bench SECRET_KEY=bench \
        .venv/bin/python bench/sync.py [--devices 1000] [--baseline-devices 50]

Each device (one agent of commune X, its own user and grant) is registered through the service and
sends 50 operations in two batches: 11 families of 4 (register_household, register_person as head,
enrol_vsi, payment with a number of its block), one person whose citizen ID is already on record
under another name (a conflict for a manager: 2 %), and 5 replays of operations it already sent
(10 %). Requests go through Django's test client in this process (the full stack but the network).
At the end the database is checked against what the operations must have written. Target: >= 500
operations/s on this machine's two cores. The database is migrated and the benchmark's rows are
added to it; use a fresh database of its own (it refuses one that already holds its citizen IDs).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import django

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ansinh.config.settings")
os.environ.setdefault("ANSINH_RATE_QUOTE", "1000000/m")

COMMUNE = "16681"  # Phường Thành Vinh
FAMILIES, REPLAYS = 11, 5
TARGET = 500


def _person(tag: str, n: int) -> dict[str, Any]:
    return {"full_name": f"Nguyễn Văn {tag} {n}", "birth_date": "1985-03-02", "sex": "male",
            "citizen_id": f"040085{n:06d}"}


def device_batches(run: str, device: int, block: list[str], payable: int, now: str) -> list[list[dict[str, Any]]]:
    """The device's two batches: 25 operations, then 20 more, the conflict and 5 replays of the first."""
    ops: list[dict[str, Any]] = []
    for family in range(FAMILIES):
        household, person, enrolment = (str(uuid.uuid4()) for _ in range(3))
        who = _person(run, device * 100 + family)
        ops += [
            {"id": str(uuid.uuid4()), "type": "register_household", "device_time": now,
             "data": {"household_id": household, "commune_code": COMMUNE, "address": f"Xóm {family}"}},
            {"id": str(uuid.uuid4()), "type": "register_person", "device_time": now,
             "data": {"person_id": person, "household_id": household, "relationship": "head", "phone": None, **who}},
            {"id": str(uuid.uuid4()), "type": "enrol_vsi", "device_time": now,
             "data": {"enrolment_id": enrolment, "person_id": person, "monthly_income": 1_500_000, "term_months": 1,
                      "start_month": now[:7], "quoted_amount": payable}},
            {"id": str(uuid.uuid4()), "type": "payment", "device_time": now,
             "data": {"payment_id": str(uuid.uuid4()), "enrolment_id": enrolment, "amount": payable,
                      "receipt_number": block[family], "collected_at": now, "collection_point_id": None}},
        ]
    clash = {**_person(run, device * 100), "full_name": f"Trần Thị {run} {device}"}
    ops.append({"id": str(uuid.uuid4()), "type": "register_person", "device_time": now,
                "data": {"person_id": str(uuid.uuid4()), "household_id": None, "commune_code": COMMUNE,
                         "phone": None, "relationship": None, **clash}})
    first, rest = ops[:25], ops[25:]
    return [first, rest + first[:REPLAYS]]


def setup_agents(count: int, run: str) -> list[Any]:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from ansinh.areas import queries as areas
    from ansinh.org.models import Agent, OrgKind, OrgUnit, Role
    from ansinh.org.services import grant_role
    from ansinh.payments.models import ReceiptPool

    commune = areas.unit_on(COMMUNE, timezone.localdate())
    post = OrgUnit.objects.create(code=f"BS{run}", name=f"Bưu điện bench {run}", kind=OrgKind.COLLECTOR)
    post.areas.set([commune])
    ReceiptPool.objects.create(collector=post, series=f"BS{run}", last_number=9_999_999)
    users = []
    for n in range(count):
        made = get_user_model().objects.create_user(f"bs{run}-{n}")
        grant_role(made, Role.AGENT, [commune])
        Agent.objects.create(code=f"BS{run}-{n}", name=f"Đại lý {n}", collector=post, user=made,
                             active_from=timezone.localdate())
        users.append(made)
    return users


def run_sync(users: list[Any], run: str, payable: int) -> tuple[int, float, dict[str, int]]:
    from django.test import Client
    from django.utils import timezone

    from ansinh.fieldsync.devices import register_device
    from ansinh.org.scope import scope_for

    phones = []
    for n, user in enumerate(users):
        made = register_device(user, scope_for(user), uuid.uuid4(), f"Máy {n}")
        numbers = [f"{made.block.pool.series}-{k:07d}" for k in range(made.block.first_number,
                                                                       made.block.last_number + 1)]
        phones.append((made.token, numbers))
    client, now = Client(), timezone.now().isoformat()
    batches = [(token, device_batches(run, n, numbers, payable, now)) for n, (token, numbers) in enumerate(phones)]
    statuses: dict[str, int] = {}
    sent = 0
    began, cpu = time.perf_counter(), time.process_time()
    for token, pair in batches:
        for batch in pair:
            response = client.post("/api/v1/sync", {"batch_id": str(uuid.uuid4()), "operations": batch},
                                   content_type="application/json", headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 200, response.content[:300]
            for result in response.json()["results"]:
                statuses[result["status"]] = statuses.get(result["status"], 0) + 1
            sent += len(batch)
    print(f"  sync: this process's CPU {time.process_time() - cpu:.1f} s (PostgreSQL's not counted)", flush=True)
    return sent, time.perf_counter() - began, statuses


def run_baseline(users: list[Any], run: str) -> tuple[int, float]:
    """The families' operations online: POST /api/households (household and head: 2 operations),
    POST /api/enrollments/vsi, POST /api/payments; the replays as repeated payments (same key)."""
    from django.test import Client
    from django.utils import timezone

    from ansinh.org.services import issue_token

    today = timezone.localdate().isoformat()
    client, done = Client(), 0
    tokens = [issue_token(user, "bench") for user in users]
    began, cpu = time.perf_counter(), time.process_time()
    for n, token in enumerate(tokens):
        auth = {"Authorization": f"Bearer {token}"}
        keys = []
        for family in range(FAMILIES):
            who = _person(f"{run}b", 900_000 + n * 100 + family)
            head = {"full_name": who["full_name"], "date_of_birth": who["birth_date"], "sex": "male",
                    "area_code": COMMUNE, "citizen_id": who["citizen_id"]}
            made = client.post("/api/households", {"head": head, "joined": today, "address_detail": "Xóm 1"},
                               content_type="application/json", headers=auth)
            assert made.status_code == 201, made.content[:300]
            person_id = made.json()["members"][0]["person"]["id"]
            term = client.post("/api/enrollments/vsi", {"person_id": person_id, "on": today, "income": 1_500_000,
                                                        "months": 1}, content_type="application/json",
                               headers={**auth, "Idempotency-Key": uuid.uuid4().hex})
            assert term.status_code == 201, term.content[:300]
            key = uuid.uuid4().hex
            paid = client.post("/api/payments", {"enrollment_id": term.json()["id"], "amount": term.json()["payable"],
                                                 "method": "cash"}, content_type="application/json",
                               headers={**auth, "Idempotency-Key": key})
            assert paid.status_code == 201, paid.content[:300]
            keys.append((term.json()["id"], term.json()["payable"], key))
            done += 4
        for enrolment, amount, key in keys[:REPLAYS]:
            again = client.post("/api/payments", {"enrollment_id": enrolment, "amount": amount, "method": "cash"},
                                content_type="application/json", headers={**auth, "Idempotency-Key": key})
            assert again.status_code in (200, 201), again.content[:300]
            done += 1
    print(f"  baseline: this process's CPU {time.process_time() - cpu:.1f} s (PostgreSQL's not counted)", flush=True)
    return done, time.perf_counter() - began


def check(run: str, devices: int, statuses: dict[str, int]) -> None:
    """The database holds exactly what the operations must have written."""
    from ansinh.fieldsync.models import Device, PersonConflict, SyncOperation
    from ansinh.payments.models import Payment, Receipt
    from ansinh.registry.models import Household, Person

    mine = {"device__agent__code__startswith": f"BS{run}-"}
    assert statuses == {"applied": devices * FAMILIES * 4, "flagged": devices, "replayed": devices * REPLAYS}, statuses
    assert SyncOperation.objects.filter(**mine).count() == devices * (FAMILIES * 4 + 1)
    assert Person.objects.filter(full_name__startswith=f"Nguyễn Văn {run} ").count() == devices * FAMILIES
    assert Household.objects.filter(head__full_name__startswith=f"Nguyễn Văn {run} ").count() == devices * FAMILIES
    paid = Payment.objects.filter(agent__code__startswith=f"BS{run}-", idempotency_key__startswith="sync-")
    assert paid.count() == devices * FAMILIES
    assert PersonConflict.objects.filter(operation__device__agent__code__startswith=f"BS{run}-").count() == devices
    # every receipt is numbered from its own device's block
    for device in Device.objects.filter(agent__code__startswith=f"BS{run}-").prefetch_related("blocks"):
        block = device.blocks.get()
        numbers = sorted(Receipt.objects.filter(payment__idempotency_key__startswith="sync-",
                                                payment__agent_id=device.agent_id)
                         .values_list("number", flat=True))
        assert numbers == list(range(block.first_number, block.first_number + FAMILIES)), (device.pk, numbers)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--baseline-devices", type=int, default=50)
    args = parser.parse_args()
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("Run on PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/<database>")
    call_command("migrate", verbosity=0)
    from django.utils import timezone

    from ansinh.enrollment import services as enrolling
    from ansinh.org.scope import system_scope
    from ansinh.registry import services as registry
    from ansinh.registry.models import Person

    if Person.objects.filter(citizen_id__startswith="040085").exists():
        sys.exit("The benchmark's citizen IDs are taken: use a fresh database (dropdb/createdb).")
    run = uuid.uuid4().hex[:6]
    print(f"run {run}: setting up {args.devices + args.baseline_devices} agents…", flush=True)
    users = setup_agents(args.devices + args.baseline_devices, run)
    sample = registry.create_person(None, system_scope(), registry.PersonData(
        full_name="Mẫu", date_of_birth=Person._meta.get_field("date_of_birth").to_python("1985-03-02"), sex="male",
        area_id=users[0].grant.areas.get().pk), confirm_probable_duplicate=True)
    payable = enrolling.quote_vsi(system_scope(), sample.pk, timezone.localdate(), 1_500_000, 1).quote.payable
    base_ops, base_s = run_baseline(users[args.devices:], run)
    ops, seconds, statuses = run_sync(users[:args.devices], run, payable)
    check(run, args.devices, statuses)
    load = os.getloadavg()
    sync_rate, base_rate = ops / seconds, base_ops / base_s
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"baseline, existing API one request each: {base_ops:,} operations in {base_s:.1f} s = {base_rate:.0f} ops/s")
    print(f"POST /api/v1/sync ({args.devices} devices x 50): {ops:,} operations in {seconds:.1f} s = "
          f"{sync_rate:.0f} ops/s")
    print(f"ratio sync / baseline: {sync_rate / base_rate:.2f}; target >= {TARGET} ops/s: "
          f"{'met' if sync_rate >= TARGET else 'NOT met'}; database check: passed")


if __name__ == "__main__":
    main()
