"""Devices: registered by the logged-in agent, authenticated by a token (only its digest stored),
revoked by a manager; each gets a block of receipt numbers reserved from its collector's pool."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ansinh.campaigns.services import active_teams
from ansinh.fieldsync.models import Device, ReceiptBlock
from ansinh.lib.errors import DomainError, ErrorCode, invalid_input
from ansinh.lib.text import clean_text
from ansinh.org.models import Agent
from ansinh.org.scope import Scope, not_found
from ansinh.payments.models import Receipt, ReceiptPool
from ansinh.payments.rights import is_money_manager
from ansinh.registry.audit import audit

TOKEN_PREFIX = "dev_"
REVOKED = gettext_lazy("Thiết bị đã bị thu hồi; hãy liên hệ quản lý để đăng ký lại.")


class DeviceRevoked(DomainError):
    """A revoked device's call: 401 with the contract's ``detail`` (api/urls.py)."""

    def __init__(self) -> None:
        super().__init__(ErrorCode.UNAUTHENTICATED, REVOKED, "This device was revoked.")


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Registered:
    device: Device
    token: str | None  # shown once, at the first registration
    block: ReceiptBlock | None  # None for a kiosk (collects no money)
    created: bool


def serial(block: ReceiptBlock, number: int) -> str:
    """As the receipt prints it (payments.models.Receipt.serial)."""
    return f"{block.pool.series}-{number:07d}"


def reserve_block(device: Device, collector_id: int, size: int) -> ReceiptBlock:
    """``size`` numbers of the collector's active pool, in one ``UPDATE … RETURNING``: the pool is
    advanced once, under its row lock, so a block never overlaps the numbers ``record_payment`` claims."""
    table = ReceiptPool._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET next_number = next_number + %s WHERE id = (SELECT id FROM {table} "
            "WHERE collector_id = %s AND active = %s ORDER BY id LIMIT 1) AND next_number + %s - 1 <= last_number "
            "RETURNING id, next_number - %s", [size, collector_id, True, size, size])
        row = cursor.fetchone()
    if row is None:
        raise DomainError(ErrorCode.NO_RECEIPT_POOL, _("Quyển biên lai không còn đủ {size} số cho thiết bị; hãy "
                                                       "khai báo quyển mới.").format(
                                                         size=size), "No receipt pool with enough numbers.")
    return ReceiptBlock.objects.create(client_id=uuid.uuid4(), device=device, pool_id=row[0], first_number=row[1],
                                       last_number=row[1] + size - 1, reserved_at=timezone.now())


def _agent_of(actor: AbstractBaseUser | None, scope: Scope) -> Agent | None:
    """The actor's agent (a phone with a receipt block), or None for a member of an advisory team of a
    running campaign (a kiosk: no money, so no block); anyone else is refused."""
    agent = Agent.objects.filter(user=actor).select_related("collector").first() if actor is not None else None
    if agent is None and (actor is None or not active_teams(scope, actor, timezone.localdate()).exists()):
        raise DomainError(ErrorCode.FORBIDDEN, _("Chỉ nhân viên thu (tài khoản gắn với đại lý thu) hoặc thành viên tổ "
                                                 "tư vấn của chiến dịch đang chạy mới đăng ký thiết bị."),
                          "Only an agent or an advisory team member registers a device.")
    return agent


def current_block(device: Device) -> ReceiptBlock | None:
    return ReceiptBlock.objects.select_related("pool").filter(device=device).order_by("-reserved_at").first()


def register_device(actor: AbstractBaseUser | None, scope: Scope, client_id: uuid.UUID, label: str) -> Registered:
    """The same id again is the same device (no new block, no token shown); another agent's id is refused."""
    scope.require_writer()
    agent = _agent_of(actor, scope)
    label = clean_text(label, "label", 100, _("Tên thiết bị"))
    found = Device.objects.filter(client_id=client_id).first()
    if found is None:
        try:
            with transaction.atomic():
                token = TOKEN_PREFIX + secrets.token_urlsafe(32)
                device = Device.objects.create(client_id=client_id, agent=agent, user=actor, label=label,
                                               token_digest=digest(token))
                if agent is not None:
                    reserve_block(device, agent.collector_id, settings.ANSINH_DEVICE_BLOCK_SIZE)
                audit(actor, "create", "device", device.pk, None, {"label": (None, label)})
                return Registered(device, token, current_block(device), True)
        except IntegrityError:  # the same id registered meanwhile: answered below like a repeat
            found = Device.objects.filter(client_id=client_id).first()
            if found is None:
                raise
    if found.user_id != actor.pk:  # type: ignore[union-attr]
        raise DomainError(ErrorCode.IDEMPOTENCY_CONFLICT, _("Mã thiết bị này đã được đăng ký bởi người khác."),
                          "This device id belongs to someone else.")
    if found.revoked_at is not None:
        raise DeviceRevoked()
    return Registered(found, None, current_block(found), False)


