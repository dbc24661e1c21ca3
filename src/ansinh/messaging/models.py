"""The outbox (one message per person, purpose and period), consent records and delivery callbacks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ansinh.registry.models import Person


class MessageState(models.TextChoices):
    QUEUED = "queued", _("chờ gửi")
    SENDING = "sending", _("đang gửi")
    SENT = "sent", _("đã gửi")
    DELIVERED = "delivered", _("đã nhận")
    FAILED = "failed", _("gửi lỗi")
    OPTED_OUT = "opted_out", _("từ chối nhận")
    CANCELLED = "cancelled", _("đã huỷ")  # by staff, before it was sent (services.cancel)


FINAL_STATES = (MessageState.DELIVERED, MessageState.FAILED, MessageState.OPTED_OUT, MessageState.CANCELLED)


class Purpose(models.TextChoices):
    BEFORE = "before", _("nhắc trước hạn")
    DUE = "due", _("đến hạn")
    LAPSED = "lapsed", _("đã quá hạn")


class Message(models.Model):
    """One text to one person, for one purpose and period: queueing it again is a no-op (the unique key)."""

    person = models.ForeignKey(Person, models.CASCADE, related_name="messages")
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    period_key = models.CharField(max_length=60)
    channel = models.CharField(max_length=10, default="sms")
    phone = models.CharField(max_length=10)
    text = models.TextField()
    params = models.JSONField(default=dict)  # a template channel's parameters (Zalo ZNS)
    state = models.CharField(max_length=10, choices=MessageState.choices, default=MessageState.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    resends = models.PositiveSmallIntegerField(default=0)  # staff's retries of a failed message (services.retry)
    next_attempt_at = models.DateTimeField(db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    gateway = models.CharField(max_length=30, blank=True)
    provider_id = models.CharField(max_length=100, blank=True, db_index=True)
    last_error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "purpose", "period_key"], name="message_once")]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="message_due")]

    @property
    def key(self) -> str:
        """The gateway's idempotency key: the same for every try of one send, new for a staff's resend (a
        provider that already refused ``msg-7`` would otherwise answer ``msg-7`` again without sending)."""
        return f"msg-{self.pk}" if not self.resends else f"msg-{self.pk}-r{self.resends}"


class ConsentSource(models.TextChoices):
    STAFF = "staff", _("cán bộ ghi nhận")
    INBOUND = "inbound", _("tin nhắn trả lời")


class Consent(models.Model):
    """A person's consent or refusal to receive messages for a purpose through a channel (Decree 13/2023/NĐ-CP
    art. 11: consent is specific to its purpose, given freely, recorded with its time and way, and may be
    withdrawn at any time, art. 12). Append-only: the latest record for a purpose and channel is in force."""

    person = models.ForeignKey(Person, models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=20, default="reminder")
    channel = models.CharField(max_length=10, default="all")  # "sms", "zalo" or "all"
    granted = models.BooleanField()
    source = models.CharField(max_length=10, choices=ConsentSource.choices)
    note = models.CharField(max_length=300, blank=True)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["person", "purpose", "recorded_at"], name="consent_latest")]


class CallbackEvent(models.Model):
    """A gateway's delivery report or inbound text, kept once: a replayed callback changes nothing."""

    gateway = models.CharField(max_length=30)
    event_id = models.CharField(max_length=100)
    body = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["gateway", "event_id"], name="callback_once")]
