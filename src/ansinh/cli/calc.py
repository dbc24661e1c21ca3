"""``ansinh calc``: the legal rules from the command line, no database needed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated

import typer
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
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

calc = typer.Typer(help=gettext_lazy("Tính mức đóng theo quy định (không cần cơ sở dữ liệu)."), no_args_is_help=True)
app.add_typer(calc, name="calc")


@calc.command("vsi", help=gettext_lazy('Mức đóng BHXH tự nguyện.'))
def calc_vsi(
    on: Annotated[str, typer.Option("--on", help=gettext_lazy("Ngày đóng (YYYY-MM-DD)."))],
    income: Annotated[int, typer.Option("--income", help=gettext_lazy("Thu nhập tháng lựa chọn (đồng)."))],
    months: Annotated[int, typer.Option("--months",
                                        help=gettext_lazy("Kỳ đóng 1, 3, 6, 12; hoặc số tháng đóng trước/đóng bù."))],
    group: Annotated[list[str] | None, typer.Option("--group",
                                                    help=gettext_lazy("Nhóm hỗ trợ (lặp lại được)."))] = None,
    province: Annotated[str | None, typer.Option("--province",
                                                 help=gettext_lazy("Mã tỉnh (hỗ trợ thêm của địa phương)."))] = None,
    advance: Annotated[bool, typer.Option("--advance", help=gettext_lazy("Đóng trước nhiều tháng."))] = False,
    catch_up: Annotated[bool, typer.Option("--catch-up", help=gettext_lazy("Đóng bù cho số tháng còn thiếu."))] = False,
    rate: Annotated[str | None, typer.Option("--rate", help=gettext_lazy("Lãi suất quỹ bình quân tháng r."))] = None,
    supported_months_used: Annotated[int, typer.Option("--supported-months-used")] = 0,
    born: Annotated[str | None, typer.Option("--born",
                                             help=gettext_lazy("Ngày sinh (đóng bù: điều kiện tuổi)."))] = None,
    sex: Annotated[str | None, typer.Option("--sex",
                                            help=gettext_lazy("male/female (đóng bù: điều kiện tuổi)."))] = None,
    months_paid: Annotated[int | None, typer.Option("--months-paid",
                                                    help=gettext_lazy("Số tháng đã đóng (đóng bù)."))] = None,
    as_json: JsonFlag = False,
) -> None:
    def compute() -> vsi.VsiQuote:
        if advance and catch_up:
            raise DomainError(
                ErrorCode.INVALID_INPUT,
                _("Chỉ chọn một trong --advance hoặc --catch-up."),
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
        table = Table(title=_("BHXH tự nguyện — ngày đóng {day}").format(day=format_date_vi(_parse_date(on, "--on"))))
        table.add_column(_("Khoản"))
        table.add_column(_("Số tiền"), justify="right")
        table.add_row(_("Thu nhập lựa chọn"), format_vnd(result.income))
        table.add_row(_("Số tháng"), str(result.months))
        table.add_row(_("Tổng mức đóng"), format_vnd(result.gross))
        label = _("Nhà nước hỗ trợ ({rate}, {months} tháng)").format(
            rate=format_rate(result.support_rate), months=result.supported_months)
        table.add_row(label, _minus(result.state_support))
        table.add_row(_("Địa phương hỗ trợ thêm"), _minus(result.local_support))
        table.add_row(_("[bold]Người tham gia nộp[/bold]"), f"[bold]{format_vnd(result.payable)}[/bold]")
        console.print(table)
        _print_notices(result.notices)
        _print_references(result.parameters)

    _run(compute, as_json, render)


@calc.command("hi", help=gettext_lazy(
    "Mức đóng BHYT hộ gia đình và hạn thẻ; --members là số thành viên theo hộ gia đình, --poor và --near-poor "
    "thêm thành viên thuộc nhóm NSNN đóng hoặc hỗ trợ."))
def calc_hi(
    on: Annotated[str, typer.Option("--on", help=gettext_lazy("Ngày đóng (YYYY-MM-DD)."))],
    members: Annotated[int, typer.Option("--members", help=gettext_lazy("Số thành viên tham gia lần này."))],
    months: Annotated[int, typer.Option("--months", help=gettext_lazy("Kỳ đóng 3, 6 hoặc 12 tháng."))],
    already_joined: Annotated[int, typer.Option("--already-joined",
                                                help=gettext_lazy("Đã tham gia trước trong năm."))] = 0,
    previous_card_end: Annotated[str | None, typer.Option("--previous-card-end",
                                                          help=gettext_lazy("Hạn thẻ cũ."))] = None,
    poor: Annotated[int, typer.Option("--poor", help=gettext_lazy("Số thành viên hộ nghèo (NSNN đóng)."))] = 0,
    near_poor: Annotated[int, typer.Option("--near-poor",
                                           help=gettext_lazy("Số thành viên hộ cận nghèo (NSNN hỗ trợ)."))] = 0,
    province: Annotated[str | None, typer.Option("--province",
                                                 help=gettext_lazy("Mã tỉnh (hỗ trợ BHYT của địa phương)."))] = None,
    as_json: JsonFlag = False,
) -> None:
    def compute() -> household_hi.HiQuote:
        if members < 0 or poor < 0 or near_poor < 0 or members + poor + near_poor < 1:
            raise DomainError(
                ErrorCode.HOUSEHOLD_EMPTY,
                _("--members phải từ 1 trở lên."),
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
        table = Table(title=_("BHYT hộ gia đình — {months} tháng").format(months=result.months))
        table.add_column(_("Nhóm"))
        for column in (_("Người thứ"), _("Hệ số"), _("Mỗi tháng"), _("NSNN đóng/hỗ trợ"), _("Phải nộp")):
            table.add_column(column, justify="right")
        for m in result.members:
            table.add_row(household_hi.GROUP_LABELS[m.group], str(m.rank or "—"), format_rate(m.factor),
                          format_vnd(m.monthly), _minus(m.state_support), format_vnd(m.amount))
        table.add_row(_("[bold]Tổng[/bold]"), "", "", "", _minus(result.state_support),
                      f"[bold]{format_vnd(result.total)}[/bold]")
        console.print(table)
        _print_notices(result.notices)
        console.print(
            _("Thẻ có giá trị từ {start} đến {end}").format(
                start=format_date_vi(result.card.valid_from), end=format_date_vi(result.card.valid_to))
        )
        _print_references(result.parameters)

    _run(compute, as_json, render)


def _print_notices(notices: tuple[Notice, ...]) -> None:
    """What the amount does not include (a provincial top-up not configured), said before the references."""
    for notice in notices:
        console.print(_("Lưu ý: {notice}").format(notice=notice.message), style="yellow", markup=False, highlight=False)


def _parse_month(text: str, option: str) -> date:
    return _parse_date(f"{text}-01" if len(text) == 7 else text, option)


@calc.command("retirement", help=gettext_lazy('Tuổi nghỉ hưu, thời điểm nghỉ hưu và tháng bắt đầu hưởng lương hưu.'))
def calc_retirement(
    born: Annotated[str, typer.Option("--born", help=gettext_lazy("Ngày sinh (YYYY-MM-DD)."))],
    sex: Annotated[str, typer.Option("--sex", help=gettext_lazy("male (nam) hoặc female (nữ)."))],
    as_json: JsonFlag = False,
) -> None:
    def render(result: benefits.Retirement) -> None:
        console.print(_("Tuổi nghỉ hưu: {years} tuổi {months} tháng").format(years=result.years, months=result.months))
        console.print(_("Thời điểm nghỉ hưu: {day}").format(day=format_date_vi(result.retirement_date)))
        console.print(_("Hưởng lương hưu từ tháng {month}").format(month=f"{result.first_pension_month:%m/%Y}"))
        _print_references(result.parameters)

    _run(lambda: benefits.retirement(_parse_date(born, "--born"), sex), as_json, render)


@calc.command("consult", help=gettext_lazy(
    "Tư vấn cho một người: mức đóng, lương hưu, mọi quyền lợi đang có hiệu lực (đã quá tuổi nghỉ hưu: những gì áp "
    "dụng bây giờ)."))
def calc_consult(
    on: Annotated[str, typer.Option("--on", help=gettext_lazy("Ngày tư vấn (YYYY-MM-DD)."))],
    born: Annotated[str, typer.Option("--born", help=gettext_lazy("Ngày sinh (YYYY-MM-DD)."))],
    sex: Annotated[str, typer.Option("--sex", help=gettext_lazy("male (nam) hoặc female (nữ)."))],
    income: Annotated[list[int], typer.Option("--income",
                                              help=gettext_lazy("Thu nhập tháng lựa chọn (lặp lại được)."))],
    group: Annotated[list[str] | None, typer.Option("--group",
                                                    help=gettext_lazy("Nhóm hỗ trợ (lặp lại được)."))] = None,
    as_json: JsonFlag = False,
) -> None:
    def render(result: consultation.Consultation) -> None:
        if result.past_retirement:
            console.print(_("[bold]Đã đủ tuổi nghỉ hưu[/bold] từ {day}").format(
                day=format_date_vi(result.retirement.reached_on)))
        else:
            console.print(_("Hưởng lương hưu từ tháng {month}").format(
                month=f"{result.retirement.first_pension_month:%m/%Y}"))
        for option in result.options:
            terms = option.payable_by_term.items()
            shown = option.refusal or ", ".join(
                _("{months} tháng: {amount}").format(months=m, amount=format_vnd(v)) for m, v in terms)
            console.print(_("Thu nhập {income}: {amounts}").format(income=format_vnd(option.income), amounts=shown),
                          soft_wrap=True)
        for line in result.benefits:
            console.print(f"- {line.text} ({line.article})", soft_wrap=True, markup=False, highlight=False)

    _run(lambda: consultation.consult(_parse_date(on, "--on"), _parse_date(born, "--born"), sex, income,
                                      tuple(group or ())), as_json, render)


@calc.command("pension", help=gettext_lazy('Lương hưu ước tính theo giá trị hiện tại của thu nhập lựa chọn.'))
def calc_pension(
    born: Annotated[str, typer.Option("--born", help=gettext_lazy("Ngày sinh (YYYY-MM-DD)."))],
    sex: Annotated[str, typer.Option("--sex", help=gettext_lazy("male (nam) hoặc female (nữ)."))],
    income: Annotated[int, typer.Option("--income", help=gettext_lazy("Thu nhập tháng lựa chọn (đồng)."))],
    start: Annotated[str, typer.Option("--start", help=gettext_lazy("Tháng bắt đầu đóng (YYYY-MM)."))],
    years: Annotated[int | None, typer.Option("--years",
                                              help=gettext_lazy("Số năm đóng (mặc định: đến khi nghỉ hưu)."))] = None,
    on: Annotated[str | None, typer.Option("--on", help=gettext_lazy("Ngày tính (chỉ để ghi nhận)."))] = None,
    as_json: JsonFlag = False,
) -> None:
    def compute() -> benefits.PensionEstimate:
        if on is not None:
            _parse_date(on, "--on")
        return benefits.estimate_pension(_parse_date(born, "--born"), sex, income, _parse_month(start, "--start"),
                                         years)

    def render(result: benefits.PensionEstimate) -> None:
        r = result.rate
        console.print(_("Nghỉ hưu: {day}; số năm đóng tính hưởng: {years} năm").format(
            day=format_date_vi(result.retirement.retirement_date), years=r.years_counted))
        if r.eligible:
            console.print(_("Tỷ lệ hưởng {rate} × thu nhập bình quân {income} = [bold]{pension}/tháng[/bold]").format(
                rate=format_rate(r.rate), income=format_vnd(result.average_income),
                pension=format_vnd(result.monthly_pension)))
        else:
            console.print(_("Chưa đủ {years} năm đóng để hưởng lương hưu: còn thiếu {months} tháng "
                            "(có thể đóng bù, hoặc nhận BHXH một lần).").format(
                years=r.min_years, months=r.months_still_needed))
        _print_references(result.retirement.parameters + r.parameters)

    _run(compute, as_json, render)




def _render_benefit(title: str) -> Callable[[benefits.Benefit], None]:
    def render(result: benefits.Benefit) -> None:
        suffix = _("/tháng") if result.monthly else ""
        console.print(f"{title}: [bold]{format_vnd(result.amount)}{suffix}[/bold]")
        console.print(_("Căn cứ: {article}").format(article=result.article), markup=False, highlight=False)
        for key, value in result.details.items():
            console.print(f"- {key}: {value}", markup=False, highlight=False)
        _print_references(result.parameters)

    return render


@calc.command("lump-sum", help=gettext_lazy('BHXH một lần (Luật 41/2024, Điều 102).'))
def calc_lump_sum(
    on: Annotated[str, typer.Option("--on", help=gettext_lazy("Ngày giải quyết (YYYY-MM-DD)."))],
    average: Annotated[int, typer.Option("--average",
                                         help=gettext_lazy("Thu nhập tháng bình quân đã điều chỉnh (đồng)."))],
    months_before_2014: Annotated[int, typer.Option("--months-before-2014")] = 0,
    months_from_2014: Annotated[int, typer.Option("--months-from-2014")] = 0,
    state_support: Annotated[int, typer.Option("--state-support",
                                               help=gettext_lazy("Tiền Nhà nước đã hỗ trợ đóng."))] = 0,
    contributions: Annotated[int | None, typer.Option("--contributions",
                                                      help=gettext_lazy("Số tiền đã đóng (dưới 1 năm)."))] = None,
    case: Annotated[str | None, typer.Option("--case",
                                             help=gettext_lazy("Trường hợp Điều 102 khoản 1: retirement_age, abroad, "
                                              "illness, after_break (kiểm tra điều kiện)."))] = None,
    joined: Annotated[str | None, typer.Option("--joined",
                                               help=gettext_lazy("Ngày bắt đầu tham gia (after_break)."))] = None,
    last_contribution: Annotated[str | None, typer.Option(
        "--last-contribution", help=gettext_lazy("Tháng đóng cuối (YYYY-MM, after_break)."))] = None,
    as_json: JsonFlag = False,
) -> None:
    def compute() -> benefits.Benefit:
        day = _parse_date(on, "--on")
        if case is not None:
            if case == "after_break" and (joined is None or last_contribution is None):
                raise DomainError(ErrorCode.INVALID_INPUT, _("--case after_break cần --joined và --last-contribution."),
                                  "--case after_break needs --joined and --last-contribution.")
            benefits.lump_sum_condition(day, months_before_2014 + months_from_2014,
                                        _parse_date(joined, "--joined") if joined else day,
                                        _parse_month(last_contribution, "--last-contribution")
                                        if last_contribution else day, case)
        return benefits.lump_sum_benefit(average, months_before_2014, months_from_2014, state_support, day,
                                         contributions=contributions)

    _run(compute, as_json, _render_benefit(_("BHXH một lần")))


@calc.command("social-pension", help=gettext_lazy('Trợ cấp hưu trí xã hội (Luật 41/2024, Điều 21–22; NĐ 176/2025).'))
def calc_social_pension(
    on: Annotated[str, typer.Option("--on", help=gettext_lazy("Ngày tính (YYYY-MM-DD)."))],
    born: Annotated[str, typer.Option("--born", help=gettext_lazy("Ngày sinh (YYYY-MM-DD)."))],
    group: Annotated[list[str] | None, typer.Option("--group",
                                                    help=gettext_lazy("poor / near_poor (lặp lại được)."))] = None,
    has_pension: Annotated[bool, typer.Option("--has-pension", help=gettext_lazy("Đang hưởng lương hưu."))] = False,
    as_json: JsonFlag = False,
) -> None:
    _run(lambda: allowances.social_pension(_parse_date(born, "--born"), _parse_date(on, "--on"), tuple(group or ()),
                                           has_pension), as_json, _render_benefit(_("Trợ cấp hưu trí xã hội")))


@calc.command("maternity", help=gettext_lazy(
    "Trợ cấp thai sản BHXH tự nguyện (Luật 41/2024, Điều 94–95), cho mẹ hoặc cha."))
def calc_maternity(
    birth: Annotated[str, typer.Option("--birth", help=gettext_lazy("Ngày sinh con (YYYY-MM-DD)."))],
    months: Annotated[int, typer.Option("--months", help=gettext_lazy("Số tháng đóng trong 12 tháng trước khi sinh."))],
    children: Annotated[int, typer.Option("--children", help=gettext_lazy("Số con."))] = 1,
    stillbirth_weeks: Annotated[int | None, typer.Option("--stillbirth-weeks",
                                                         help=gettext_lazy("Thai chết lưu: số tuần."))] = None,
    as_json: JsonFlag = False,
) -> None:
    _run(lambda: allowances.maternity(months, _parse_date(birth, "--birth"), children, stillbirth_weeks), as_json,
         _render_benefit(_("Trợ cấp thai sản")))


@calc.command("retirement-allowance", help=gettext_lazy('Trợ cấp một lần khi nghỉ hưu (Luật 41/2024, Điều 100).'))
def calc_retirement_allowance(
    on: Annotated[str, typer.Option("--on", help=gettext_lazy("Ngày nghỉ hưu (YYYY-MM-DD)."))],
    sex: Annotated[str, typer.Option("--sex", help=gettext_lazy("male (nam) hoặc female (nữ)."))],
    months: Annotated[int, typer.Option("--months", help=gettext_lazy("Tổng số tháng đã đóng."))],
    average: Annotated[int, typer.Option("--average", help=gettext_lazy("Thu nhập tháng bình quân (đồng)."))],
    as_json: JsonFlag = False,
) -> None:
    _run(lambda: allowances.retirement_allowance(sex, months, average, _parse_date(on, "--on")), as_json,
         _render_benefit(_("Trợ cấp một lần khi nghỉ hưu")))


@calc.command("transitional-pension", help=gettext_lazy(
    "Lương hưu ở tuổi 60 (nam) / 55 (nữ) theo Luật 41/2024, Điều 141, khoản 9."))
def calc_transitional_pension(
    on: Annotated[str, typer.Option("--on", help=gettext_lazy("Ngày tính (YYYY-MM-DD)."))],
    born: Annotated[str, typer.Option("--born", help=gettext_lazy("Ngày sinh (YYYY-MM-DD)."))],
    sex: Annotated[str, typer.Option("--sex", help=gettext_lazy("male (nam) hoặc female (nữ)."))],
    joined: Annotated[str, typer.Option("--joined", help=gettext_lazy("Ngày bắt đầu tham gia BHXH tự nguyện."))],
    months: Annotated[int, typer.Option("--months", help=gettext_lazy("Số tháng đã đóng BHXH tự nguyện."))],
    average: Annotated[int | None, typer.Option("--average",
                                                help=gettext_lazy("Thu nhập tháng bình quân (đồng)."))] = None,
    as_json: JsonFlag = False,
) -> None:
    _run(lambda: allowances.transitional_pension(_parse_date(born, "--born"), sex, _parse_date(joined, "--joined"),
                                                 months, _parse_date(on, "--on"), average), as_json,
         _render_benefit(_("Lương hưu (Điều 141 khoản 9)")))


@calc.command("survivor", help=gettext_lazy(
    "Trợ cấp tuất một lần cho thân nhân người đang tham gia (Luật 41/2024, Điều 110)."))
def calc_survivor(
    on: Annotated[str, typer.Option("--on", help=gettext_lazy("Ngày tính (YYYY-MM-DD)."))],
    average: Annotated[int, typer.Option("--average", help=gettext_lazy("Thu nhập tháng bình quân (đồng)."))],
    months_before_2014: Annotated[int, typer.Option("--months-before-2014")] = 0,
    months_from_2014: Annotated[int, typer.Option("--months-from-2014")] = 0,
    as_json: JsonFlag = False,
) -> None:
    _run(lambda: allowances.survivor_lump_sum(average, months_before_2014, months_from_2014, _parse_date(on, "--on")),
         as_json, _render_benefit(_("Trợ cấp tuất một lần")))
