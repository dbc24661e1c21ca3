"""The ``ansinh`` command. Its names and JSON fields are a contract other tools rely on.

Every command parses its options, calls one rules or service function, and prints. A refusal
exits with code 2 and one line on stderr (and ``{"error": {...}}`` on stdout with ``--json``).
"""

from __future__ import annotations

from ansinh.cli import backup, calc, check, data, payments, serve, whatif, worker  # noqa: F401 - registers the commands on the app
from ansinh.cli.common import app

__all__ = ["app", "main"]


def main() -> None:
    app()
