"""The ``ansinh`` command. Its names and JSON fields are a contract other tools rely on.

Every command parses its options, calls one rules or service function, and prints. A refusal
exits with code 2 and one line on stderr (and ``{"error": {...}}`` on stdout with ``--json``).
"""

from __future__ import annotations

import sys

from ansinh.cli import backup, calc, check, data, i18n, payments, serve, whatif, worker  # noqa: F401 - registers the commands on the app
from ansinh.cli.common import app

__all__ = ["app", "main"]


def main() -> None:
    # Typer reads every help text when it builds the command, before any callback: the language first.
    lang, command = i18n.peek(sys.argv[1:])
    i18n.activate(i18n.choose(lang), standalone=command in (None, "calc"))
    app()
