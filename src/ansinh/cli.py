"""The ``ansinh`` command. Its names and JSON fields are a contract other tools rely on.

Every command parses its options, calls one rules or service function, and prints. A refusal
exits with code 2 and one line on stderr (and ``{"error": {...}}`` on stdout with ``--json``).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

import django
import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.lib.money import format_rate, format_vnd
from ansinh.lib.periods import format_date_vi
from ansinh.rules import benefits, household_hi, vsi
from ansinh.rules.params import ParameterValue

app = typer.Typer(help="ansinh: BHXH tự nguyện và BHYT hộ gia đình.", no_args_is_help=True)
calc = typer.Typer(help="Tính mức đóng theo quy định (không cần cơ sở dữ liệu).", no_args_is_help=True)
app.add_typer(calc, name="calc")
console = Console(soft_wrap=True)  # long Vietnamese lines stay whole for logs and scripts

JsonFlag = Annotated[bool, typer.Option("--json", help="In kết quả dạng JSON.")]


def _refuse(error: DomainError, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps({"error": {"code": str(error.code), "message": error.message}}, ensure_ascii=False))
    print(f"Lỗi [{error.code}]: {error.message}", file=sys.stderr)  # noqa: T201 - the CLI's stderr line
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


@calc.command("vsi")
def calc_vsi(
    on: Annotated[str, typer.Option("--on", help="Ngày đóng (YYYY-MM-DD).")],
    income: Annotated[int, typer.Option("--income", help="Thu nhập tháng lựa chọn (đồng).")],
    months: Annotated[int, typer.Option("--months", help="Kỳ đóng 1, 3, 6, 12; hoặc số tháng đóng trước/đóng bù.")],
    group: Annotated[list[str] | None, typer.Option("--group", help="Nhóm hỗ trợ (lặp lại được).")] = None,
    province: Annotated[str | None, typer.Option("--province", help="Mã tỉnh (hỗ trợ thêm của địa phương).")] = None,
    advance: Annotated[bool, typer.Option("--advance", help="Đóng trước nhiều tháng.")] = False,
    catch_up: Annotated[bool, typer.Option("--catch-up", help="Đóng bù cho số tháng còn thiếu.")] = False,
    rate: Annotated[str | None, typer.Option("--rate", help="Lãi suất quỹ bình quân tháng r.")] = None,
    supported_months_used: Annotated[int, typer.Option("--supported-months-used")] = 0,
    as_json: JsonFlag = False,
) -> None:
    """Mức đóng BHXH tự nguyện."""

    def compute() -> vsi.VsiQuote:
        if advance and catch_up:
            raise DomainError(
                ErrorCode.INVALID_INPUT,
                "Chỉ chọn một trong --advance hoặc --catch-up.",
                "Choose --advance or --catch-up, not both.",
            )
        method = vsi.Method.ADVANCE if advance else vsi.Method.CATCH_UP if catch_up else vsi.Method.REGULAR
        request = vsi.VsiQuoteInput(
            on=_parse_date(on, "--on"),
            income=income,
            months=months,
            method=method,
            groups=frozenset(group or ()),
            province=province,
            supported_months_used=supported_months_used,
            fund_return=_parse_rate(rate),
        )
        return vsi.quote(request)

    def render(result: vsi.VsiQuote) -> None:
        table = Table(title=f"BHXH tự nguyện — ngày đóng {format_date_vi(_parse_date(on, '--on'))}")
        table.add_column("Khoản")
        table.add_column("Số tiền", justify="right")
        table.add_row("Thu nhập lựa chọn", format_vnd(result.income))
        table.add_row("Số tháng", str(result.months))
        table.add_row("Tổng mức đóng", format_vnd(result.gross))
        label = f"Nhà nước hỗ trợ ({format_rate(result.support_rate)}, {result.supported_months} tháng)"
        table.add_row(label, _minus(result.state_support))
        table.add_row("Địa phương hỗ trợ thêm", _minus(result.local_support))
        table.add_row("[bold]Người tham gia nộp[/bold]", f"[bold]{format_vnd(result.payable)}[/bold]")
        console.print(table)
        _print_references(result.parameters)

    _run(compute, as_json, render)


@calc.command("hi")
def calc_hi(
    on: Annotated[str, typer.Option("--on", help="Ngày đóng (YYYY-MM-DD).")],
    members: Annotated[int, typer.Option("--members", help="Số thành viên tham gia lần này.")],
    months: Annotated[int, typer.Option("--months", help="Kỳ đóng 3, 6 hoặc 12 tháng.")],
    already_joined: Annotated[int, typer.Option("--already-joined", help="Đã tham gia trước trong năm.")] = 0,
    previous_card_end: Annotated[str | None, typer.Option("--previous-card-end", help="Hạn thẻ cũ.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Mức đóng BHYT hộ gia đình và hạn thẻ."""

    def compute() -> household_hi.HiQuote:
        if members < 1:
            raise DomainError(
                ErrorCode.HOUSEHOLD_EMPTY,
                "--members phải từ 1 trở lên.",
                "--members must be at least 1.",
            )
        request = household_hi.HiQuoteInput(
            on=_parse_date(on, "--on"),
            members=tuple(household_hi.HiMember() for _ in range(members)),
            months=months,
            already_joined=already_joined,
            previous_card_end=_parse_date(previous_card_end, "--previous-card-end") if previous_card_end else None,
        )
        return household_hi.quote(request)

    def render(result: household_hi.HiQuote) -> None:
        table = Table(title=f"BHYT hộ gia đình — {result.months} tháng")
        for column in ("Người thứ", "Hệ số", "Mỗi tháng", "Số tiền"):
            table.add_column(column, justify="right")
        for m in result.members:
            table.add_row(str(m.rank), format_rate(m.factor), format_vnd(m.monthly), format_vnd(m.amount))
        table.add_row("[bold]Tổng[/bold]", "", "", f"[bold]{format_vnd(result.total)}[/bold]")
        console.print(table)
        console.print(
            f"Thẻ có giá trị từ {format_date_vi(result.card.valid_from)} đến {format_date_vi(result.card.valid_to)}"
        )
        _print_references(result.parameters)

    _run(compute, as_json, render)


