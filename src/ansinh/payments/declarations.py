"""The household's own declaration for household HI: NĐ 188/2025 Mẫu số 4 "Danh sách thành viên hộ gia
đình tham gia BHYT", one sheet per household, printed from the HI enrolment screen for the household to
sign (docs/adr/0012-household-declaration-forms.md; DOMAIN notes in docs/).

``household_declaration`` says what the sheet holds once, for the print page and the PDF: the head, the
address, one row per member of the household's latest live household-HI term (or, before any term, the
current members with the term's columns left blank for the household to fill), and the signature places.
The relationship is the exact one the registry stores (Vợ, Chồng, Bố, Mẹ, Con, Ông, Bà, …:
``registry.models.Relationship``, codes in ``registry.relationships``; ADR 0013). Identifiers follow the
field policy for a paper that leaves the system (``org.fields.exported``); a sheet that carried any full
identifier is an audited read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from fpdf import FPDF

from ansinh.enrollment.models import CardKind, Enrollment, EnrollmentStatus, HiCardLine, Scheme
from ansinh.lib.money import format_vnd
from ansinh.org.fields import PersonalField, exported, exports_full
from ansinh.org.scope import Scope
from ansinh.payments.documents import dejavu_pdf
from ansinh.registry import queries as registry
from ansinh.registry.audit import audit_read
from ansinh.registry.models import Person, Relationship
from ansinh.rules.params import default_parameters

FORM_CODE = "Mẫu số 4"
FORM_REFERENCE = "(Kèm theo Nghị định số 188/2025/NĐ-CP)"
TITLE = "DANH SÁCH THÀNH VIÊN HỘ GIA ĐÌNH THAM GIA BẢO HIỂM Y TẾ"
# (code row, heading) in the order of the form; "Giới tính" is the one column the DOMAIN notes do not list (ADR 0012)
COLUMNS = (("A", "STT"), ("B", "Họ và tên"), ("1", "Mã số BHYT"), ("2", "Số CCCD/ĐDCN"), ("3", "Ngày sinh"),
           ("", "Giới tính"), ("4", "Nơi đăng ký KCB ban đầu"), ("5", "Mức lương cơ sở"),
           ("6", "Mối quan hệ với chủ hộ"), ("7", "Tỷ lệ NSNN hỗ trợ"), ("8", "Bản điện tử"), ("9", "Bản giấy"),
           ("10", "Số tháng thẻ có giá trị"))
DECLARATION = ("Tôi cam đoan những nội dung kê khai là đúng và chịu trách nhiệm trước pháp luật về những nội dung "
               "đã kê khai.")


@dataclass(frozen=True)
class DeclarationRow:
    name: str
    hi_code: str
    citizen_id: str
    birth: str
    sex: str
    initial_clinic: str
    base_salary: str
    relationship: str
    state_percent: str
    electronic: str
    paper: str
    months: str

    def cells(self, index: int) -> list[str]:
        return [str(index), self.name, self.hi_code, self.citizen_id, self.birth, self.sex, self.initial_clinic,
                self.base_salary, self.relationship, self.state_percent, self.electronic, self.paper, self.months]


@dataclass(frozen=True)
class HouseholdDeclaration:
    household_id: int
    household_code: str
    head: str
    phone: str
    address: str
    rows: list[DeclarationRow]
    term: str  # the term the sheet was filled from, or "" before any term
    place_date: str



def _signature(pdf: FPDF, place_date: str, signer: str, name: str, size: float) -> None:
    """The signature block of both sheets, on the right half: place and date, who signs, room to sign."""
    half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    pdf.set_x(pdf.l_margin + half)
    pdf.cell(half, 5, place_date, align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font("DejaVu", "B", size)
    pdf.cell(half, 5, signer, align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font("DejaVu", "", 8)
    pdf.cell(half, 4, "(Ký, ghi rõ họ tên)", align="C", new_x="LEFT", new_y="NEXT")
    pdf.ln(16)
    pdf.set_font("DejaVu", "", size)
    pdf.cell(half, 5, name, align="C", new_x="LEFT", new_y="NEXT")

def _term(household_id: int) -> Enrollment | None:
    return (Enrollment.objects.filter(household_id=household_id, scheme=Scheme.HOUSEHOLD_HI)
            .exclude(status=EnrollmentStatus.CANCELLED).select_related("calculation")
            .order_by("-period_start", "-pk").first())


def _percent(member: dict[str, object]) -> str:
    """The state's share of this member's contribution, as the term's calculation record stores it."""
    gross = int(str(member.get("gross") or 0))
    state = int(str(member.get("state_support") or 0))
    if not gross:
        return "0%"
    value = (Decimal(state) * 100 / gross).quantize(Decimal("0.1"))
    return f"{int(value)}%" if value == int(value) else f"{value}%".replace(".", ",")


