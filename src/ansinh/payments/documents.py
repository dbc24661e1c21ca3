"""A receipt on form C45-BB (TT 107/2017/TT-BTC; CV 3916/BHXH-TCKT of 23/11/2023), as an HTML print page
(A5 or a 58 mm roll) and as PDF, with a font that has every Vietnamese letter.

``receipt_document`` says what the receipt holds, once, for every rendering: the unit, the form
reference, the book (quyển số) and number (số) as separate fields, the payer and address, one "nội dung
thu" line, the amount lines (data: a list of labelled amounts, so another kind of support is one more
line), the amount in words, the covered members of a household-HI card, and the signature places.
Identifiers go through the field policy (``org.fields.shown``) of the scope that prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.utils import timezone
from fpdf import FPDF

from ansinh.enrollment.models import Enrollment, HiCardLine, Scheme
from ansinh.lib.money import format_vnd
from ansinh.lib.periods import format_date_vi
from ansinh.org.fields import PersonalField, shown
from ansinh.org.scope import Scope
from ansinh.payments.models import Receipt
from ansinh.registry.models import Person
from ansinh.rules.household_hi import GROUP_LABELS, HOUSEHOLD

FONTS = Path(__file__).resolve().parents[1] / "web" / "static" / "vendor" / "fonts"
FORM_CODE = "Mẫu số C45-BB"
FORM_REFERENCE = "(Ban hành theo Thông tư số 107/2017/TT-BTC ngày 10/10/2017 của Bộ Tài chính)"
TITLE = "BIÊN LAI THU TIỀN"
# Page (mm; a 58 mm roll's height is the content's), margin (mm), font size (pt).
SIZES = {"a5": ((148.0, 210.0), 10.0, 11.0), "58mm": ((58.0, 0.0), 3.0, 7.5)}
METHODS = {"regular": "đóng theo phương thức", "advance": "đóng trước", "catch_up": "đóng bù"}


@dataclass(frozen=True)
class Member:
    name: str
    card_from: str
    card_to: str
    card_kind: str
    group: str = ""  # the member's group label when not an ordinary household member
    support: str = ""  # the state's and the province's shares of the member's contribution, if any

    def line(self) -> str:
        """One covered member as the receipt prints it (the PDF and the HTML share it)."""
        text = f"{self.name} — thẻ từ {self.card_from} đến {self.card_to} ({self.card_kind})"
        extra = "; ".join(part for part in (self.group, self.support) if part)
        return f"{text}; {extra}" if extra else text


@dataclass(frozen=True)
class ReceiptDocument:
    unit_name: str
    unit_code: str
    unit_address: str
    day: str
    book: str
    number: str
    payer: str
    payer_address: str
    content: str
    amounts: list[tuple[str, str]]
    amount: str
    words: str
    payment_method: str
    collector: str
    members: list[Member]
    confirmation: str = ""  # BHXH's code, once the office returned it: the receipt can be checked with it
    payer_role: str = "Người nộp tiền"
    collector_role: str = "Người thu tiền"

    def lines(self) -> list[tuple[str, str]]:
        """The labelled fields, in the order the form reads them (the PDF and the HTML share it)."""
        return [("Quyển số", self.book), ("Số", self.number),
                ("Họ tên người nộp", self.payer), ("Địa chỉ", self.payer_address),
                ("Nội dung thu", self.content), *self.amounts,
                ("Số tiền thu", self.amount), ("Bằng chữ", self.words), ("Hình thức", self.payment_method),
                *([("Mã xác nhận của BHXH", self.confirmation)] if self.confirmation else [])]


def _address(person: Person | None, detail: str = "") -> str:
    if person is None:
        return detail
    area = person.area
    parts = [detail or person.address_detail, getattr(area, "name", "")]
    return ", ".join(p for p in parts if p)


def _participant(enrollment: Enrollment) -> Person | None:
    if enrollment.person is not None:
        return enrollment.person
    return enrollment.household.head if enrollment.household is not None else None


def _identifier(scope: Scope, person: Person | None) -> str:
    """The participant's ID on the content line, as this scope may see it (mã số BHXH, else the personal ID)."""
    if person is None:
        return ""
    if person.si_code:
        return f"mã số BHXH {shown(scope, PersonalField.SI_CODE, person.si_code)}"
    if person.citizen_id:
        return f"số ĐDCN {shown(scope, PersonalField.CITIZEN_ID, person.citizen_id)}"
    return ""


