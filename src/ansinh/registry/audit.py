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

from ansinh.lib.errors import DomainError, ErrorCode
from ansinh.org import security_log
from ansinh.org.fields import AUDITED, PersonalField, mask, may_read_audit
from ansinh.org.models import Role
from ansinh.org.scope import Scope
from ansinh.registry.models import AuditEntry

LOOKUPS_PER_HOUR = 30
LOOKUP_WINDOW = timedelta(hours=1)
LOOKUP_ACTIONS = ("lookup", "locate")  # the actions an identifier look-up writes; both count
ACTIONS = {  # what the audit viewer calls each action
    "create": "Tạo mới", "update": "Sửa", "delete": "Xoá", "reveal": "Xem giá trị đầy đủ",
    "edit_view": "Mở biểu mẫu sửa", "export": "Xuất danh sách", "lookup": "Tra cứu theo số",
    "locate": "Tra địa bàn của hồ sơ", "confirm": "Ghi mã xác nhận của BHXH",
    "reverse": "Huỷ khoản thu (quản lý)", "rev_ask": "Đề nghị huỷ khoản thu", "rev_ok": "Duyệt đề nghị huỷ",
    "rev_no": "Từ chối đề nghị huỷ", "revoke": "Thu hồi thiết bị", "decide": "Quyết định trùng người (đồng bộ)",
    "bank_match": "Khớp giao dịch chuyển khoản", "bank_refnd": "Hoàn trả giao dịch chuyển khoản",
    "bank_skip": "Bỏ qua giao dịch chuyển khoản",
    "cit_ask": "Người dân xin mã tra cứu", "cit_code": "Người dân nhập mã tra cứu",
    "cit_view": "Người dân xem trang của mình", "cit_out": "Người dân thoát trang tra cứu",
}
ENTITIES = {"person": "Người", "household": "Hộ", "membership": "Thành viên hộ", "poverty": "Tình trạng nghèo",
            "export": "Danh sách xuất", "payment": "Khoản thu", "vsi_plan": "Tham gia BHXH tự nguyện",
            "bank_line": "Giao dịch trên sao kê ngân hàng"}
# The words of an entry's details, in Vietnamese for the viewer (keys and the values that are names).
WORDS = {
    "full_name": "họ tên", "date_of_birth": "ngày sinh",
    "birth_precision": "ngày sinh ghi theo", "sex": "giới tính", "ethnicity": "dân tộc",
    "citizen_id": "số định danh", "si_code": "mã số BHXH", "phone": "điện thoại", "area_id": "xã/phường",
    "address_detail": "địa chỉ", "code": "mã hộ", "valid_to": "đến ngày", "valid_from": "từ ngày",
    "status": "tình trạng", "relationship": "quan hệ", "household": "hộ", "person": "người",
    "field": "trường", "fields": "các trường", "by": "theo", "query": "số tìm", "result": "kết quả",
    "why": "lý do", "rows": "số dòng", "filter": "bộ lọc", "kind": "loại", "partial": "một phần số",
    "in_scope": "trong địa bàn", "elsewhere": "ở địa bàn khác", "none": "không có", "refused": "từ chối",
    "search": "tìm kiếm", "duplicate_check": "kiểm tra trùng khi đăng ký", "resolve_duplicate": "giải quyết trùng",
    "viewed": "đã xem", "poor": "hộ nghèo", "near_poor": "hộ cận nghèo",
    "near_poor_full": "hộ cận nghèo được NSNN hỗ trợ 100%", "male": "nam", "female": "nữ",
    "bhxh_confirmation": "mã xác nhận BHXH", "receipt": "biên lai",
    # the exact relationships (models.Relationship) and a plan's stop
    "head": "chủ hộ", "wife": "vợ", "husband": "chồng", "child": "con", "father": "bố", "mother": "mẹ",
    "sibling": "anh/chị/em", "grandchild": "cháu", "grandfather": "ông", "grandmother": "bà", "other": "khác",
    "stopped_on": "ngày dừng đóng", "stopped": "dừng tham gia", "active": "đang tham gia", "lapsed": "gián đoạn",
    "reason": "lý do", "reversal": "bút toán huỷ", "request": "đề nghị huỷ", "pending": "chờ duyệt",
    "approved": "đã duyệt",
}
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
            f"Bạn đã tra cứu theo số định danh/điện thoại {LOOKUPS_PER_HOUR} lần trong một giờ qua. "
            "Vui lòng thử lại sau.",
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
        raise DomainError(ErrorCode.FORBIDDEN, "Chỉ cán bộ quản lý được xem nhật ký truy cập dữ liệu cá nhân.",
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