def household_declaration(actor: AbstractBaseUser | None, scope: Scope, household_id: int,
                          today: date) -> HouseholdDeclaration:
    """Mẫu số 4 of a household of the scope, for a writer (as the HI enrolment screen); else refused."""
    card = registry.household_card(scope, household_id)
    scope.require_writer()
    household = card.household
    relations = {m.person_id: m.relationship for m in card.members}
    labels = dict(Relationship.choices)
    term = _term(household_id)
    base = default_parameters().at("base_salary", term.quoted_on if term is not None else today).value
    people: list[tuple[Person, dict[str, object] | None, str, str, str]] = []
    if term is not None:
        lines = list(term.hi_lines.select_related("person").order_by("pk"))
        quoted = list((term.calculation.result or {}).get("members", []))
        for index, line in enumerate(lines):
            member = quoted[index] if index < len(quoted) else None
            people.append((line.person, member, line.initial_clinic, line.card_kind, str(term.months)))
    else:
        people = [(m.person, None, "", "", "") for m in card.members]
    rows = []
    for person, member, clinic, kind, months in people:
        relation = Relationship.HEAD if person.pk == household.head_id else relations.get(person.pk, "")
        rows.append(DeclarationRow(
            name=person.full_name, hi_code=str(exported(scope, PersonalField.SI_CODE, person.si_code)),
            citizen_id=str(exported(scope, PersonalField.CITIZEN_ID, person.citizen_id)),
            birth=person.birth_shown, sex=person.get_sex_display(), initial_clinic=clinic,
            base_salary=format_vnd(int(str(base))) if member is not None else "",
            relationship=labels.get(relation, ""), state_percent=_percent(member) if member is not None else "",
            electronic="x" if kind == CardKind.ELECTRONIC else "", paper="x" if kind == CardKind.PAPER else "",
            months=months))
    head = household.head
    full = [f for f in (PersonalField.CITIZEN_ID, PersonalField.SI_CODE, PersonalField.PHONE)
            if exports_full(scope, f)]
    if full and any(p.citizen_id or p.si_code for p, *_ in people):
        audit_read(actor, "export", "household", household.pk, household.area_id,
                   {"form": "NĐ 188 Mẫu số 4", "rows": len(rows), "fields": [f.value for f in full]})
    address = ", ".join(p for p in (household.address_detail, household.area.name) if p)
    return HouseholdDeclaration(
        household_id=household.pk, household_code=household.code, head=head.full_name if head else "",
        phone=str(exported(scope, PersonalField.PHONE, head.phone)) if head else "", address=address, rows=rows,
        term=(f"thẻ từ {term.period_start:%d/%m/%Y} đến {term.period_end:%d/%m/%Y}" if term is not None else ""),
        place_date=f"{household.area.name}, ngày {today.day:02d} tháng {today.month:02d} năm {today.year}")


