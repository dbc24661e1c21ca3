"""Every path of the product, and the personas who try them: shared by the persona × path matrix
(tests/test_persona_matrix.py) and the no-GET-writes test (tests/test_no_get_writes.py).

Paths are enumerated, not listed: the web pages from the URL resolver (``web`` namespace), the API
operations from the OpenAPI schema, so a path added later shows up here by itself. The ids that
fill them come from the demo (people of Phường Thành Vinh, commune X) and a few rows built on top
of it (a pending term, a campaign over commune X whose team has the demo agent, an export job, a queued
reminder to Hùng).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.test import Client
from django.urls import URLPattern, get_resolver, reverse
from django.utils import timezone

from ansinh.api.urls import api
from ansinh.campaigns.models import Award, PrepTask, VisitAssignment, VisitList
from ansinh.enrollment import services as enrolling
from ansinh.fieldsync.devices import register_device
from ansinh.fieldsync.models import PersonConflict
from ansinh.fieldsync.services import apply_batch
from ansinh.messaging.models import Message
from ansinh.org.models import Agent, OrgUnit, Role
from ansinh.org.scope import scope_for
from ansinh.org.services import issue_token
from ansinh.payments.models import ImportStatus, LineOutcome, Payment, StatementImport, StatementLine
from ansinh.payments.services import record_payment, request_reversal
from ansinh.registry.models import Person
from ansinh.registry.services import request_island_change
from ansinh.registry.support import Document
from ansinh.reports.models import ExportJob
from tests.builders import COMMUNE_Y, running_campaign, user

PERSONAS = ("agent_x", "agent_y", "manager_y", "viewer", "post", "outsider", "anonymous")
DEMO_USERS = {"agent_x": "daily", "viewer": "xem", "post": "buudien"}


@dataclass(frozen=True)
class Page:
    name: str  # "web:person"
    route: str  # "nguoi/<int:person_id>/"
    kwargs: tuple[str, ...]


@dataclass(frozen=True)
class Operation:
    method: str  # "GET", "POST", ...
    path: str  # "/api/people/{person_id}"
    operation_id: str
    path_params: tuple[str, ...]
    required_query: tuple[str, ...]


def pages() -> list[Page]:
    """Every URL pattern of web/urls.py, through the resolver the server uses."""
    _, resolver = get_resolver().namespace_dict["web"]
    found = []
    for pattern in resolver.url_patterns:
        assert isinstance(pattern, URLPattern), pattern
        found.append(Page(f"web:{pattern.name}", str(pattern.pattern), tuple(pattern.pattern.converters)))
    return found


def operations() -> list[Operation]:
    """Every operation of the OpenAPI schema."""
    found = []
    for path, methods in api.get_openapi_schema()["paths"].items():
        for method, spec in methods.items():
            params = spec.get("parameters", [])
            found.append(Operation(method.upper(), path, spec["operationId"],
                                   tuple(p["name"] for p in params if p["in"] == "path"),
                                   tuple(p["name"] for p in params if p["in"] == "query" and p.get("required"))))
    return found


@dataclass
class World:
    users: dict[str, AbstractBaseUser | None]
    tokens: dict[str, str | None]
    ids: dict[str, Any]
    # each persona's session, opened once with the world: a login per test (the session, the user's
    # last_login, the security log) cost about as much as the page it opened
    sessions: dict[str, str] = field(default_factory=dict)


def build_world() -> World:
    """The personas and the ids of the paths, on top of the loaded demo."""
    users_model = get_user_model()
    users: dict[str, AbstractBaseUser | None] = {name: users_model.objects.get(username=login)
                                                 for name, login in DEMO_USERS.items()}
    post = OrgUnit.objects.get(code="BD40")
    users["agent_y"] = user(Role.AGENT, COMMUNE_Y, username="agent_y")
    Agent.objects.create(code="DL40-Y", name="Đại lý Anh Sơn", collector=post, user=users["agent_y"],
                         active_from=date(2022, 1, 1))
    users["manager_y"] = user(Role.OFFICE_MANAGER, COMMUNE_Y, username="manager_y")
    users["outsider"] = user(None, username="outsider")
    users["anonymous"] = None
    tokens = {name: issue_token(who, "matrix") if who is not None else None for name, who in users.items()}

    agent_x = users["agent_x"]
    hung = Person.objects.get(citizen_id="040078001234")
    household = hung.headed_households.get()
    membership = household.memberships.exclude(person=hung).first()
    thang = Person.objects.get(citizen_id="040088005555")
    scope = scope_for(agent_x)
    pending = enrolling.enroll_vsi(agent_x, scope, enrolling.quote_vsi(scope, thang.pk, timezone.localdate(),
                                                                       2_000_000, 3))
    paid = Payment.objects.get(idempotency_key="demo-vsi-hung")
    # paid today by the team's agent and not yet attributed: what a campaign read must not attribute itself
    nam = Person.objects.get(citizen_id="040090003333")
    fresh = enrolling.enroll_vsi(agent_x, scope, enrolling.quote_vsi(scope, nam.pk, timezone.localdate(), 2_000_000, 1))
    made = running_campaign(SimpleNamespace(agent=agent_x))  # type: ignore[arg-type]
    task = PrepTask.objects.create(event=made["event"], site=made["site"], title="Dựng sân khấu",
                                   deadline=timezone.now() + timedelta(days=1))
    award = Award.objects.create(campaign=made["campaign"], site=made["site"], title="Xuất sắc", rank=1,
                                 awarded_on=timezone.localdate())
    # a visit list of commune X (issue 18), Hùng's household assigned to team 1 (the agent of X's)
    visit_list = VisitList.objects.create(area_id=hung.area_id, campaign=made["campaign"], as_of=timezone.localdate(),
                                          filters={"gaps": ["never_covered", "lapsed"]}, created_by=users["post"])
    assignment = VisitAssignment.objects.create(visit_list=visit_list, household=household, team=made["team"],
                                                gap="lapsed")
    nam_paid = record_payment(agent_x, scope, fresh.pk, amount=fresh.payable, method="cash",
                              idempotency_key="world-nam", paid_at=timezone.now())
    asked = request_reversal(agent_x, scope, nam_paid.pk, "Thu nhầm người", "world-ask")  # waits for a manager
    island = request_island_change(agent_x, scope, thang.pk, True,  # waits for a manager too (registry.support)
                                   Document("XN 1/UBND", timezone.localdate(), ""))
    job = ExportJob.objects.create(user=agent_x, kind="payments", title="Các khoản thu",
                                   params={"start": "2025-08-01", "end": "2025-08-31"})
    statement = StatementImport.objects.create(collector=post, user=users["post"], file_name="sao-ke.csv",
                                               stored_as="none.csv", status=ImportStatus.DONE, total=1, done=1)
    line = StatementLine.objects.create(collector=post, statement=statement, transaction_id="FT-WORLD-1",
                                        booked_at=timezone.now(), amount=123_000, description="CHUYEN TIEN",
                                        outcome=LineOutcome.UNKNOWN)
    device = register_device(agent_x, scope, uuid.uuid4(), "Máy của đại lý X").device
    synced = apply_batch(device, uuid.uuid4(), [{  # Hùng's citizen ID with another name: a conflict to decide
        "id": uuid.uuid4(), "type": "register_person", "device_time": None,
        "data": {"person_id": str(uuid.uuid4()), "household_id": None, "commune_code": "16681",
                 "full_name": "Trần Văn Hùng", "birth_date": hung.date_of_birth.isoformat(), "sex": hung.sex,
                 "citizen_id": hung.citizen_id}}])
    assert synced["results"][0]["status"] == "flagged", synced
    message = Message.objects.create(person=hung, purpose="due", period_key="world-1", phone=hung.phone,
                                     text="Nhắc đóng", next_attempt_at=timezone.now() + timedelta(days=1))
    ids = {"message_id": message.pk, "device_id": device.pk, "conflict_id": PersonConflict.objects.get().pk,
           "person_id": hung.pk, "household_id": household.pk, "membership_id": membership.pk,
           "enrollment_id": pending.pk, "pending_payable": pending.payable, "paid_enrollment_id": paid.enrollment_id,
           "receipt_id": paid.receipt.pk, "payment_id": paid.pk, "job_id": job.pk, "slug": made["campaign"].slug,
           "site_id": made["site"].pk, "team_id": made["team"].pk,
           "list_id": visit_list.pk, "assignment_id": assignment.pk, "task_id": task.pk, "award_id": award.pk,
           "code": "16681", "collector_id": post.pk, "agent_id": Agent.objects.get(code="DL40-0001").pk,
            "thang_id": thang.pk, "agent": "DL40-0001", "area_id": hung.area_id, "gateway": "http_sms",
            "request_id": asked.pk, "support_request_id": island.pk, "statement_id": statement.pk, "line_id": line.pk,
            "member_ids": list(household.memberships.values_list("person_id", flat=True))}
    sessions = {}
    for name, who in users.items():
        if who is not None:
            client = Client()
            client.force_login(who)
            sessions[name] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return World(users, tokens, ids, sessions)


def page_url(page: Page, ids: dict[str, Any]) -> str:
    return reverse(page.name, kwargs={name: ids[name] for name in page.kwargs})


QUERY = {  # required query parameters of the API operations, by name
    "start": "2025-08-01", "end": "2025-08-31", "month": "2025-08-01", "on": "2025-08-01", "to": "2025-08-01",
}


def operation_url(op: Operation, ids: dict[str, Any]) -> str:
    path = op.path
    for name in op.path_params:
        path = path.replace("{" + name + "}", str(ids[name]))
    query = "&".join(f"{name}={ids.get(name, QUERY.get(name, ''))}" for name in op.required_query)
    return path + (f"?{query}" if query else "")


def web_client(world: World, persona: str) -> Client:
    """A client signed in as the persona, with the session the world opened (a test that signs out or
    in again changes it only inside its own savepoint)."""
    client = Client()
    if world.users[persona] is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[persona]
    return client


def api_client(world: World, persona: str) -> Client:
    token = world.tokens[persona]
    return Client(headers={"Authorization": f"Bearer {token}"} if token else {})


def row_counts() -> dict[str, int]:
    """Rows of every table of every installed model (sessions included), in one query."""
    quote = connection.ops.quote_name
    tables = sorted({m._meta.db_table for m in apps.get_models(include_auto_created=True)})
    union = " UNION ALL ".join(f"SELECT '{t}', COUNT(*) FROM {quote(t)}" for t in tables)  # names from the registry
    with connection.cursor() as cursor:
        cursor.execute(union)
        return dict(cursor.fetchall())


def is_login_redirect(response: Any) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("web:login"))
