"""``ansinh whatif``: what a changed parameter set (an overlay directory, like ``ANSINH_PARAMETERS_DIR``)
would have cost the state budget and the province on the terms paid in a period (reports/whatif.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rich import box
from rich.progress import Progress
from rich.table import Table

from ansinh.cli.common import JsonFlag, _parse_date, _refuse, _setup_django, app, console
from ansinh.lib.errors import DomainError, invalid_input
from ansinh.lib.money import format_number
from ansinh.lib.periods import require_order
from ansinh.rules.local_support import check_province
from ansinh.rules.params import default_parameters, overlaid

HEADINGS = (gettext_lazy("Mã"), gettext_lazy("Đơn vị"), gettext_lazy("Năm"), gettext_lazy("Lượt người"),
            gettext_lazy("Thay đổi"), gettext_lazy("NSNN hiện hành"), gettext_lazy("NSNN phương án"),
            gettext_lazy("NSNN chênh lệch"), gettext_lazy("NSĐP hiện hành"), gettext_lazy("NSĐP phương án"),
            gettext_lazy("NSĐP chênh lệch"))
FIGURES = ("people", "affected", "state_before", "state_after", "state_change", "local_before", "local_after",
           "local_change")


@app.command("whatif", help=gettext_lazy(
    "Chi phí NSNN và NSĐP theo quy định hiện hành và theo phương án, từng huyện (từ 01/07/2025: xã) và năm, trên "
    "các kỳ đóng đã thu trong khoảng ngày."))
def whatif_command(
    overlay: Annotated[Path, typer.Option("--overlay", help=gettext_lazy(
        "Thư mục tham số thay đổi (cùng cấu trúc src/ansinh/rules/parameters, như ANSINH_PARAMETERS_DIR)."))],
    start: Annotated[str, typer.Option("--from", help=gettext_lazy("Từ ngày tính (YYYY-MM-DD)."))],
    end: Annotated[str, typer.Option("--to", help=gettext_lazy("Đến ngày tính (YYYY-MM-DD)."))],
    province: Annotated[str, typer.Option("--province", help=gettext_lazy("Mã tỉnh (2 chữ số)."))] = "40",
    everyone_joined: Annotated[bool, typer.Option("--everyone-joined", help=gettext_lazy(
        "Nếu mọi người chưa tham gia đều tham gia: tính cho những người chưa có bảo hiểm vào ngày --to "
        "(BHXH tự nguyện từ --vsi-min-age tuổi, BHYT hộ gia đình cho mọi người), không phải các kỳ đã thu."))] = False,
    vsi_min_age: Annotated[int | None, typer.Option("--vsi-min-age", help=gettext_lazy(
        "Với --everyone-joined: tuổi tối thiểu tham gia BHXH tự nguyện (bắt buộc, theo văn bản hiện hành)."))] = None,
    income: Annotated[int | None, typer.Option("--income", help=gettext_lazy(
        "Với --everyone-joined: mức thu nhập đóng BHXH tự nguyện (đồng/tháng; mặc định mức thấp nhất theo "
        "tham số)."))] = None,
    months: Annotated[int, typer.Option("--months", help=gettext_lazy(
        "Với --everyone-joined: số tháng tham gia."))] = 12,
    as_json: JsonFlag = False,
) -> None:
    _setup_django()
    from ansinh.reports import whatif, whatif_gap  # Django must be configured first

    try:
        first, last = _parse_date(start, "--from"), _parse_date(end, "--to")
        require_order(first, last)
        check_province(province)
        scenario = overlaid(default_parameters(), overlay)
        if everyone_joined and vsi_min_age is None:
            raise invalid_input(_("Với --everyone-joined, hãy nêu tuổi tối thiểu tham gia BHXH tự nguyện "
                                  "(--vsi-min-age)."), "--everyone-joined needs --vsi-min-age.", field="vsi_min_age")
        with Progress(console=console, transient=True, disable=as_json) as bar:
            shown = bar.add_task(_("Đang tính"), total=None)
            if everyone_joined:
                bar.update(shown, total=len(whatif_gap.communes_of(province)))  # the progress counts communes
                found = whatif_gap.everyone_joined(last, scenario, vsi_min_age=vsi_min_age or 0, income=income,
                                                   months=months, province=province,
                                                   progress=lambda n: bar.update(shown, completed=n))
            else:
                found = whatif.what_if(first, last, scenario, province=province,
                                       progress=lambda n: bar.update(shown, completed=n))
    except DomainError as error:
        _refuse(error, as_json)
        return
    if as_json:
        typer.echo(json.dumps(found.as_dict(), ensure_ascii=False))
        return
    table = Table(title=_("Phương án {overlay} — tỉnh {province}, {first}–{last}").format(
        overlay=overlay, province=province, first=f"{first:%d/%m/%Y}", last=f"{last:%d/%m/%Y}"), box=box.SIMPLE)
    for i, heading in enumerate(HEADINGS):
        table.add_column(str(heading), justify="right" if i >= 2 else "left")
    for row in [*found.rows, found.total()]:
        values = row.as_dict()
        table.add_row(values["code"], values["name"], str(values["year"] or ""),
                      *(format_number(values[name]) for name in FIGURES))
    console.print(table)
    total = found.total()
    console.print(_("Toàn tỉnh: {people} lượt người, {affected} lượt thay đổi; NSNN {state_before} → {state_after} "
                    "(chênh lệch {state_change}); NSĐP {local_before} → {local_after} (chênh lệch {local_change}) "
                    "đồng.").format(**{name: format_number(getattr(total, name)) for name in (
                        "people", "affected", "state_before", "state_after", "state_change", "local_before",
                        "local_after", "local_change")}),
                  markup=False, highlight=False)
    if everyone_joined:
        console.print(_("Nếu mọi người chưa có bảo hiểm ngày {on} đều tham gia {months} tháng: người tham gia đóng "
                        "{before} → {after} đồng.").format(
                            on=f"{last:%d/%m/%Y}", months=months, before=format_number(total.payable_before),
                            after=format_number(total.payable_after)), markup=False, highlight=False)
    if total.refused:
        console.print(_("{n} lượt không tính được theo một trong hai bộ tham số (ví dụ thu nhập dưới mức sàn mới): "
                        "không gồm trong các tổng.").format(n=format_number(total.refused)))
    if found.not_priced:
        console.print(_("{n} kỳ đóng trước / đóng bù BHXH tự nguyện không được tính.").format(
            n=format_number(found.not_priced)))
