"""Load held, with faults (issue 15): the production server under agents' payments and managers' reads.

    SECRET_KEY=bench .venv/bin/python bench/load.py [--seconds 300] [--agents 200] [--managers 20]
        [--terms 3000] [--database postgres://postgres@127.0.0.1:5432/ansinh_load]

Everything on this machine, traffic to 127.0.0.1 only. It (re)creates the database named by
``--database`` (migrated, with the shipped Nghệ An map), one collector with a receipt pool, ``--agents``
agents of one commune (each with an API token) and ``--managers`` office managers (each with a session),
and ``--terms`` pending voluntary-SI terms shared out among the agents. Then it starts ``ansinh serve``
(gunicorn) on a free port and, for ``--seconds``:

- each agent, in its own thread, records its terms one after the other through ``POST /api/payments``
  with an idempotency key; one request in ``--retry-every`` is sent again with the same key (a client
  that lost the answer), and any request that failed (connection refused or reset, 5xx) is retried
  with its key until answered, as a phone would;
- each manager reads the province overview (``/bao-cao/``) in a loop;
- the faults, at 25 %, 50 % and 75 % of the run: ``kill -9`` of one gunicorn worker; every database
  connection of the server terminated once (``pg_terminate_backend``); the job worker restarted —
  (``ansinh worker`` runs beside the server from the start; the step passes when a job enqueued
  after the restart is run by the new worker).

It prints payments/s, p50/p95/p99 latency per kind, the error rate (every request is valid: answers
other than 201 / 200, and failed connections, each retry counted), then ``ansinh check integrity`` and its own checks:
every acknowledged payment exists (0 lost), no enrolment paid twice (0 doubled), each pool's receipt
numbers gapless, the facts' amount equal to the payments', every retried request answered with its
first result. The baseline beside the figures: ``GET /healthz`` latency measured in the same run.
CPU, read from /proc (bench/proc_cpu.py): the web workers' and the database backends' seconds per
payment, the load generator's per request, and the bound 2 cores / (server + client CPU per payment).
Clients: one keep-alive ``http.client`` connection per agent (``--client requests``: the first
version); ``--conn-max-age`` is the server's CONN_MAX_AGE.
Targets (issue 15): >= 150 payments/s, p95 <= 300 ms (payments) and <= 500 ms (dashboards).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
COMMUNE = "16681"  # Phường Thành Vinh
NAMES = ["Lê Văn Bình", "Trần Văn Dũng", "Phạm Văn Hùng", "Hoàng Văn Nam", "Nguyễn Văn Sơn", "Đỗ Văn Long"]


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    outcomes: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    acknowledged: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> the first 201 body
    retried: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # key, the answer to the retry
    ran_out: list[float] = field(default_factory=list)  # when an agent had paid all of its terms
    last_paid: float = 0.0  # when the last payment was acknowledged
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, kind: str, seconds: float, outcome: str) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            self.outcomes[f"{kind}:{outcome}"] += 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000 if ordered else float("nan")


def _recreate(url: str) -> None:
    import psycopg

    name = urlparse(url).path.lstrip("/")
    if "load" not in name:
        raise SystemExit(f"{name}: the database is dropped and created again; its name must say 'load'.")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _setup(args: argparse.Namespace) -> dict[str, Any]:
    """The people, agents, managers and pending terms, written through the services as a user would."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    began = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"  migrated in {time.perf_counter() - began:.0f} s", flush=True)
    from ansinh.areas.models import AdministrativeUnit
    from ansinh.enrollment import services as enrolling
    from ansinh.org.models import Agent, OrgKind, OrgUnit, Role
    from ansinh.org.scope import scope_for
    from ansinh.org.services import grant_role, issue_token
    from ansinh.payments.models import ReceiptPool
    from ansinh.registry import services as registry

    today = timezone.localdate()
    commune = AdministrativeUnit.objects.get(code=COMMUNE, valid_to__isnull=True)
    post = OrgUnit.objects.create(code="BUUDIEN", name="Bưu điện", kind=OrgKind.COLLECTOR)
    post.areas.set([commune])
    ReceiptPool.objects.create(collector=post, series="BL40-2025", last_number=9_999_999)
    users = get_user_model().objects
    tokens: list[str] = []
    for i in range(args.agents):
        user = users.create_user(f"load_agent_{i}", password=None)
        grant_role(user, Role.AGENT, [commune])
        Agent.objects.create(code=f"DL{i}", name=f"Đại lý {i}", collector=post, user=user, active_from=date(2022, 1, 1))
        tokens.append(issue_token(user, "load"))
    sessions: list[str] = []
    for i in range(args.managers):
        manager = users.create_user(f"load_manager_{i}", password=None)
        grant_role(manager, Role.OFFICE_MANAGER, [commune])
        store = SessionStore()
        store.update({"_auth_user_id": str(manager.pk), "_auth_user_hash": manager.get_session_auth_hash(),
                      "_auth_user_backend": "django.contrib.auth.backends.ModelBackend"})
        store.create()
        sessions.append(store.session_key or "")
    writer = users.create_user("load_registrar", password=None)
    grant_role(writer, Role.AGENT, [commune])
    scope = scope_for(writer)
    terms: list[tuple[int, int]] = []
    started = time.perf_counter()
    for i in range(args.terms):
        data = registry.PersonData(full_name=f"{NAMES[i % len(NAMES)]} {i}", date_of_birth=date(1985, 3, 2),
                                   sex="male", area_id=commune.pk, citizen_id=f"040085{i:06d}")
        household = registry.create_household(writer, scope, data, today, confirm_probable_duplicate=True)
        offer = enrolling.quote_vsi(scope, household.head_id, today, 1_500_000, 1)  # type: ignore[arg-type]
        term = enrolling.enroll_vsi(writer, scope, offer)
        terms.append((term.pk, term.payable))
        if i and i % 500 == 0:
            print(f"  {i:,} terms ({i / (time.perf_counter() - started):.0f}/s)", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connection.close()
    return {"tokens": tokens, "sessions": sessions, "terms": terms}


class Http:
    """One keep-alive connection (http.client): what an agent's phone holds, lighter than requests for
    the load generator that shares the server's cores. ``client='requests'`` keeps the first version."""

    def __init__(self, base: str, headers: dict[str, str], client: str = "http") -> None:
        import http.client

        parsed = urlparse(base)
        self.host, self.port, self.headers, self.client = parsed.hostname or "", parsed.port or 80, headers, client
        self.conn: http.client.HTTPConnection | None = None
        self.session: Any = None
        if client == "requests":
            import requests

            self.session = requests.Session()
            self.session.headers.update(headers)
            self.base = base

    def send(self, method: str, path: str, body: str | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, str, bytes]:
        """(status, content type, body); OSError (refused, reset, timeout) when no answer came."""
        if self.session is not None:
            import requests

            try:
                answer = self.session.request(method, self.base + path, data=body, headers=headers, timeout=30,
                                              allow_redirects=False)
            except requests.RequestException as error:
                raise OSError(str(error)) from error
            return answer.status_code, answer.headers.get("content-type", ""), answer.content
        import http.client

        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            self.conn.request(method, path, body=body, headers={**self.headers, **(headers or {})})
            answer = self.conn.getresponse()
            data = answer.read()
        except (OSError, http.client.HTTPException) as error:
            self.conn.close()
            self.conn = None
            raise OSError(str(error)) from error
        if answer.will_close:
            self.conn.close()
            self.conn = None
        return answer.status, answer.getheader("content-type", ""), data


def _children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in found]