def _content(scope: Scope, enrollment: Enrollment, participant: Person | None) -> str:
    kind = "tái tục" if enrollment.is_renewal else "tham gia mới"
    method = METHODS.get(enrollment.method, enrollment.method)
    period = f"từ {format_date_vi(enrollment.period_start)} đến {format_date_vi(enrollment.period_end)}"
    who = participant.full_name if participant is not None else ""
    if enrollment.household is not None and enrollment.person is None:
        who = f"hộ {enrollment.household.code}, chủ hộ {who}"
    ident = _identifier(scope, participant)
    return (f"Thu tiền đóng {enrollment.get_scheme_display()} ({kind}), {method} {enrollment.months} tháng, "
            f"{period}; người tham gia: {who}" + (f", {ident}" if ident else ""))


def amount_lines(enrollment: Enrollment, receipt: Receipt) -> list[tuple[str, str]]:
    """The amounts that make up what was paid: the total due, each support that lowers it, the sponsor's part."""
    payment = receipt.payment
    lines = [("Tổng mức đóng", format_vnd(enrollment.gross))]
    if enrollment.state_support:
        lines.append(("NSNN hỗ trợ", format_vnd(enrollment.state_support)))
    if enrollment.local_support:
        lines.append(("NSĐP hỗ trợ", format_vnd(enrollment.local_support)))
    for notice in (enrollment.calculation.result or {}).get("notices", []):
        lines.append(("Lưu ý", notice["message"]))  # e.g. a provincial top-up not configured
    if payment.sponsor is not None:
        lines.append(("Hỗ trợ khác (nhà tài trợ)", f"{format_vnd(receipt.amount)} — {payment.sponsor.name}"))
    return lines


def _members(enrollment: Enrollment) -> list[Member]:
    if enrollment.scheme != Scheme.HOUSEHOLD_HI:
        return []
    return [Member(line.person.full_name, format_date_vi(line.valid_from), format_date_vi(line.valid_to),
                   line.get_card_kind_display(),
                   GROUP_LABELS.get(line.group, line.group) if line.group != HOUSEHOLD else "", _support(line))
            for line in enrollment.hi_lines.select_related("person").order_by("rank", "pk")]


def _support(line: HiCardLine) -> str:
    if not (line.state_support or line.local_support):
        return ""
    parts = [f"mức đóng {format_vnd(line.gross)}"]
    if line.state_support:
        parts.append(f"NSNN hỗ trợ {format_vnd(line.state_support)}")
    if line.local_support:
        parts.append(f"NSĐP hỗ trợ {format_vnd(line.local_support)}")
    return ", ".join([*parts, f"phải đóng {format_vnd(line.amount)}"])


def receipt_document(scope: Scope, receipt: Receipt) -> ReceiptDocument:
    payment = receipt.payment
    enrollment = payment.enrollment
    participant = _participant(enrollment)
    unit = payment.collector
    if payment.sponsor is not None:
        payer, payer_address = payment.sponsor.name, ""
    else:
        payer = participant.full_name if participant is not None else ""
        detail = enrollment.household.address_detail if enrollment.household is not None else ""
        payer_address = _address(participant, detail)
    day: date = timezone.localdate(receipt.issued_at)
    agent = payment.agent
    return ReceiptDocument(
        unit_name=unit.name, unit_code=unit.code,
        unit_address=unit.address,
        day=f"Ngày {day.day:02d} tháng {day.month:02d} năm {day.year}",
        book=receipt.pool.series, number=f"{receipt.number:07d}",
        payer=payer, payer_address=payer_address,
        content=_content(scope, enrollment, participant),
        amounts=amount_lines(enrollment, receipt),
        amount=format_vnd(receipt.amount), words=receipt.amount_words,
        payment_method=payment.get_method_display(),
        collector=f"{agent.name} ({agent.code})" if agent is not None else "",
        members=_members(enrollment),
        confirmation=payment.bhxh_confirmation,
    )


