"""Commands that use the database: imports, tokens, reminders, campaigns, the demo. Each configures
Django first (``_setup_django``) and imports models after that, so ``ansinh calc`` needs neither."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rich import box
from rich.progress import Progress
from rich.table import Table

from ansinh.cli.common import JsonFlag, _parse_date, _refuse, _setup_django, app, console
from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.lib.money import format_number, format_vnd

areas = typer.Typer(help=gettext_lazy("Đơn vị hành chính."), no_args_is_help=True)
app.add_typer(areas, name="areas")


@areas.command("import", help=gettext_lazy('Nhập danh mục đơn vị hành chính (tất cả hoặc không dòng nào).'))
def areas_import(
    path: Annotated[Path, typer.Argument(help="CSV: code, name, level, parent_code, valid_from[, valid_to].")],
) -> None:
    _setup_django()
    from ansinh.areas import services  # models need Django configured first

    try:
        result = services.import_units(services.read_csv(path))
    except DomainError as error:
        _refuse(error, as_json=False)
        return
    console.print(_("Đã nhập: {created} mới, {updated} cập nhật.").format(
        created=result.created, updated=result.updated))


importer = typer.Typer(help=gettext_lazy("Nhập dữ liệu."), no_args_is_help=True)
app.add_typer(importer, name="import")


def _user(username: str) -> Any:
    """The account a command acts as (its scope and the audit's actor); refused when there is none."""
    from django.contrib.auth import get_user_model  # Django must be configured first

    actor = get_user_model().objects.filter(username=username).first()
    if actor is None:
        raise DomainError(ErrorCode.NOT_FOUND, _("Không có tài khoản «{username}».").format(username=username),
                          f"No user {username!r}.")
    return actor


@importer.command("people", help=gettext_lazy(
    "Nhập người và hộ gia đình: kiểm tra mọi dòng; mặc định tất cả hoặc không dòng nào."))
def import_people(
    path: Annotated[Path, typer.Argument(
        help=gettext_lazy("Tệp .xlsx hoặc .csv theo phụ lục hộ gia đình TK1-TS, hoặc sổ .xlsx của phần mềm thu "
             "(sheet «Dữ Liệu» và «Phụ lục»)."))],
    user: Annotated[str, typer.Option("--user",
                                      help=gettext_lazy("Tên đăng nhập của người nhập (phạm vi và nhật ký)."))],
    dry_run: Annotated[bool, typer.Option("--dry-run", help=gettext_lazy("Chỉ kiểm tra, không ghi."))] = False,
    skip_invalid: Annotated[bool, typer.Option("--skip-invalid",
                                               help=gettext_lazy("Ghi các hộ hợp lệ, bỏ qua dòng lỗi."))] = False,
    on: Annotated[str | None, typer.Option("--on", help=gettext_lazy("Ngày vào hộ (mặc định: hôm nay)."))] = None,
) -> None:
    _setup_django()
    from django.utils import timezone

    from ansinh.org.scope import scope_for
    from ansinh.registry.imports import import_people as run_import

    try:
        actor = _user(user)
        day = _parse_date(on, "--on") if on else timezone.localdate()
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task(_("Đang nhập"), total=None)

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
        console.print(_("… và {count} lỗi khác.").format(count=len(report.problems) - 50))
    console.print(_("{rows} dòng, {valid} hợp lệ, {problems} lỗi.").format(
        rows=report.rows, valid=report.valid_rows, problems=len(report.problems)))
    if report.payments is not None and report.payments.rows:
        checked = report.payments
        for problem in checked.problems[:50]:
            console.print(f"[yellow]![/yellow] {problem}", markup=True, highlight=False)
        money = f"{checked.amount:,}".replace(",", ".")
        console.print(_("Cột thu tiền (Dữ Liệu): {rows} dòng có dữ liệu thu, {lines} đủ và khớp ({money} đồng), "
                        "{problems} lỗi — chỉ kiểm tra, không ghi thành khoản thu hay biên lai (ADR 0013).").format(
                            rows=checked.rows, lines=len(checked.lines), money=money, problems=len(checked.problems)),
                      highlight=False)
    if report.written:
        console.print(_("Đã ghi: {people} người, {households} hộ, {members} thành viên mới.").format(
            people=report.people_created, households=report.households_created, members=report.memberships_created))
    elif report.problems and not skip_invalid:
        print(_("Không ghi gì: tệp có dòng lỗi (dùng --skip-invalid để ghi các hộ hợp lệ)."), file=sys.stderr)  # noqa: T201
        raise typer.Exit(2)
    else:
        console.print(_("Chạy thử (--dry-run): không ghi gì."))


@importer.command("confirmations", help=gettext_lazy(
    "Nhập mã xác nhận của BHXH cho từng biên lai: tất cả hoặc không dòng nào; nhập lại không đổi gì."))
def import_confirmations(
    path: Annotated[Path, typer.Argument(help=gettext_lazy("CSV của BHXH: so_bien_lai, ma_xac_nhan."))],
    user: Annotated[str, typer.Option("--user",
                                      help=gettext_lazy("Tên đăng nhập của cán bộ quản lý (phạm vi và nhật ký)."))],
) -> None:
    _setup_django()

    from ansinh.org.scope import scope_for
    from ansinh.payments.confirmations import import_confirmations as run_import

    try:
        actor = _user(user)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise DomainError(ErrorCode.INVALID_INPUT,
                              _("Không đọc được tệp {path}: {error}.").format(path=path, error=error),
                              f"Cannot read {path}: {error}.") from None
        report = run_import(actor, scope_for(actor), text)
    except DomainError as error:
        _refuse(error, as_json=False)
        return
    for problem in report.problems[:50]:
        console.print(f"[red]✗[/red] {problem}", markup=True, highlight=False)
    if report.problems:
        print(_("Không ghi gì: tệp có dòng lỗi."), file=sys.stderr)  # noqa: T201
        raise typer.Exit(2)
    console.print(_("{rows} dòng: {written} mã mới, {unchanged} đã có sẵn.").format(
        rows=report.rows, written=report.written, unchanged=report.unchanged))


tokens = typer.Typer(help=gettext_lazy("API token cho ứng dụng khác."), no_args_is_help=True)
app.add_typer(tokens, name="tokens")


@tokens.command("create", help=gettext_lazy('Tạo API token; token chỉ hiện một lần, ansinh chỉ lưu dấu băm của nó.'))
def tokens_create(
    user: Annotated[str, typer.Option("--user", help=gettext_lazy("Tên đăng nhập sở hữu token."))],
    name: Annotated[str, typer.Option("--name", help=gettext_lazy("Tên gợi nhớ (ví dụ: ứng dụng điện thoại)."))],
    days: Annotated[int, typer.Option("--days", help=gettext_lazy("Số ngày hiệu lực (1–365)."))] = 90,
) -> None:
    _setup_django()

    from ansinh.org.services import issue_token

    try:
        token = issue_token(_user(user), name, days)
    except DomainError as error:
        _refuse(error, as_json=False)
        return
    console.print(_("Token (chỉ hiện một lần, hãy lưu lại; hiệu lực {days} ngày):").format(days=days), highlight=False)
    typer.echo(token)


@tokens.command("list", help=gettext_lazy(
    "Liệt kê API token: tiền tố, tên, tài khoản, ngày tạo, hết hạn, dùng lần cuối, thu hồi."))
def tokens_list(
    user: Annotated[str | None, typer.Option("--user", help=gettext_lazy("Chỉ token của tài khoản này."))] = None,
    as_json: JsonFlag = False,
) -> None:
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
    for column in ("ID", _("Tiền tố"), _("Tên"), _("Tài khoản"), _("Tạo"), _("Hết hạn"), _("Dùng lần cuối"),
                   _("Thu hồi")):
        table.add_column(column, no_wrap=column in (_("Tiền tố"), _("Tạo"), _("Hết hạn"), _("Thu hồi")))
    for row in rows:
        table.add_row(str(row["id"]), row["prefix"], row["name"], row["user"], _moment(row["created"]),
                      _moment(row["expires"]), _moment(row["last_used"], "%d/%m/%Y %H:%M"), _moment(row["revoked"]))
    console.print(table)


@tokens.command("revoke", help=gettext_lazy('Thu hồi một API token: từ nay nó không còn dùng được.'))
def tokens_revoke(
    reference: Annotated[str, typer.Argument(
        help=gettext_lazy("ID hoặc tiền tố của token (xem «ansinh tokens list»)."))],
) -> None:
    _setup_django()
    from ansinh.org.services import revoke_token  # Django must be configured first

    try:
        token = revoke_token(reference)
    except DomainError as error:
        _refuse(error, as_json=False)
        return
    console.print(_("Đã thu hồi token «{name}» ({prefix}…) của {username}.").format(
        name=token.name, prefix=token.prefix, username=token.user.get_username()),
                  highlight=False, markup=False)


def _moment(value: datetime | None, shape: str = "%d/%m/%Y") -> str:
    """The day (or ``shape``) in the project's time zone, or a dash."""
    from django.utils import timezone  # Django must be configured first

    return timezone.localtime(value).strftime(shape) if value else "—"


renewals = typer.Typer(help=gettext_lazy("Gia hạn, nhắc đóng tiền."), no_args_is_help=True)
app.add_typer(renewals, name="renewals")


@renewals.command("remind", help=gettext_lazy('Viết tin nhắc gia hạn (mỗi người/kỳ một lần) ra tệp CSV.'))
def renewals_remind(
    on: Annotated[str, typer.Option("--on", help=gettext_lazy("Ngày chạy (YYYY-MM-DD)."))],
    out: Annotated[Path, typer.Option("--out",
                                      help=gettext_lazy("Tệp CSV cho cổng SMS/Zalo."))] = Path("nhac-gia-han.csv"),
    days: Annotated[int, typer.Option("--days", help=gettext_lazy("Thẻ BHYT hết hạn trong số ngày tới."))] = 30,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=gettext_lazy("Chỉ hiện tin nhắn, không ghi."))] = False,
    user: Annotated[str | None, typer.Option("--user", help=gettext_lazy("Chỉ địa bàn của tài khoản này."))] = None,
) -> None:
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
    verb = _("Sẽ gửi (chạy thử)") if dry_run else _("Đã ghi vào {path}").format(path=out)
    console.print(_("{verb}: {count} tin nhắn mới.").format(verb=verb, count=len(messages)))


