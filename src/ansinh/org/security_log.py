"""The security log (logger ``ansinh.security``): logins, failed logins, lockouts, reads of personal
data and exports (from the audit), and permission refusals (config/middleware.RequestId). One line
per event with the user and the client address; never a password or a full personal value.
Operators ship it with the other logs (JSON in production, settings.LOGGING)."""

from __future__ import annotations

import logging
from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

log = logging.getLogger("ansinh.security")


def client_address(request: HttpRequest | None) -> str:
    if request is None:
        return "-"
    return str(getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR") or "-")


def event(name: str, user: str, request: HttpRequest | None = None, **details: Any) -> None:
    extra = " ".join(f"{key}={value}" for key, value in sorted(details.items()))
    log.info("%s user=%s ip=%s %s", name, user or "-", client_address(request), extra,
             extra={"event": name, "user": user or "-", "ip": client_address(request), **details})


@receiver(user_logged_in)
def _logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    event("login", user.get_username(), request)


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None,
                  **kwargs: Any) -> None:
    event("login_failed", str(credentials.get("username", "")), request)


@receiver(user_locked_out)
def _locked_out(sender: Any, request: HttpRequest | None, username: str | None = None, **kwargs: Any) -> None:
    event("lockout", username or "", request)
