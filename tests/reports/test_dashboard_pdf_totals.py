"""Dashboard PDFs (issue 13 #15): a total row for the columns that add up, figures right-aligned."""

from __future__ import annotations

import re
from io import BytesIO

from pypdf import PdfReader

from ansinh.reports.exports import dashboard_pdf
from ansinh.reports.queries import COLUMNS

ROWS = [{"rank": 1, "code": "16681", "name": "Phường Thành Vinh", "vsi_new": 12, "hi_new": 30, "renewals": 4,
         "amount": 12_345_000, "state_support": 1_650_000, "local_support": 990_000},
        {"rank": 2, "code": "17329", "name": "Xã Anh Sơn", "vsi_new": 3, "hi_new": 7, "renewals": 1, "amount": 987_500,
         "state_support": 165_000, "local_support": 0}]


def figures_at(content: bytes) -> dict[str, float]:
    """Each piece of text of the page and the x where it ends (its right edge, roughly)."""
    found: dict[str, float] = {}

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        if text.strip():
            found[text.strip()] = tm[4]

    PdfReader(BytesIO(content)).pages[0].extract_text(visitor_text=visit)
    return found


def test_the_pdf_totals_the_columns_that_add_up_and_not_the_rank() -> None:
    text = PdfReader(BytesIO(dashboard_pdf("Tổng hợp", ["Kỳ: 08/2025"], COLUMNS, ROWS))).pages[0].extract_text()
    # under "Hạng" the label, not 1 + 2; code and name empty; then 12 + 3, 30 + 7, 4 + 1 and the money
    assert re.search(r"Tổng cộng\s+15\s+37\s+5\s+13\.332\.500\s+1\.815\.000\s+990\.000", text), text


def test_figures_are_right_aligned_so_their_digits_line_up() -> None:
    at = figures_at(dashboard_pdf("Tổng hợp", [], COLUMNS, ROWS))
    # 12.345.000 is wider than 987.500: right-aligned, the narrower one starts further right
    assert at["987.500"] > at["12.345.000"]
    # text is left-aligned: the names start at the same x
    assert at["Phường Thành Vinh"] == at["Xã Anh Sơn"]
