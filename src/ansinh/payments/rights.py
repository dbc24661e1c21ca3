"""Who may record what on the money trail. The server decides who took the money, where and when
(docs: ARCHITECTURE "Rules of the house"); a client may only propose, and these checks hold the
proposal against the actor's scope and the records. Called by the writers in ``services.py``."""

from __future__ import annotations

from datetime import date, datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Exists, Max, OuterRef, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.config.prepared import Prepared
from ansinh.enrollment.models import Enrollment
from ansinh.lib.errors import DomainError, ErrorCode, invalid_input
from ansinh.org.models import Agent, OrgUnit, Role
from ansinh.org.queries import agents
from ansinh.org.scope import Scope, not_found
from ansinh.payments.models import RemittanceKind

# Roles that may record a payment for another agent of their scope, or backdate one.
MONEY_MANAGERS = frozenset({Role.PROVINCE_ADMIN, Role.OFFICE_MANAGER, Role.COLLECTOR_MANAGER})


def is_money_manager(scope: Scope) -> bool:
    return scope.role in MONEY_MANAGERS


def is_collector_staff(scope: Scope, collector: OrgUnit) -> bool:
    """The collector's own staff: a manager of that collector (its org subtree is granted), or the
    province's admin. BHXH office managers are not: the collector's cash is not theirs to book."""
    return scope.role == Role.PROVINCE_ADMIN or (scope.role == Role.COLLECTOR_MANAGER
                                                 and collector.pk in scope.org_ids)


def with_points(found: QuerySet[Agent], proposed_point: int | None = None) -> QuerySet[Agent]:
    """The agent with its collector and what ``collection_point`` needs, in the same query: how many
    points it has, the only one's id, and whether the proposed point is one of them."""
    points = Agent.collection_points.through.objects.filter(agent_id=OuterRef("pk"))
    return found.select_related("collector").annotate(
        point_count=Count("collection_points"), any_point=Max("collection_points"),
        has_proposed=Exists(points.filter(orgunit_id=proposed_point)) if proposed_point else Value(False))


# The actor's own agent without a proposed point, the payment path's usual case: compiled once (issue 14).
_OWN_AGENT = Prepared(lambda user: with_points(Agent.objects.filter(user_id=user)).order_by("pk")[:1], user=-990_001)


def own_agent(actor: AbstractBaseUser | None, proposed_point: int | None = None) -> Agent | None:
    if actor is None or not actor.is_authenticated:
        return None
    if proposed_point is None:
        return _OWN_AGENT.first(user=actor.pk)
    return with_points(Agent.objects.filter(user=actor), proposed_point).first()


def _forbidden(message: str, message_en: str) -> DomainError:
    return DomainError(ErrorCode.FORBIDDEN, message, message_en)


def acting_agent(actor: AbstractBaseUser | None, scope: Scope, proposed_id: int | None, day: date,
                 proposed_point: int | None = None) -> Agent:
    """The actor's own agent; a manager may name an agent of their scope. Active on ``day``. One query
    (``with_points``) for the agent, its collector and its collection points."""
    own = own_agent(actor, proposed_point)
    if proposed_id is None or (own is not None and proposed_id == own.pk):
        agent = own
    elif not is_money_manager(scope):
        raise _forbidden(_("Bạn chỉ được ghi khoản thu của chính mình, không ghi thay nhân viên thu khác."),
                         "You may record only your own collections.")
    else:
        agent = with_points(agents(scope).filter(pk=proposed_id), proposed_point).first()
        if agent is None:
            raise not_found()
    if agent is None:
        raise invalid_input(_("Cần chọn nhân viên thu (tài khoản này không gắn với đại lý thu)."),
                            "An agent is required.",
                            field="agent")
    if day < agent.active_from or (agent.active_to is not None and day > agent.active_to):
        raise invalid_input(_("Nhân viên thu {name} không hoạt động ngày {day:%d/%m/%Y}.").format(
                                name=agent.name, day=day),
                            "The agent is not active on that day.", field="agent")
    return agent


def collection_point(agent: Agent, proposed_id: int | None) -> int | None:
    """The id of one of the agent's collection points; without a proposal, the agent's only one (if
    just one). Reads what ``with_points`` annotated for ``proposed_id``: no query."""
    if proposed_id is None:
        return agent.any_point if agent.point_count == 1 else None  # type: ignore[attr-defined, no-any-return]
    if not agent.has_proposed:  # type: ignore[attr-defined]
        raise invalid_input(_("Điểm thu này không phải điểm thu của nhân viên {name}.").format(
                                name=agent.name),
                            "Not one of the agent's collection points.", field="collection_point")
    return proposed_id


def payment_time(scope: Scope, enrollment: Enrollment, now: datetime, backdated_to: datetime | None,
                 reason: str) -> tuple[datetime, str]:
    """The server's clock, or a manager's earlier time with its reason: never in the future, never
    before the enrolment was recorded. (Frozen periods are the payment guards' to refuse.)"""
    if backdated_to is None:
        return now, ""
    if not is_money_manager(scope):
        raise _forbidden(_("Chỉ quản lý được ghi lùi thời điểm thu; khoản thu được ghi theo giờ của máy chủ."),
                         "Only a manager may backdate a payment.")
    if timezone.is_naive(backdated_to):
        backdated_to = timezone.make_aware(backdated_to)
    if not reason.strip():
        raise invalid_input(_("Ghi lùi thời điểm thu cần có lý do."), "A backdate needs a reason.",
                            field="backdate_reason")
    if backdated_to > now:
        raise invalid_input(_("Thời điểm thu không được ở tương lai."), "The payment time is in the future.",
                            field="paid_at")
    if backdated_to < enrollment.created_at:
        recorded = timezone.localtime(enrollment.created_at)
        raise invalid_input(_("Thời điểm thu không được trước khi lập hồ sơ tham gia "
                              "({recorded:%d/%m/%Y %H:%M}).").format(recorded=recorded),
                            "The payment time is before the enrolment was recorded.", field="paid_at")
    return backdated_to, reason.strip()


def remitting_agent(actor: AbstractBaseUser | None, scope: Scope, kind: str, collector: OrgUnit,
                    agent_id: int | None) -> Agent | None:
    """Collector → BHXH: only the collector's own staff, and no agent. Agent → collector: an agent
    for their own handover only (the default); the collector's staff for any of its agents."""
    staff = is_collector_staff(scope, collector)
    if kind == RemittanceKind.COLLECTOR_TO_BHXH:
        if not staff:
            raise _forbidden(_("Chỉ cán bộ của chính tổ chức dịch vụ thu (hoặc quản trị tỉnh) được ghi khoản chuyển "
                             "về BHXH."), "Only the collector's own staff may record its transfer to BHXH.")
        if agent_id is not None:
            raise invalid_input(_("Khoản chuyển về BHXH là của tổ chức dịch vụ thu, không ghi nhân viên thu."),
                                "A transfer to BHXH names no agent.", field="agent")
        return None
    own = own_agent(actor)
    if agent_id is None or (own is not None and agent_id == own.pk):
        agent = own
    elif not staff:
        raise _forbidden(_("Nhân viên thu chỉ ghi khoản nộp tiền của chính mình."),
                         "An agent records only their own handover.")
    else:
        agent = Agent.objects.filter(pk=agent_id).first()
    if agent is None or agent.collector_id != collector.pk:
        raise invalid_input(_("Chọn nhân viên thu của đơn vị này."), "Unknown agent.", field="agent")
    return agent
