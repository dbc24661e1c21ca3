"""What a reminder says and when: before the due date, on it, and after a lapse (Vietnamese text with the
name, the amount, the due date, the agent's phone and the citizen page's address)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings

from ansinh.enrollment.queries import DueItem, due_list
from ansinh.lib.money import format_vnd
from ansinh.lib.periods import format_date_vi
from ansinh.messaging.models import Purpose
from ansinh.org.models import Agent
from ansinh.org.scope import Scope
from ansinh.registry.models import Person

LAPSED_KINDS = {"vsi_overdue", "hi_expired", "hi_lapsed"}
INTRO = {Purpose.BEFORE: "sắp đến hạn", Purpose.DUE: "đến hạn hôm nay", Purpose.LAPSED: "đã quá hạn"}


@dataclass(frozen=True)
class Draft:
    person: Person
    purpose: str
    period_key: str
    text: str
    channel: str = "sms"
    params: dict[str, str] = field(default_factory=dict)


def purpose_of(item: DueItem, on: date) -> str | None:
    """Lapsed items once; otherwise on the due date, or within ``ANSINH_REMIND_BEFORE_DAYS`` before it."""
    if item.kind in LAPSED_KINDS:
        return Purpose.LAPSED
    due = item.deadline or item.due_date
    if due == on:
        return Purpose.DUE
    if 0 < (due - on).days <= settings.ANSINH_REMIND_BEFORE_DAYS:
        return Purpose.BEFORE
    return None


def drafts(scope: Scope, on: date) -> list[Draft]:
    found = []
    for item in due_list(scope, on):
        person = item.person or (item.household.head if item.household is not None else None)
        purpose = purpose_of(item, on)
        if person is None or not person.phone or item.amount_now is None or purpose is None:
            continue
        found.append(compose(item, person, purpose))
    return found


def citizen_page() -> str:
    return settings.ANSINH_PUBLIC_URL.rstrip("/") + "/tra-cuu/"


def compose(item: DueItem, person: Person, purpose: str) -> Draft:
    contact = agent_phone(person)
    due = format_date_vi(item.deadline or item.due_date)
    amount = format_vnd(item.amount_now or 0)
    text = (f"Kính gửi {person.full_name}: {item.label.lower()}, {INTRO[purpose]} ({due}). "
            f"Số tiền: {amount}." + (f" Nhân viên thu: {contact}." if contact else "")
            + f" Xem và đóng qua mã QR: {citizen_page()} . Trả lời TU CHOI để không nhận tin.")
    params = {"name": person.full_name, "amount": amount, "due_date": due, "agent_phone": contact,
              "link": citizen_page()}
    return Draft(person, purpose, item.period_key, text, params=params)


def agent_phone(person: Person) -> str:
    agent = Agent.objects.filter(areas=person.area_id, active_to__isnull=True).exclude(phone="").first()
    return agent.phone if agent else ""
