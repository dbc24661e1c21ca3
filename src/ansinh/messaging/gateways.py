"""One interface to every channel that sends a text to a citizen's phone (SMS, Zalo ZNS, a file).

A gateway sends one ``Outgoing`` and answers the provider's id for it, or raises ``GatewayError``
(``transient`` says whether trying again may succeed). ``key`` is the message's idempotency key: a
gateway that supports one passes it on, so a retry after a lost answer is not a second message.
``gateway(channel)`` returns the one configured in ``settings.ANSINH_GATEWAYS``.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
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


def _post_json(url: str, body: dict[str, Any], headers: dict[str, str], timeout: float) -> dict[str, Any]:
    """POST ``body`` as JSON; the JSON answer, or ``GatewayError`` (transient for 5xx, 429, timeouts and
    refused connections, where the same request may succeed later; permanent for other 4xx)."""
    request = urllib.request.Request(url, data=json.dumps(body, ensure_ascii=False).encode(), method="POST",
                                     headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            raw = answer.read()
    except urllib.error.HTTPError as error:
        raise GatewayError(f"HTTP {error.code}", transient=error.code >= 500 or error.code == 429) from error
    except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
        raise GatewayError(f"unreachable: {error}", transient=True) from error
    try:
        answer_json = json.loads(raw or b"{}")
    except ValueError as error:
        raise GatewayError("the answer is not JSON", transient=True) from error
    return answer_json if isinstance(answer_json, dict) else {}


def _dig(found: Any, path: str) -> str:
    for part in path.split("."):
        found = found.get(part) if isinstance(found, dict) else None
    return "" if found is None else str(found)


def _fill(template: Any, values: dict[str, str]) -> Any:
    """The body template with ``{phone}``, ``{text}``, ``{key}`` replaced in every string (values stay JSON-safe)."""
    if isinstance(template, dict):
        return {k: _fill(v, values) for k, v in template.items()}
    if isinstance(template, list):
        return [_fill(v, values) for v in template]
    if isinstance(template, str):
        for name, value in values.items():
            template = template.replace("{" + name + "}", value)
    return template


class HttpSmsGateway:
    """A generic HTTP SMS provider: POST a JSON body built from ``body`` (a template whose strings may hold
    ``{phone}``, ``{phone84}``, ``{text}``, ``{key}``) to ``url``, authenticated by a header (``auth_header`` =
    ``"Name: value"``) or HTTP basic (``username``/``password``); the provider's id is read from the JSON answer
    at ``id_field`` (dotted, e.g. ``data.id``)."""

    DEFAULT_BODY = {"to": "{phone84}", "message": "{text}", "client_ref": "{key}"}

    def __init__(self, url: str, *, name: str = "http_sms", auth_header: str = "", username: str = "",
                 password: str = "", body: dict[str, Any] | None = None, id_field: str = "id",
                 timeout: float = 10.0) -> None:
        self.name, self.url, self.id_field, self.timeout = name, url, id_field, float(timeout)
        self.body = body or self.DEFAULT_BODY
        self.headers: dict[str, str] = {}
        if auth_header:
            header, _, value = auth_header.partition(":")
            self.headers[header.strip()] = value.strip()
        elif username:
            self.headers["Authorization"] = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()

    def send(self, message: Outgoing) -> Sent:
        values = {"phone": message.phone, "phone84": international(message.phone), "text": message.text,
                  "key": message.key}
        answer = _post_json(self.url, _fill(self.body, values), self.headers, self.timeout)
        provider_id = _dig(answer, self.id_field)
        if not provider_id:
            raise GatewayError(f"no {self.id_field} in the answer", transient=True)
        return Sent(provider_id=provider_id)


class ZaloZnsGateway:
    """Zalo Notification Service template messages: POST ``/message/template`` with the official account's
    ``access_token`` header and ``{"phone": "84…", "template_id", "template_data", "tracking_id"}``; the
    answer is ``{"error": 0, "message": "Success", "data": {"msg_id": …}}`` (a non-zero ``error`` is a
    refusal: a wrong template, a phone without Zalo, a spent quota)."""

    URL = "https://business.openapi.zalo.me/message/template"

    def __init__(self, access_token: str, template_id: str, *, name: str = "zalo_zns", url: str = URL,
                 timeout: float = 10.0) -> None:
        self.name, self.access_token, self.template_id, self.url = name, access_token, template_id, url
        self.timeout = float(timeout)

    def send(self, message: Outgoing) -> Sent:
        body = {"phone": international(message.phone), "template_id": message.template or self.template_id,
                "template_data": message.params, "tracking_id": message.key}
        answer = _post_json(self.url, body, {"access_token": self.access_token}, self.timeout)
        if answer.get("error") not in (0, "0"):
            # Zalo's negative codes; -124 (an expired access token) and -32 (rate limit) may pass later.
            raise GatewayError(f"Zalo {answer.get('error')}: {answer.get('message', '')}"[:300],
                               transient=str(answer.get("error")) in {"-124", "-32"})
        provider_id = _dig(answer, "data.msg_id")
        if not provider_id:
            raise GatewayError("no data.msg_id in Zalo's answer", transient=True)
        return Sent(provider_id=provider_id)


def international(phone: str) -> str:
    """0912345678 → 84912345678 (the form Zalo and most SMS providers take)."""
    return "84" + phone[1:] if phone.startswith("0") else phone


def gateway(channel: str = "sms") -> Gateway:
    """The gateway configured for ``channel``: ``{"CLASS": dotted path, **its keyword arguments}``."""
    config = dict(settings.ANSINH_GATEWAYS.get(channel) or {})
    if not config:
        raise ImproperlyConfigured(f"ANSINH_GATEWAYS has no gateway for the channel {channel!r}.")
    cls = import_string(config.pop("CLASS"))
    gw: Gateway = cls(**config)
    return gw
