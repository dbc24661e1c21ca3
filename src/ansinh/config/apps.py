"""Third-party apps under a Vietnamese name in the admin (issue 13 #10): django-axes names its app
"Axes", which the admin index shows as a section title. ``ProjectConfig`` makes ``ansinh.config`` an app
itself, for its commands (``makemessages`` with the ``N_`` marker) and its English catalogue."""

from __future__ import annotations

from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AxesAppConfig):
    default = False
    verbose_name = _("Khoá đăng nhập (đăng nhập sai nhiều lần)")


class ProjectConfig(AppConfig):
    name = "ansinh.config"
    label = "config"
    verbose_name = _("Cấu hình")
