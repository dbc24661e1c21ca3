from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from ansinh.messaging.gateways import FileGateway, Outgoing, gateway


def test_the_file_gateway_appends_one_line_per_message(tmp_path: Path) -> None:
    path = tmp_path / "out" / "messages.jsonl"
    with override_settings(ANSINH_GATEWAYS={"sms": {"CLASS": "ansinh.messaging.gateways.FileGateway",
                                                    "path": str(path)}}):
        gw = gateway("sms")
        first = gw.send(Outgoing(key="k1", phone="0912345678", text="Mã xác nhận: 123456"))
        gw.send(Outgoing(key="k2", phone="0912345679", text="Nhắc đóng"))
    assert first.provider_id == "file:k1"
    lines = FileGateway(path).sent()
    assert [(m["key"], m["phone"], m["text"]) for m in lines] == [
        ("k1", "0912345678", "Mã xác nhận: 123456"), ("k2", "0912345679", "Nhắc đóng")]


def test_an_unconfigured_channel_is_a_clear_configuration_error() -> None:
    with pytest.raises(ImproperlyConfigured, match="zalo"):
        gateway("zalo")
