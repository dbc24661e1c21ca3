"""Renewal reminders: Vietnamese messages an SMS/Zalo gateway can send, one per person and period."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db import transaction

from ansinh.enrollment.models import Reminder
from ansinh.enrollment.queries import DueItem, due_list
from ansinh.lib.money import format_vnd
from ansinh.lib.periods import format_date_vi
from ansinh.org.models import Agent
from ansinh.org.scope import Scope
from ansinh.registry.models import Person


@dataclass(frozen=True)
class Message:
    period_key: str
    phone: str
    text: str


def _recipient(item: DueItem) -> Person | None:
    if item.person is not None:
        return item.person
    return item.household.head if item.household is not None else None


def _agent_phone(person: Person) -> str:
    agent = Agent.objects.filter(areas=person.area_id, active_to__isnull=True).exclude(phone="").first()
    return agent.phone if agent else ""


def compose(item: DueItem) -> Message | None:
    person = _recipient(item)
    if person is None or not person.phone or item.amount_now is None:
        return None
    contact = _agent_phone(person)
    text = (f"Kính gửi {person.full_name}: {item.label.lower()} (hạn {format_date_vi(item.due_date)}). "
            f"Số tiền cần đóng: {format_vnd(item.amount_now)}."
            + (f" Liên hệ nhân viên thu: {contact}." if contact else ""))
    return Message(item.period_key, person.phone, text)


def remind(scope: Scope, on: date, out: Path | None, days: int = 30, dry_run: bool = False) -> list[Message]:
    """Messages due on ``on`` that were not sent yet; written to ``out`` (CSV) and recorded, unless a dry run."""
    messages = [m for m in (compose(i) for i in due_list(scope, on, days)) if m is not None]
    fresh = [m for m in messages if not Reminder.objects.filter(period_key=m.period_key).exists()]
    if dry_run or not fresh:
        return fresh
    with transaction.atomic():
        Reminder.objects.bulk_create([Reminder(period_key=m.period_key, phone=m.phone, message=m.text) for m in fresh])
        if out is not None:
            with out.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(["phone", "message", "period_key"])
                writer.writerows([m.phone, m.text, m.period_key] for m in fresh)
    return fresh