campaigns_cli = typer.Typer(help=gettext_lazy("Chiến dịch vận động."), no_args_is_help=True)
app.add_typer(campaigns_cli, name="campaigns")
demo_cli = typer.Typer(help=gettext_lazy("Dữ liệu demo."), no_args_is_help=True)
app.add_typer(demo_cli, name="demo")


@campaigns_cli.command("summary", help=gettext_lazy(
    "Tổng hợp kết quả chiến dịch (chỉ đọc; số liệu được ghi cùng mỗi khoản thu)."))
def campaigns_summary(
    campaign: Annotated[str, typer.Option("--campaign", help=gettext_lazy("Mã chiến dịch (slug)."))],
    as_json: JsonFlag = False,
) -> None:
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
    table = Table(title=_("Chiến dịch {campaign}").format(campaign=campaign))
    table.add_column(_("Chỉ tiêu"))
    table.add_column(_("Kết quả"), justify="right")
    for key, value in totals.items():
        table.add_row(key, format_vnd(value) if key == "amount_collected" else format_number(value))
    console.print(table)


@campaigns_cli.command("refresh", help=gettext_lazy(
    "Tính lại các khoản thu được tính cho chiến dịch: sau khi nạp dữ liệu hàng loạt, hoặc cho chiến dịch tạo sau "
    "khi đã thu tiền (chạy lại không làm sai số)."))
