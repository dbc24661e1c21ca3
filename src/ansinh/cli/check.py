"""``ansinh check``: the operators' consistency checks.

``ansinh db partition`` converts the payments and facts to monthly partitions (reports/partitions.py).

``ansinh check integrity`` prints "0 vấn đề" and exits 0 when the money trail holds; otherwise one
line per problem and exit 1 (a finding, like a linter's), so exit 2 keeps meaning "refused"
(the CLI's convention). ``--json`` prints ``{"count": n, "problems": [{"check", "subject",
"message"}]}`` whatever the outcome.
"""

from __future__ import annotations

import json

import typer
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ansinh.cli.common import JsonFlag, _refuse, _setup_django, app, console
from ansinh.lib.errors import DomainError

check_cli = typer.Typer(help=gettext_lazy("Kiểm tra tính nhất quán của dữ liệu."), no_args_is_help=True)
app.add_typer(check_cli, name="check")


@check_cli.command("integrity", help=gettext_lazy(
    "Kiểm tra biên lai, quyển biên lai, khoản thu trùng, số liệu tổng hợp và ghi nhận chiến dịch (chỉ đọc)."))
def check_integrity(as_json: JsonFlag = False) -> None:
    _setup_django()
    from ansinh.reports.integrity import check_integrity as run_checks  # Django must be configured first

    problems = run_checks()
    if as_json:
        typer.echo(json.dumps({"count": len(problems), "problems": [p.as_dict() for p in problems]},
                              ensure_ascii=False))
    else:
        for problem in problems:
            console.print(str(problem), markup=False, highlight=False)
        console.print(_("{count} vấn đề").format(count=len(problems)), markup=False, highlight=False)
    if problems:
        raise typer.Exit(1)


db_cli = typer.Typer(help=gettext_lazy("Cơ sở dữ liệu (triển khai toàn quốc)."), no_args_is_help=True)
app.add_typer(db_cli, name="db")


@db_cli.command("partition", help=gettext_lazy(
    "Chia bảng khoản thu và bảng số liệu tổng hợp theo tháng (PostgreSQL); chạy lại hằng tháng để thêm tháng mới."))
def db_partition(ahead: int = typer.Option(12, help=gettext_lazy("Số tháng tạo trước, kể từ tháng này."))) -> None:
    _setup_django()
    from django.utils import timezone

    from ansinh.reports.partitions import partition  # Django must be configured first

    try:
        done = partition(timezone.localdate(), ahead)
    except DomainError as error:
        _refuse(error, False)
        return
    for line in done:
        console.print(line, markup=False, highlight=False)
