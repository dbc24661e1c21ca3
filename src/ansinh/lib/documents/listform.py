"""The lists handed to BHXH as the forms lay them out (D05-TS, D03-TS of QĐ 490/QĐ-BHXH): a dated
template (YAML: columns with their code, two-level headings, the totalled columns, footer and signature)
and one writer per medium — XLSX for printing and editing, PDF (A4 landscape) for signing.

Layout, top to bottom: the unit block (name, unit code, tax code, address, phone, email) on the left and
the form code and decision on the right; the title; "Số … tháng … năm …"; the template's header lines;
the two heading rows and the code row (A, B, C, 1, 2, …); group I Tăng with its rows and "Cộng tăng",
group II Giảm with its rows and "Cộng giảm", "Tổng cộng"; the footer lines; place and date; the signature
block. No Django here: the caller gives the unit, the rows and the dates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any

import xlsxwriter  # type: ignore[import-untyped]
import yaml
from fpdf import FPDF

from ansinh.lib.documents.xlsx import write_text, write_value
from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.lib.money import format_number
from ansinh.lib.periods import format_date_vi


@dataclass(frozen=True)
class Column:
    key: str
    code: str
    label: str
    kind: str  # text | int | money | percent | date | month
    group: str = ""
    total: bool = False


@dataclass(frozen=True)
class Template:
    valid_from: date
    form: str
    decision: str
    title: str
    header_lines: list[str]
    columns: list[Column]
    footer: list[str]
    signer: str
    signer_note: str
    preparer: str
    preparer_note: str


@dataclass
class Unit:
    """The collection organisation, as the header block prints it."""

    name: str
    code: str
    tax_code: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""


@dataclass
class ListDocument:
    unit: Unit
    number: str
    day: date  # the list's date ("Số … ngày … tháng … năm …")
    start: date
    end: date
    increases: list[dict[str, Any]] = field(default_factory=list)
    decreases: list[dict[str, Any]] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)  # filled into header and footer lines
    place: str = ""
    notes: list[str] = field(default_factory=list)  # lines after the footer (e.g. a top-up not configured)


GROUPS = (("I", "Tăng", "Cộng tăng"), ("II", "Giảm", "Cộng giảm"))


def load_template(path: Path, on: date) -> Template:
    """The version of the form in force on ``on`` (the latest ``valid_from`` not after it)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    versions = sorted((v for v in data["versions"] if v["valid_from"] <= on), key=lambda v: v["valid_from"])
    if not versions:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Chưa có mẫu {path.stem} áp dụng ngày {format_date_vi(on)}.",
                          f"No version of {path.stem} in force on {on}.")
    v = versions[-1]
    return Template(v["valid_from"], v["form"], v["decision"], v["title"], list(v.get("header_lines") or []),
                    [Column(str(c["key"]), str(c["code"]), str(c["label"]), str(c["kind"]), str(c.get("group", "")),
                            bool(c.get("total", False))) for c in v["columns"]],
                    list(v.get("footer") or []), v["signer"], v["signer_note"], v["preparer"], v["preparer_note"])


def totals(template: Template, rows: list[dict[str, Any]]) -> dict[str, int]:
    return {c.key: sum(int(r.get(c.key) or 0) for r in rows) for c in template.columns if c.total}


def _facts(doc: ListDocument) -> dict[str, Any]:
    return {k: format_number(v) if isinstance(v, int) and not isinstance(v, bool) else v
            for k, v in doc.facts.items()}


def unit_lines(doc: ListDocument) -> list[str]:
    u = doc.unit
    return [f"Tên đơn vị/Điểm thu: {u.name}", f"Mã đơn vị/Điểm thu: {u.code}", f"MS thuế: {u.tax_code}",
            f"Địa chỉ: {u.address}", f"Điện thoại: {u.phone}", f"Email: {u.email}"]


def number_line(doc: ListDocument) -> str:
    return (f"Số: {doc.number} tháng {doc.day.month:02d} năm {doc.day.year} "
            f"(từ {format_date_vi(doc.start)} đến {format_date_vi(doc.end)})")


def place_line(doc: ListDocument) -> str:
    return f"{doc.place}, ngày {doc.day.day:02d} tháng {doc.day.month:02d} năm {doc.day.year}".lstrip(", ")


