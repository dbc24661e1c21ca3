"""A team's visit sheet as an A4 PDF (issue 18): the households to visit, the members still uncovered,
what each would pay and the support they qualify for; the phone as the field policy shows it."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

from ansinh.campaigns.models import AdvisoryTeam, VisitList
from ansinh.campaigns.visit_queries import SheetRow
from ansinh.lib.money import format_vnd
from ansinh.lib.periods import format_date_vi
from ansinh.payments.documents import dejavu_pdf


def _member_line(row: SheetRow, label: Callable[[str], str]) -> list[str]:
    lines = []
    for m in row.members:
        support = ", ".join(label(g) for g in m.groups) or _("không thuộc nhóm ưu tiên")
        price = (
            _("BHXH tự nguyện từ {amount}/tháng").format(amount=format_vnd(m.vsi_monthly))
            if m.vsi_monthly is not None
            else ""
        )
        lines.append(f"• {m.name} ({m.age}, {m.sex}) — {support}" + (f"; {price}" if price else ""))
    return lines


def sheet_pdf(visit_list: VisitList, team: AdvisoryTeam, rows: list[SheetRow], label: Callable[[str], str]) -> bytes:
    pdf = dejavu_pdf((210, 297))
    pdf.set_margins(12, 12, 12)
    pdf.set_auto_page_break(True, 12)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 13)
    pdf.multi_cell(0, 6, _("DANH SÁCH HỘ CẦN ĐẾN — {team}").format(team=team.name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(
        0,
        4.5,
        _("{area} · tình trạng tham gia ngày {day} · {count} hộ").format(
            area=visit_list.area.name, day=format_date_vi(visit_list.as_of), count=len(rows)
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    for number, row in enumerate(rows, start=1):
        pdf.set_font("DejaVu", "B", 10)
        pdf.multi_cell(
            0, 5, f"{number}. {row.head} — {row.address or '—'} — {row.phone or '—'}", new_x="LMARGIN", new_y="NEXT"
        )
        pdf.set_font("DejaVu", "", 9)
        for line in _member_line(row, label):
            pdf.multi_cell(0, 4.5, line, new_x="LMARGIN", new_y="NEXT")
        hi = (
            _("BHYT hộ gia đình 12 tháng: {amount}").format(amount=format_vnd(row.hi_yearly))
            if row.hi_yearly is not None
            else _("BHYT: ngân sách nhà nước đóng hoặc chưa tính được")
        )
        pdf.multi_cell(
            0,
            4.5,
            hi + " · " + _("Kết quả: □ đã tư vấn □ hẹn □ đã tham gia □ từ chối □ không gặp"),
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.ln(1.5)
    return bytes(pdf.output())
