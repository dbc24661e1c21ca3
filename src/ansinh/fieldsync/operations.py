"""What each synced operation does: it resolves the client UUIDs it names and calls the registry,
enrolment, payment and campaign services (no rule of its own); what it notices is collected in the
context as flags for a manager. Every refusal is a ``DomainError`` with a Vietnamese message."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from ansinh.campaigns import services as campaigning
from ansinh.campaigns.models import Campaign
from ansinh.enrollment import services as enrolling
from ansinh.enrollment.models import Enrollment
from ansinh.fieldsync import visit_sync
from ansinh.fieldsync.models import ClientRef, Device, FlagKind, ReceiptBlock, SyncOperation
from ansinh.lib.errors import DomainError, ErrorCode, invalid_input
from ansinh.lib.money import format_vnd
from ansinh.lib.text import ADDRESS_MAX, clean_text, fold
from ansinh.org.scope import Scope
from ansinh.payments import services as paying
from ansinh.payments.models import Receipt
from ansinh.registry import services as registry
from ansinh.registry.models import Household, Person, Relationship

CLOCK_TOLERANCE = timedelta(hours=24)  # issue 16: a device clock further off than this is flagged
HI_TERM_MONTHS = 12  # the offline app enrols household HI for a year (its quote uses the same)


@dataclass
class Context:
    device: Device
    actor: AbstractBaseUser
    scope: Scope
    now: datetime
    flags: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    area_id: int | None = None
    creates: uuid.UUID | None = None
    conflict: dict[str, Any] | None = None
    # Client UUIDs the batch path found without a ``ClientRef`` (one query for the batch) and that no
    # operation of the batch named since: ``_made`` and ``_claim`` need not look them up again. A twin
    # claiming one meanwhile meets the primary key (``services.apply_one`` then runs once more, without it).
    fresh: set[uuid.UUID] = field(default_factory=set)

    @property
    def today(self) -> date:
        return timezone.localdate(self.now)

    def flag(self, kind: FlagKind, detail: str, **amounts: Any) -> None:
        self.flags.append((str(kind), detail, amounts))


def _bad(name: str) -> DomainError:
    return invalid_input(_("Thiếu hoặc sai trường «{name}» của thao tác.").format(name=name),
                         f"Missing or invalid {name}.", field=name)


def _uuid(data: dict[str, Any], name: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(data[name]))
    except (KeyError, ValueError):
        raise _bad(name) from None


def _optional_int(data: dict[str, Any], name: str) -> int | None:
    return None if data.get(name) is None else _int(data, name)


def _int(data: dict[str, Any], name: str, default: int | None = None) -> int:
    value = data.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 10**13:
        raise _bad(name)
    return value


def _date(data: dict[str, Any], name: str) -> date:
    value = data.get(name)
    try:
        parsed = parse_date(value) if isinstance(value, str) else None
    except ValueError:  # shaped like a date but not one (2026-02-30)
        parsed = None
    if parsed is None:
        raise _bad(name)
    return parsed


def _text(data: dict[str, Any], name: str, default: str = "") -> str:
    value = data.get(name)
    if value is None:
        return default
    if not isinstance(value, str):
        raise _bad(name)
    return value


def parse_time(value: Any) -> datetime | None:
    """A device's ISO time, or None when missing or not a real time (2026-13-45T10:00)."""
    try:
        parsed = parse_datetime(value) if isinstance(value, str) else None
    except ValueError:
        return None
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _ref(ctx: Context, client_id: uuid.UUID, kind: str) -> ClientRef:
    """The row a client UUID became, or the reason it did not: its operation failed, it waits for a
    manager's decision, or it was never sent."""
    ref = ClientRef.objects.filter(client_id=client_id, kind=kind).select_related("device").first()
    if ref is not None and ref.device.same_owner(ctx.device):
        if ref.pending.get("conflict"):
            raise DomainError(ErrorCode.INVALID_INPUT, _("Người {client_id} đang chờ quản lý quyết định (trùng số "
                                                         "định danh); thao tác này ghi lại sau khi quản lý quyết "
                                                         "định.").format(
                                                           client_id=client_id), "Waits for a manager.")
        return ref
    failed = SyncOperation.objects.filter(creates=client_id, status="failed").first()
    if failed is not None:
        raise DomainError(ErrorCode.INVALID_INPUT, _("Thao tác phụ thuộc không ghi được: {error}").format(
                                                       error=failed.error)[:500],
                          "A dependency failed.")
    raise DomainError(ErrorCode.NOT_FOUND, _("Chưa có {kind} mã {client_id} trên máy chủ (thao tác tạo nó chưa "
                                             "được gửi hoặc ngoài phạm vi).").format(
                                               kind=kind, client_id=client_id), "Unknown reference.")