def _parse_month(text: str, option: str) -> date:
    return _parse_date(f"{text}-01" if len(text) == 7 else text, option)


@calc.command("retirement")
def calc_retirement(
    born: Annotated[str, typer.Option("--born", help="Ngày sinh (YYYY-MM-DD).")],
    sex: Annotated[str, typer.Option("--sex", help="male (nam) hoặc female (nữ).")],
    as_json: JsonFlag = False,
) -> None:
    """Tuổi nghỉ hưu, thời điểm nghỉ hưu và tháng bắt đầu hưởng lương hưu."""

    def render(result: benefits.Retirement) -> None:
        console.print(f"Tuổi nghỉ hưu: {result.years} tuổi {result.months} tháng")
        console.print(f"Thời điểm nghỉ hưu: {format_date_vi(result.retirement_date)}")
        console.print(f"Hưởng lương hưu từ tháng {result.first_pension_month:%m/%Y}")
        _print_references(result.parameters)

    _run(lambda: benefits.retirement(_parse_date(born, "--born"), sex), as_json, render)


@calc.command("pension")
def calc_pension(
    born: Annotated[str, typer.Option("--born", help="Ngày sinh (YYYY-MM-DD).")],
    sex: Annotated[str, typer.Option("--sex", help="male (nam) hoặc female (nữ).")],
    income: Annotated[int, typer.Option("--income", help="Thu nhập tháng lựa chọn (đồng).")],
    start: Annotated[str, typer.Option("--start", help="Tháng bắt đầu đóng (YYYY-MM).")],
    years: Annotated[int | None, typer.Option("--years", help="Số năm đóng (mặc định: đến khi nghỉ hưu).")] = None,
    on: Annotated[str | None, typer.Option("--on", help="Ngày tính (chỉ để ghi nhận).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Lương hưu ước tính theo giá trị hiện tại của thu nhập lựa chọn."""

    def compute() -> benefits.PensionEstimate:
        if on is not None:
            _parse_date(on, "--on")
        return benefits.estimate_pension(_parse_date(born, "--born"), sex, income, _parse_month(start, "--start"),
                                         years)

    def render(result: benefits.PensionEstimate) -> None:
        r = result.rate
        console.print(f"Nghỉ hưu: {format_date_vi(result.retirement.retirement_date)}; "
                      f"số năm đóng tính hưởng: {r.years_counted} năm")
        if r.eligible:
            console.print(f"Tỷ lệ hưởng {format_rate(r.rate)} × thu nhập bình quân {format_vnd(result.average_income)}"
                          f" = [bold]{format_vnd(result.monthly_pension)}/tháng[/bold]")
        else:
            console.print(f"Chưa đủ {r.min_years} năm đóng để hưởng lương hưu: còn thiếu {r.months_still_needed} tháng "
                          "(có thể đóng bù, hoặc nhận BHXH một lần).")
        _print_references(result.retirement.parameters + r.parameters)

    _run(compute, as_json, render)


areas = typer.Typer(help="Đơn vị hành chính.", no_args_is_help=True)
app.add_typer(areas, name="areas")


def _setup_django() -> None:
    """Configure Django for the commands that use the database. Done here, not at import, so the
    ``calc`` commands work without settings or a database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ansinh.config.settings")
    django.setup()


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


@importer.command("people")
def import_people(
    path: Annotated[Path, typer.Argument(help="Tệp .xlsx hoặc .csv theo phụ lục hộ gia đình TK1-TS.")],
    user: Annotated[str, typer.Option("--user", help="Tên đăng nhập của người nhập (phạm vi và nhật ký).")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Chỉ kiểm tra, không ghi.")] = False,
    skip_invalid: Annotated[bool, typer.Option("--skip-invalid", help="Ghi các hộ hợp lệ, bỏ qua dòng lỗi.")] = False,
    on: Annotated[str | None, typer.Option("--on", help="Ngày vào hộ (mặc định: hôm nay).")] = None,
) -> None:
    """Nhập người và hộ gia đình: kiểm tra mọi dòng; mặc định tất cả hoặc không dòng nào."""
    _setup_django()
    from django.contrib.auth import get_user_model  # Django must be configured first
    from django.utils import timezone

    from ansinh.org.scope import scope_for
    from ansinh.registry.imports import import_people as run_import

    try:
        actor = get_user_model().objects.filter(username=user).first()
        if actor is None:
            raise DomainError(ErrorCode.NOT_FOUND, f"Không có tài khoản «{user}».", f"No user {user!r}.")
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
    if report.written:
        console.print(f"Đã ghi: {report.people_created} người, {report.households_created} hộ, "
                      f"{report.memberships_created} thành viên mới.")
    elif report.problems and not skip_invalid:
        print("Không ghi gì: tệp có dòng lỗi (dùng --skip-invalid để ghi các hộ hợp lệ).", file=sys.stderr)  # noqa: T201
        raise typer.Exit(2)
    else:
        console.print("Chạy thử (--dry-run): không ghi gì.")


tokens = typer.Typer(help="API token cho ứng dụng khác.", no_args_is_help=True)
app.add_typer(tokens, name="tokens")


@tokens.command("create")
def tokens_create(
    user: Annotated[str, typer.Option("--user", help="Tên đăng nhập sở hữu token.")],
    name: Annotated[str, typer.Option("--name", help="Tên gợi nhớ (ví dụ: ứng dụng điện thoại).")],
) -> None:
    """Tạo API token; token chỉ hiện một lần, ansinh chỉ lưu dấu băm của nó."""
    _setup_django()
    from django.contrib.auth import get_user_model  # Django must be configured first

    from ansinh.org.services import issue_token

    owner = get_user_model().objects.filter(username=user).first()
    if owner is None:
        _refuse(DomainError(ErrorCode.NOT_FOUND, f"Không có tài khoản «{user}».", f"No user {user!r}."), False)
        return
    console.print("Token (chỉ hiện một lần, hãy lưu lại):", highlight=False)
    typer.echo(issue_token(owner, name))


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
    from django.contrib.auth import get_user_model  # Django must be configured first

    from ansinh.enrollment.reminders import remind
    from ansinh.org.scope import scope_for, system_scope

    try:
        day = _parse_date(on, "--on")
        owner = get_user_model().objects.filter(username=user).first() if user else None
        if user and owner is None:
            raise DomainError(ErrorCode.NOT_FOUND, f"Không có tài khoản «{user}».", f"No user {user!r}.")
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
    """Tổng hợp kết quả chiến dịch."""
    _setup_django()
    from ansinh.campaigns import analytics  # Django must be configured first
    from ansinh.campaigns import queries as campaign_queries

    try:
        found = campaign_queries.campaign(campaign)
        analytics.attribute(found)  # link payments made since the last run
        totals = campaign_queries.summary(found)
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
        table.add_row(key, format_vnd(value) if key == "amount_collected" else f"{value:,}".replace(",", "."))
    console.print(table)


@demo_cli.command("load")
def demo_load() -> None:
    """Nạp kịch bản demo (chạy lại không tạo trùng) và in tài khoản demo."""
    _setup_django()
    from ansinh.demo.services import load_demo  # Django must be configured first

    for login in load_demo():
        console.print(f"  {login.username} / {login.password}  — {login.role}; phạm vi: {login.scope}")


def main() -> None:
    app()
