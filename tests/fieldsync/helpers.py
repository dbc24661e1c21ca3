"""Builders for the offline app's tests: a registered device (through the API) and operations."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from django.test import Client
from django.utils import timezone

from tests.builders import Personas, field_setup, personas


@dataclass
class Phone:
    who: Personas
    client: Client
    token: str
    device_id: str
    block: dict[str, Any]

    def sync(self, *operations: dict[str, Any], batch_id: str | None = None) -> Any:
        body = {"batch_id": batch_id or str(uuid.uuid4()), "operations": list(operations)}
        return self.client.post("/api/v1/sync", body, content_type="application/json",
                                headers={"Authorization": f"Bearer {self.token}"})

    @staticmethod
    def json(raw: bytes) -> Any:
        return json.loads(raw)

    def results(self, *operations: dict[str, Any]) -> list[dict[str, Any]]:
        response = self.sync(*operations)
        assert response.status_code == 200, response.content
        return response.json()["results"]


def register(who: Personas | None = None, label: str = "Điện thoại của Lan") -> Phone:
    who = who or personas()
    field_setup(who)
    client = Client()
    client.force_login(who.agent)
    device_id = str(uuid.uuid4())
    response = client.post("/api/v1/devices", {"id": device_id, "label": label}, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    return Phone(who, Client(), body["token"], device_id, body["receipt_block"])


def op(kind: str, device_time: str | None = None, **data: Any) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "type": kind, "device_time": device_time or timezone.now().isoformat(),
            "data": data}


def new_id() -> str:
    return str(uuid.uuid4())


def household_ops(household: str, person: str, commune: str, citizen_id: str | None = "040085000123",
                  full_name: str = "Nguyễn Văn An") -> list[dict[str, Any]]:
    return [op("register_household", household_id=household, commune_code=commune, address="Xóm 3"),
            op("register_person", person_id=person, household_id=household, full_name=full_name,
               birth_date="1985-03-02", sex="male", citizen_id=citizen_id, phone=None, relationship="head")]