def campaigns_refresh(
    campaign: Annotated[str, typer.Option("--campaign", help=gettext_lazy("Mã chiến dịch (slug)."))],
) -> None:
    _setup_django()
    from ansinh.campaigns import attribution  # Django must be configured first
    from ansinh.campaigns import queries as campaign_queries

    try:
        added, removed = attribution.refresh(campaign_queries.campaign(campaign))
    except DomainError as error:
        _refuse(error, as_json=False)
        return
    console.print(_("Đã tính thêm {added} hồ sơ, bỏ {removed} hồ sơ đã huỷ.").format(
        added=format_number(added), removed=format_number(removed)))


@demo_cli.command("load", help=gettext_lazy(
    "Nạp kịch bản demo (chạy lại không tạo trùng, không đổi mật khẩu tài khoản đã có) và in tài khoản demo. Chỉ "
    "chạy khi DEBUG=1 hoặc với --i-know-this-is-not-production."))
def demo_load(
    not_production: Annotated[bool, typer.Option(
        "--i-know-this-is-not-production",
        help=gettext_lazy("Cho phép nạp khi DEBUG tắt (tài khoản demo có mật khẩu công khai)."),
    )] = False,
) -> None:
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




reports_cli = typer.Typer(help=gettext_lazy("Báo cáo, số liệu tổng hợp."), no_args_is_help=True)
app.add_typer(reports_cli, name="reports")


