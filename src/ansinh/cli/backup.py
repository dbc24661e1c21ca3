"""``ansinh backup`` and ``ansinh restore``: one archive holds the database, the private files
(exports, attachments) and the parameters overlay, with a manifest (docs/deployment.md).

- PostgreSQL: ``pg_dump --format=custom`` (consistent snapshot while the server runs), restored with
  ``pg_restore`` into an empty database.
- SQLite: the online backup API (consistent while the demo runs), restored as the database file.

The manifest (``manifest.json``) names the engine, the time, the migrations applied, the row counts of
every table and a SHA-256 of each member; ``restore`` checks the hashes first and refuses a damaged
archive before touching anything, and refuses a target database that already holds data.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ansinh.cli.common import _setup_django, app

FORMAT = 1
DB_MEMBER = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fail(message: str) -> None:
    typer.echo(_("Lỗi: {message}").format(message=message), err=True)
    raise typer.Exit(2)


def _pg_env(settings_db: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    if settings_db.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_db["PASSWORD"])
    return env


def _pg_args(settings_db: dict[str, Any]) -> list[str]:
    args = ["--host", str(settings_db.get("HOST") or "127.0.0.1"), "--port", str(settings_db.get("PORT") or 5432)]
    if settings_db.get("USER"):
        args += ["--username", str(settings_db["USER"])]
    return [*args, "--dbname", str(settings_db["NAME"])]


def dump_database(target: Path) -> str:
    """Write a consistent copy of the default database to ``target``; returns the engine's name."""
    from django.db import connection

    vendor = connection.vendor
    if vendor == "postgresql":
        db = connection.settings_dict
        done = subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", str(target), *_pg_args(db)],
                              env=_pg_env(db), capture_output=True, text=True)
        if done.returncode != 0:
            _fail(f"pg_dump: {done.stderr.strip()}")
    elif vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
        copy.close()
    else:
        _fail(_("cơ sở dữ liệu {vendor} chưa được hỗ trợ.").format(vendor=vendor))
    return vendor


def table_counts() -> dict[str, int]:
    from django.db import connection

    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = int(cursor.fetchone()[0])
    return counts


def _applied_migrations() -> list[str]:
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    return sorted(f"{app_label}.{name}" for app_label, name in MigrationRecorder(connection).applied_migrations())


def _add_folder(archive: tarfile.TarFile, folder: Path, prefix: str, hashes: dict[str, str]) -> None:
    if not folder.is_dir():
        return
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = f"{prefix}/{path.relative_to(folder).as_posix()}"
        archive.add(path, arcname=name)
        hashes[name] = _sha256(path)


def write_backup(output: Path) -> dict[str, Any]:
    from django.conf import settings

    from ansinh.rules.params import OVERLAY_ENV

    with tempfile.TemporaryDirectory() as work:
        dump = Path(work) / "database"
        vendor = dump_database(dump)
        member = DB_MEMBER[vendor]
        hashes = {member: _sha256(dump)}
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(dump, arcname=member)
            _add_folder(archive, Path(settings.MEDIA_ROOT), "private", hashes)
            overlay = os.environ.get(OVERLAY_ENV)
            if overlay:
                _add_folder(archive, Path(overlay), "parameters", hashes)
            manifest = {"format": FORMAT, "engine": vendor, "database": member,
                        "made_at": datetime.now(UTC).isoformat(timespec="seconds"),
                        "migrations": _applied_migrations(), "tables": table_counts(), "sha256": hashes}
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        partial.replace(output)  # a backup that failed half-way never looks like a backup
    return manifest


def read_manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = archive.extractfile("manifest.json")
    except KeyError:
        member = None
    if member is None:
        _fail(_("tệp không phải bản sao lưu ansinh (thiếu manifest.json)."))
    assert member is not None
    manifest: dict[str, Any] = json.loads(member.read())
    if manifest.get("format") != FORMAT:
        _fail(_("định dạng bản sao lưu {format} không được hỗ trợ.").format(format=manifest.get("format")))
    return manifest


def restore_backup(source: Path, media_root: Path) -> dict[str, Any]:
    from django.db import connection

    with tarfile.open(source, "r:gz") as archive, tempfile.TemporaryDirectory() as work:
        manifest = read_manifest(archive)
        if manifest["engine"] != connection.vendor:
            _fail(_("bản sao lưu của {engine} không khôi phục được vào {vendor}.").format(
                engine=manifest["engine"], vendor=connection.vendor))
        archive.extractall(work, filter="data")
        for name, expected in manifest["sha256"].items():
            path = Path(work) / name
            if not path.is_file() or _sha256(path) != expected:
                _fail(_("bản sao lưu bị hỏng: {name} không khớp mã băm; không khôi phục gì.").format(name=name))
        if connection.introspection.table_names():
            _fail(_("cơ sở dữ liệu đích đã có bảng; hãy khôi phục vào một cơ sở dữ liệu trống."))
        dump = Path(work) / manifest["database"]
        if connection.vendor == "postgresql":
            db = connection.settings_dict
            done = subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", *_pg_args(db), str(dump)],
                                  env=_pg_env(db), capture_output=True, text=True)
            if done.returncode != 0:
                _fail(f"pg_restore: {done.stderr.strip()}")
        else:
            connection.ensure_connection()
            with sqlite3.connect(dump) as copy:
                copy.backup(connection.connection)
            copy.close()
        private = Path(work) / "private"
        if private.is_dir():
            for path in sorted(p for p in private.rglob("*") if p.is_file()):
                target = media_root / path.relative_to(private)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(path.read_bytes())
    return manifest


@app.command("backup", help=gettext_lazy(
    "Sao lưu cơ sở dữ liệu, tệp riêng (danh sách xuất, đính kèm) và tham số bổ sung vào một tệp."))
def backup(output: Annotated[Path, typer.Argument(help=gettext_lazy("Tệp sao lưu (.tar.gz) sẽ ghi."))]) -> None:
    _setup_django()
    if output.exists():
        _fail(_("{path} đã có; chọn tên khác để không ghi đè một bản sao lưu.").format(path=output))
    manifest = write_backup(output)
    rows = sum(manifest["tables"].values())
    typer.echo(_("Đã sao lưu {engine}: {tables} bảng, {rows} dòng, {files} tệp → {path}").format(
        engine=manifest["engine"], tables=len(manifest["tables"]), rows=f"{rows:,}",
        files=len(manifest["sha256"]) - 1, path=output))


@app.command("restore", help=gettext_lazy(
    "Khôi phục một bản sao lưu vào cơ sở dữ liệu trống đang cấu hình (DATABASE_URL)."))
def restore(source: Annotated[Path, typer.Argument(
    help=gettext_lazy("Tệp sao lưu (.tar.gz) của `ansinh backup`."))]) -> None:
    _setup_django()
    from django.conf import settings

    if not source.is_file():
        _fail(_("không có tệp {path}.").format(path=source))
    try:
        manifest = restore_backup(source, Path(settings.MEDIA_ROOT))
    except (tarfile.TarError, OSError, json.JSONDecodeError) as error:
        _fail(_("không đọc được bản sao lưu: {error}").format(error=error))
        return
    counts = table_counts()
    differing = [t for t, n in manifest["tables"].items() if counts.get(t) != n]
    if differing:
        _fail(_("số dòng khác bản gốc ở {tables}.").format(tables=", ".join(differing[:5])))
    typer.echo(_("Đã khôi phục bản sao lưu lúc {made_at}: {tables} bảng, số dòng khớp bản gốc.").format(
        made_at=manifest["made_at"], tables=len(counts)))
