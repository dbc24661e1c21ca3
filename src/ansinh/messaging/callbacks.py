"""Delivery reports and inbound texts from a gateway, ``POST /api/v1/messages/callback/<gateway>``.

The gateway signs ``<timestamp>.<body>`` with HMAC-SHA256 and the shared secret
(``ANSINH_MESSAGE_CALLBACK_SECRET``): headers ``X-Ansinh-Timestamp`` (Unix seconds) and ``X-Ansinh-Signature``
(hex). A signature that does not match, or a timestamp more than five minutes away, is refused. The body:
``{"event_id", "provider_id", "status": "delivered" | "failed", "error"?}`` for a report, or
``{"event_id", "type": "inbound", "phone", "text"}`` for a reply ("TU CHOI"/STOP records an opt-out). Each
event is applied once: a replay of the same ``event_id`` changes nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ansinh.lib.errors import DomainError, ErrorCode, invalid_input
from ansinh.lib.identifiers import normalize_phone
from ansinh.messaging import consent
from ansinh.messaging.models import CallbackEvent, Message, MessageState

WINDOW_SECONDS = 300
GATEWAYS = {"http_sms", "zalo_zns", "file"}


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def _refuse() -> DomainError:
    return DomainError(ErrorCode.FORBIDDEN, _("Chữ ký của cổng tin nhắn không hợp lệ hoặc đã quá hạn."),
                       "The gateway's signature is wrong or too old.")


def verify(body: bytes, timestamp: str, signature: str, now: datetime) -> None:
    secret = settings.ANSINH_MESSAGE_CALLBACK_SECRET
    if not secret or not timestamp.isdigit() or abs(now.timestamp() - int(timestamp)) > WINDOW_SECONDS:
        raise _refuse()
    if not hmac.compare_digest(sign(secret, timestamp, body), signature.strip().lower()):
        raise _refuse()


def receive(gateway: str, body: bytes, timestamp: str, signature: str, now: datetime) -> str:
    """Verify, then apply the event once; returns what happened ("applied", "replayed", "ignored")."""
    if gateway not in GATEWAYS:
        raise DomainError(ErrorCode.NOT_FOUND, _("Không có cổng tin nhắn này."), "No such gateway.")
    verify(body, timestamp, signature, now)
    try:
        event = json.loads(body)
    except ValueError as error:
        raise invalid_input(_("Nội dung không phải JSON."), "The body is not JSON.") from error
    if not isinstance(event, dict) or not str(event.get("event_id") or ""):
        raise invalid_input(_("Thiếu event_id."), "event_id is missing.")
    try:
        with transaction.atomic():
            CallbackEvent.objects.create(gateway=gateway, event_id=str(event["event_id"])[:100], body=event)
            return _apply(event, now)
    except IntegrityError:
        return "replayed"


def _apply(event: dict[str, Any], now: datetime) -> str:
    if event.get("type") == "inbound":
        text = str(event.get("text") or "")
        if not consent.is_refusal(text):
            return "ignored"
        consent.refuse_by_phone(normalize_phone(str(event.get("phone") or "")), now,
                                _("trả lời: {text}").format(text=text[:100]))
        return "applied"
    status = event.get("status")
    if status not in ("delivered", "failed"):
        raise invalid_input(_("status phải là delivered hoặc failed."), "status must be delivered or failed.")
    changed = (Message.objects.filter(provider_id=str(event.get("provider_id") or "-"), state=MessageState.SENT)
               .update(state=status, finished_at=now, last_error=str(event.get("error") or "")[:300]))
    return "applied" if changed else "ignored"
