"""The campaign bulletin: a Vietnamese press summary in the style of the provincial portal, from the
recorded figures (never typed in by hand), as text and as PDF."""

from __future__ import annotations

from ansinh.campaigns.models import Award, Campaign
from ansinh.campaigns.queries import summary
from ansinh.lib.money import format_number as _n
from ansinh.lib.money import format_vnd
from ansinh.lib.periods import format_date_vi
from ansinh.payments.documents import dejavu_pdf


def bulletin_text(campaign: Campaign) -> str:
    totals = summary(campaign)
    event = campaign.events.order_by("starts_at").first()
    day = format_date_vi(event.starts_at.date()) if event else format_date_vi(campaign.starts_on)
    ready = totals["sites_ready"]
    lines = [
        f"{campaign.name}: kết quả Lễ ra quân ngày {day}",
        "",
        f"Ngày {day}, tại {_n(totals['sites'])} điểm cầu trên địa bàn tỉnh, BHXH phối hợp Bưu điện, nhân viên đại lý "
        f"thu BHXH, BHYT đồng loạt tổ chức Lễ ra quân hưởng ứng {campaign.name[0].lower() + campaign.name[1:]}. "
        f"Kết thúc Lễ ra quân, toàn tỉnh có {_n(totals['vsi_new'])} người tham gia BHXH tự nguyện; "
        f"{_n(totals['hi_new'])} người tham gia BHYT hộ gia đình.",
        "",
        f"{_n(ready)}/{_n(totals['sites'])} điểm cầu đã hoàn tất công tác chuẩn bị trước giờ ra quân. "
        f"Hai ngành tổ chức {_n(totals['parades'])} đoàn diễu hành, sử dụng {_n(totals['cars'])} xe ô tô chuyên dùng "
        f"có gắn loa phát thanh và {_n(totals['motorbikes'])} xe gắn máy. {_n(totals['advisory_teams'])} tổ tư vấn "
        f"trực tiếp đã tuyên truyền, tư vấn cho {_n(totals['people_advised'])} người dân tại "
        f"{_n(totals['locations'])} địa điểm.",
        "",
        f"Tổng số tiền đã thu trong ngày: {format_vnd(totals['amount_collected'])}. "
        f"{_n(totals['media_items'])} tin, bài, sản phẩm truyền thông đã được đăng tải trên báo chí, phát thanh, "
        "truyền hình, cổng thông tin điện tử và mạng xã hội.",
    ]
    return "\n".join(lines)


def bulletin_pdf(campaign: Campaign) -> bytes:
    pdf = dejavu_pdf((210, 297))
    pdf.add_page()
    title, *body = bulletin_text(campaign).split("\n")
    pdf.set_font("DejaVu", "B", 14)
    pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 11)
    for paragraph in body:
        pdf.multi_cell(0, 6, paragraph, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def certificate_pdf(award: Award) -> bytes:
    """A printable certificate of merit (giấy khen) for an award."""
    pdf = dejavu_pdf((210, 297), orientation="landscape")
    pdf.add_page()
    pdf.set_line_width(1.5)
    pdf.rect(10, 10, 277, 190)
    pdf.set_y(40)
    pdf.set_font("DejaVu", "B", 28)
    pdf.cell(0, 16, "GIẤY KHEN", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 14)
    pdf.cell(0, 10, award.campaign.name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font("DejaVu", "B", 20)
    winner = award.site.venue if award.site else award.agent.name if award.agent else ""
    pdf.multi_cell(0, 12, winner, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 14)
    pdf.multi_cell(0, 9, f"{award.title} — xếp hạng {award.rank}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)
    pdf.cell(0, 9, f"Ngày {format_date_vi(award.awarded_on)}", align="C")
    return bytes(pdf.output())
