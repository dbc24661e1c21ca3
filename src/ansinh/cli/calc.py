"""``ansinh calc``: the legal rules from the command line, no database needed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from ansinh.cli.common import (
    JsonFlag,
    _minus,
    _parse_date,
    _parse_rate,
    _print_references,
    _run,
    app,
    console,
)
from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.lib.money import format_rate, format_vnd
from ansinh.lib.periods import format_date_vi
from ansinh.rules import allowances, benefits, consultation, household_hi, vsi
from ansinh.rules.params import Notice

calc = typer.Typer(help="Tính mức đóng theo quy định (không cần cơ sở dữ liệu).", no_args_is_help=True)
app.add_typer(calc, name="calc")


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
    born: Annotated[str | None, typer.Option("--born", help="Ngày sinh (đóng bù: điều kiện tuổi).")] = None,
    sex: Annotated[str | None, typer.Option("--sex", help="male/female (đóng bù: điều kiện tuổi).")] = None,
    months_paid: Annotated[int | None, typer.Option("--months-paid", help="Số tháng đã đóng (đóng bù).")] = None,
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
            born=_parse_date(born, "--born") if born else None,
            sex=sex,
            months_paid=months_paid,
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
        _print_notices(result.notices)
        _print_references(result.parameters)

    _run(compute, as_json, render)


@calc.command("hi")
def calc_hi(
    on: Annotated[str, typer.Option("--on", help="Ngày đóng (YYYY-MM-DD).")],
    members: Annotated[int, typer.Option("--members", help="Số thành viên tham gia lần này.")],
    months: Annotated[int, typer.Option("--months", help="Kỳ đóng 3, 6 hoặc 12 tháng.")],
    already_joined: Annotated[int, typer.Option("--already-joined", help="Đã tham gia trước trong năm.")] = 0,
    previous_card_end: Annotated[str | None, typer.Option("--previous-card-end", help="Hạn thẻ cũ.")] = None,
    poor: Annotated[int, typer.Option("--poor", help="Số thành viên hộ nghèo (NSNN đóng).")] = 0,
    near_poor: Annotated[int, typer.Option("--near-poor", help="Số thành viên hộ cận nghèo (NSNN hỗ trợ).")] = 0,
    province: Annotated[str | None, typer.Option("--province", help="Mã tỉnh (hỗ trợ BHYT của địa phương).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Mức đóng BHYT hộ gia đình và hạn thẻ; --members là số thành viên theo hộ gia đình, --poor và
    --near-poor thêm thành viên thuộc nhóm NSNN đóng hoặc hỗ trợ."""

    def compute() -> household_hi.HiQuote:
        if members < 0 or poor < 0 or near_poor < 0 or members + poor + near_poor < 1:
            raise DomainError(
                ErrorCode.HOUSEHOLD_EMPTY,
                "--members phải từ 1 trở lên.",
                "--members must be at least 1.",
            )
        request = household_hi.HiQuoteInput(
            on=_parse_date(on, "--on"),
            members=(tuple(household_hi.HiMember(group=household_hi.POOR) for _ in range(poor))
                     + tuple(household_hi.HiMember(group=household_hi.NEAR_POOR) for _ in range(near_poor))
                     + tuple(household_hi.HiMember() for _ in range(members))),
            months=months,
            already_joined=already_joined,
            previous_card_end=_parse_date(previous_card_end, "--previous-card-end") if previous_card_end else None,
            province=province,
        )
        return household_hi.quote(request)

    def render(result: household_hi.HiQuote) -> None:
        table = Table(title=f"BHYT hộ gia đình — {result.months} tháng")
        table.add_column("Nhóm")
        for column in ("Người thứ", "Hệ số", "Mỗi tháng", "NSNN đóng/hỗ trợ", "Phải nộp"):
            table.add_column(column, justify="right")
        for m in result.members:
            table.add_row(household_hi.GROUP_LABELS[m.group], str(m.rank or "—"), format_rate(m.factor),
                          format_vnd(m.monthly), _minus(m.state_support), format_vnd(m.amount))
        table.add_row("[bold]Tổng[/bold]", "", "", "", _minus(result.state_support),
                      f"[bold]{format_vnd(result.total)}[/bold]")
        console.print(table)
        _print_notices(result.notices)
        console.print(
            f"Thẻ có giá trị từ {format_date_vi(result.card.valid_from)} đến {format_date_vi(result.card.valid_to)}"
        )
        _print_references(result.parameters)

    _run(compute, as_json, render)