def device_for_token(token: str) -> Device | None:
    """The device of a token; a revoked device raises :class:`DeviceRevoked`; an unknown token, or the
    token of a user since deactivated, is None (the phone stops with its user's account)."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    device = Device.objects.select_related("agent", "user").filter(token_digest=digest(token)).first()
    if device is None or not device.user.is_active:
        return None
    if device.revoked_at is not None:
        raise DeviceRevoked()
    return device


def managed_devices(scope: Scope) -> list[Device]:
    """The devices of the agents a manager oversees: of a collector in the scope's org units, or
    serving an area of the scope."""
    if not is_money_manager(scope):
        return []
    return list(Device.objects.filter(pk__in=Device.objects.filter(in_scope(scope)).values("pk"))
                .select_related("agent").order_by("-created_at"))


def in_scope(scope: Scope) -> Q:
    """Devices of agents of a collector the scope manages, or whose areas (or grant) the scope covers;
    kiosks of members of advisory teams whose site or campaign is in the scope's areas."""
    return (Q(agent__collector_id__in=scope.org_ids) | Q(agent__areas__in=scope.area_ids)
            | Q(agent__user__grant__areas__in=scope.area_ids)
            | Q(agent__isnull=True, user__team_memberships__team__site__area__in=scope.area_ids)
            | Q(agent__isnull=True, user__team_memberships__team__campaign__areas__in=scope.area_ids))


@transaction.atomic
def revoke_device(actor: AbstractBaseUser | None, scope: Scope, device_id: int, reason: str) -> Device:
    """A lost or stolen phone: its token is refused from now on, and the unused numbers of its blocks
    are voided with the reason (the receipt-book report shows them). Revoking twice returns the device."""
    if not Device.objects.filter(in_scope(scope), pk=device_id).exists():
        raise not_found()
    scope.require_writer()
    if not is_money_manager(scope):
        raise DomainError(ErrorCode.FORBIDDEN, _("Chỉ cán bộ quản lý thu hồi thiết bị."), "Only a manager revokes.")
    reason = clean_text(reason, "reason", 300, _("Lý do thu hồi"))
    if not reason:
        raise invalid_input(_("Ghi lý do thu hồi thiết bị."), "A reason is required.", field="reason")
    device = Device.objects.select_for_update().get(pk=device_id)
    if device.revoked_at is not None:
        return device
    now = timezone.now()
    device.revoked_at, device.revoked_by, device.revoke_reason = now, actor, reason
    device.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    voided = ReceiptBlock.objects.filter(device=device, voided_at__isnull=True).update(
        voided_at=now, void_reason=_("Thiết bị bị thu hồi: {reason}").format(reason=reason)[:300])
    audit(actor, "revoke", "device", device.pk, None, {"reason": ("", reason), "blocks_voided": (0, voided)})
    return device


def used_numbers(block: ReceiptBlock) -> list[int]:
    return list(Receipt.objects.filter(pool_id=block.pool_id, number__gte=block.first_number,
                                       number__lte=block.last_number).order_by("number")
                .values_list("number", flat=True))