def shown(column: Column, value: Any) -> str:
    """A cell as the PDF prints it."""
    if value is None or value == "":
        return ""
    if column.kind == "month" and isinstance(value, date):
        return f"{value.month:02d}/{value.year}"
    if isinstance(value, date):
        return format_date_vi(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return format_number(value) if column.kind == "money" else str(value)
    return str(value)


def list_xlsx(template: Template, doc: ListDocument) -> bytes:
    out = BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet(template.form.replace("Mẫu ", "")[:31])
    n = len(template.columns)
    bold = book.add_format({"bold": True})
    title = book.add_format({"bold": True, "align": "center", "font_size": 14})
    centre = book.add_format({"align": "center"})
    head = book.add_format({"bold": True, "align": "center", "valign": "vcenter", "text_wrap": True, "border": 1})
    cell = book.add_format({"border": 1})
    money = book.add_format({"border": 1, "num_format": "#,##0"})
    day = book.add_format({"border": 1, "num_format": "dd/mm/yyyy"})
    month = book.add_format({"border": 1, "num_format": "mm/yyyy"})
    group_fmt = book.add_format({"bold": True, "border": 1})
    group_money = book.add_format({"bold": True, "border": 1, "num_format": "#,##0"})
    sheet.set_column(0, 0, 5)
    sheet.set_column(1, n - 1, 14)
    r = 0
    for line in unit_lines(doc):
        write_text(sheet, r, 0, line, bold if r == 0 else None)
        r += 1
    write_text(sheet, 0, n - 4, template.form, bold)
    write_text(sheet, 1, n - 4, template.decision)
    r += 1
    sheet.merge_range(r, 0, r, n - 1, "", title)
    write_text(sheet, r, 0, template.title, title)
    r += 1
    sheet.merge_range(r, 0, r, n - 1, "", centre)
    write_text(sheet, r, 0, number_line(doc), centre)
    r += 1
    facts = _facts(doc)
    for line in template.header_lines:
        write_text(sheet, r, 0, line.format(**facts))
        r += 1
    # Two heading rows: a grouped column's group above its label; a lone column spans both rows.
    top, sub = r, r + 1
    c = 0
    while c < n:
        col = template.columns[c]
        if not col.group:
            sheet.merge_range(top, c, sub, c, "", head)
            write_text(sheet, top, c, col.label, head)
            c += 1
            continue
        last = c
        while last + 1 < n and template.columns[last + 1].group == col.group:
            last += 1
        if last > c:
            sheet.merge_range(top, c, top, last, "", head)
        write_text(sheet, top, c, col.group, head)
        for k in range(c, last + 1):
            write_text(sheet, sub, k, template.columns[k].label, head)
        c = last + 1
    r = sub + 1
    for k, col in enumerate(template.columns):
        write_text(sheet, r, k, col.code, head)
    r += 1
    formats = {"money": money, "date": day, "month": month}
    grand: dict[str, int] = {}
    for (roman, name, sum_label), rows in zip(GROUPS, (doc.increases, doc.decreases), strict=True):
        write_text(sheet, r, 0, roman, group_fmt)
        write_text(sheet, r, 1, name, group_fmt)
        for k in range(2, n):
            sheet.write_blank(r, k, None, group_fmt)
        r += 1
        for row in rows:
            for k, col in enumerate(template.columns):
                write_value(sheet, r, k, row.get(col.key), formats.get(col.kind, cell))
            r += 1
        sums = totals(template, rows)
        write_text(sheet, r, 1, sum_label, group_fmt)
        for k, col in enumerate(template.columns):
            if col.total:
                sheet.write_number(r, k, sums[col.key], group_money)
                grand[col.key] = grand.get(col.key, 0) + sums[col.key]
        r += 1
    write_text(sheet, r, 1, "Tổng cộng", group_fmt)
    for k, col in enumerate(template.columns):
        if col.total:
            sheet.write_number(r, k, grand[col.key], group_money)
    r += 2
    for line in [*(line.format(**facts) for line in template.footer), *doc.notes]:
        write_text(sheet, r, 0, line)
        r += 1
    r += 1
    write_text(sheet, r, n - 5, place_line(doc), centre)
    r += 1
    write_text(sheet, r, 1, template.preparer, bold)
    write_text(sheet, r, n - 5, template.signer, bold)
    r += 1
    write_text(sheet, r, 1, template.preparer_note)
    write_text(sheet, r, n - 5, template.signer_note)
    book.close()
    return out.getvalue()


def list_pdf(pdf: FPDF, template: Template, doc: ListDocument) -> bytes:
    """The same list on A4 landscape pages (``pdf`` has the DejaVu font registered), for signing."""
    pdf.set_margins(8, 8, 8)
    pdf.set_auto_page_break(auto=True, margin=10)
    pdf.add_page()
    width = pdf.w - 16
    pdf.set_font("DejaVu", "B", 9)
    y = pdf.get_y()
    for line in unit_lines(doc):
        pdf.cell(width * 0.6, 4.5, line, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 9)
    pdf.set_xy(8 + width * 0.6, y)
    pdf.set_font("DejaVu", "B", 9)
    pdf.cell(width * 0.4, 4.5, template.form, align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font("DejaVu", "", 8)
    pdf.multi_cell(width * 0.4, 4, template.decision, align="C")
    pdf.set_xy(8, y + 6 * 4.5 + 2)
    pdf.set_font("DejaVu", "B", 13)
    pdf.multi_cell(width, 7, template.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    pdf.cell(width, 5, number_line(doc), align="C", new_x="LMARGIN", new_y="NEXT")
    facts = _facts(doc)
    for line in template.header_lines:
        pdf.cell(width, 5, line.format(**facts), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    weights = [{"int": 0.6, "text": 1.3, "money": 1.2, "percent": 0.7, "date": 1.1, "month": 0.9}[c.kind]
               for c in template.columns]
    widths = [width * w / sum(weights) for w in weights]
    widths[1] *= 1.6  # the name
    scale = width / sum(widths)
    widths = [w * scale for w in widths]
    pdf.set_font("DejaVu", "B", 6)
    # Heading: groups on the first line, labels on the second, then the codes.
    for c, col in enumerate(template.columns):
        label = col.group if col.group and (c == 0 or template.columns[c - 1].group != col.group) else (
            "" if col.group else col.label)
        span = sum(w for w, other in zip(widths, template.columns, strict=True) if other.group == col.group) \
            if col.group else widths[c]
        if col.group and label == "":
            continue
        pdf.cell(span, 7, label, border=1, align="C")
    pdf.ln()
    for c, col in enumerate(template.columns):
        pdf.cell(widths[c], 7, col.label if col.group else "", border=1, align="C")
    pdf.ln()
    for c, col in enumerate(template.columns):
        pdf.cell(widths[c], 4, col.code, border=1, align="C")
    pdf.ln()
    grand: dict[str, int] = {}
    for (roman, name, sum_label), rows in zip(GROUPS, (doc.increases, doc.decreases), strict=True):
        pdf.set_font("DejaVu", "B", 6)
        pdf.cell(widths[0], 4.5, roman, border=1, align="C")
        pdf.cell(sum(widths[1:]), 4.5, name, border=1, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 6)
        for row in rows:
            for c, col in enumerate(template.columns):
                pdf.cell(widths[c], 4.5, shown(col, row.get(col.key))[:40], border=1,
                         align="R" if col.kind in ("money", "int", "percent") else "L")
            pdf.ln()
        sums = totals(template, rows)
        pdf.set_font("DejaVu", "B", 6)
        for c, col in enumerate(template.columns):
            text = sum_label if c == 1 else (format_number(sums[col.key]) if col.total else "")
            pdf.cell(widths[c], 4.5, text, border=1, align="R" if col.total else "L")
            if col.total:
                grand[col.key] = grand.get(col.key, 0) + sums[col.key]
        pdf.ln()
    for c, col in enumerate(template.columns):
        text = "Tổng cộng" if c == 1 else (format_number(grand[col.key]) if col.total else "")
        pdf.cell(widths[c], 4.5, text, border=1, align="R" if col.total else "L")
    pdf.ln(7)
    pdf.set_font("DejaVu", "", 9)
    for line in [*(line.format(**facts) for line in template.footer), *doc.notes]:
        pdf.multi_cell(width, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    half = width / 2
    pdf.cell(half, 5, "")
    pdf.cell(half, 5, place_line(doc), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 9)
    pdf.cell(half, 5, template.preparer, align="C")
    pdf.cell(half, 5, template.signer, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 8)
    pdf.cell(half, 5, template.preparer_note, align="C")
    pdf.cell(half, 5, template.signer_note, align="C", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