def dejavu_pdf(page: tuple[float, float], orientation: str = "portrait") -> FPDF:
    """A PDF document with the vendored DejaVu font (regular "" and bold "B") registered."""
    pdf = FPDF(orientation=orientation, format=page)
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    return pdf


def _draw(pdf: FPDF, doc: ReceiptDocument, font_size: float, narrow: bool) -> None:
    """Writes the receipt from the top of the page; left-aligned (never justified), lines as tall as the font."""
    height = font_size * 0.45

    def text(value: str, style: str = "", size: float = font_size, align: str = "L") -> None:
        pdf.set_font("DejaVu", style, size)
        pdf.multi_cell(0, size * 0.45, value, align=align, new_x="LMARGIN", new_y="NEXT")

    text(f"Đơn vị: {doc.unit_name}", "B")
    text(f"Mã đơn vị: {doc.unit_code}")
    if doc.unit_address:
        text(f"Địa chỉ: {doc.unit_address}")
    text(FORM_CODE, "B", align="R" if not narrow else "L")
    text(FORM_REFERENCE, size=font_size - 1.5, align="R" if not narrow else "L")
    pdf.ln(height / 2)
    text(TITLE, "B", font_size + 3, align="C")
    text(doc.day, align="C")
    pdf.ln(height / 2)
    for label, value in doc.lines():
        text(f"{label}: {value}", "B" if label in {"Số tiền thu", "Bằng chữ"} else "")
    if doc.members:
        text("Người được cấp thẻ BHYT:", "B")
        for index, member in enumerate(doc.members, 1):
            text(f"{index}. {member.line()}")
    pdf.ln(height)
    if narrow:
        for role, name in ((doc.payer_role, ""), (doc.collector_role, doc.collector)):
            text(role, "B", align="C")
            text("(Ký, ghi rõ họ tên)", size=font_size - 1.5, align="C")
            pdf.ln(height * 3)
            if name:
                text(name, align="C")
        return
    half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    top = pdf.get_y()
    for column, (role, name) in enumerate(((doc.payer_role, ""), (doc.collector_role, doc.collector))):
        pdf.set_xy(pdf.l_margin + column * half, top)
        pdf.set_font("DejaVu", "B", font_size)
        pdf.cell(half, height, role, align="C", new_x="LEFT", new_y="NEXT")
        pdf.set_font("DejaVu", "", font_size - 1.5)
        pdf.cell(half, height, "(Ký, ghi rõ họ tên)", align="C", new_x="LEFT", new_y="NEXT")
        pdf.ln(height * 4)
        pdf.set_x(pdf.l_margin + column * half)
        pdf.set_font("DejaVu", "", font_size)
        pdf.cell(half, height, name, align="C", new_x="LEFT", new_y="NEXT")


def _render(doc: ReceiptDocument, size: str, height: float) -> tuple[FPDF, float]:
    (width, page_height), margin, font_size = SIZES[size]
    pdf = dejavu_pdf((width, height or page_height))
    pdf.set_margins(margin, margin, margin)
    pdf.set_auto_page_break(auto=size != "58mm", margin=margin)
    pdf.add_page()
    _draw(pdf, doc, font_size, narrow=size == "58mm")
    return pdf, pdf.get_y() + margin


def roll_height_mm(doc: ReceiptDocument) -> float:
    """How tall the 58 mm roll of this receipt is (mm, margins included): the print page's first guess
    at its own height (the browser then measures what it laid out, templates/web/receipt.html)."""
    return round(_render(doc, "58mm", 2000.0)[1], 1)


def receipt_pdf(doc: ReceiptDocument, size: str = "a5") -> bytes:
    """A5, or a 58 mm roll whose page is exactly as tall as what is printed on it (no blank tail)."""
    size = size if size in SIZES else "a5"
    if size == "58mm":
        _, used = _render(doc, size, 2000.0)  # measure on a page taller than any receipt
        pdf, _ = _render(doc, size, used)
    else:
        pdf, _ = _render(doc, size, 0.0)
    return bytes(pdf.output())
