"""Third-party apps under a Vietnamese name in the admin (issue 13 #10): django-axes names its app
"Axes", which the admin index shows as a section title."""

from __future__ import annotations

from axes.apps import AppConfig as AxesAppConfig


class AxesConfig(AxesAppConfig):
    verbose_name = "Khoá đăng nhập (đăng nhập sai nhiều lần)"
