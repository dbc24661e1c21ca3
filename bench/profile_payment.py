"""Where one ``POST /api/payments`` spends its CPU, through the whole production stack (issue 15).

    SECRET_KEY=bench .venv/bin/python bench/profile_payment.py [--payments 200] [--top 40]
        [--database postgres://postgres@127.0.0.1:5432/ansinh_load_profile]

The world of bench/load.py (one agent, its pending terms) in a fresh database, then the WSGI application
gunicorn serves (``ansinh.config.wsgi.application``: every middleware, DEBUG off, a WSGI environ with the
token, the key and the JSON body as a real request arrives, not the test client), called in this process:
``--warm`` payments, ``--payments`` timed, ``--payments`` more under cProfile. Prints the CPU per payment
(``time.process_time`` of this process: Python and the driver; the database's own CPU is bench/load.py's
``db`` figure) and the functions by own and cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "src"))


def _environ(token: str, key: str, body: bytes) -> dict[str, Any]:
    return {"REQUEST_METHOD": "POST", "PATH_INFO": "/api/payments", "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1:8000", "HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_IDEMPOTENCY_KEY": key,
            "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr, "wsgi.multithread": True,
            "wsgi.multiprocess": True, "wsgi.run_once": False, "wsgi.version": (1, 0)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--payments", type=int, default=200)
    parser.add_argument("--warm", type=int, default=20)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/ansinh_load_profile")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database
    os.environ.setdefault("SECRET_KEY", "bench-profile")
    os.environ["DJANGO_SETTINGS_MODULE"] = "ansinh.config.settings"
    os.environ.setdefault("CONN_MAX_AGE", "60")
    import load

    load._recreate(args.database)
    world = load._setup(argparse.Namespace(agents=1, managers=0, terms=2 * args.payments + args.warm))
    from ansinh.config.wsgi import application

    def pay(term: int, amount: int) -> int:
        body = json.dumps({"enrollment_id": term, "amount": amount}).encode()
        answer: list[str] = []
        chunks = application(_environ(world["tokens"][0], f"profile-{term}", body),
                             lambda status, headers, *_: answer.append(status))
        b"".join(chunks)
        chunks.close()
        return int(answer[0].split()[0])

    terms = world["terms"]
    for term, amount in terms[:args.warm]:
        assert pay(term, amount) == 201
    plain = terms[args.warm:args.warm + args.payments]
    began = time.process_time()
    codes = [pay(term, amount) for term, amount in plain]
    spent = time.process_time() - began
    print(f"{len(codes)} payments, answers {sorted(set(codes))}: {spent * 1000 / len(codes):.2f} ms of CPU per payment "
          "(this process)")
    profile = cProfile.Profile(time.process_time)  # CPU, not the waits for the database
    profile.enable()
    codes = [pay(term, amount) for term, amount in terms[args.warm + args.payments:]]
    profile.disable()
    print(f"{len(codes)} more under cProfile, answers {sorted(set(codes))}")
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).strip_dirs().sort_stats(order).print_stats(args.top)
        print(out.getvalue())


if __name__ == "__main__":
    main()
