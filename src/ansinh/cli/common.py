"""Shared pieces of the ``ansinh`` command: the app, the console, and the refusal convention
(exit code 2, one line on stderr, ``{"error": {...}}`` on stdout with ``--json``)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

import django
import typer
from rich.console import Console

from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.lib.money import format_vnd
from ansinh.lib.periods import format_date_vi
from ansinh.rules.params import ParameterValue

app = typer.Typer(help="ansinh: BHXH tự nguyện và BHYT hộ gia đình.", no_args_is_help=True)
console = Console(soft_wrap=True)  # long Vietnamese lines stay whole for logs and scripts

JsonFlag = Annotated[bool, typer.Option("--json", help="In kết quả dạng JSON.")]


# What a refusal lets the command line do about it (the rules' messages name no option: the web shows them too).
CLI_HINTS = {ErrorCode.FUND_RETURN_MISSING: "Nhập lãi suất tháng bằng --rate, ví dụ --rate 0.0031."}


def _refuse(error: DomainError, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps({"error": {"code": str(error.code), "message": error.message}}, ensure_ascii=False))
    hint = CLI_HINTS.get(error.code)
    print(f"Lỗi [{error.code}]: {error.message}{f' {hint}' if hint else ''}", file=sys.stderr)  # noqa: T201
    raise typer.Exit(2)


def _run(compute: Callable[[], Any], as_json: bool, render: Callable[[Any], None]) -> None:
    try:
        result = compute()
    except DomainError as error:
        _refuse(error, as_json)
        return
    if as_json:
        typer.echo(json.dumps(result.as_dict(), ensure_ascii=False))
    else:
        render(result)


def _parse_date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            f"{option}: ngày «{text}» không hợp lệ (định dạng YYYY-MM-DD).",
            f"{option}: invalid date {text!r} (use YYYY-MM-DD).",
        ) from None


def _parse_rate(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            f"--rate: «{text}» không phải là số (ví dụ 0.0031).",
            f"--rate: {text!r} is not a number.",
        ) from None


def _minus(amount: int) -> str:
    return format_vnd(-amount) if amount else format_vnd(0)


def _print_references(parameters: tuple[ParameterValue, ...]) -> None:
    """One line per parameter used, never wrapped inside a law's name."""
    console.print("[bold]Căn cứ pháp lý[/bold]")
    for p in parameters:
        shown = format_vnd(p.value) if p.unit == "vnd" and isinstance(p.value, int) else str(p.as_dict()["value"])
        note = " (chưa kiểm chứng)" if p.reference.unverified else ""
        line = f"- {p.name} = {shown}, hiệu lực từ {format_date_vi(p.effective)}: {p.reference.title}{note}"
        console.print(line, soft_wrap=True, markup=False, highlight=False)




def _setup_django() -> None:
    """Configure Django for the commands that use the database. Done here, not at import, so the
    ``calc`` commands work without settings or a database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ansinh.config.settings")
    django.setup()
