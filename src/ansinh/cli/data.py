"""Commands that use the database: imports, tokens, reminders, campaigns, the demo. Each configures
Django first (``_setup_django``) and imports models after that, so ``ansinh calc`` needs neither."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.progress import Progress
from rich.table import Table

from ansinh.cli.common import JsonFlag, _parse_date, _refuse, _setup_django, app, console
from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.lib.money import format_number, format_vnd

areas = typer.Typer(help="Đơn vị hành chính.", no_args_is_help=True)
app.add_typer(areas, name="areas")


@areas.command("import")
def areas_import(
    path: Annotated[Path, typer.Argument(help="CSV: code, name, level, parent_code, valid_from[, valid_to].")],
) -> None:
    """Nhập danh mục đơn vị hành chính (tất cả hoặc không dòng nào)."""
    _setup_django()
    from ansinh.areas import services  # models need Django configured first

    try:
        result = services.import_units(services.read_csv(path))
    except DomainError as error:
        _refuse(error, as_json=False)
        return
    console.print(f"Đã nhập: {result.created} mới, {result.updated} cập nhật.")


importer = typer.Typer(help="Nhập dữ liệu.", no_args_is_help=True)
app.add_typer(importer, name="import")


def _user(username: str) -> Any:
    """The account a command acts as (its scope and the audit's actor); refused when there is none."""
    from django.contrib.auth import get_user_model  # Django must be configured first

    actor = get_user_model().objects.filter(username=username).first()
    if actor is None:
        raise DomainError(ErrorCode.NOT_FOUND, f"Không có tài khoản «{username}».", f"No user {username!r}.")
    return actor


@importer.command("people")
def import_people(
    path: Annotated[Path, typer.Argument(
        help="Tệp .xlsx hoặc .csv theo phụ lục hộ gia đình TK1-TS, hoặc sổ .xlsx của phần mềm thu "
             "(sheet «Dữ Liệu» và «Phụ lục»).")],
    user: Annotated[str, typer.Option("--user", help="Tên đăng nhập của người nhập (phạm vi và nhật ký).")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Chỉ kiểm tra, không ghi.")] = False,
    skip_invalid: Annotated[bool, typer.Option("--skip-invalid", help="Ghi các hộ hợp lệ, bỏ qua dòng lỗi.")] = False,
    on: Annotated[str | None, typer.Option("--on", help="Ngày vào hộ (mặc định: hôm nay).")] = None,
) -> None:
    """Nhập người và hộ gia đình: kiểm tra mọi dòng; mặc định tất cả hoặc không dòng nào."""
    _setup_django()
    from django.utils import timezone

    from ansinh.org.scope import scope_for
    from ansinh.registry.imports import import_people as run_import

    try:
        actor = _user(user)
        day = _parse_date(on, "--on") if on else timezone.localdate()
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task("Đang nhập", total=None)

            def advance(rows: int) -> None:
                bar.update(task, advance=rows)

            report = run_import(path, actor, scope_for(actor), day, dry_run=dry_run, skip_invalid=skip_invalid,
                                progress=advance)
    except DomainError as error:
        _refuse(error, as_json=False)
        return
    for problem in report.problems[:50]:
        console.print(f"[red]✗[/red] {problem}", markup=True, highlight=False)
    if len(report.problems) > 50:
        console.print(f"… và {len(report.problems) - 50} lỗi khác.")
    console.print(f"{report.rows} dòng, {report.valid_rows} hợp lệ, {len(report.problems)} lỗi.")
    if report.payments is not None and report.payments.rows:
        checked = report.payments
        for problem in checked.problems[:50]:
            console.print(f"[yellow]![/yellow] {problem}", markup=True, highlight=False)
        money = f"{checked.amount:,}".replace(",", ".")
        console.print(f"Cột thu tiền (Dữ Liệu): {checked.rows} dòng có dữ liệu thu, {len(checked.lines)} đủ và khớp "
                      f"({money} đồng), {len(checked.problems)} lỗi — chỉ kiểm tra, không ghi thành khoản thu hay "
                      "biên lai (ADR 0013).", highlight=False)
    if report.written:
        console.print(f"Đã ghi: {report.people_created} người, {report.households_created} hộ, "
                      f"{report.memberships_created} thành viên mới.")
    elif report.problems and not skip_invalid:
        print("Không ghi gì: tệp có dòng lỗi (dùng --skip-invalid để ghi các hộ hợp lệ).", file=sys.stderr)  # noqa: T201
        raise typer.Exit(2)
    else:
        console.print("Chạy thử (--dry-run): không ghi gì.")


@importer.command("confirmations")
def import_confirmations(
    path: Annotated[Path, typer.Argument(help="CSV của BHXH: so_bien_lai, ma_xac_nhan.")],
    user: Annotated[str, typer.Option("--user", help="Tên đăng nhập của cán bộ quản lý (phạm vi và nhật ký).")],
) -> None:
    """Nhập mã xác nhận của BHXH cho từng biên lai: tất cả hoặc không dòng nào; nhập lại không đổi gì."""
    _setup_django()

    from ansinh.org.scope import scope_for
    from ansinh.payments.confirmations import import_confirmations as run_import

    try:
        actor = _user(user)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise DomainError(ErrorCode.INVALID_INPUT, f"Không đọc được tệp {path}: {error}.",
                              f"Cannot read {path}: {error}.") from None
        report = run_import(actor, scope_for(actor), text)
    except DomainError as error:
        _refuse(error, as_json=False)
        return
    for problem in report.problems[:50]:
        console.print(f"[red]✗[/red] {problem}", markup=True, highlight=False)
    if report.problems:
        print("Không ghi gì: tệp có dòng lỗi.", file=sys.stderr)  # noqa: T201
        raise typer.Exit(2)
    console.print(f"{report.rows} dòng: {report.written} mã mới, {report.unchanged} đã có sẵn.")


tokens = typer.Typer(help="API token cho ứng dụng khác.", no_args_is_help=True)
app.add_typer(tokens, name="tokens")


@tokens.command("create")
def tokens_create(
    user: Annotated[str, typer.Option("--user", help="Tên đăng nhập sở hữu token.")],
    name: Annotated[str, typer.Option("--name", help="Tên gợi nhớ (ví dụ: ứng dụng điện thoại).")],
    days: Annotated[int, typer.Option("--days", help="Số ngày hiệu lực (1–365).")] = 90,
) -> None:
    """Tạo API token; token chỉ hiện một lần, ansinh chỉ lưu dấu băm của nó."""
    _setup_django()

    from ansinh.org.services import issue_token

    try:
        token = issue_token(_user(user), name, days)
    except DomainError as error:
        _refuse(error, as_json=False)
        return
    console.print(f"Token (chỉ hiện một lần, hãy lưu lại; hiệu lực {days} ngày):", highlight=False)
    typer.echo(token)


@tokens.command("list")
def tokens_list(
    user: Annotated[str | None, typer.Option("--user", help="Chỉ token của tài khoản này.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Liệt kê API token: tiền tố, tên, tài khoản, ngày tạo, hết hạn, dùng lần cuối, thu hồi."""
    _setup_django()
    from ansinh.org.queries import api_tokens  # Django must be configured first

    rows = [{"id": t.pk, "prefix": t.prefix, "name": t.name, "user": t.user.get_username(), "created": t.created_at,
             "expires": t.expires_at, "last_used": t.last_used_at, "revoked": t.revoked_at}
            for t in api_tokens(user)]
    if as_json:
        typer.echo(json.dumps([{k: v.isoformat() if isinstance(v, datetime) else v for k, v in row.items()}
                               for row in rows], ensure_ascii=False))
        return
    table = Table(title="API token", box=box.SIMPLE)
    for column in ("ID", "Tiền tố", "Tên", "Tài khoản", "Tạo", "Hết hạn", "Dùng lần cuối", "Thu hồi"):
        table.add_column(column, no_wrap=column in ("Tiền tố", "Tạo", "Hết hạn", "Thu hồi"))
    for row in rows:
        table.add_row(str(row["id"]), row["prefix"], row["name"], row["user"], _moment(row["created"]),
                      _moment(row["expires"]), _moment(row["last_used"], "%d/%m/%Y %H:%M"), _moment(row["revoked"]))
    console.print(table)


@tokens.command("revoke")
def tokens_revoke(
    reference: Annotated[str, typer.Argument(help="ID hoặc tiền tố của token (xem «ansinh tokens list»).")],
) -> None:
    """Thu hồi một API token: từ nay nó không còn dùng được."""
    _setup_django()
    from ansinh.org.services import revoke_token  # Django must be configured first

    try:
        token = revoke_token(reference)
    except DomainError as error:
        _refuse(error, as_json=False)
        return
    console.print(f"Đã thu hồi token «{token.name}» ({token.prefix}…) của {token.user.get_username()}.",
                  highlight=False, markup=False)


def _moment(value: datetime | None, shape: str = "%d/%m/%Y") -> str:
    """The day (or ``shape``) in the project's time zone, or a dash."""
    from django.utils import timezone  # Django must be configured first

    return timezone.localtime(value).strftime(shape) if value else "—"


renewals = typer.Typer(help="Gia hạn, nhắc đóng tiền.", no_args_is_help=True)
app.add_typer(renewals, name="renewals")


@renewals.command("remind")
def renewals_remind(
    on: Annotated[str, typer.Option("--on", help="Ngày chạy (YYYY-MM-DD).")],
    out: Annotated[Path, typer.Option("--out", help="Tệp CSV cho cổng SMS/Zalo.")] = Path("nhac-gia-han.csv"),
    days: Annotated[int, typer.Option("--days", help="Thẻ BHYT hết hạn trong số ngày tới.")] = 30,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Chỉ hiện tin nhắn, không ghi.")] = False,
    user: Annotated[str | None, typer.Option("--user", help="Chỉ địa bàn của tài khoản này.")] = None,
) -> None:
    """Viết tin nhắc gia hạn (mỗi người/kỳ một lần) ra tệp CSV."""
    _setup_django()

    from ansinh.enrollment.reminders import remind
    from ansinh.org.scope import scope_for, system_scope

    try:
        day = _parse_date(on, "--on")
        owner = _user(user) if user else None
        messages = remind(scope_for(owner) if owner else system_scope(), day, None if dry_run else out, days, dry_run)
    except DomainError as error:
        _refuse(error, as_json=False)
        return
    for message in messages:
        console.print(f"{message.phone}: {message.text}", highlight=False, markup=False)
    verb = "Sẽ gửi (chạy thử)" if dry_run else f"Đã ghi vào {out}"
    console.print(f"{verb}: {len(messages)} tin nhắn mới.")


campaigns_cli = typer.Typer(help="Chiến dịch vận động.", no_args_is_help=True)
app.add_typer(campaigns_cli, name="campaigns")
demo_cli = typer.Typer(help="Dữ liệu demo.", no_args_is_help=True)
app.add_typer(demo_cli, name="demo")


@campaigns_cli.command("summary")
def campaigns_summary(
    campaign: Annotated[str, typer.Option("--campaign", help="Mã chiến dịch (slug).")],
    as_json: JsonFlag = False,
) -> None:
    """Tổng hợp kết quả chiến dịch (chỉ đọc; số liệu được ghi cùng mỗi khoản thu)."""
    _setup_django()
    from ansinh.campaigns import queries as campaign_queries  # Django must be configured first

    try:
        totals = campaign_queries.summary(campaign_queries.campaign(campaign))
    except DomainError as error:
        _refuse(error, as_json)
        return
    if as_json:
        typer.echo(json.dumps(totals))
        return
    table = Table(title=f"Chiến dịch {campaign}")
    table.add_column("Chỉ tiêu")
    table.add_column("Kết quả", justify="right")
    for key, value in totals.items():
        table.add_row(key, format_vnd(value) if key == "amount_collected" else format_number(value))
    console.print(table)


@campaigns_cli.command("refresh")
def campaigns_refresh(
    campaign: Annotated[str, typer.Option("--campaign", help="Mã chiến dịch (slug).")],
) -> None:
    """Tính lại các khoản thu được tính cho chiến dịch: sau khi nạp dữ liệu hàng loạt, hoặc cho chiến dịch
    tạo sau khi đã thu tiền (chạy lại không làm sai số)."""
    _setup_django()
    from ansinh.campaigns import attribution  # Django must be configured first
    from ansinh.campaigns import queries as campaign_queries

    try:
        added, removed = attribution.refresh(campaign_queries.campaign(campaign))
    except DomainError as error:
        _refuse(error, as_json=False)
        return
    console.print(f"Đã tính thêm {format_number(added)} hồ sơ, bỏ {format_number(removed)} hồ sơ đã huỷ.")


@demo_cli.command("load")
def demo_load(
    not_production: Annotated[bool, typer.Option(
        "--i-know-this-is-not-production", help="Cho phép nạp khi DEBUG tắt (tài khoản demo có mật khẩu công khai).",
    )] = False,
) -> None:
    """Nạp kịch bản demo (chạy lại không tạo trùng, không đổi mật khẩu tài khoản đã có) và in tài khoản demo.
    Chỉ chạy khi DEBUG=1 hoặc với --i-know-this-is-not-production."""
    _setup_django()
    from ansinh.demo.services import describe, load_demo, require_demo_allowed  # Django must be configured first

    try:
        require_demo_allowed(not_production)
        accounts = load_demo()
    except DomainError as error:
        _refuse(error, as_json=False)
        return
    for account in accounts:
        console.print(f"  {describe(account)}", highlight=False, markup=False)




reports_cli = typer.Typer(help="Báo cáo, số liệu tổng hợp.", no_args_is_help=True)
app.add_typer(reports_cli, name="reports")


@reports_cli.command("refresh")
def reports_refresh(
    start: Annotated[str, typer.Option("--from", help="Từ ngày (YYYY-MM-DD).")],
    end: Annotated[str, typer.Option("--to", help="Đến ngày (YYYY-MM-DD).")],
) -> None:
    """Tính lại số liệu tổng hợp của một kỳ (chạy lại không làm sai số; kỳ đã khoá giữ nguyên)."""
    _setup_django()
    from ansinh.reports.services import refresh  # Django must be configured first

    try:
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task("Đang tổng hợp", total=3)
            written = refresh(_parse_date(start, "--from"), _parse_date(end, "--to"),
                              progress=lambda n: bar.update(task, advance=n))
    except DomainError as error:
        _refuse(error, as_json=False)
        return
    console.print(f"Đã tổng hợp {format_number(written)} dòng số liệu.")


@demo_cli.command("synth")
def demo_synth(
    people: Annotated[int, typer.Option("--people", help="Số người (mặc định: quy mô Nghệ An).")] = 3_400_000,
    seed: Annotated[int, typer.Option("--seed", help="Hạt giống ngẫu nhiên (cùng hạt giống → cùng dữ liệu).")] = 2022,
) -> None:
    """Sinh một tỉnh giả lập (người, hộ, nhân viên thu, 4 năm thu tiền) vào cơ sở dữ liệu đang cấu hình."""
    _setup_django()
    from ansinh.demo.synth import synthesize  # Django must be configured first

    try:
        with Progress(console=console) as bar:
            task = bar.add_task("Đang sinh dữ liệu", total=people)
            made = synthesize(people, seed=seed, progress=lambda n: bar.update(task, advance=n))
    except DomainError as error:
        _refuse(error, as_json=False)
        return
    console.print(f"Đã sinh {format_number(made.people)} người, {format_number(made.households)} hộ, "
                  f"{format_number(made.agents)} nhân viên thu, {format_number(made.payments)} khoản thu; "
                  f"{format_number(made.facts)} dòng số liệu tổng hợp.")
