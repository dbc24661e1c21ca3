"""One interface to every channel that sends a text to a citizen's phone (SMS, Zalo ZNS, a file).

A gateway sends one ``Outgoing`` and answers the provider's id for it, or raises ``GatewayError``
(``transient`` says whether trying again may succeed). ``key`` is the message's idempotency key: a
gateway that supports one passes it on, so a retry after a lost answer is not a second message.
``gateway(channel)`` returns the one configured in ``settings.ANSINH_GATEWAYS``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Outgoing:
    key: str  # idempotency key of this message
    phone: str
    text: str
    channel: str = "sms"  # "sms" | "zalo"
    template: str = ""  # the provider's template id, for a channel that sends templates (Zalo ZNS)
    params: dict[str, str] = field(default_factory=dict)  # the template's parameters


@dataclass(frozen=True)
class Sent:
    provider_id: str


class GatewayError(Exception):
    def __init__(self, reason: str, *, transient: bool) -> None:
        super().__init__(reason)
        self.transient = transient


class Gateway(Protocol):
    name: str

    def send(self, message: Outgoing) -> Sent: ...


class FileGateway:
    """Development and tests: each message is one JSON line appended to a file (nothing leaves the machine)."""

    name = "file"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def send(self, message: Outgoing) -> Sent:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = {"at": timezone.now().isoformat(), **asdict(message)}
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
        return Sent(provider_id=f"file:{message.key}")

    def sent(self) -> list[dict[str, Any]]:
        """What was written, oldest first (tests read the one-time codes from here)."""
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line]


def gateway(channel: str = "sms") -> Gateway:
    """The gateway configured for ``channel``: ``{"CLASS": dotted path, **its keyword arguments}``."""
    config = dict(settings.ANSINH_GATEWAYS.get(channel) or {})
    if not config:
        raise ImproperlyConfigured(f"ANSINH_GATEWAYS has no gateway for the channel {channel!r}.")
    cls = import_string(config.pop("CLASS"))
    gw: Gateway = cls(**config)
    return gw
