"""The language of the ``ansinh`` command (issue 15): the environment's, like any Unix tool's (``LANGUAGE``,
then ``LC_ALL``, ``LC_MESSAGES``, ``LANG``: ``LANG=en_US.UTF-8`` is English; unset, ``C`` or ``vi_VN`` is
Vietnamese), or ``--lang``. Django's translation is activated for the process, so the command's own text
(``cli/locale``), the rules' refusals (``DomainError`` pairs and ``N_`` strings) and the apps' catalogues speak it.

Django's gettext needs settings. ``ansinh calc`` runs without settings or a database, so it gets settings
that hold only the catalogues (no app, no database); every other command gets the project's. When the
project's settings cannot load (no ``SECRET_KEY`` with DEBUG off), help and refusals still speak the
language, and the command that needs them raises the settings' error (``require_project_settings``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from ansinh.lib import i18n

PACKAGE = Path(__file__).resolve().parent.parent
LANGUAGES = ("vi", "en")
_settings_error: list[ImproperlyConfigured] = []  # the project's settings failed to load (raised on use)


def choose(lang: str | None, environ: Mapping[str, str] = os.environ) -> str:
    """``--lang`` when given (vi or en), else the environment's language."""
    return lang if lang in LANGUAGES else i18n.language_from_environment(environ)


def peek(args: list[str]) -> tuple[str | None, str | None]:
    """``--lang``'s value and the command's name in the arguments, before Typer parses them."""
    lang, words = None, iter(args)
    for word in words:
        if word == "--lang":
            lang = next(words, None)
        elif word.startswith("--lang="):
            lang = word.removeprefix("--lang=")
        elif not word.startswith("-"):
            return lang, word
    return lang, None


def activate(language: str, *, standalone: bool) -> None:
    """Configure Django once (``standalone``: the catalogues only) and speak ``language`` from now on."""
    if not settings.configured:
        _configure(standalone)
    translation.activate(language)


def require_project_settings() -> None:
    """For the commands that use the database: the project's settings, or the reason they failed."""
    if _settings_error:
        raise _settings_error[0]
    if not settings.configured:  # not through main() or the app's callback: the environment's language
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ansinh.config.settings")
        django.setup()
        translation.activate(choose(None))
    elif not apps.ready:
        language = translation.get_language() or "vi"
        django.setup()
        translation.activate(language)


def _configure(standalone: bool) -> None:
    if not standalone:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ansinh.config.settings")
        try:
            django.setup()
            return
        except ImproperlyConfigured as error:
            _settings_error.append(error)
    settings.configure(
        USE_I18N=True,
        LANGUAGE_CODE="vi",
        LANGUAGES=[("vi", "Vietnamese"), ("en", "English")],
        LOCALE_PATHS=[PACKAGE / package / "locale" for package in ("cli", "lib", "rules")],
    )
    django.setup()
    # ruleset's AppConfig registers this in the project; here no app is installed, so the CLI does it.
    i18n.set_translator(translation.get_language, translation.gettext)