def _object(ctx: Context, client_id: uuid.UUID, kind: str) -> int:
    ref = _ref(ctx, client_id, kind)
    if ref.object_id is None:
        raise DomainError(ErrorCode.INVALID_INPUT, _("Hộ {client_id} chưa có chủ hộ: hãy đăng ký chủ hộ trước.").format(
                                                       client_id=client_id),
                          "The household has no head yet.")
    return ref.object_id


def _made(ctx: Context, client_id: uuid.UUID, kind: str) -> int | None:
    """The row this client UUID already became for this agent (the same record sent again under a new
    operation id, e.g. after the app lost the first answer): answered with it, nothing written again."""
    if client_id in ctx.fresh:
        return None
    return ClientRef.objects.filter(ctx.device.owned(), client_id=client_id, kind=kind,
                                    object_id__isnull=False).values_list("object_id", flat=True).first()


def _claim(ctx: Context, client_id: uuid.UUID, kind: str, object_id: int | None, **pending: Any) -> None:
    if client_id not in ctx.fresh and ClientRef.objects.filter(client_id=client_id).exists():
        raise DomainError(ErrorCode.IDEMPOTENCY_CONFLICT, _("Mã {client_id} đã được dùng cho một bản ghi khác.").format(
                                                              client_id=client_id),
                          "This client id is already used.")
    ClientRef.objects.create(client_id=client_id, kind=kind, object_id=object_id, device=ctx.device, pending=pending)


def register_household(ctx: Context, data: dict[str, Any]) -> int | None:
    """Kept until its head arrives (the registry's household always has a head)."""
    client_id = _uuid(data, "household_id")
    ctx.creates = client_id
    area_id = registry.commune_in_scope(ctx.scope, _text(data, "commune_code"))
    ctx.scope.require_write(area_id)
    ctx.area_id = area_id
    address = clean_text(_text(data, "address"), "address", ADDRESS_MAX, _("Địa chỉ"))
    _claim(ctx, client_id, "household", None, area_id=area_id, address=address)
    return None


def _agrees(existing: Person, data: registry.PersonData) -> bool:
    return (fold(existing.full_name) == fold(data.full_name) and existing.date_of_birth == data.date_of_birth
            and existing.sex == data.sex)


def _person_data(ctx: Context, data: dict[str, Any], area_id: int) -> registry.PersonData:
    return registry.clean_person(registry.PersonData(
        full_name=_text(data, "full_name"), date_of_birth=_date(data, "birth_date"), sex=_text(data, "sex"),
        area_id=area_id, citizen_id=_text(data, "citizen_id") or None, phone=_text(data, "phone"),
        birth_precision=_text(data, "birth_precision", "day")))


def register_person(ctx: Context, data: dict[str, Any]) -> int | None:
    client_id = _uuid(data, "person_id")
    ctx.creates = client_id
    if (made := _made(ctx, client_id, "person")) is not None:
        return made
    household_ref = _ref(ctx, _uuid(data, "household_id"), "household") if data.get("household_id") else None
    household = Household.objects.filter(pk=household_ref.object_id).first() if household_ref else None
    if household is not None:
        area_id = household.area_id
    elif household_ref is not None:
        area_id = household_ref.pending["area_id"]
    else:
        area_id = registry.commune_in_scope(ctx.scope, _text(data, "commune_code"))
    ctx.area_id = area_id
    person = _person_data(ctx, data, area_id)
    existing = Person.objects.filter(citizen_id=person.citizen_id).first() if person.citizen_id else None
    if existing is not None:
        return _duplicate(ctx, client_id, existing, person, household, data)
    relationship = _text(data, "relationship") or (Relationship.HEAD if household is None else Relationship.OTHER)
    if household_ref is not None and household is None:
        made = registry.create_household(ctx.actor, ctx.scope, person, ctx.today, household_ref.pending["address"],
                                         confirm_probable_duplicate=True)
        ClientRef.objects.filter(pk=household_ref.pk).update(object_id=made.pk)
        new_id = made.head_id
    elif household is not None:
        new_id = registry.add_member(ctx.actor, ctx.scope, household.pk, relationship, ctx.today, new_person=person,
                                     confirm_probable_duplicate=True).person_id
    else:
        new_id = registry.create_person(ctx.actor, ctx.scope, person, confirm_probable_duplicate=True).pk
    _claim(ctx, client_id, "person", new_id)
    return new_id


