"""The audit trail of people's records: every change, and every read of a full personal value
(who, whose, why), the hourly allowance of identifier look-ups counted from it, and the managers'
view of it.

The allowance is counted from the trail itself (not a per-process cache), so it holds across web
processes and on both databases; the user's row is locked while counting so that two concurrent
look-ups cannot both take the last one.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.lib.i18n import Labels
from ansinh.org import security_log
from ansinh.org.fields import AUDITED, PersonalField, mask, may_read_audit
from ansinh.org.models import Role
from ansinh.org.scope import Scope
from ansinh.registry.models import AuditEntry

LOOKUPS_PER_HOUR = 30
LOOKUP_WINDOW = timedelta(hours=1)
LOOKUP_ACTIONS = ("lookup", "locate")  # the actions an identifier look-up writes; both count
ACTIONS = Labels({  # what the audit viewer calls each action
    "create": gettext_lazy("Tạo mới"), "update": gettext_lazy("Sửa"), "delete": gettext_lazy("Xoá"),
    "reveal": gettext_lazy("Xem giá trị đầy đủ"),
    "edit_view": gettext_lazy("Mở biểu mẫu sửa"), "export": gettext_lazy("Xuất danh sách"),
    "lookup": gettext_lazy("Tra cứu theo số"),
    "locate": gettext_lazy("Tra địa bàn của hồ sơ"), "confirm": gettext_lazy("Ghi mã xác nhận của BHXH"),
    "reverse": gettext_lazy("Huỷ khoản thu (quản lý)"), "rev_ask": gettext_lazy("Đề nghị huỷ khoản thu"),
    "rev_ok": gettext_lazy("Duyệt đề nghị huỷ"),
    "rev_no": gettext_lazy("Từ chối đề nghị huỷ"), "revoke": gettext_lazy("Thu hồi thiết bị"),
    "decide": gettext_lazy("Quyết định trùng người (đồng bộ)"),
    "bank_match": gettext_lazy("Khớp giao dịch chuyển khoản"),
    "bank_refnd": gettext_lazy("Hoàn trả giao dịch chuyển khoản"),
    "bank_skip": gettext_lazy("Bỏ qua giao dịch chuyển khoản"),
    "cit_ask": gettext_lazy("Người dân xin mã tra cứu"), "cit_code": gettext_lazy("Người dân nhập mã tra cứu"),
    "cit_view": gettext_lazy("Người dân xem trang của mình"),
    "cit_out": gettext_lazy("Người dân thoát trang tra cứu"),
    "sup_ask": gettext_lazy("Đề nghị thay đổi đối tượng hỗ trợ"),
    "sup_ok": gettext_lazy("Duyệt thay đổi đối tượng hỗ trợ"),
    "sup_no": gettext_lazy("Từ chối thay đổi đối tượng hỗ trợ"),
    "msg_cancel": gettext_lazy("Huỷ tin nhắn chờ gửi"), "msg_retry": gettext_lazy("Gửi lại tin nhắn"),
    "consent_ok": gettext_lazy("Ghi nhận đồng ý nhận tin"), "consent_no": gettext_lazy("Ghi nhận từ chối nhận tin"),
})
ENTITIES = Labels({"person": gettext_lazy("Người"), "household": gettext_lazy("Hộ"),
            "membership": gettext_lazy("Thành viên hộ"), "poverty": gettext_lazy("Tình trạng nghèo"),
            "export": gettext_lazy("Danh sách xuất"), "payment": gettext_lazy("Khoản thu"),
            "vsi_plan": gettext_lazy("Tham gia BHXH tự nguyện"),
            "bank_line": gettext_lazy("Giao dịch trên sao kê ngân hàng"),
            "support_req": gettext_lazy("Đề nghị thay đổi đối tượng hỗ trợ"),
            "other_cov": gettext_lazy("Bảo hiểm qua nhóm khác"), "message": gettext_lazy("Tin nhắn"),
            "visit_list": gettext_lazy("Danh sách hộ cần đến"), "visit": gettext_lazy("Lần đến hộ")})
# The words of an entry's details, in Vietnamese for the viewer (keys and the values that are names).
WORDS = Labels({
    "full_name": gettext_lazy("họ tên"), "date_of_birth": gettext_lazy("ngày sinh"),
    "birth_precision": gettext_lazy("ngày sinh ghi theo"), "sex": gettext_lazy("giới tính"),
    "ethnicity": gettext_lazy("dân tộc"),
    "citizen_id": gettext_lazy("số định danh"), "si_code": gettext_lazy("mã số BHXH"),
    "phone": gettext_lazy("điện thoại"), "area_id": gettext_lazy("xã/phường"),
    "address_detail": gettext_lazy("địa chỉ"), "code": gettext_lazy("mã hộ"), "valid_to": gettext_lazy("đến ngày"),
    "valid_from": gettext_lazy("từ ngày"),
    "status": gettext_lazy("tình trạng"), "relationship": gettext_lazy("quan hệ"), "household": gettext_lazy("hộ"),
    "person": gettext_lazy("người"),
    "field": gettext_lazy("trường"), "fields": gettext_lazy("các trường"), "by": "theo",
    "query": gettext_lazy("số tìm"), "result": gettext_lazy("kết quả"),
    "why": gettext_lazy("lý do"), "rows": gettext_lazy("số dòng"), "filter": gettext_lazy("bộ lọc"),
    "kind": gettext_lazy("loại"), "partial": gettext_lazy("một phần số"),
    "in_scope": gettext_lazy("trong địa bàn"), "elsewhere": gettext_lazy("ở địa bàn khác"),
    "none": gettext_lazy("không có"), "refused": gettext_lazy("từ chối"),
    "search": gettext_lazy("tìm kiếm"), "duplicate_check": gettext_lazy("kiểm tra trùng khi đăng ký"),
    "resolve_duplicate": gettext_lazy("giải quyết trùng"),
    "viewed": gettext_lazy("đã xem"), "poor": gettext_lazy("hộ nghèo"), "near_poor": gettext_lazy("hộ cận nghèo"),
    "near_poor_full": gettext_lazy("hộ cận nghèo được NSNN hỗ trợ 100%"), "male": "nam", "female": gettext_lazy("nữ"),
    "bhxh_confirmation": gettext_lazy("mã xác nhận BHXH"), "receipt": gettext_lazy("biên lai"),
    # the exact relationships (models.Relationship) and a plan's stop
    "head": gettext_lazy("chủ hộ"), "wife": gettext_lazy("vợ"), "husband": gettext_lazy("chồng"), "child": "con",
    "father": gettext_lazy("bố"), "mother": gettext_lazy("mẹ"),
    "sibling": gettext_lazy("anh/chị/em"), "grandchild": gettext_lazy("cháu"), "grandfather": gettext_lazy("ông"),
    "grandmother": gettext_lazy("bà"), "other": gettext_lazy("khác"),
    "stopped_on": gettext_lazy("ngày dừng đóng"), "stopped": gettext_lazy("dừng tham gia"),
    "active": gettext_lazy("đang tham gia"), "lapsed": gettext_lazy("gián đoạn"),
    "reason": gettext_lazy("lý do"), "reversal": gettext_lazy("bút toán huỷ"), "request": gettext_lazy("đề nghị huỷ"),
    "pending": gettext_lazy("chờ duyệt"),
    "approved": gettext_lazy("đã duyệt"),
    "requested_by": gettext_lazy("người đề nghị"), "decided_by": gettext_lazy("người quyết định"),
    "decision": gettext_lazy("số quyết định"), "decision_date": gettext_lazy("ngày quyết định"),
    "value": gettext_lazy("giá trị"), "island_resident": gettext_lazy("cư trú ở xã đảo, đặc khu"),
    "poverty": gettext_lazy("tình trạng nghèo"), "island": gettext_lazy("xã đảo, đặc khu"),
    "yes": gettext_lazy("có"), "no": gettext_lazy("không"),
})
_AUDITED_NAMES = {field.value: field for field in AUDITED}


def _masked(field: str, value: Any) -> Any:
    """Audit entries keep changes, but never a full citizen ID, phone or SI code."""
    if value and field in _AUDITED_NAMES:
        return mask(_AUDITED_NAMES[field], str(value))
    return value.isoformat() if isinstance(value, date) else value


def _actor(actor: AbstractBaseUser | None) -> AbstractBaseUser | None:
    return actor if actor is not None and actor.is_authenticated else None


def audit(actor: AbstractBaseUser | None, action: str, entity: str, entity_id: int, area_id: int | None,
          changes: dict[str, Any] | None = None) -> None:
    """A change: each field's old and new value (personal identifiers masked)."""
    AuditEntry.objects.create(
        actor=_actor(actor), action=action, entity=entity, entity_id=entity_id, area_id=area_id,
        changes={k: [_masked(k, old), _masked(k, new)] for k, (old, new) in (changes or {}).items()},
    )


