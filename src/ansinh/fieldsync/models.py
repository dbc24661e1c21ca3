"""The offline field app's server side: devices and their receipt blocks, every synced operation
(its idempotency key is the client's op id), the client UUIDs it created, and what it flagged for a
manager (amount differences, receipt fraud signals, clock skew, duplicate people)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ansinh.areas.models import AdministrativeUnit
from ansinh.org.models import Agent
from ansinh.payments.models import ReceiptPool
from ansinh.registry.models import Household, Person


class Device(models.Model):
    """An agent's phone, or a rally kiosk registered by an advisory team member who is not an agent (no
    agent, no receipt block: it logs sessions, leads and checklist ticks, never money). Only a SHA-256
    digest of its token is stored; a revoked device is refused."""

    client_id = models.UUIDField(_("mã thiết bị (do ứng dụng tạo)"), unique=True)
    agent = models.ForeignKey(Agent, models.PROTECT, null=True, blank=True, related_name="devices",
                              verbose_name=_("nhân viên thu"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("tài khoản"))
    label = models.CharField(_("tên thiết bị"), max_length=100, blank=True)
    token_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("đăng ký lúc"), auto_now_add=True)
    last_sync_at = models.DateTimeField(_("đồng bộ lần cuối"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("người thu hồi"))
    revoke_reason = models.CharField(_("lý do thu hồi"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("thiết bị")
        verbose_name_plural = _("thiết bị")

    def __str__(self) -> str:
        return self.label or str(self.client_id)

    @property
    def holder(self) -> str:
        """Whose device it is, as the managers' pages say it."""
        if self.agent is not None:
            return self.agent.name
        return gettext("ki-ốt của {user}").format(user=self.user.get_full_name() or self.user.get_username())

    def same_owner(self, other: Device) -> bool:
        """Records a device created are its agent's (any of the agent's phones), or a kiosk's user's."""
        if self.agent_id is not None or other.agent_id is not None:
            return self.agent_id == other.agent_id
        return self.user_id == other.user_id

    def owned(self, prefix: str = "device__") -> Q:
        """The filter of what ``same_owner`` says, for rows pointing at a device through ``prefix``."""
        if self.agent_id is not None:
            return Q(**{f"{prefix}agent_id": self.agent_id})
        return Q(**{f"{prefix}agent__isnull": True, f"{prefix}user_id": self.user_id})


class ReceiptBlock(models.Model):
    """Numbers ``first``…``last`` of a pool, reserved for one device at once (the pool advanced once).
    Each number ends used (a receipt), or voided with the block's reason when the device is revoked."""

    client_id = models.UUIDField(_("mã dải số"), unique=True)
    device = models.ForeignKey(Device, models.PROTECT, related_name="blocks", verbose_name=_("thiết bị"))
    pool = models.ForeignKey(ReceiptPool, models.PROTECT, related_name="device_blocks",
                             verbose_name=_("quyển biên lai"))
    first_number = models.PositiveIntegerField(_("từ số"))
    last_number = models.PositiveIntegerField(_("đến số"))
    reserved_at = models.DateTimeField(_("giữ số lúc"))
    voided_at = models.DateTimeField(_("huỷ số chưa dùng lúc"), null=True, blank=True)
    void_reason = models.CharField(_("lý do huỷ số chưa dùng"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("dải số biên lai của thiết bị")
        verbose_name_plural = _("dải số biên lai của thiết bị")
        constraints = [
            models.CheckConstraint(condition=Q(first_number__lte=models.F("last_number")), name="block_range"),
            models.CheckConstraint(condition=Q(voided_at__isnull=True) | ~Q(void_reason=""),
                                   name="block_void_has_reason"),
        ]


class OpStatus(models.TextChoices):
    APPLIED = "applied", _("Đã ghi")
    FLAGGED = "flagged", _("Đã ghi, có cảnh báo")
    FAILED = "failed", _("Không ghi được")


class SyncOperation(models.Model):
    """One operation as first answered: a replay of its id returns this answer and changes nothing."""

    op_id = models.UUIDField(unique=True)
    device = models.ForeignKey(Device, models.PROTECT, related_name="operations")
    batch_id = models.UUIDField()
    kind = models.CharField(max_length=20)
    status = models.CharField(max_length=8, choices=OpStatus.choices)
    server_id = models.CharField(max_length=40, blank=True)
    error = models.CharField(max_length=500, blank=True)
    creates = models.UUIDField(null=True, blank=True, db_index=True)  # the client UUID this op was to create
    device_time = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    data = models.JSONField(default=dict)


class ClientRef(models.Model):
    """A client UUID and the row it became (household, person, enrolment, payment…). A household
    registered offline becomes a row when its first member (the head) arrives: until then ``object_id``
    is empty and ``pending`` holds its commune and address."""

    client_id = models.UUIDField(primary_key=True)
    kind = models.CharField(max_length=20)
    object_id = models.BigIntegerField(null=True, blank=True)
    device = models.ForeignKey(Device, models.PROTECT, related_name="+")
    pending = models.JSONField(default=dict, blank=True)


class FlagKind(models.TextChoices):
    AMOUNT_DIFFERS = "amount_differs", _("Số tiền thu khác số máy chủ tính")
    RECEIPT_OUTSIDE_BLOCK = "receipt_outside_block", _("Số biên lai ngoài dải của thiết bị")
    RECEIPT_REUSED = "receipt_reused", _("Số biên lai dùng hai lần")
    CLOCK_SKEW = "clock_skew", _("Đồng hồ thiết bị lệch quá 24 giờ")
    BEFORE_BLOCK = "before_block", _("Khoản thu ghi trước khi nhận dải số")
    DUPLICATE_PERSON = "duplicate_person", _("Người đã có (trùng số định danh)")
    START_DIFFERS = "start_differs", _("Tháng bắt đầu khác tháng ứng dụng ghi")


class Flag(models.Model):
    operation = models.ForeignKey(SyncOperation, models.PROTECT, related_name="flags")
    kind = models.CharField(max_length=25, choices=FlagKind.choices)
    detail = models.CharField(max_length=500)
    area = models.ForeignKey(AdministrativeUnit, models.PROTECT, null=True, blank=True, related_name="+")
    collected = models.BigIntegerField(null=True, blank=True)  # amount_differs: what the agent collected
    quoted = models.BigIntegerField(null=True, blank=True)  # and what the server's term says
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cảnh báo đồng bộ")
        verbose_name_plural = _("cảnh báo đồng bộ")


class Decision(models.TextChoices):
    PENDING = "pending", _("Chờ quyết định")
    LINK = "link", _("Là cùng một người: liên kết")
    SEPARATE = "separate", _("Giữ riêng (không liên kết)")
    MERGE = "merge", _("Gộp hộ vào hộ đã có")


class PersonConflict(models.Model):
    """A person registered offline whose citizen ID is already on record with other data: nothing is
    dropped; a manager links, keeps separate, or merges the offline household into the existing one."""

    operation = models.OneToOneField(SyncOperation, models.PROTECT, related_name="conflict")
    existing = models.ForeignKey(Person, models.PROTECT, related_name="+")
    household = models.ForeignKey(Household, models.PROTECT, null=True, blank=True, related_name="+")
    proposed = models.JSONField()
    area = models.ForeignKey(AdministrativeUnit, models.PROTECT, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