def _duplicate(ctx: Context, client_id: uuid.UUID, existing: Person, person: registry.PersonData,
               household: Household | None, data: dict[str, Any]) -> int | None:
    """The same citizen ID on record: linked when the data agree (and the record is in scope),
    otherwise queued for a manager with what the agent entered; nothing is dropped."""
    if _agrees(existing, person) and ctx.scope.has_area(existing.area_id):
        _claim(ctx, client_id, "person", existing.pk)
        member = existing.memberships.filter(household=household, valid_to__isnull=True).exists()
        if household is not None and not member:
            relationship = _text(data, "relationship")
            relationship = Relationship.OTHER if relationship in ("", Relationship.HEAD) else relationship
            registry.add_member(ctx.actor, ctx.scope, household.pk, relationship, ctx.today, person_id=existing.pk)
        ctx.flag(FlagKind.DUPLICATE_PERSON,
                 _("Đã có người cùng số định danh, dữ liệu khớp: liên kết với #{pk}.").format(pk=existing.pk))
        return existing.pk
    _claim(ctx, client_id, "person", None, conflict=True)
    proposed = {"full_name": person.full_name, "birth_date": person.date_of_birth.isoformat(), "sex": person.sex,
                "phone": person.phone, "relationship": _text(data, "relationship"), "client_id": str(client_id),
                "household_client_id": str(data.get("household_id") or "")}
    ctx.conflict = {"existing_id": existing.pk, "household_id": household.pk if household else None,
                    "proposed": proposed, "area_id": ctx.area_id}
    ctx.flag(FlagKind.DUPLICATE_PERSON, _("Đã có người cùng số định danh nhưng dữ liệu khác: chờ quản lý quyết định."))
    return None


def _check_quote(ctx: Context, quoted: int | None, payable: int) -> None:
    if quoted is not None and quoted != payable:
        ctx.flag(FlagKind.AMOUNT_DIFFERS, _("Ứng dụng tính {value}, máy chủ tính {value2}.").format(
                                              value=format_vnd(quoted), value2=format_vnd(payable)),
                 collected=quoted, quoted=payable)


def _check_start(ctx: Context, asked: str, start: date) -> None:
    """The server decides the first month (the next one not paid, on the day of the sync); the month the
    app showed the citizen ("YYYY-MM") is compared with it, and a difference is flagged to the manager."""
    if asked and asked != f"{start:%Y-%m}":
        shown = f"{asked[5:]}/{asked[:4]}" if len(asked) == 7 and asked[4] == "-" else asked
        ctx.flag(FlagKind.START_DIFFERS, _("Ứng dụng ghi bắt đầu từ tháng {shown}, máy chủ ghi từ tháng {start} "
                                           "(tháng tiếp theo chưa đóng, tính vào ngày đồng bộ).").format(
                                             shown=shown, start=f"{start:%m/%Y}"))


def enrol_vsi(ctx: Context, data: dict[str, Any]) -> int:
    client_id = _uuid(data, "enrolment_id")
    ctx.creates = client_id
    if (made := _made(ctx, client_id, "enrolment")) is not None:
        return made
    person_id = _object(ctx, _uuid(data, "person_id"), "person")
    offer = enrolling.quote_vsi(ctx.scope, person_id, ctx.today, _int(data, "monthly_income"),
                                _int(data, "term_months"))
    enrolment = enrolling.enroll_vsi(ctx.actor, ctx.scope, offer, idempotency_key=f"sync-{client_id}")
    ctx.area_id = enrolment.area_id
    _check_quote(ctx, _optional_int(data, "quoted_amount"), enrolment.payable)
    _check_start(ctx, _text(data, "start_month"), enrolment.period_start)
    _claim(ctx, client_id, "enrolment", enrolment.pk)
    return enrolment.pk