def audit_read(actor: AbstractBaseUser | None, action: str, entity: str, entity_id: int, area_id: int | None,
               details: dict[str, Any]) -> None:
    """A read of personal data: why (the action) and what was read; never the full value itself."""
    security_log.event("read", getattr(actor, "username", "") if actor is not None else "", action=action,
                       entity=entity, entity_id=entity_id)
    AuditEntry.objects.create(actor=_actor(actor), action=action, entity=entity, entity_id=entity_id,
                              area_id=area_id, changes=details)


def take_lookup(actor: AbstractBaseUser | None, now: datetime | None = None) -> None:
    """Refuse a look-up beyond the hourly allowance. Call inside a transaction that then writes the
    look-up's entry: the user's row stays locked until it commits."""
    if _actor(actor) is None:
        return  # operators' commands run without a user
    assert actor is not None
    list(get_user_model().objects.select_for_update().filter(pk=actor.pk).values_list("pk"))
    since = (now or timezone.now()) - LOOKUP_WINDOW
    used = AuditEntry.objects.filter(actor_id=actor.pk, action__in=LOOKUP_ACTIONS, at__gte=since).count()
    if used >= LOOKUPS_PER_HOUR:
        raise DomainError(
            ErrorCode.RATE_LIMITED,
            _("Bạn đã tra cứu theo số định danh/điện thoại {LOOKUPS_PER_HOUR} lần trong một giờ qua. Vui lòng thử "
              "lại sau.").format(LOOKUPS_PER_HOUR=LOOKUPS_PER_HOUR),
            f"More than {LOOKUPS_PER_HOUR} identifier look-ups in the last hour; try again later.",
        )