@reports_cli.command("refresh", help=gettext_lazy(
    "Tính lại số liệu tổng hợp của một kỳ (chạy lại không làm sai số; kỳ đã khoá giữ nguyên)."))
def reports_refresh(
    start: Annotated[str, typer.Option("--from", help=gettext_lazy("Từ ngày (YYYY-MM-DD)."))],
    end: Annotated[str, typer.Option("--to", help=gettext_lazy("Đến ngày (YYYY-MM-DD)."))],
) -> None:
    _setup_django()
    from ansinh.reports.services import refresh  # Django must be configured first

    try:
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task(_("Đang tổng hợp"), total=3)
            written = refresh(_parse_date(start, "--from"), _parse_date(end, "--to"),
                              progress=lambda n: bar.update(task, advance=n))
    except DomainError as error:
        _refuse(error, as_json=False)
        return
    console.print(_("Đã tổng hợp {rows} dòng số liệu.").format(rows=format_number(written)))


@demo_cli.command("synth", help=gettext_lazy(
    "Sinh một tỉnh giả lập (người, hộ, nhân viên thu, 4 năm thu tiền) vào cơ sở dữ liệu đang cấu hình."))
def demo_synth(
    people: Annotated[int, typer.Option("--people",
                                        help=gettext_lazy("Số người (mặc định: quy mô Nghệ An)."))] = 3_400_000,
    seed: Annotated[int, typer.Option("--seed",
        help=gettext_lazy("Hạt giống ngẫu nhiên (cùng hạt giống → cùng dữ liệu)."))] = 2022,
) -> None:
    _setup_django()
    from ansinh.demo.synth import synthesize  # Django must be configured first

    try:
        with Progress(console=console) as bar:
            task = bar.add_task(_("Đang sinh dữ liệu"), total=people)
            made = synthesize(people, seed=seed, progress=lambda n: bar.update(task, advance=n))
    except DomainError as error:
        _refuse(error, as_json=False)
        return
    console.print(_("Đã sinh {people} người, {households} hộ, {agents} nhân viên thu, {payments} khoản thu; "
                    "{facts} dòng số liệu tổng hợp.").format(
        people=format_number(made.people), households=format_number(made.households),
        agents=format_number(made.agents), payments=format_number(made.payments), facts=format_number(made.facts)))