def enrol_hi(ctx: Context, data: dict[str, Any]) -> int:
    client_id = _uuid(data, "enrolment_id")
    ctx.creates = client_id
    if (made := _made(ctx, client_id, "enrolment")) is not None:
        return made
    household_id = _object(ctx, _uuid(data, "household_id"), "household")
    members = data.get("member_ids")
    if not isinstance(members, list):
        raise _bad("member_ids")
    people = [_object(ctx, _uuid({"m": m}, "m"), "person") for m in members]
    offer = enrolling.quote_hi(ctx.scope, household_id, people, ctx.today, HI_TERM_MONTHS)
    enrolment = enrolling.enroll_hi(ctx.actor, ctx.scope, offer, idempotency_key=f"sync-{client_id}")
    ctx.area_id = enrolment.area_id
    _check_quote(ctx, _optional_int(data, "quoted_amount"), enrolment.payable)
    _claim(ctx, client_id, "enrolment", enrolment.pk)
    return enrolment.pk


def _number(block: ReceiptBlock, given: str) -> int | None:
    """The number of a receipt as the device sent it: the printed serial or the bare number."""
    prefix = f"{block.pool.series}-"
    raw = given[len(prefix):] if given.startswith(prefix) else given
    return int(raw) if raw.isdigit() and len(raw) <= 9 else None


def receipt_used(pool_id: int, number: int) -> bool:
    """Whether the number is on a receipt already. Two operations may both see it free (the receipts'
    unique key decides, and ``services.apply_one`` runs the loser again, to be refused here)."""
    return Receipt.objects.filter(pool_id=pool_id, number=number).exists()


def _receipt(ctx: Context, given: str) -> tuple[ReceiptBlock, int]:
    """The device's block holding the number, or a refusal flagged as a fraud signal."""
    for block in ReceiptBlock.objects.select_related("pool").filter(device=ctx.device, voided_at__isnull=True):
        number = _number(block, given)
        if number is not None and block.first_number <= number <= block.last_number:
            if receipt_used(block.pool_id, number):
                ctx.flag(FlagKind.RECEIPT_REUSED, _("Số biên lai {given} đã được dùng cho một khoản thu khác.").format(
                                                      given=given))
                raise DomainError(ErrorCode.IDEMPOTENCY_CONFLICT, _("Số biên lai {given} đã được dùng: không ghi "
                                                                    "khoản thu này; quản lý đã được báo.").format(
                                                                      given=given), "Receipt number already used.")
            return block, number
    ctx.flag(FlagKind.RECEIPT_OUTSIDE_BLOCK, _("Số biên lai {given} không thuộc dải số của thiết bị.").format(
                                                 given=given))
    raise DomainError(ErrorCode.INVALID_INPUT, _("Số biên lai {given} không thuộc dải số đã cấp cho thiết bị: "
                                                 "không ghi khoản thu này; quản lý đã được báo.").format(
                                                   given=given), "Receipt number outside the device's block.")


def payment_key(client_id: uuid.UUID) -> str:
    return f"sync-{client_id}"


def collection_point_of(data: dict[str, Any]) -> int | None:
    point = data.get("collection_point_id")
    return point if isinstance(point, int) else None


def flag_payment(ctx: Context, data: dict[str, Any], amount: int, payable: int, block: ReceiptBlock) -> None:
    """What a payment's manager is told (the per-operation and the batch paths alike): an amount other
    than the term's, a collection time before the device got its block."""
    if amount != payable:
        ctx.flag(FlagKind.AMOUNT_DIFFERS, _("Đã thu {value}, máy chủ tính {value2}: ghi đúng số đã thu.").format(
                                              value=format_vnd(amount), value2=format_vnd(payable)),
                 collected=amount, quoted=payable)
    collected_at = parse_time(data.get("collected_at"))
    if collected_at is not None and collected_at < block.reserved_at:
        ctx.flag(FlagKind.BEFORE_BLOCK, _("Thời điểm thu {value:%d/%m/%Y %H:%M} trước khi thiết bị nhận dải số "
                                          "({value2:%d/%m/%Y %H:%M}).").format(
                                            value=timezone.localtime(collected_at),
                                            value2=timezone.localtime(block.reserved_at)))


