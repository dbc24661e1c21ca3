"""``ansinh worker``: runs the job queue beside the web server (ansinh.jobs.worker, docs/adr/0014-job-queue.md).

SIGTERM or Ctrl-C lets the job in hand finish, then the worker exits; a SIGKILL loses nothing: the job
is run again once its lease expires. ``--burst`` runs what is due now and exits (cron, tests).
"""

from __future__ import annotations

import signal
from types import FrameType
from typing import Annotated

import typer
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ansinh.cli.common import _setup_django, app


@app.command("worker", help=gettext_lazy(
    "Chạy các việc nền (xuất danh sách, việc định kỳ hằng đêm) từ hàng đợi trong cơ sở dữ liệu."))
def worker(
    burst: Annotated[bool, typer.Option("--burst", help=gettext_lazy("Chạy các việc đến hạn rồi dừng."))] = False,
    name: Annotated[str, typer.Option(help=gettext_lazy("Tên của tiến trình chạy việc (mặc định: máy:pid)."))] = "",
) -> None:
    _setup_django()
    from ansinh.jobs.worker import serve

    stop = {"asked": False}

    def asked_to_stop(signum: int, frame: FrameType | None) -> None:
        stop["asked"] = True

    signal.signal(signal.SIGTERM, asked_to_stop)
    signal.signal(signal.SIGINT, asked_to_stop)
    typer.echo(_("ansinh worker: đang chạy các việc nền (Ctrl-C để dừng)"))
    serve(lambda: stop["asked"], worker=name or None, burst=burst)
