"""Django's ``makemessages`` that also extracts the ``N_`` marker of ``ansinh.lib.i18n`` (strings of the
Django-free layers, translated where they are shown). Run inside an app's directory it writes that app's
catalogue, ``<app>/locale/en/LC_MESSAGES/django.po``; ``make messages`` does it for every app."""

from __future__ import annotations

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=N_"]
