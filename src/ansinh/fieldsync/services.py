"""``POST /api/v1/sync``: each operation in its own transaction (a savepoint), answered on its own; the
op id is the idempotency key, so a replay answers ``replayed`` with the first answer and writes nothing."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.fieldsync import operations
from ansinh.fieldsync.models import ClientRef, Decision, Device, Flag, OpStatus, PersonConflict, SyncOperation
from ansinh.lib.errors import DomainError, ErrorCode, invalid_input
from ansinh.org.scope import Scope, not_found, scope_for
from ansinh.payments.rights import is_money_manager
from ansinh.registry import services as registry
from ansinh.registry.audit import audit
from ansinh.registry.models import Membership

MAX_OPERATIONS = 500  # one batch; the app sends its queue in pieces


def _answer(op: SyncOperation, flags: list[dict[str, str]], status: str | None = None) -> dict[str, Any]:
    return {"id": str(op.op_id), "status": status or op.status, "server_id": op.server_id or None,
            "error": op.error or None, "flags": flags}


def _replay(op: SyncOperation) -> dict[str, Any]:
    flags = [{"kind": f.kind, "detail": f.detail} for f in op.flags.order_by("pk")]
    return _answer(op, flags, "replayed")


def _store(device: Device, batch_id: uuid.UUID, op_id: uuid.UUID, kind: str, ctx: operations.Context,
           device_time: Any, data: dict[str, Any], server_id: int | None, error: str) -> SyncOperation:
    status = OpStatus.FAILED if error else OpStatus.FLAGGED if ctx.flags or ctx.conflict else OpStatus.APPLIED
    op = SyncOperation.objects.create(op_id=op_id, device=device, batch_id=batch_id, kind=kind, status=status,
                                      server_id=str(server_id) if server_id is not None else "", error=error[:500],
                                      creates=ctx.creates, device_time=device_time, data=data)
    Flag.objects.bulk_create(Flag(operation=op, kind=kind_, detail=detail[:500], area_id=ctx.area_id, **amounts)
                             for kind_, detail, amounts in ctx.flags)
    if ctx.conflict is not None:
        c = ctx.conflict
        PersonConflict.objects.create(operation=op, existing_id=c["existing_id"], household_id=c["household_id"],
                                      proposed=c["proposed"], area_id=c["area_id"])
    return op


def apply_one(device: Device, scope: Scope, batch_id: uuid.UUID, raw: dict[str, Any], *,
              again: bool = True, unseen: bool = False, fresh: set[uuid.UUID] | None = None) -> dict[str, Any]:
    """``again``: a unique key taken by a concurrent operation (another op with the same receipt number)
    rolls this one back; it runs once more and meets the other's row as a refusal, never a 500.
    ``unseen``: the caller looked the op id up already (the batch path, one query for the batch);
    ``fresh``: client UUIDs it found without a ``ClientRef`` (``operations.Context.fresh``)."""
    op_id, kind, data = raw["id"], raw["type"], raw.get("data") or {}
    first = None if unseen else SyncOperation.objects.filter(op_id=op_id).first()
    if first is not None:
        if first.device_id != device.pk:
            return {"id": str(op_id), "status": OpStatus.FAILED, "server_id": None, "flags": [],
                    "error": _("Mã thao tác này đã được một thiết bị khác dùng.")}
        return _replay(first)
    ctx = operations.Context(device=device, actor=device.user, scope=scope, now=timezone.now(), fresh=fresh or set())
    device_time = operations.parse_time(raw.get("device_time"))
    operations.check_clock(ctx, device_time)
    handler = operations.HANDLERS.get(kind)
    try:
        with transaction.atomic():
            if handler is None:
                raise invalid_input(_("Loại thao tác «{kind}» không được hỗ trợ.").format(kind=kind), "Unknown "
                                                                                                      "operation "
                                                                                                      "type.",
                                    field="type")
            server_id = handler(ctx, data)
            op = _store(device, batch_id, op_id, kind, ctx, device_time, data, server_id, "")
    except DomainError as exc:
        try:
            with transaction.atomic():
                op = _store(device, batch_id, op_id, kind, ctx, device_time, data, None, exc.message_vi)
        except IntegrityError:  # the same op stored meanwhile by a concurrent request
            return _replay(SyncOperation.objects.get(op_id=op_id))
    except IntegrityError:
        found = SyncOperation.objects.filter(op_id=op_id).first()
        if found is not None:
            return _replay(found)
        if not again:
            raise
        return apply_one(device, scope, batch_id, raw, again=False)
    return _answer(op, [{"kind": k, "detail": d} for k, d, _unused in ctx.flags])


def apply_batch(device: Device, batch_id: uuid.UUID, operations_in: list[dict[str, Any]]) -> dict[str, Any]:
    """The per-operation path, in order: an operation may name a UUID created earlier in the batch or in
    an earlier one. ``fieldsync.batch.apply_batch`` makes the same, cheaper; this one stays the reference
    (tests/fieldsync/test_batch.py compares the two)."""
    scope = scope_for(device.user)
    results = [apply_one(device, scope, batch_id, raw) for raw in operations_in]
    Device.objects.filter(pk=device.pk).update(last_sync_at=timezone.now())
    return {"batch_id": str(batch_id), "results": results}


def _ended(actor: Any, scope: Scope, household_id: int, on: Any) -> list[Membership]:
    """End the open memberships of the offline household (a merge moves its members)."""
    open_ = list(Membership.objects.filter(household_id=household_id, valid_to__isnull=True).select_related("person"))
    for membership in open_:
        registry.end_membership(actor, scope, membership.pk, on)
    return open_


def _joining(proposed: dict[str, Any]) -> str:
    """The relationship the offline person joins with; the household's head is already someone else
    (the household became a row when another member arrived), so a "head" joins as "other"."""
    relationship = proposed.get("relationship") or "other"
    return "other" if relationship == "head" else relationship


@transaction.atomic
def decide_conflict(actor: Any, scope: Scope, conflict_id: int, decision: str) -> PersonConflict:
    """A manager's decision on a person registered offline whose citizen ID was already on record:
    ``link`` (the same person: the client UUID resolves to the record), ``separate`` (another person,
    registered without the ID), ``merge`` (the same person, and the offline household joins the
    record's household). Deciding the same way again returns the conflict; another way is a conflict."""
    conflict = PersonConflict.objects.select_for_update().filter(pk=conflict_id).first()
    if conflict is None or not scope.has_area(conflict.area_id):
        raise not_found()
    scope.require_write(conflict.area_id)
    if not is_money_manager(scope):
        raise DomainError(ErrorCode.FORBIDDEN, _("Chỉ cán bộ quản lý quyết định trường hợp trùng người."),
                          "Only a manager decides.")
    if decision not in (Decision.LINK, Decision.SEPARATE, Decision.MERGE):
        raise invalid_input(_("Chọn: liên kết, giữ riêng hoặc gộp hộ."), "Unknown decision.", field="decision")
    if conflict.decision != Decision.PENDING:
        if conflict.decision == decision:
            return conflict
        raise DomainError(ErrorCode.IDEMPOTENCY_CONFLICT, _("Trường hợp này đã được quyết định."), "Already decided.")
    proposed, today = conflict.proposed, timezone.localdate()
    person_id = conflict.existing_id
    if conflict.household_id is None and proposed.get("household_client_id"):
        # registered offline with the household: it became a row when a later member (its head) arrived
        conflict.household_id = ClientRef.objects.filter(client_id=proposed["household_client_id"]).values_list(
            "object_id", flat=True).first()
    if decision == Decision.SEPARATE:
        born = date.fromisoformat(proposed["birth_date"])
        data = registry.PersonData(full_name=proposed["full_name"], date_of_birth=born, sex=proposed["sex"],
                                   area_id=conflict.area_id, phone=proposed.get("phone") or "")
        if conflict.household_id:
            person_id = registry.add_member(actor, scope, conflict.household_id, _joining(proposed), today,
                                            new_person=data, confirm_probable_duplicate=True).person_id
        else:
            person_id = registry.create_person(actor, scope, data, confirm_probable_duplicate=True).pk
    elif decision == Decision.MERGE:
        target = Membership.objects.filter(person_id=conflict.existing_id, valid_to__isnull=True).first()
        if conflict.household_id is None or target is None:
            raise invalid_input(_("Không có hai hộ để gộp: hãy chọn liên kết."), "Nothing to merge.", field="decision")
        for moved in _ended(actor, scope, conflict.household_id, today):
            if moved.person_id != conflict.existing_id and not Membership.objects.filter(
                    household_id=target.household_id, person_id=moved.person_id, valid_to__isnull=True).exists():
                registry.add_member(actor, scope, target.household_id, moved.relationship
                                    if moved.relationship != "head" else "other", today, person_id=moved.person_id)
    elif conflict.household_id and not Membership.objects.filter(
            household_id=conflict.household_id, person_id=person_id, valid_to__isnull=True).exists():
        registry.add_member(actor, scope, conflict.household_id, _joining(proposed), today, person_id=person_id)
    ClientRef.objects.filter(client_id=proposed["client_id"]).update(object_id=person_id, pending={})
    conflict.decision, conflict.decided_by, conflict.decided_at = decision, actor, timezone.now()
    conflict.save(update_fields=["decision", "decided_by", "decided_at", "household"])
    audit(actor, "decide", "person", conflict.existing_id, conflict.area_id,
          {"decision": (Decision.PENDING.value, decision), "person": (None, person_id)})
    return conflict