def payment(ctx: Context, data: dict[str, Any]) -> int:
    """Collected money is recorded as collected: a difference from the term is flagged, never corrected."""
    client_id = _uuid(data, "payment_id")
    ctx.creates = client_id
    if (made := _made(ctx, client_id, "payment")) is not None:
        return made
    enrolment_id = _object(ctx, _uuid(data, "enrolment_id"), "enrolment")
    amount = _int(data, "amount")
    payable = Enrollment.objects.filter(pk=enrolment_id).values_list("payable", "area_id").first()
    if payable is None or not ctx.scope.has_area(payable[1]):
        raise _bad("enrolment_id")
    ctx.area_id = payable[1]
    block, number = _receipt(ctx, _text(data, "receipt_number"))
    flag_payment(ctx, data, amount, payable[0], block)
    made = paying.record_collected_payment(
        ctx.actor, ctx.scope, enrolment_id, amount=amount, idempotency_key=payment_key(client_id),
        receipt=(block.pool_id, number), paid_at=ctx.now, collection_point_id=collection_point_of(data))
    _claim(ctx, client_id, "payment", made.pk)
    return made.pk


def _team(ctx: Context, data: dict[str, Any]) -> int:
    """The actor's active team of the operation's campaign; the one of the kiosk's site (``site_id``) first."""
    teams = campaigning.active_teams(ctx.scope, ctx.actor, ctx.today)
    slug, site_id = data.get("campaign_slug"), data.get("site_id")
    teams = (teams.filter(campaign__slug=slug) if slug else teams).order_by("pk")
    team = (teams.filter(site_id=site_id).first() if isinstance(site_id, int) else None) or teams.first()
    if team is None:
        raise DomainError(ErrorCode.NOT_FOUND, _("Bạn không thuộc tổ tư vấn nào của chiến dịch đang chạy."), "No team.")
    return team.pk


def advisory_session(ctx: Context, data: dict[str, Any]) -> int:
    client_id = _uuid(data, "session_id")
    ctx.creates = client_id
    session = campaigning.record_session(ctx.actor, ctx.scope, _team(ctx, data), ctx.today,
                                         campaigning.SessionData(location_name=_text(data,
                                                                                     "notes") or _("Tư vấn offline"),
                                                                 location_kind="other",
                                                                 people_advised=_int(data, "people_advised", 0)))
    _claim(ctx, client_id, "session", session.pk)
    return session.pk


def lead(ctx: Context, data: dict[str, Any]) -> int:
    client_id = _uuid(data, "lead_id")
    ctx.creates = client_id
    made = campaigning.record_lead(ctx.actor, ctx.scope, _team(ctx, data), ctx.today,
                                   campaigning.LeadData(full_name=_text(data, "full_name"),
                                                        scheme=_text(data, "interest"), outcome="undecided",
                                                        phone=_text(data, "phone"), follow_up_on=ctx.today))
    _claim(ctx, client_id, "lead", made.pk)
    return made.pk


def site_task(ctx: Context, data: dict[str, Any]) -> int:
    """A readiness-checklist item ticked on the kiosk (issue 16): the same service as the web's "mark done";
    setting a status twice leaves it as it is, so a replay changes nothing."""
    campaign = Campaign.objects.filter(slug=_text(data, "campaign_slug")).first()
    if campaign is None:
        raise DomainError(ErrorCode.NOT_FOUND, _("Không tìm thấy chiến dịch của điểm cầu."), "No campaign.")
    task = campaigning.set_task_status(ctx.scope, campaign, _int(data, "task_id"), _text(data, "status"),
                                       site_id=_int(data, "site_id"))
    return task.pk


HANDLERS = {"register_household": register_household, "register_person": register_person, "enrol_vsi": enrol_vsi,
            "enrol_hi": enrol_hi, "payment": payment, "advisory_session": advisory_session, "lead": lead,
            "site_task": site_task}
HANDLERS["visit"] = visit_sync.record  # issue 18: a visit of a visit list, recorded offline


def check_clock(ctx: Context, device_time: datetime | None) -> None:
    if device_time is not None and abs(device_time - ctx.now) > CLOCK_TOLERANCE:
        ctx.flag(FlagKind.CLOCK_SKEW,
                 _("Giờ thiết bị {value:%d/%m/%Y %H:%M}, giờ máy chủ {value2:%d/%m/%Y %H:%M}.").format(
                                          value=timezone.localtime(device_time), value2=timezone.localtime(ctx.now)))
