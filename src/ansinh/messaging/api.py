"""Gateways call back here with delivery reports and replies (callbacks.py); signed, not logged in."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from ansinh.messaging import callbacks

router = Router(tags=["messaging"])


class CallbackOut(Schema):
    result: str


@router.post("/messages/callback/{gateway}", response=CallbackOut, auth=None)
def callback(request: HttpRequest, gateway: str) -> dict[str, str]:
    result = callbacks.receive(gateway, request.body, request.headers.get("X-Ansinh-Timestamp", ""),
                               request.headers.get("X-Ansinh-Signature", ""), timezone.now())
    return {"result": result}
