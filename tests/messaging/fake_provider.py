"""A real HTTP provider on the loopback, started by a test in a thread: it records every request, fails the
ones it is told to (500, or an answer slower than the gateway's timeout), and answers the others once per
client reference (a retried message that already got an id gets the same id back). ``reports`` writes the
delivery reports it would call back with, signed as the app's callback checks (messaging/callbacks.py)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ansinh.messaging.callbacks import sign


@dataclass
class Provider:
    url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    plan: dict[str, list[str]] = field(default_factory=dict)  # reference → what to do on each try: "500", "slow"
    accepted: dict[str, str] = field(default_factory=dict)  # reference → provider id
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, body: dict[str, Any], headers: dict[str, str]) -> tuple[int, dict[str, Any], float]:
        ref = str(body.get("client_ref") or body.get("tracking_id") or "")
        with self.lock:
            self.requests.append({"body": body, "headers": headers})
            todo = self.plan.get(ref) or []
            step = todo.pop(0) if todo else "ok"
            self.requests[-1]["step"] = step
            if step == "500":
                return 500, {"error": "busy"}, 0.0
            if step == "slow":
                return 200, {"id": "late"}, 1.5
            provider_id = self.accepted.setdefault(ref, f"p-{len(self.accepted) + 1}")
        if "tracking_id" in body:
            return 200, {"error": 0, "message": "Success", "data": {"msg_id": provider_id}}, 0.0
        return 200, {"data": {"id": provider_id}}, 0.0


    def reports(self, secret: str, failed: set[str], *, stamp: int | None = None) -> list[tuple[bytes, dict[str, str]]]:
        """One signed report per accepted message: ``failed`` references did not reach the phone, the rest did."""
        found, timestamp = [], str(stamp if stamp is not None else int(time.time()))
        for ref, provider_id in sorted(self.accepted.items()):
            event = {"event_id": f"dlr-{provider_id}", "provider_id": provider_id,
                     "status": "failed" if ref in failed else "delivered"} | ({"error": "thuê bao không liên lạc được"}
                                                                               if ref in failed else {})
            raw = json.dumps(event).encode()
            found.append((raw, {"X-Ansinh-Timestamp": timestamp,
                                "X-Ansinh-Signature": sign(secret, timestamp, raw)}))
        return found


@contextmanager
def running() -> Iterator[Provider]:
    provider = Provider()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            status, answer, delay = provider.answer(body, dict(self.headers.items()))
            time.sleep(delay)
            raw = json.dumps(answer).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)
            except (BrokenPipeError, ConnectionResetError):  # the gateway gave up waiting
                pass

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    provider.url = f"http://127.0.0.1:{server.server_address[1]}/send"
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