def _print_notices(notices: tuple[Notice, ...]) -> None:
    """What the amount does not include (a provincial top-up not configured), said before the references."""
    for notice in notices:
        console.print(f"Lưu ý: {notice.message}", style="yellow", markup=False, highlight=False)


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


@calc.command("consult")
def calc_consult(
    on: Annotated[str, typer.Option("--on", help="Ngày tư vấn (YYYY-MM-DD).")],
    born: Annotated[str, typer.Option("--born", help="Ngày sinh (YYYY-MM-DD).")],
    sex: Annotated[str, typer.Option("--sex", help="male (nam) hoặc female (nữ).")],
    income: Annotated[list[int], typer.Option("--income", help="Thu nhập tháng lựa chọn (lặp lại được).")],
    group: Annotated[list[str] | None, typer.Option("--group", help="Nhóm hỗ trợ (lặp lại được).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Tư vấn cho một người: mức đóng, lương hưu, mọi quyền lợi đang có hiệu lực (đã quá tuổi nghỉ hưu:
    những gì áp dụng bây giờ)."""

    def render(result: consultation.Consultation) -> None:
        if result.past_retirement:
            console.print(f"[bold]Đã đủ tuổi nghỉ hưu[/bold] từ {format_date_vi(result.retirement.reached_on)}")
        else:
            console.print(f"Hưởng lương hưu từ tháng {result.retirement.first_pension_month:%m/%Y}")
        for option in result.options:
            terms = option.payable_by_term.items()
            shown = option.refusal or ", ".join(f"{m} tháng: {format_vnd(v)}" for m, v in terms)
            console.print(f"Thu nhập {format_vnd(option.income)}: {shown}", soft_wrap=True)
        for line in result.benefits:
            console.print(f"- {line.text} ({line.article})", soft_wrap=True, markup=False, highlight=False)

    _run(lambda: consultation.consult(_parse_date(on, "--on"), _parse_date(born, "--born"), sex, income,
                                      tuple(group or ())), as_json, render)


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




def _render_benefit(title: str) -> Callable[[benefits.Benefit], None]:
    def render(result: benefits.Benefit) -> None:
        suffix = "/tháng" if result.monthly else ""
        console.print(f"{title}: [bold]{format_vnd(result.amount)}{suffix}[/bold]")
        console.print(f"Căn cứ: {result.article}", markup=False, highlight=False)
        for key, value in result.details.items():
            console.print(f"- {key}: {value}", markup=False, highlight=False)
        _print_references(result.parameters)

    return render


@calc.command("lump-sum")
def calc_lump_sum(
    on: Annotated[str, typer.Option("--on", help="Ngày giải quyết (YYYY-MM-DD).")],
    average: Annotated[int, typer.Option("--average", help="Thu nhập tháng bình quân đã điều chỉnh (đồng).")],
    months_before_2014: Annotated[int, typer.Option("--months-before-2014")] = 0,
    months_from_2014: Annotated[int, typer.Option("--months-from-2014")] = 0,
    state_support: Annotated[int, typer.Option("--state-support", help="Tiền Nhà nước đã hỗ trợ đóng.")] = 0,
    contributions: Annotated[int | None, typer.Option("--contributions", help="Số tiền đã đóng (dưới 1 năm).")] = None,
    case: Annotated[str | None, typer.Option("--case", help="Trường hợp Điều 102 khoản 1: retirement_age, abroad, "
                                              "illness, after_break (kiểm tra điều kiện).")] = None,
    joined: Annotated[str | None, typer.Option("--joined", help="Ngày bắt đầu tham gia (after_break).")] = None,
    last_contribution: Annotated[str | None, typer.Option("--last-contribution",
                                                          help="Tháng đóng cuối (YYYY-MM, after_break).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """BHXH một lần (Luật 41/2024, Điều 102)."""

    def compute() -> benefits.Benefit:
        day = _parse_date(on, "--on")
        if case is not None:
            if case == "after_break" and (joined is None or last_contribution is None):
                raise DomainError(ErrorCode.INVALID_INPUT, "--case after_break cần --joined và --last-contribution.",
                                  "--case after_break needs --joined and --last-contribution.")
            benefits.lump_sum_condition(day, months_before_2014 + months_from_2014,
                                        _parse_date(joined, "--joined") if joined else day,
                                        _parse_month(last_contribution, "--last-contribution")
                                        if last_contribution else day, case)
        return benefits.lump_sum_benefit(average, months_before_2014, months_from_2014, state_support, day,
                                         contributions=contributions)

    _run(compute, as_json, _render_benefit("BHXH một lần"))


@calc.command("social-pension")
def calc_social_pension(
    on: Annotated[str, typer.Option("--on", help="Ngày tính (YYYY-MM-DD).")],
    born: Annotated[str, typer.Option("--born", help="Ngày sinh (YYYY-MM-DD).")],
    group: Annotated[list[str] | None, typer.Option("--group", help="poor / near_poor (lặp lại được).")] = None,
    has_pension: Annotated[bool, typer.Option("--has-pension", help="Đang hưởng lương hưu.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Trợ cấp hưu trí xã hội (Luật 41/2024, Điều 21–22; NĐ 176/2025)."""
    _run(lambda: allowances.social_pension(_parse_date(born, "--born"), _parse_date(on, "--on"), tuple(group or ()),
                                           has_pension), as_json, _render_benefit("Trợ cấp hưu trí xã hội"))


@calc.command("maternity")
def calc_maternity(
    birth: Annotated[str, typer.Option("--birth", help="Ngày sinh con (YYYY-MM-DD).")],
    months: Annotated[int, typer.Option("--months", help="Số tháng đóng trong 12 tháng trước khi sinh.")],
    children: Annotated[int, typer.Option("--children", help="Số con.")] = 1,
    stillbirth_weeks: Annotated[int | None, typer.Option("--stillbirth-weeks", help="Thai chết lưu: số tuần.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Trợ cấp thai sản BHXH tự nguyện (Luật 41/2024, Điều 94–95), cho mẹ hoặc cha."""
    _run(lambda: allowances.maternity(months, _parse_date(birth, "--birth"), children, stillbirth_weeks), as_json,
         _render_benefit("Trợ cấp thai sản"))


@calc.command("retirement-allowance")
def calc_retirement_allowance(
    on: Annotated[str, typer.Option("--on", help="Ngày nghỉ hưu (YYYY-MM-DD).")],
    sex: Annotated[str, typer.Option("--sex", help="male (nam) hoặc female (nữ).")],
    months: Annotated[int, typer.Option("--months", help="Tổng số tháng đã đóng.")],
    average: Annotated[int, typer.Option("--average", help="Thu nhập tháng bình quân (đồng).")],
    as_json: JsonFlag = False,
) -> None:
    """Trợ cấp một lần khi nghỉ hưu (Luật 41/2024, Điều 100)."""
    _run(lambda: allowances.retirement_allowance(sex, months, average, _parse_date(on, "--on")), as_json,
         _render_benefit("Trợ cấp một lần khi nghỉ hưu"))


@calc.command("transitional-pension")
def calc_transitional_pension(
    on: Annotated[str, typer.Option("--on", help="Ngày tính (YYYY-MM-DD).")],
    born: Annotated[str, typer.Option("--born", help="Ngày sinh (YYYY-MM-DD).")],
    sex: Annotated[str, typer.Option("--sex", help="male (nam) hoặc female (nữ).")],
    joined: Annotated[str, typer.Option("--joined", help="Ngày bắt đầu tham gia BHXH tự nguyện.")],
    months: Annotated[int, typer.Option("--months", help="Số tháng đã đóng BHXH tự nguyện.")],
    average: Annotated[int | None, typer.Option("--average", help="Thu nhập tháng bình quân (đồng).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Lương hưu ở tuổi 60 (nam) / 55 (nữ) theo Luật 41/2024, Điều 141, khoản 9."""
    _run(lambda: allowances.transitional_pension(_parse_date(born, "--born"), sex, _parse_date(joined, "--joined"),
                                                 months, _parse_date(on, "--on"), average), as_json,
         _render_benefit("Lương hưu (Điều 141 khoản 9)"))


@calc.command("survivor")
def calc_survivor(
    on: Annotated[str, typer.Option("--on", help="Ngày tính (YYYY-MM-DD).")],
    average: Annotated[int, typer.Option("--average", help="Thu nhập tháng bình quân (đồng).")],
    months_before_2014: Annotated[int, typer.Option("--months-before-2014")] = 0,
    months_from_2014: Annotated[int, typer.Option("--months-from-2014")] = 0,
    as_json: JsonFlag = False,
) -> None:
    """Trợ cấp tuất một lần cho thân nhân người đang tham gia (Luật 41/2024, Điều 110)."""
    _run(lambda: allowances.survivor_lump_sum(average, months_before_2014, months_from_2014, _parse_date(on, "--on")),
         as_json, _render_benefit("Trợ cấp tuất một lần"))
