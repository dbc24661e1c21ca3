"""``ansinh payments import-statement``: a collector's bank statement matched to pending enrolments
(payments/statements.py), here with a progress bar or, with ``--queue``, by the worker."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import Progress

from ansinh.cli.common import _refuse, _setup_django, app, console
from ansinh.cli.data import _user
from ansinh.lib.errors import DomainError, ErrorCode

payments_cli = typer.Typer(help="Khoản thu: đối chiếu sao kê ngân hàng.", no_args_is_help=True)
app.add_typer(payments_cli, name="payments")

OUTCOME_WORDS = {"matched": "khớp, đã ghi khoản thu", "underpaid": "chuyển thiếu", "overpaid": "chuyển thừa",
                 "unknown": "không rõ mã thanh toán", "already_paid": "đã thu / chuyển trùng",
                 "refused": "không ghi được", "known": "đã nhập trước đây (không đổi gì)"}


def _collector_id(code: str) -> int:
    from ansinh.org.models import OrgUnit

    found = OrgUnit.objects.filter(code=code).values_list("pk", flat=True).first()
    if found is None:
        raise DomainError(ErrorCode.NOT_FOUND, f"Không có đơn vị mã «{code}».", f"No org unit {code!r}.")
    return int(found)


@payments_cli.command("import-statement")
def import_statement(
    path: Annotated[Path, typer.Argument(help="Sao kê tài khoản (CSV hoặc XLSX) của tổ chức dịch vụ thu.")],
    collector: Annotated[str, typer.Option("--collector", help="Mã tổ chức dịch vụ thu (chủ tài khoản).")],
    columns: Annotated[str, typer.Option("--columns", help="Tên cột khác mặc định: date=…,amount=…,"
                                         "description=…,transaction_id=…")] = "",
    user: Annotated[str, typer.Option("--user", help="Tên đăng nhập của cán bộ quản lý (mặc định: quản trị "
                                      "hệ thống, mọi địa bàn).")] = "",
    queue: Annotated[bool, typer.Option("--queue", help="Giao cho tiến trình chạy việc nền (ansinh worker).")] = False,
) -> None:
    """Đối chiếu sao kê: khoản chuyển đúng mã và đúng số tiền được ghi thu (kèm biên lai); các khoản khác
    chờ cán bộ quản lý xử lý. Nhập lại cùng sao kê không thay đổi gì."""
    _setup_django()
    from ansinh.org.scope import scope_for, system_scope
    from ansinh.payments import tasks

    if not path.is_file():
        _refuse(DomainError(ErrorCode.INVALID_INPUT, f"Không có tệp {path}.", f"No file {path}."), as_json=False)
    try:
        actor: Any = _user(user) if user else None
        scope = scope_for(actor) if actor else system_scope()
        with Progress(console=console, transient=True) as bar:
            shown = bar.add_task("Đang đối chiếu", total=None)
            done = tasks.start(actor, scope, _collector_id(collector), path, columns, background=queue,
                               progress=lambda n, total: bar.update(shown, completed=n, total=total))
    except DomainError as error:
        _refuse(error, as_json=False)
        return
    if queue:
        console.print(f"Đã giao việc đối chiếu sao kê số {done.pk} ({done.total} khoản ghi có) cho tiến trình nền.")
        return
    if done.error:
        _refuse(DomainError(ErrorCode.INVALID_INPUT, done.error, done.error), as_json=False)
    console.print(f"Sao kê số {done.pk}: {done.total} khoản ghi có.")
    for outcome, count in sorted(done.counts.items()):
        console.print(f"- {OUTCOME_WORDS.get(outcome, outcome)}: {count}")
