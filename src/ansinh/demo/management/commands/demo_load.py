import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from ansinh.demo.services import describe, load_demo, require_demo_allowed
from ansinh.lib.errors import DomainError
from ansinh.lib.i18n import language_from_environment


class Command(BaseCommand):
    help = "Load the demo scenario and print the demo logins (only with DEBUG=1 or --i-know-this-is-not-production)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--i-know-this-is-not-production", action="store_true", dest="not_production",
                            help="Load even though DEBUG is off (the demo logins have a public password).")

    def handle(self, *args: Any, **options: Any) -> None:
        # What it prints speaks the shell's language (LANG=en_US.UTF-8: English), like `ansinh`; the data it
        # loads is the same whatever the language.
        language = language_from_environment(os.environ)
        try:
            require_demo_allowed(options["not_production"])
            accounts = load_demo()
        except DomainError as error:
            with translation.override(language):
                raise CommandError(error.message, returncode=2) from None
        with translation.override(language):
            for account in accounts:
                self.stdout.write(f"  {describe(account)}")
