"""The security log (logger ``ansinh.security``): logins, failed logins, lockouts, reads of personal
data and exports (from the audit), and permission refusals (config/middleware.RequestId). One line
per event with the user and the client address; never a password or a full personal value.
Operators ship it with the other logs (JSON in production, settings.LOGGING)."""

from __future__ import annotations

import ipaddress
import logging
from typing import Any

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

log = logging.getLogger("ansinh.security")


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address as :func:`client_address` reads it, or None when the request has none (a
    test client's forced login): django-axes stores it in an address column, which takes no "-"."""
    address = client_address(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:  # "-", or a header that is not an address
        return None


def client_address(request: HttpRequest | None) -> str:
    """The client's address: the socket's, or behind ``ANSINH_TRUSTED_PROXIES`` (env AXES_PROXY_COUNT)
    trusted proxies the entry of X-Forwarded-For that the first trusted proxy saw connecting (the N-th
    from the right, the socket's peer counting as the last proxy). Entries a client puts in front of it
    are ignored, so no client picks its own address. django-axes (AXES_CLIENT_IP_CALLABLE), the rate
    limits and this log share it."""
    if request is None:
        return "-"
    peer = str(request.META.get("REMOTE_ADDR") or "-")
    proxies = settings.ANSINH_TRUSTED_PROXIES
    if not proxies:
        return peer
    chain = [a.strip() for a in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",") if a.strip()] + [peer]
    return chain[-(proxies + 1)] if len(chain) > proxies else chain[0]


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