@transaction.atomic
def record_lookup(actor: AbstractBaseUser | None, action: str, entity_id: int, area_id: int | None,
                  details: dict[str, Any]) -> None:
    """Take one look-up from the allowance and write its entry (the masked query and the outcome)."""
    take_lookup(actor)
    audit_read(actor, action, "person", entity_id, area_id, details)


def masked_query(by: PersonalField, text: str) -> str:
    return mask(by, text) if by in AUDITED else text


def require_reader(scope: Scope) -> None:
    if not may_read_audit(scope):
        raise DomainError(ErrorCode.FORBIDDEN, _("Chỉ cán bộ quản lý được xem nhật ký truy cập dữ liệu cá nhân."),
                          "Only managers read the audit trail.")


def entries(scope: Scope, *, username: str = "", person_id: int | None = None, action: str = "",
            start: date | None = None, end: date | None = None) -> QuerySet[AuditEntry]:
    """The trail within a manager's scope (entries of areas in scope; the province admin also sees
    the entries tied to no area, such as a look-up that found nobody), newest first."""
    require_reader(scope)
    in_scope = scope.areas_q()
    if scope.role == Role.PROVINCE_ADMIN:
        in_scope |= Q(area__isnull=True)
    found = AuditEntry.objects.filter(in_scope).select_related("actor", "area")
    if username:
        found = found.filter(actor__username=username)
    if person_id is not None:
        found = found.filter(entity="person", entity_id=person_id)
    if action:
        found = found.filter(action=action)
    if start is not None:
        found = found.filter(at__gte=_day_start(start))
    if end is not None:
        found = found.filter(at__lt=_day_start(end + timedelta(days=1)))
    return found.order_by("-at", "-id")


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


LIST_DETAILS = {"fields"}  # details whose value is a list of names, not an [old, new] change


def details_text(entry: AuditEntry) -> str:
    """One line for a person to read: ``field: old → new`` for changes, ``key: value`` for reads."""
    parts = []
    for key, value in entry.changes.items():
        label = WORDS.get(key, key)
        if isinstance(value, list) and len(value) == 2 and key not in LIST_DETAILS:
            parts.append(f"{label}: {_word(value[0]) if value[0] is not None else '—'} → {_word(value[1])}")
        else:
            parts.append(f"{label}: {_word(value)}")
    return "; ".join(parts)


def _word(value: Any) -> str:
    if isinstance(value, list):  # e.g. the personal fields a document printed in full
        return ", ".join(_word(item) for item in value)
    return WORDS.get(value, str(value)) if isinstance(value, str) else str(value)
