"""The read side of the offline app: the agent's slice (what "Tải dữ liệu" downloads), the receipt
book of every device block, and the flags and conflicts a manager decides. Bulk ``values()`` reads,
a fixed number of queries whatever the rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date
from typing import Any

from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.areas.models import COMMUNE_LEVELS, AdministrativeUnit
from ansinh.areas.queries import province_codes
from ansinh.enrollment.models import Enrollment, EnrollmentStatus, HiCardLine, Scheme, VsiPlan
from ansinh.fieldsync import visit_sync
from ansinh.fieldsync.devices import current_block, in_scope, serial, used_numbers
from ansinh.fieldsync.models import Device, Flag, PersonConflict, ReceiptBlock
from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.org.fields import PersonalField, mask, served
from ansinh.org.scope import Scope
from ansinh.payments.models import Receipt
from ansinh.payments.rights import is_money_manager
from ansinh.registry.models import Household, HouseholdPoverty, Membership

# The parameters in force for the next 12 months, as ``GET /api/v1/offline/parameters`` serves them.
# That endpoint is the phone side's (it lives above this app); it registers its builder here, as the
# reports app registers its payment listeners. Until it does, the slice carries ``{}``.
PARAMETER_SOURCES: list[Callable[[date, int], dict[str, Any]]] = []


def offline_parameters(on: date, months: int = 12) -> dict[str, Any]:
    for source in PARAMETER_SOURCES:
        return source(on, months)
    return {}


def _month(day: date | None) -> str | None:
    return day.strftime("%Y-%m") if day else None


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _people_facts(person_ids: list[int]) -> tuple[dict[int, Any], dict[int, Any], dict[int, Any], dict[int, Any]]:
    plans = {p["person_id"]: p for p in VsiPlan.objects.filter(person_id__in=person_ids, status="active")
             .values("id", "person_id", "income", "term_months")}
    paid_until = dict(Enrollment.objects.filter(person_id__in=person_ids, scheme=Scheme.VSI,
                                                status=EnrollmentStatus.PAID)
                      .values("person_id").annotate(end=Max("period_end")).values_list("person_id", "end"))
    card_end = dict(HiCardLine.objects.filter(person_id__in=person_ids, enrollment__status=EnrollmentStatus.PAID)
                    .values("person_id").annotate(end=Max("valid_to")).values_list("person_id", "end"))
    due: dict[int, Any] = {}
    for e in Enrollment.objects.filter(person_id__in=person_ids, status=EnrollmentStatus.PENDING).values(
            "person_id", "payable", "period_start"):
        due[e["person_id"]] = {"scheme": "vsi", "amount": e["payable"], "due_on": e["period_start"].isoformat()}
    for line in HiCardLine.objects.filter(person_id__in=person_ids, enrollment__status=EnrollmentStatus.PENDING).values(
            "person_id", "amount", "valid_from"):
        due.setdefault(line["person_id"], {"scheme": "household_hi", "amount": line["amount"],
                                           "due_on": line["valid_from"].isoformat()})
    return plans, paid_until, card_end, due


def _poverty(area_ids: frozenset[int], on: date) -> dict[int, str]:
    found: dict[int, str] = {}
    for row in (HouseholdPoverty.objects.filter(household__area_id__in=area_ids, valid_from__lte=on)
                .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on)).order_by("valid_from", "pk")
                .values_list("household_id", "status")):
        found[row[0]] = row[1]
    return found


def _members(scope: Scope, on: date) -> dict[int, list[dict[str, Any]]]:
    rows = list(Membership.objects.filter(household__area_id__in=scope.area_ids, valid_from__lte=on)
                .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on)).order_by("household_id", "pk")
                .values("household_id", "relationship", "person_id", "person__full_name", "person__date_of_birth",
                        "person__birth_precision", "person__sex", "person__citizen_id"))
    plans, paid_until, card_end, due = _people_facts([r["person_id"] for r in rows])
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        pid = r["person_id"]
        plan = plans.get(pid)
        out[r["household_id"]].append({
            "id": str(pid), "full_name": r["person__full_name"], "birth_date": r["person__date_of_birth"].isoformat(),
            "birth_precision": r["person__birth_precision"], "sex": r["person__sex"],
            "citizen_id_masked": served(scope, PersonalField.CITIZEN_ID, r["person__citizen_id"]),
            "relationship": r["relationship"], "support_group": "",
            "vsi": {"plan_id": str(plan["id"]), "monthly_income": plan["income"], "term_months": plan["term_months"],
                    "paid_until": _month(paid_until.get(pid))} if plan else None,
            "hi_card_end": _iso(card_end.get(pid)), "due": due.get(pid)})
    return out


def slice_for(device: Device, scope: Scope) -> dict[str, Any]:
    """The agent's communes, households and people (identifiers through the field policy), the block."""
    now = timezone.now()
    on = timezone.localdate(now)
    agent, block = device.agent, current_block(device)
    if agent is None or block is None:
        raise DomainError(ErrorCode.FORBIDDEN, _("Máy ki-ốt của tổ tư vấn không tải dữ liệu hộ gia đình (chỉ máy "
                                                 "của nhân viên thu)."), "A kiosk downloads no slice.")
    communes = list(AdministrativeUnit.objects.filter(pk__in=scope.area_ids, level__in=COMMUNE_LEVELS,
                                                      valid_to__isnull=True).order_by("code").values("id", "code",
                                                                                                    "name"))
    code_of = {c["id"]: c["code"] for c in communes}
    province = province_codes(code_of)
    members = _members(scope, on)
    poverty = _poverty(scope.area_ids, on)
    households = []
    for h in Household.objects.filter(area_id__in=code_of).order_by("pk").values("id", "area_id", "address_detail"):
        people = members.get(h["id"], [])
        ends = [m["hi_card_end"] for m in people if m["hi_card_end"]]
        households.append({"id": str(h["id"]), "commune_code": code_of[h["area_id"]], "address": h["address_detail"],
                           "poverty": poverty.get(h["id"], "none"), "hi_card_end": max(ends) if ends else None,
                           "members": people})
    return {
        "generated_at": timezone.localtime(now).isoformat(), "device_id": str(device.client_id),
        "agent": {"id": agent.pk, "name": agent.name, "phone_masked": mask(PersonalField.PHONE, agent.phone),
                  "collector": agent.collector.name},
        "collection_points": [{"id": p.pk, "name": p.name} for p in agent.collection_points.order_by("pk")],
        "receipt_block": block_out(block),
        "parameters": offline_parameters(on),
        # province_code (added to the contract): the app quotes with the provincial top-up the server applies
        "communes": [{"code": c["code"], "name": c["name"], "province_code": province[c["id"]]} for c in communes],
        "households": households,
        "visits": visit_sync.for_slice(scope, device.user, on, code_of),  # issue 18: the agent's teams' lists
    }


