"""``ansinh payments import-statement``: a collector's bank statement matched to pending enrolments
(payments/statements.py), here with a progress bar or, with ``--queue``, by the worker."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rich.progress import Progress

from ansinh.cli.common import _refuse, _setup_django, app, console
from ansinh.cli.data import _user
from ansinh.lib.errors import DomainError, ErrorCode

payments_cli = typer.Typer(help=gettext_lazy("Khoản thu: đối chiếu sao kê ngân hàng."), no_args_is_help=True)
app.add_typer(payments_cli, name="payments")

OUTCOME_WORDS = {"matched": gettext_lazy("khớp, đã ghi khoản thu"), "underpaid": gettext_lazy("chuyển thiếu"),
                 "overpaid": gettext_lazy("chuyển thừa"), "unknown": gettext_lazy("không rõ mã thanh toán"),
                 "already_paid": gettext_lazy("đã thu / chuyển trùng"),
                 "refused": gettext_lazy("không ghi được"), "known": gettext_lazy("đã nhập trước đây (không đổi gì)")}


def _collector_id(code: str) -> int:
    from ansinh.org.models import OrgUnit

    found = OrgUnit.objects.filter(code=code).values_list("pk", flat=True).first()
    if found is None:
        raise DomainError(ErrorCode.NOT_FOUND, _("Không có đơn vị mã «{code}».").format(code=code),
                          f"No org unit {code!r}.")
    return int(found)


@payments_cli.command("import-statement", help=gettext_lazy(
    "Đối chiếu sao kê: khoản chuyển đúng mã và đúng số tiền được ghi thu (kèm biên lai); các khoản khác chờ cán "
    "bộ quản lý xử lý. Nhập lại cùng sao kê không thay đổi gì."))
def import_statement(
    path: Annotated[Path, typer.Argument(
        help=gettext_lazy("Sao kê tài khoản (CSV hoặc XLSX) của tổ chức dịch vụ thu."))],
    collector: Annotated[str, typer.Option("--collector",
                                           help=gettext_lazy("Mã tổ chức dịch vụ thu (chủ tài khoản)."))],
    columns: Annotated[str, typer.Option("--columns", help=gettext_lazy("Tên cột khác mặc định: date=…,amount=…,"
                                         "description=…,transaction_id=…"))] = "",
    user: Annotated[str, typer.Option("--user",
                                      help=gettext_lazy("Tên đăng nhập của cán bộ quản lý (mặc định: quản trị "
                                      "hệ thống, mọi địa bàn)."))] = "",
    queue: Annotated[bool, typer.Option("--queue",
        help=gettext_lazy("Giao cho tiến trình chạy việc nền (ansinh worker)."))] = False,
) -> None:
    _setup_django()
    from ansinh.org.scope import scope_for, system_scope
    from ansinh.payments import tasks

    if not path.is_file():
        _refuse(DomainError(ErrorCode.INVALID_INPUT, _("Không có tệp {path}.").format(path=path), f"No file {path}."),
                as_json=False)
    try:
        actor: Any = _user(user) if user else None
        scope = scope_for(actor) if actor else system_scope()
        with Progress(console=console, transient=True) as bar:
            shown = bar.add_task(_("Đang đối chiếu"), total=None)
            done = tasks.start(actor, scope, _collector_id(collector), path, columns, background=queue,
                               progress=lambda n, total: bar.update(shown, completed=n, total=total))
    except DomainError as error:
        _refuse(error, as_json=False)
        return
    if queue:
        console.print(_("Đã giao việc đối chiếu sao kê số {number} ({total} khoản ghi có) cho tiến trình nền.").format(
            number=done.pk, total=done.total))
        return
    if done.error:
        _refuse(DomainError(ErrorCode.INVALID_INPUT, done.error, done.error), as_json=False)
    console.print(_("Sao kê số {number}: {total} khoản ghi có.").format(number=done.pk, total=done.total))
    for outcome, count in sorted(done.counts.items()):
        console.print(f"- {OUTCOME_WORDS.get(outcome, outcome)}: {count}")