def _faults(args: argparse.Namespace, server: subprocess.Popen[bytes], url: str, log: list[str],
            jobs: list[subprocess.Popen[bytes]], cpu: Any) -> None:
    """The three faults, at a quarter, a half and three quarters of the run."""
    import psycopg

    name = urlparse(url).path.lstrip("/")
    time.sleep(args.seconds * 0.25)
    workers = _children(server.pid)
    if workers:
        os.kill(workers[0], signal.SIGKILL)
        log.append(f"t={args.seconds * 0.25:.0f}s kill -9 gunicorn worker {workers[0]} (of {len(workers)})")
    time.sleep(args.seconds * 0.25)
    with psycopg.connect(url, autocommit=True) as conn:
        ended = conn.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = %s "
                             "AND pid <> pg_backend_pid()", [name]).fetchone()
    log.append(f"t={args.seconds * 0.5:.0f}s pg_terminate_backend: {ended[0] if ended else 0} connections ended")
    time.sleep(args.seconds * 0.25)
    log.append(f"t={args.seconds * 0.75:.0f}s " + _restart_worker(jobs, cpu))


def _job_worker() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "ansinh.cli", "worker"], cwd=ROOT, env=os.environ.copy(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _restart_worker(jobs: list[subprocess.Popen[bytes]], cpu: Any) -> str:
    """The job worker (running since the start) stopped with SIGTERM and started again; then a job
    enqueued now must be run by the new one."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from ansinh.jobs.worker import prune

    old = jobs[-1]
    if old.poll() is not None:
        return f"job worker restart FAILED: the worker had already exited ({old.returncode})"
    began = time.perf_counter()
    old.terminate()
    try:
        code = old.wait(60)
    except subprocess.TimeoutExpired:
        old.kill()
        return "job worker restart FAILED: no exit within 60 s of SIGTERM (killed)"
    stopped = time.perf_counter() - began
    jobs.append(_job_worker())
    cpu.watch(jobs[-1].pid)
    job = prune.enqueue()
    for _ in range(240):
        status = DBTaskResult.objects.filter(pk=job.id).values_list("status", flat=True).first()
        if status == TaskResultStatus.SUCCESSFUL:
            ran = time.perf_counter() - began - stopped
            return (f"job worker {old.pid} stopped (SIGTERM, exit {code}, {stopped:.1f} s); new worker "
                    f"{jobs[-1].pid} ran a job enqueued after it started, {ran:.1f} s later")
        time.sleep(0.25)
    return f"job worker restart FAILED: the job enqueued after the restart was not run in 60 s ({status})"


def _agent(base: str, token: str, terms: list[tuple[int, int]], until: float, tally: Tally, retry_every: int,
           rng: random.Random, name: str, client: str) -> None:
    http = Http(base, {"Authorization": f"Bearer {token}"}, client)
    for term, amount in terms:
        if time.monotonic() >= until:
            return
        key = f"{name}-{term}"
        body = json.dumps({"enrollment_id": term, "amount": amount})
        first = _post_until_answered(http, base, key, body, until, tally)
        if first is None:
            return
        if first.get("id") and rng.randrange(retry_every) == 0:  # the answer was lost: the same request again
            again = _post_until_answered(http, base, key, body, until + 30, tally)
            if again is not None:
                with tally.lock:
                    tally.retried.append((key, again))
    with tally.lock:
        tally.ran_out.append(time.monotonic())


def _post_until_answered(http: Http, base: str, key: str, body: str, until: float,
                         tally: Tally) -> dict[str, Any] | None:
    while time.monotonic() < until + 30:  # a request in flight at the end is still answered
        started = time.perf_counter()
        try:
            status, kind, data = http.send("POST", "/api/payments", body,
                                           {"Idempotency-Key": key, "Content-Type": "application/json"})
        except OSError:
            tally.note("payment", time.perf_counter() - started, "connection-error")
            time.sleep(0.2)
            continue
        spent = time.perf_counter() - started
        if status >= 500:
            tally.note("payment", spent, str(status))
            time.sleep(0.2)
            continue
        tally.note("payment", spent, str(status))
        found: dict[str, Any] = json.loads(data) if kind.startswith("application/json") else {}
        if status == 201:
            with tally.lock:
                tally.acknowledged.setdefault(key, found)
                tally.last_paid = time.monotonic()
        return found
    return None


def _manager(base: str, session: str, until: float, tally: Tally, client: str) -> None:
    http = Http(base, {"Cookie": f"sessionid={session}"}, client)
    while time.monotonic() < until:
        started = time.perf_counter()
        try:
            status, _, _ = http.send("GET", "/bao-cao/")
            tally.note("dashboard", time.perf_counter() - started, str(status))
        except OSError:
            tally.note("dashboard", time.perf_counter() - started, "connection-error")
            time.sleep(0.2)


def _health(base: str, until: float, tally: Tally, client: str) -> None:
    http = Http(base, {}, client)
    while time.monotonic() < until:
        started = time.perf_counter()
        try:
            status, _, _ = http.send("GET", "/healthz")
            tally.note("healthz", time.perf_counter() - started, str(status))
        except OSError:
            tally.note("healthz", time.perf_counter() - started, "connection-error")
        time.sleep(0.5)


def _own_checks(tally: Tally) -> list[str]:
    from django.db import connection
    from django.db.models import Count, Sum

    from ansinh.payments.models import Payment, Receipt
    from ansinh.reports.models import Fact

    problems: list[str] = []
    ids = {int(body["id"]) for body in tally.acknowledged.values() if body.get("id")}
    stored = set(Payment.objects.filter(pk__in=ids).values_list("pk", flat=True))
    lost = len(ids - stored)
    doubled = (Payment.objects.filter(reverses__isnull=True).values("enrollment_id").annotate(n=Count("id"))
               .filter(n__gt=1).count())
    gaps = 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pool_id, count(*), min(number), max(number) FROM payments_receipt GROUP BY pool_id")
        for _, count, low, high in cursor.fetchall():
            gaps += (high - low + 1) - count + (low - 1)
    receipts = Receipt.objects.count()
    paid = Payment.objects.aggregate(total=Sum("amount"))["total"] or 0
    facts = Fact.objects.aggregate(total=Sum("amount"))["total"] or 0
    unlike = sum(1 for key, again in tally.retried if again.get("id") != tally.acknowledged.get(key, {}).get("id")
                 or (again.get("receipt") or {}).get("serial") != (tally.acknowledged[key].get("receipt") or {}).get(
                     "serial"))
    print(f"own checks: acknowledged {len(ids):,}, lost {lost}; doubled {doubled}; receipts {receipts:,}, gaps {gaps}; "
          f"payments' amount {paid:,} vs facts' {facts:,} (equal: {paid == facts}); "
          f"retried {len(tally.retried):,}, answered otherwise than the first time {unlike}")
    for name, bad in (("lost", lost), ("doubled", doubled), ("receipt gaps", gaps), ("retries answered otherwise",
                                                                                        unlike)):
        if bad:
            problems.append(f"{name}: {bad}")
    if paid != facts:
        problems.append(f"facts {facts} != payments {paid}")
    if receipts != Payment.objects.filter(reverses__isnull=True).count():
        problems.append("a payment without its receipt")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=300)
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--managers", type=int, default=20)
    parser.add_argument("--terms", type=int, default=3000, help="pending terms to pay (an agent stops at its last)")
    parser.add_argument("--retry-every", type=int, default=20, help="one payment in N is sent again with its key")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--client", choices=("http", "requests"), default="http",
                        help="http: one keep-alive http.client connection per agent (default); requests: as before")
    parser.add_argument("--conn-max-age", type=int, default=60,
                        help="the server's CONN_MAX_AGE (0: a new database connection per request)")
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/ansinh_load")
    args = parser.parse_args()
    if not 1 <= args.seconds <= 900 or not 1 <= args.agents <= 500 or not 0 <= args.managers <= 100:
        raise SystemExit("Bounded: --seconds 1..900, --agents 1..500, --managers 0..100.")
    os.environ["DATABASE_URL"] = args.database
    os.environ.setdefault("SECRET_KEY", "bench-load")
    os.environ["DJANGO_SETTINGS_MODULE"] = "ansinh.config.settings"
    os.environ["CONN_MAX_AGE"] = str(args.conn_max_age)
    os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])
    sys.path.insert(0, str(ROOT / "src"))
    print("load average before: {:.2f} {:.2f} {:.2f} (2 cores)".format(*os.getloadavg()), flush=True)
    _recreate(args.database)
    started = time.perf_counter()
    world = _setup(args)
    print(f"set up {args.agents} agents, {args.managers} managers, {len(world['terms']):,} pending terms "
          f"in {time.perf_counter() - started:.0f} s", flush=True)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"ansinh-load-{port}.log"
    with open(log_path, "wb") as log_file:
        server = subprocess.Popen([sys.executable, "-m", "ansinh.cli", "serve", "--bind", f"127.0.0.1:{port}",
                                   "--workers", str(args.workers), "--threads", str(args.threads)],
                                  cwd=ROOT, env=os.environ.copy(), stdout=log_file, stderr=subprocess.STDOUT)
        try:
            _run(args, base, world, server)
        finally:
            server.terminate()
            server.wait(60)
    print(f"server log: {log_path}")


def _run(args: argparse.Namespace, base: str, world: dict[str, Any], server: subprocess.Popen[bytes]) -> None:
    import requests

    for _ in range(100):
        try:
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                break
        except requests.RequestException:
            time.sleep(0.3)
    else:
        raise SystemExit("The server did not answer /healthz.")
    tally = Tally()
    start = time.monotonic()
    until = start + args.seconds
    shares: list[list[tuple[int, int]]] = [world["terms"][i::args.agents] for i in range(args.agents)]
    rng = random.Random(15)
    threads = [threading.Thread(target=_agent, daemon=True, args=(base, token, shares[i], until, tally,
                                                                   args.retry_every, random.Random(rng.random()),
                                                                   f"agent{i}", args.client))
               for i, token in enumerate(world["tokens"])]
    threads += [threading.Thread(target=_manager, daemon=True, args=(base, session, until, tally, args.client))
                for session in world["sessions"]]
    threads.append(threading.Thread(target=_health, daemon=True, args=(base, until, tally, args.client)))
    from proc_cpu import ProcessCpu

    cpu = ProcessCpu(server.pid, urlparse(args.database).path.lstrip("/"))
    jobs = [_job_worker()]  # the job worker beside the server, as deployed (deploy/), restarted at 75 %
    cpu.watch(jobs[0].pid)
    fault_log: list[str] = []
    faults = threading.Thread(target=_faults, daemon=True, args=(args, server, args.database, fault_log, jobs, cpu))
    cpu.start()
    client_began = time.process_time()
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    faults.start()
    for thread in threads:
        thread.join(args.seconds + 90)
    elapsed = time.perf_counter() - began
    faults.join(90)
    client_cpu = time.process_time() - client_began
    spent = cpu.finish()
    for job in jobs:
        if job.poll() is None:
            job.terminate()
            job.wait(60)
    load = os.getloadavg()
    for line in fault_log:
        print("fault:", line)
    paid = len(tally.acknowledged)
    print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (2 cores)")
    paying = max(1e-9, (tally.last_paid or time.monotonic()) - start)  # agents stop when their terms run out
    print(f"payments acknowledged: {paid:,} in {paying:.0f} s (to the last one) = {paid / paying:.1f} payments/s "
          f"(target >= 150); run {elapsed:.0f} s; terms left unpaid: {len(world['terms']) - paid:,}")
    if tally.ran_out:
        print(f"{len(tally.ran_out)} agents paid all their terms, the first at t={min(tally.ran_out) - start:.0f} s "
              "(the rate above is then a lower bound: give more --terms)")
    for kind in ("payment", "dashboard", "healthz"):
        values = tally.latencies.get(kind, [])
        outcomes = {k.split(":", 1)[1]: v for k, v in tally.outcomes.items() if k.startswith(kind + ":")}
        errors = sum(v for k, v in outcomes.items() if k not in ("200", "201"))  # every request here is valid
        share = errors / max(1, len(values))
        print(f"{kind}: {len(values):,} requests, p50 {_percentile(values, .5):.0f} ms, "
              f"p95 {_percentile(values, .95):.0f} ms, p99 {_percentile(values, .99):.0f} ms; "
              f"errors {errors} ({share:.2%}); "
              f"outcomes {dict(sorted(outcomes.items()))}")
    requests_made = sum(len(v) for v in tally.latencies.values())
    server_cpu = spent["web"] + spent["db"]
    per = 1000 / max(1, paid)
    print(f"CPU: web workers {spent['web']:.1f} s, PostgreSQL backends {spent['db']:.1f} s, job worker "
          f"{spent['jobs']:.1f} s, load generator {client_cpu:.1f} s (client {args.client}, CONN_MAX_AGE "
          f"{args.conn_max_age})")
    if paid:
        bound = 2000 / ((server_cpu + client_cpu) * per) if server_cpu + client_cpu else float("inf")
        print(f"server_cpu_ms_per_payment={server_cpu * per:.2f} (web {spent['web'] * per:.2f} + db "
              f"{spent['db'] * per:.2f}; dashboards and replays included) "
              f"client_cpu_ms_per_request={client_cpu * 1000 / max(1, requests_made):.2f} "
              f"client_cpu_ms_per_payment={client_cpu * per:.2f}")
        print(f"bound on an idle 2-core machine: 2 / (server + client CPU per payment) = {bound:.0f} payments/s; "
              f"server alone (client elsewhere): {2000 / max(1e-9, server_cpu * per):.0f} payments/s")
    health = tally.latencies.get("healthz", [])
    pay = tally.latencies.get("payment", [])
    if health and pay:
        print(f"payment_p50_vs_healthz_p50_ratio={_percentile(pay, .5) / _percentile(health, .5):.1f}")
    check = subprocess.run([sys.executable, "-m", "ansinh.cli", "check", "integrity"], cwd=ROOT,
                           env=os.environ.copy(), capture_output=True, text=True)
    said = check.stdout.strip().splitlines()[-1] if check.stdout.strip() else check.stderr[-300:]
    print(f"ansinh check integrity: {said} (exit {check.returncode})")
    problems = _own_checks(tally)
    print("RESULT:", "held" if not problems and check.returncode == 0 else f"NOT held: {problems}")


if __name__ == "__main__":
    main()