def block_out(block: ReceiptBlock) -> dict[str, Any]:
    numbers = range(block.first_number, block.last_number + 1)
    return {"id": str(block.client_id), "series": block.pool.series, "numbers": [serial(block, n) for n in numbers],
            "used": [serial(block, n) for n in used_numbers(block)], "reserved_at": block.reserved_at.isoformat()}


def _numbers_of(blocks: list[ReceiptBlock]) -> Q:
    found = Q(pk__in=[])
    for b in blocks:
        found |= Q(pool_id=b.pool_id, number__gte=b.first_number, number__lte=b.last_number)
    return found


def receipt_book(scope: Scope) -> list[dict[str, Any]]:
    """Every number of every device block of the manager's scope and its fate: used (the receipt),
    voided with the reason, or still on the device."""
    if not is_money_manager(scope):
        return []
    devices = Device.objects.filter(in_scope(scope)).values("pk")
    blocks = list(ReceiptBlock.objects.filter(device_id__in=devices).select_related("pool", "device", "device__agent")
                  .order_by("pool__series", "first_number"))
    used: dict[tuple[int, int], Any] = {}
    for pool_id, number, payment_id, amount in (
            Receipt.objects.filter(_numbers_of(blocks))
            .values_list("pool_id", "number", "payment_id", "amount")):
        used[(pool_id, number)] = (payment_id, amount)
    book = []
    for b in blocks:
        rows = []
        for n in range(b.first_number, b.last_number + 1):
            hit = used.get((b.pool_id, n))
            fate = "used" if hit else "voided" if b.voided_at else "on_device"
            rows.append({"serial": serial(b, n), "fate": fate, "payment_id": hit[0] if hit else None,
                         "amount": hit[1] if hit else None, "reason": b.void_reason if fate == "voided" else ""})
        book.append({"block": b, "rows": rows, "used": sum(r["fate"] == "used" for r in rows),
                     "voided": sum(r["fate"] == "voided" for r in rows)})
    return book


def flags(scope: Scope) -> list[Flag]:
    if not is_money_manager(scope):
        return []
    devices = Device.objects.filter(in_scope(scope)).values("pk")
    return list(Flag.objects.filter(Q(area_id__in=scope.area_ids) | Q(operation__device_id__in=devices)).select_related(
        "operation", "operation__device", "operation__device__agent").order_by("-created_at", "-pk")[:500])


def conflicts(scope: Scope, pending_only: bool = False) -> list[PersonConflict]:
    if not is_money_manager(scope):
        return []
    found = PersonConflict.objects.filter(area_id__in=scope.area_ids).select_related("existing", "household",
                                                                                     "operation__device__agent")
    if pending_only:
        found = found.filter(decision="pending")
    return list(found.order_by("decision", "-pk")[:500])
