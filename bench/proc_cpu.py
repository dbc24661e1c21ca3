"""The CPU the server spends, read from /proc (issue 15: wall time on a shared machine says little).

``ProcessCpu`` samples, every ``period`` seconds, the utime + stime of: the gunicorn master and its
workers (the master's cutime + cstime also hold every worker it reaped, killed or recycled, so the web
side is exact); the PostgreSQL backends of one database (the postmaster's children whose title names
it; a backend that ends loses at most one period of its time, so keep connections open with
``CONN_MAX_AGE`` > 0 for an exact figure); and any other processes handed to it (the job worker).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def times(pid: int) -> tuple[int, int] | None:
    """(own utime + stime, reaped children's cutime + cstime) in clock ticks, None when it has gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14])


def children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(p) for p in found]


def backends(postmaster: int, database: str) -> list[int]:
    """The postmaster's children serving ``database`` (their title: ``postgres: 15/main: user db host``)."""
    found = []
    for pid in children(postmaster):
        try:
            title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if f" {database} " in f"{title} ":
            found.append(pid)
    return found


def postmaster() -> int | None:
    """The PostgreSQL server's main process on this machine, if it runs here."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().split(b"\0")[0].decode(errors="replace")
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if title.endswith(("/postgres", "/postmaster")) and parent == 1:
            return int(entry.name)
    return None


class ProcessCpu:
    """Sums, in seconds, the CPU of the web server, the database's backends and other processes."""

    def __init__(self, server: int, database: str, period: float = 0.2) -> None:
        self.server = server
        self.database = database
        self.period = period
        self.postmaster = postmaster()
        self.others: list[int] = []
        self.seen: dict[tuple[str, int], int] = {}  # (group, pid) -> latest ticks
        self.first: dict[tuple[str, int], int] = {}  # (group, pid) -> ticks when first seen
        self.master_first = self.master_last = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.lock = threading.Lock()

    def watch(self, pid: int) -> None:
        with self.lock:
            self.others.append(pid)

    def start(self) -> None:
        self.sample(first=True)
        self.thread.start()

    def _loop(self) -> None:
        while not self.stop.wait(self.period):
            self.sample()

    def sample(self, first: bool = False) -> None:
        with self.lock:
            groups: list[tuple[str, list[int]]] = [("web", children(self.server)), ("jobs", list(self.others))]
            if self.postmaster:
                groups.append(("db", backends(self.postmaster, self.database)))
            master = times(self.server)
            if master is not None:
                self.master_last = sum(master)
                if first:
                    self.master_first = self.master_last
            for group, pids in groups:
                for pid in pids:
                    now = times(pid)
                    if now is None:
                        continue
                    key = (group, pid)
                    self.seen[key] = now[0]
                    # A process born during the run counts from zero; one there at the start from then.
                    self.first.setdefault(key, now[0] if first else 0)

    def finish(self) -> dict[str, float]:
        self.sample()
        self.stop.set()
        self.thread.join(5)
        spent: dict[str, float] = {"web": 0.0, "db": 0.0, "jobs": 0.0}
        live_web = set(children(self.server))
        for (group, pid), ticks in self.seen.items():
            if group == "web" and pid not in live_web:
                continue  # reaped by the master: its whole time is in the master's cutime
            spent[group] += (ticks - self.first[(group, pid)]) / TICK
        # The master's own time and its reaped workers' whole time, minus what those had before the start.
        reaped_before = sum(self.first[k] for k in self.seen if k[0] == "web" and k[1] not in live_web)
        spent["web"] += (self.master_last - self.master_first - reaped_before) / TICK
        return spent
