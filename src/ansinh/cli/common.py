"""Shared pieces of the ``ansinh`` command: the app, the console, and the refusal convention
(exit code 2, one line on stderr, ``{"error": {...}}`` on stdout with ``--json``)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

import typer
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rich.console import Console

from ansinh.cli import i18n
from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.lib.money import format_vnd
from ansinh.lib.periods import format_date_vi
from ansinh.rules.params import ParameterValue

app = typer.Typer(help=gettext_lazy("ansinh: BHXH tự nguyện và BHYT hộ gia đình."), no_args_is_help=True)
console = Console(soft_wrap=True)  # long Vietnamese lines stay whole for logs and scripts

JsonFlag = Annotated[bool, typer.Option("--json", help=gettext_lazy("In kết quả dạng JSON."))]
LangOption = Annotated[
    str | None,
    typer.Option(
        "--lang", help=gettext_lazy("Ngôn ngữ: vi hoặc en (mặc định: theo LANGUAGE, LC_ALL, LC_MESSAGES, LANG).")
    ),
]


@app.callback()
def _language(ctx: typer.Context, lang: LangOption = None) -> None:
    """Runs before every command (and its --help): the language of what it prints (cli/i18n.py)."""
    i18n.activate(i18n.choose(lang), standalone=ctx.invoked_subcommand == "calc")


# What a refusal lets the command line do about it (the rules' messages name no option: the web shows them too).
CLI_HINTS = {ErrorCode.FUND_RETURN_MISSING: gettext_lazy("Nhập lãi suất tháng bằng --rate, ví dụ --rate 0.0031.")}


def _refuse(error: DomainError, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps({"error": {"code": str(error.code), "message": error.message}}, ensure_ascii=False))
    hint = CLI_HINTS.get(error.code)
    line = _("Lỗi [{code}]: {message}").format(code=error.code, message=error.message)
    print(f"{line} {hint}" if hint else line, file=sys.stderr)  # noqa: T201
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
            _("{option}: ngày «{text}» không hợp lệ (định dạng YYYY-MM-DD).").format(option=option, text=text),
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
            _("--rate: «{text}» không phải là số (ví dụ 0.0031).").format(text=text),
            f"--rate: {text!r} is not a number.",
        ) from None


def _minus(amount: int) -> str:
    return format_vnd(-amount) if amount else format_vnd(0)


def _print_references(parameters: tuple[ParameterValue, ...]) -> None:
    """One line per parameter used, never wrapped inside a law's name."""
    console.print(_("[bold]Căn cứ pháp lý[/bold]"))
    for p in parameters:
        shown = format_vnd(p.value) if p.unit == "vnd" and isinstance(p.value, int) else str(p.as_dict()["value"])
        note = _(" (chưa kiểm chứng)") if p.reference.unverified else ""
        line = (
            _("- {name} = {value}, hiệu lực từ {effective}: {title}").format(
                name=p.name, value=shown, effective=format_date_vi(p.effective), title=p.reference.title
            )
            + note
        )
        console.print(line, soft_wrap=True, markup=False, highlight=False)


def _setup_django() -> None:
    """Configure Django for the commands that use the database. Done here, not at import, so the
    ``calc`` commands work without settings or a database."""
    i18n.require_project_settings()
