"""A receipt as PDF (A5 or 58 mm thermal roll), with a font that has every Vietnamese letter."""

from __future__ import annotations

from pathlib import Path

from django.utils import timezone
from fpdf import FPDF

from ansinh.lib.money import format_vnd
from ansinh.lib.periods import format_date_vi
from ansinh.payments.models import Receipt

FONTS = Path(__file__).resolve().parents[1] / "web" / "static" / "vendor" / "fonts"
SIZES = {"a5": ((148, 210), 10, 12), "58mm": ((58, 200), 3, 8)}  # page (mm), margin (mm), font size


def receipt_lines(receipt: Receipt) -> list[tuple[str, str]]:
    """What a receipt says, in order — shared by the HTML and PDF forms."""
    payment = receipt.payment
    enrollment = payment.enrollment
    who = enrollment.person.full_name if enrollment.person else (
        enrollment.household.head.full_name if enrollment.household and enrollment.household.head else "")
    lines = [
        ("Số biên lai", receipt.serial),
        ("Ngày thu", format_date_vi(timezone.localdate(receipt.issued_at))),
        ("Người tham gia" if enrollment.person else "Chủ hộ", who),
        ("Loại", enrollment.get_scheme_display()),
        ("Số tháng", f"{enrollment.months} (từ {format_date_vi(enrollment.period_start)})"),
        ("Tổng mức đóng", format_vnd(enrollment.gross)),
    ]
    if enrollment.state_support:
        lines.append(("NSNN hỗ trợ", format_vnd(enrollment.state_support)))
    if enrollment.local_support:
        lines.append(("NSĐP hỗ trợ", format_vnd(enrollment.local_support)))
    for notice in (enrollment.calculation.result or {}).get("notices", []):
        lines.append(("Lưu ý", notice["message"]))  # e.g. a provincial top-up not configured
    if payment.sponsor is not None:
        lines.append(("Hỗ trợ khác (nhà tài trợ)", f"{format_vnd(receipt.amount)} — {payment.sponsor.name}"))
    lines += [
        ("Số tiền thu", format_vnd(receipt.amount)),
        ("Bằng chữ", receipt.amount_words),
        ("Hình thức", payment.get_method_display()),
        ("Nhân viên thu", f"{payment.agent.name} ({payment.agent.code})" if payment.agent else ""),
        ("Đơn vị thu", payment.collector.name),
    ]
    return lines


def dejavu_pdf(page: tuple[float, float], orientation: str = "portrait") -> FPDF:
    """A PDF document with the vendored DejaVu font (regular "" and bold "B") registered."""
    pdf = FPDF(orientation=orientation, format=page)
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    return pdf


def receipt_pdf(receipt: Receipt, size: str = "a5") -> bytes:
    page, margin, font_size = SIZES.get(size, SIZES["a5"])
    pdf = dejavu_pdf(page)
    pdf.set_margins(margin, margin, margin)
    pdf.set_auto_page_break(auto=True, margin=margin)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", font_size + 2)
    pdf.multi_cell(0, font_size * 0.6, "BIÊN LAI THU TIỀN ĐÓNG BHXH, BHYT", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    for label, value in receipt_lines(receipt):
        pdf.set_font("DejaVu", "B", font_size)
        pdf.multi_cell(0, font_size * 0.5, f"{label}:", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", font_size)
        pdf.multi_cell(0, font_size * 0.5, value, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
