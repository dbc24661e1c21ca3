"""bench/proc_cpu.py: the load test's server CPU, read from /proc (issue 15)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import contextlib

import proc_cpu

# A master that forks two busy workers, reaps the first when it is killed and keeps the second.
MASTER = """
import os, signal, sys, time
def burn(seconds):
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass
sys.stdin.readline()  # the sampler has started
pids = []
for _ in range(2):
    pid = os.fork()
    if pid == 0:
        burn(0.6)
        print("burnt", flush=True)
        time.sleep(60)
        os._exit(0)
    pids.append(pid)
print(*pids, flush=True)
sys.stdin.readline()
os.waitpid(pids[0], 0)
print("reaped", flush=True)
sys.stdin.readline()
"""


def test_counts_live_and_reaped_workers_once() -> None:
    master = subprocess.Popen([sys.executable, "-c", MASTER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    assert master.stdout and master.stdin
    try:
        cpu = proc_cpu.ProcessCpu(master.pid, "no-such-database", period=0.05)
        cpu.start()
        master.stdin.write("\n")
        master.stdin.flush()
        workers = [int(p) for p in master.stdout.readline().split()]
        assert [master.stdout.readline().strip() for _ in workers] == ["burnt", "burnt"]
        os.kill(workers[0], signal.SIGKILL)
        master.stdin.write("\n")
        master.stdin.flush()
        assert master.stdout.readline().strip() == "reaped"
        spent = cpu.finish()
    finally:
        master.kill()
        master.wait()
        for pid in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    # Two workers × 0.6 s, born after the first sample (the master's own CPU before it is not counted);
    # the reaped one is counted through the master's cutime, not twice.
    assert 1.15 <= spent["web"] <= 1.5, spent
    assert spent["db"] == 0.0


def test_times_of_a_process_that_has_gone() -> None:
    done = subprocess.run([sys.executable, "-c", "pass"], check=True)
    assert done.returncode == 0
    assert proc_cpu.times(2**22 + 12345) is None
    own = proc_cpu.times(os.getpid())
    assert own is not None and own[0] > 0
