"""``ansinh whatif``: what a changed parameter set (an overlay directory, like ``ANSINH_PARAMETERS_DIR``)
would have cost the state budget and the province on the terms paid in a period (reports/whatif.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.progress import Progress
from rich.table import Table

from ansinh.cli.common import JsonFlag, _parse_date, _refuse, _setup_django, app, console
from ansinh.lib.errors import DomainError
from ansinh.lib.money import format_number
from ansinh.lib.periods import require_order
from ansinh.rules.local_support import check_province
from ansinh.rules.params import default_parameters, overlaid

HEADINGS = ("Mã", "Đơn vị", "Năm", "Lượt người", "Thay đổi", "NSNN hiện hành", "NSNN phương án", "NSNN chênh lệch",
            "NSĐP hiện hành", "NSĐP phương án", "NSĐP chênh lệch")
FIGURES = ("people", "affected", "state_before", "state_after", "state_change", "local_before", "local_after",
           "local_change")


@app.command("whatif")
def whatif_command(
    overlay: Annotated[Path, typer.Option("--overlay", help="Thư mục tham số thay đổi (cùng cấu trúc "
                                          "src/ansinh/rules/parameters, như ANSINH_PARAMETERS_DIR).")],
    start: Annotated[str, typer.Option("--from", help="Từ ngày tính (YYYY-MM-DD).")],
    end: Annotated[str, typer.Option("--to", help="Đến ngày tính (YYYY-MM-DD).")],
    province: Annotated[str, typer.Option("--province", help="Mã tỉnh (2 chữ số).")] = "40",
    as_json: JsonFlag = False,
) -> None:
    """Chi phí NSNN và NSĐP theo quy định hiện hành và theo phương án, từng huyện (từ 01/07/2025: xã) và năm,
    trên các kỳ đóng đã thu trong khoảng ngày."""
    _setup_django()
    from ansinh.reports import whatif  # Django must be configured first

    try:
        first, last = _parse_date(start, "--from"), _parse_date(end, "--to")
        require_order(first, last)
        check_province(province)
        scenario = overlaid(default_parameters(), overlay)
        with Progress(console=console, transient=True, disable=as_json) as bar:
            shown = bar.add_task("Đang tính", total=None)
            found = whatif.what_if(first, last, scenario, province=province,
                                   progress=lambda n: bar.update(shown, completed=n))
    except DomainError as error:
        _refuse(error, as_json)
        return
    if as_json:
        typer.echo(json.dumps(found.as_dict(), ensure_ascii=False))
        return
    table = Table(title=f"Phương án {overlay} — tỉnh {province}, {first:%d/%m/%Y}–{last:%d/%m/%Y}", box=box.SIMPLE)
    for i, heading in enumerate(HEADINGS):
        table.add_column(heading, justify="right" if i >= 2 else "left")
    for row in [*found.rows, found.total()]:
        values = row.as_dict()
        table.add_row(values["code"], values["name"], str(values["year"] or ""),
                      *(format_number(values[name]) for name in FIGURES))
    console.print(table)
    total = found.total()
    console.print(f"Toàn tỉnh: {format_number(total.people)} lượt người, "
                  f"{format_number(total.affected)} lượt thay đổi; "
                  f"NSNN {format_number(total.state_before)} → {format_number(total.state_after)} "
                  f"(chênh lệch {format_number(total.state_change)}); NSĐP {format_number(total.local_before)} → "
                  f"{format_number(total.local_after)} (chênh lệch {format_number(total.local_change)}) đồng.",
                  markup=False, highlight=False)
    if total.refused:
        console.print(f"{format_number(total.refused)} lượt không tính được theo một trong hai bộ tham số "
                      "(ví dụ thu nhập dưới mức sàn mới): không gồm trong các tổng.")
    if found.not_priced:
        console.print(f"{format_number(found.not_priced)} kỳ đóng trước / đóng bù BHXH tự nguyện không được tính.")
