"""The offline app's API (docs/offline-sync.md):
device registration (a logged-in agent), then device-token calls: the slice and the sync batch.
Refusals carry the house shape ``{"error": …}`` and the contract's ``detail`` (the same message)."""

from __future__ import annotations

import gzip
import json
import uuid
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Field, Router, Schema
from ninja.security import HttpBearer

from ansinh.fieldsync import batch, devices, queries, services
from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.org.scope import scope_for

router = Router(tags=["offline"])
STATUS = {ErrorCode.NOT_FOUND: 404, ErrorCode.FORBIDDEN: 403, ErrorCode.UNAUTHENTICATED: 401,
          ErrorCode.IDEMPOTENCY_CONFLICT: 409, ErrorCode.NO_RECEIPT_POOL: 409}


def refusal(exc: DomainError) -> JsonResponse:
    """Both shapes: the house's ``error`` object and the contract's ``detail``."""
    return JsonResponse({"detail": exc.message, "error": {"code": str(exc.code), "message": exc.message,
                                                          "message_en": exc.message_en}},
                        status=STATUS.get(exc.code, 422))


class DeviceAuth(HttpBearer):
    """``Authorization: Bearer dev_…``: the device (and its agent's user) of a token not revoked."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        device = devices.device_for_token(token)  # a revoked device raises DeviceRevoked: 401 with its detail
        if device is not None:
            request.user = device.user
            request.device = device  # type: ignore[attr-defined]
        return device


class DeviceIn(Schema):
    id: uuid.UUID
    label: str = Field("", max_length=100)


class OperationIn(Schema):
    id: uuid.UUID
    type: str = Field(max_length=30)
    device_time: str | None = Field(None, max_length=40)
    data: dict[str, Any] = Field(default_factory=dict)


class BatchIn(Schema):
    batch_id: uuid.UUID
    operations: list[OperationIn] = Field(max_length=services.MAX_OPERATIONS)


def _registered(found: devices.Registered) -> dict[str, Any]:
    block = queries.block_out(found.block) if found.block is not None else None
    return {"id": str(found.device.client_id), "token": found.token,  # a kiosk has no receipt block
            "receipt_block": {k: block[k] for k in ("id", "series", "numbers", "reserved_at")} if block else None}


@router.post("/devices", summary="Register this phone (logged-in agent): a token shown once and a receipt block")
def register_device(request: HttpRequest, body: DeviceIn) -> HttpResponse:
    try:
        found = devices.register_device(request.user, scope_for(request.user), body.id, body.label)
    except DomainError as exc:
        return refusal(exc)
    return JsonResponse(_registered(found), status=201 if found.created else 200)


@router.get("/sync/slice", auth=DeviceAuth(), summary="The agent's slice for offline work (gzip when accepted)")
def download_slice(request: HttpRequest) -> HttpResponse:
    device = request.device  # type: ignore[attr-defined]
    try:
        the_slice = queries.slice_for(device, scope_for(device.user))
    except DomainError as exc:
        return refusal(exc)
    body = json.dumps(the_slice, cls=DjangoJSONEncoder,
                      ensure_ascii=False, separators=(",", ":")).encode()
    if "gzip" not in request.headers.get("Accept-Encoding", ""):
        return HttpResponse(body, content_type="application/json")
    response = HttpResponse(gzip.compress(body, 6), content_type="application/json")
    response["Content-Encoding"] = "gzip"
    response["Vary"] = "Accept-Encoding"
    return response


@router.post("/sync", auth=DeviceAuth(), summary="A batch of offline operations, each answered on its own")
def sync(request: HttpRequest, body: BatchIn) -> HttpResponse:
    device = request.device  # type: ignore[attr-defined]
    ops = [op.model_dump() for op in body.operations]
    return JsonResponse(batch.apply_batch(device, body.batch_id, ops))
