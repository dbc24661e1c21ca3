"""Dashboards as PDF: a title, the figures above the table (tiles, targets) and the table itself,
landscape A4 with the vendored DejaVu font, numbers in the Vietnamese format."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from fpdf.fonts import FontFace

from ansinh.lib.money import format_number, format_share
from ansinh.lib.periods import format_date_vi
from ansinh.payments.documents import dejavu_pdf


def _cell(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return {True: _("có"), False: _("không"), None: ""}[value]
    if isinstance(value, int):
        return format_number(value)
    if isinstance(value, float):
        return format_share(value)
    if isinstance(value, date):
        return format_date_vi(value)
    return str(value)


def dashboard_pdf(title: str, lines: Iterable[str], columns: list[tuple[str, str]],
                  rows: Iterable[dict[str, Any]]) -> bytes:
    """``lines`` print under the title (the period, the scope, the tiles); ``rows`` become the table."""
    pdf = dejavu_pdf((210, 297), orientation="landscape")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 15)
    pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    for line in lines:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("DejaVu", "", 8)
    heading = FontFace(family="DejaVu", emphasis="BOLD")
    rows = list(rows)
    sums = {key: sum(row[key] or 0 for row in rows) for key, _unused in columns
            if key in ADDITIVE and all(isinstance(row[key], int | None) for row in rows)}
    with pdf.table(headings_style=heading, line_height=5, text_align="LEFT") as table:
        table.row([str(label) for _unused, label in columns])
        for row in rows:
            _row(table, [row[key] for key, _unused in columns])
        if rows and sums:
            total = [_("Tổng cộng") if i == 0 else sums.get(key) for i, (key, _unused) in enumerate(columns)]
            _row(table, total, bold=True)
    return bytes(pdf.output())


# Columns whose rows add up (people, terms, sums of money): the PDF prints their total. A rank, a rate or a
# running balance ("còn giữ", "quá hạn") does not add up across rows and gets no total.
ADDITIVE = frozenset({"vsi_new", "hi_new", "renewals", "amount", "ended", "renewed", "vsi", "hi", "total",
                      "collected", "remitted", "commission", "state_support", "local_support"})


def _row(table: Any, values: list[Any], bold: bool = False) -> None:
    """One table row; figures right-aligned so their digits line up (issue 13 #15)."""
    style = FontFace(family="DejaVu", emphasis="BOLD") if bold else None
    row = table.row()
    for value in values:
        number = isinstance(value, int | float) and not isinstance(value, bool)
        row.cell(_cell(value), align="RIGHT" if number else "LEFT", style=style)
