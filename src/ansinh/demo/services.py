"""The demo scenario. So far: the demo logins; later issues add Nghệ An's May 2022 campaign."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str


DEMO_LOGINS = (DemoLogin("admin", "ansinh-demo-2022", "quản trị (Django admin)"),)


@transaction.atomic
def load_demo() -> list[DemoLogin]:
    """Create the demo logins; running it again changes nothing (and resets their passwords)."""
    users = get_user_model()
    for login in DEMO_LOGINS:
        user, _ = users.objects.get_or_create(username=login.username)
        user.is_staff = user.is_superuser = True
        user.set_password(login.password)
        user.save()
    return list(DEMO_LOGINS)