def declaration_pdf(doc: HouseholdDeclaration) -> bytes:
    """A4 landscape: the title block, the table with its code row, the declaration and the signature."""
    pdf = dejavu_pdf((210.0, 297.0), orientation="landscape")
    pdf.set_margins(10, 10, 10)
    pdf.set_auto_page_break(auto=True, margin=10)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 9)
    pdf.cell(0, 5, FORM_CODE, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 8)
    pdf.cell(0, 4, FORM_REFERENCE, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 12)
    pdf.cell(0, 8, TITLE, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    for label, value in (("Họ và tên chủ hộ", doc.head), ("Số điện thoại", doc.phone), ("Địa chỉ", doc.address),
                         ("Mã hộ", doc.household_code), *((("Thời hạn", doc.term),) if doc.term else ())):
        pdf.cell(0, 5, f"{label}: {value}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    widths = (9, 44, 22, 26, 18, 13, 36, 20, 26, 16, 14, 14, 19)
    pdf.set_font("DejaVu", "B", 7)
    with pdf.table(col_widths=widths, text_align="CENTER", line_height=4, first_row_as_headings=False) as table:
        heading = table.row()
        for _, title in COLUMNS:
            heading.cell(title)
        codes = table.row()
        for code, _ in COLUMNS:
            codes.cell(code)
        pdf.set_font("DejaVu", "", 7.5)
        for index, data in enumerate(doc.rows, 1):
            cells = table.row()
            for value in data.cells(index):
                cells.cell(value)
    pdf.ln(3)
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(0, 5, DECLARATION, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    _signature(pdf, doc.place_date, "Chủ hộ hoặc người đại diện hộ gia đình", doc.head, 9)
    return bytes(pdf.output())


# TK1-TS (QĐ 505/2020/QĐ-BHXH, amended by QĐ 490/2023/QĐ-BHXH): the participant's declaration, pre-filled
# from the registry. Only [01] and [12] (the household annex) are numbered as DOMAIN.md sources them; the
# other part I fields are labelled without a number, and what the registry does not hold (nationality,
# place of birth registration) is left blank for the participant to write (ADR 0012).
TK1_CODE = "Mẫu TK1-TS"
TK1_REFERENCE = "(Ban hành kèm theo QĐ số 505/QĐ-BHXH, sửa đổi theo QĐ số 490/QĐ-BHXH)"
TK1_TITLE = "TỜ KHAI THAM GIA, ĐIỀU CHỈNH THÔNG TIN BẢO HIỂM XÃ HỘI, BẢO HIỂM Y TẾ"
TK1_ANNEX = ("STT", "Họ và tên", "Mã số BHXH", "Ngày sinh", "Giới tính", "Quốc tịch", "Dân tộc",
             "Nơi đăng ký khai sinh", "Quan hệ với chủ hộ", "Số CCCD/ĐDCN", "Ghi chú")


@dataclass(frozen=True)
class ParticipantDeclaration:
    person_id: int
    name: str
    fields: list[tuple[str, str]]  # part I, in the form's order
    head: str
    household_code: str
    annex: list[list[str]]  # [12], one row per current member of the person's household
    place_date: str


def participant_declaration(actor: AbstractBaseUser | None, scope: Scope, person_id: int,
                            today: date) -> ParticipantDeclaration:
    """TK1-TS of a person of the scope, for anyone who may read the person page (identifiers by the policy)."""
    person = registry.person(scope, person_id)
    household = registry.households_of(scope, person_id).select_related("head", "area").first()
    members = (list(household.memberships.filter(valid_to__isnull=True).select_related("person")
                    .order_by("valid_from", "pk")) if household is not None else [])
    labels = dict(Relationship.choices)

    def ids(who: Person) -> tuple[str, str]:
        return (str(exported(scope, PersonalField.SI_CODE, who.si_code)),
                str(exported(scope, PersonalField.CITIZEN_ID, who.citizen_id)))

    si_code, citizen_id = ids(person)
    address = ", ".join(p for p in (str(exported(scope, PersonalField.ADDRESS, person.address_detail)),
                                    person.area.name) if p)
    fields = [("[01] Họ và tên", person.full_name), ("Giới tính", person.get_sex_display()),
              ("Ngày sinh", person.birth_shown), ("Quốc tịch", ""), ("Dân tộc", person.get_ethnicity_display()),
              ("Nơi đăng ký khai sinh", ""), ("Số CCCD/ĐDCN", citizen_id), ("Mã số BHXH", si_code),
              ("Số điện thoại liên hệ", str(exported(scope, PersonalField.PHONE, person.phone))),
              ("Địa chỉ", address)]
    annex = []
    for index, member in enumerate(members, 1):
        m_si, m_id = ids(member.person)
        relation = Relationship.HEAD if household is not None and member.person_id == household.head_id \
            else member.relationship
        annex.append([str(index), member.person.full_name, m_si, member.person.birth_shown,
                      member.person.get_sex_display(), "", member.person.get_ethnicity_display(), "",
                      labels.get(relation, ""), m_id, ""])
    full = [f.value for f in (PersonalField.CITIZEN_ID, PersonalField.SI_CODE, PersonalField.PHONE)
            if exports_full(scope, f)]
    if full and any(p.citizen_id or p.si_code or p.phone for p in [person, *(m.person for m in members)]):
        audit_read(actor, "export", "person", person.pk, person.area_id,
                   {"form": "TK1-TS", "rows": 1 + len(members), "fields": full})
    return ParticipantDeclaration(
        person_id=person.pk, name=person.full_name, fields=fields,
        head=household.head.full_name if household is not None and household.head is not None else "",
        household_code=household.code if household is not None else "", annex=annex,
        place_date=f"{person.area.name}, ngày {today.day:02d} tháng {today.month:02d} năm {today.year}")


def participant_pdf(doc: ParticipantDeclaration) -> bytes:
    """A4 portrait: part I pre-filled, the [12] household annex, part II left for changes, the signature."""
    pdf = dejavu_pdf((210.0, 297.0))
    pdf.set_margins(12, 12, 12)
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 9)
    pdf.cell(0, 5, TK1_CODE, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 7.5)
    pdf.cell(0, 4, TK1_REFERENCE, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 11)
    pdf.multi_cell(0, 6, TK1_TITLE, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.cell(0, 5, "I. Áp dụng đối với người tham gia", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9.5)
    for label, value in doc.fields:
        pdf.multi_cell(0, 5.5, f"{label}: {value or '.' * 40}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.set_font("DejaVu", "B", 9.5)
    pdf.multi_cell(0, 5, f"[12] Phụ lục thành viên hộ gia đình — chủ hộ: {doc.head} (mã hộ {doc.household_code})",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 6.5)
    with pdf.table(col_widths=(7, 34, 17, 15, 10, 12, 13, 18, 16, 22, 22), text_align="CENTER", line_height=3.5,
                   first_row_as_headings=False) as table:
        heading = table.row()
        for title in TK1_ANNEX:
            heading.cell(title)
        pdf.set_font("DejaVu", "", 7)
        for cells in doc.annex:
            row = table.row()
            for value in cells:
                row.cell(value)
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 9.5)
    pdf.cell(0, 5, "II. Thay đổi thông tin (nếu có)", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9.5)
    for _ in range(3):
        pdf.cell(0, 6, "." * 120, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.multi_cell(0, 5, DECLARATION, new_x="LMARGIN", new_y="NEXT")
    _signature(pdf, doc.place_date, "Người kê khai", doc.name, 9.5)
    return bytes(pdf.output())


# NĐ 188/2025 Mẫu số 2: the individual's declaration for HI only (from 07/2025 the HI counterpart of TK1-TS,
# NĐ 188 art. 11; DOMAIN.md §3.5). The annex's text was not read: the sheet carries the person's identity
# as TK1-TS does and the HI card's data the registry holds (the latest household-HI card line), labelled
# without field numbers; what the registry does not hold is left blank to fill by hand (ADR 0012, 0013).
HI2_CODE = "Mẫu số 2"
HI2_REFERENCE = "(Kèm theo Nghị định số 188/2025/NĐ-CP)"
HI2_TITLE = "TỜ KHAI THAM GIA BẢO HIỂM Y TẾ"


@dataclass(frozen=True)
class HiDeclaration:
    person_id: int
    name: str
    fields: list[tuple[str, str]]  # I. the participant, in order
    card: list[tuple[str, str]]  # II. the HI card asked for
    place_date: str


def hi_declaration(actor: AbstractBaseUser | None, scope: Scope, person_id: int, today: date) -> HiDeclaration:
    """Mẫu số 2 of a person of the scope, for anyone who may read the person page (identifiers by the policy)."""
    person = registry.person(scope, person_id)
    household = registry.households_of(scope, person_id).select_related("head", "area").first()
    membership = (household.memberships.filter(person_id=person_id, valid_to__isnull=True).first()
                  if household is not None else None)
    line = (HiCardLine.objects.filter(person_id=person_id, enrollment__scheme=Scheme.HOUSEHOLD_HI)
            .exclude(enrollment__status=EnrollmentStatus.CANCELLED).select_related("enrollment")
            .order_by("-valid_from", "-pk").first())
    address = ", ".join(p for p in (str(exported(scope, PersonalField.ADDRESS, person.address_detail)),
                                    person.area.name) if p)
    relation = ""
    if membership is not None:
        relation = Relationship(membership.relationship).label + (
            f" (mã {membership.residence_code})" if membership.residence_code else "")
    fields = [("Họ và tên", person.full_name), ("Ngày sinh", person.birth_shown),
              ("Giới tính", person.get_sex_display()), ("Quốc tịch", ""), ("Dân tộc", person.get_ethnicity_display()),
              ("Số định danh cá nhân/CCCD", str(exported(scope, PersonalField.CITIZEN_ID, person.citizen_id))),
              ("Mã số BHYT (mã số BHXH)", str(exported(scope, PersonalField.SI_CODE, person.si_code))),
              ("Số điện thoại liên hệ", str(exported(scope, PersonalField.PHONE, person.phone))),
              ("Địa chỉ", address),
              ("Hộ gia đình", f"{household.code}, chủ hộ {household.head.full_name}"
               if household is not None and household.head is not None else ""),
              ("Quan hệ với chủ hộ", relation)]
    card = [("Đối tượng tham gia", "Người tham gia BHYT theo hộ gia đình (mã GD)" if household is not None else ""),
            ("Nơi đăng ký khám bệnh, chữa bệnh ban đầu", line.initial_clinic if line is not None else ""),
            ("Thẻ bản điện tử", "x" if line is not None and line.card_kind == CardKind.ELECTRONIC else ""),
            ("Thẻ bản giấy", "x" if line is not None and line.card_kind == CardKind.PAPER else ""),
            ("Số tháng thẻ có giá trị", str(line.enrollment.months) if line is not None else ""),
            ("Thời hạn thẻ", f"từ {line.valid_from:%d/%m/%Y} đến {line.valid_to:%d/%m/%Y}" if line is not None
             else "")]
    full = [f.value for f in (PersonalField.CITIZEN_ID, PersonalField.SI_CODE, PersonalField.PHONE)
            if exports_full(scope, f)]
    if full and (person.citizen_id or person.si_code or person.phone):
        audit_read(actor, "export", "person", person.pk, person.area_id,
                   {"form": "NĐ 188 Mẫu số 2", "rows": 1, "fields": full})
    return HiDeclaration(person_id=person.pk, name=person.full_name, fields=fields, card=card,
                         place_date=f"{person.area.name}, ngày {today.day:02d} tháng {today.month:02d} năm "
                                    f"{today.year}")


def hi_declaration_pdf(doc: HiDeclaration) -> bytes:
    """A4 portrait: I. the participant, II. the card, the declaration and the signature."""
    pdf = dejavu_pdf((210.0, 297.0))
    pdf.set_margins(15, 12, 15)
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 9)
    pdf.cell(0, 5, HI2_CODE, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 7.5)
    pdf.cell(0, 4, HI2_REFERENCE, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 12)
    pdf.multi_cell(0, 7, HI2_TITLE, align="C", new_x="LMARGIN", new_y="NEXT")
    for heading, items in (("I. Thông tin người tham gia", doc.fields), ("II. Thông tin thẻ BHYT", doc.card)):
        pdf.ln(2)
        pdf.set_font("DejaVu", "B", 10)
        pdf.cell(0, 6, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 10)
        for label, value in items:
            pdf.multi_cell(0, 6, f"{label}: {value or '.' * 40}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.multi_cell(0, 5, DECLARATION, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    _signature(pdf, doc.place_date, "Người kê khai", doc.name, 10)
    return bytes(pdf.output())
