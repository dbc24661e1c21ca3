"""``ansinh serve``: the production web server (gunicorn, docs/adr/0009-production-server.md).

A bounded pool: ``--workers`` processes × ``--threads`` threads, so the database sees at most that many
connections from the web side (settings: CONN_MAX_AGE, docs/deployment.md). Migrations are checked
before the first request: a server on an unmigrated database refuses to start (exit 2) instead of
answering 500s. Static files are served by whitenoise from the app itself.
"""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ansinh.cli.common import _setup_django, app

DEFAULT_WORKERS = min(4, 2 * (os.cpu_count() or 1) + 1)


@app.command("serve", help=gettext_lazy(
    "Chạy máy chủ web cho môi trường thật (gunicorn), sau khi kiểm tra cơ sở dữ liệu đã migrate."))
def serve(
    bind: Annotated[str, typer.Option(help=gettext_lazy("Địa chỉ:cổng lắng nghe."))] = "127.0.0.1:8000",
    workers: Annotated[int, typer.Option(min=1, max=64, help=gettext_lazy("Số tiến trình."))] = DEFAULT_WORKERS,
    threads: Annotated[int, typer.Option(min=1, max=32, help=gettext_lazy("Số luồng mỗi tiến trình."))] = 4,
    timeout: Annotated[int, typer.Option(min=5, max=600, help=gettext_lazy("Giây tối đa cho một yêu cầu."))] = 60,
) -> None:
    _setup_django()
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    connection.close()  # never share a connection with the forked workers
    if pending:
        typer.echo(_("Lỗi: còn {count} migration chưa chạy; chạy `python manage.py migrate` trước.").format(
            count=len(pending)), err=True)
        raise typer.Exit(2)
    from gunicorn.app.base import BaseApplication

    options = {"bind": bind, "workers": workers, "threads": threads, "timeout": timeout,
               "worker_class": "gthread", "max_requests": 2000, "max_requests_jitter": 200,
               "accesslog": "-", "errorlog": "-", "graceful_timeout": 30}

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            from ansinh.config.wsgi import application

            return application

    typer.echo(_("ansinh đang phục vụ http://{bind}/ ({workers} tiến trình × {threads} luồng)").format(
        bind=bind, workers=workers, threads=threads))
    Server().run()
