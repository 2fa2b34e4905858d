"""Backing up and restoring the database: `manage.py backup`, `manage.py restore` and the
nightly job all call these functions.

PostgreSQL goes through `pg_dump -Fc` / `pg_restore` (its own consistent snapshot, one
compressed file), SQLite through its online backup API (a consistent copy while the
worker writes). A backup is written to `<name>.part` and renamed when complete, so a file
with our name is always a whole backup. Only the database is saved: attachments live in
MEDIA_ROOT and the field keys in the environment, both kept apart (docs/operations.md).

core imports no domain app, so what must be recomputed after a restore (the figures) is
named by settings.ZONGZHI_AFTER_RESTORE.
"""

import logging
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# zongzhi-20261207-031500.dump: the retention only ever deletes files named like this.
NAME_PATTERN = re.compile(r"^zongzhi-\d{8}-\d{6}\.(dump|sqlite3)$")
SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
# Environment variables libpq reads for the connection options dj-database-url puts in
# OPTIONS (a socket directory arrives as OPTIONS["host"]).
_LIBPQ_ENV = {
    "host": "PGHOST",
    "port": "PGPORT",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
}


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why, in Chinese."""


@dataclass(frozen=True)
class Restored:
    database: str
    after: list[str]  # the post-restore steps that ran


def _connection(alias: str = "default") -> Any:
    return connections[alias]


def _vendor(alias: str = "default") -> str:
    vendor: str = _connection(alias).vendor
    if vendor not in {"postgresql", "sqlite"}:
        raise BackupError(f"不支持备份 {vendor} 数据库，只支持 PostgreSQL 和 SQLite")
    return vendor


def backup_name(now: datetime, vendor: str) -> str:
    suffix = "dump" if vendor == "postgresql" else "sqlite3"
    return f"zongzhi-{timezone.localtime(now):%Y%m%d-%H%M%S}.{suffix}"


def pg_program(name: str) -> str:
    """pg_dump or pg_restore: from PATH, else the newest under /usr/lib/postgresql (Debian
    installs the server's own there; a pg_dump older than the server refuses to run)."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if candidates:
        return str(candidates[-1])
    raise BackupError(
        f"找不到 {name}：请安装 PostgreSQL 客户端（Debian: apt-get install postgresql-client）"
    )


def pg_environment(settings_dict: dict[str, Any]) -> dict[str, str]:
    """The connection as libpq environment variables: the password never appears in a
    process list (argv is readable by every user on the machine, the environment is not)."""
    env = dict(os.environ)
    options = settings_dict.get("OPTIONS") or {}
    for key, var in _LIBPQ_ENV.items():
        if options.get(key) not in (None, ""):
            env[var] = str(options[key])
    if settings_dict.get("HOST"):
        env["PGHOST"] = str(settings_dict["HOST"])
    if settings_dict.get("PORT"):
        env["PGPORT"] = str(settings_dict["PORT"])
    if settings_dict.get("USER"):
        env["PGUSER"] = str(settings_dict["USER"])
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    env["PGDATABASE"] = str(settings_dict["NAME"])
    return env


def _run(argv: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(
            f"{Path(argv[0]).name} 失败（退出码 {done.returncode}）：{done.stderr.strip()}"
        )


def _fsync(path: Path) -> None:
    with path.open("rb") as f:
        os.fsync(f.fileno())


def backup(out_dir: Path, *, now: datetime | None = None, alias: str = "default") -> Path:
    """Write one whole backup of the database into `out_dir`; return its path."""
    vendor = _vendor(alias)
    out_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    final = out_dir / backup_name(now or timezone.now(), vendor)
    if final.exists():
        raise BackupError(f"{final} 已存在，请稍后再试")
    part = final.with_name(final.name + ".part")
    part.unlink(missing_ok=True)
    try:
        if vendor == "postgresql":
            settings_dict = _connection(alias).settings_dict
            _run(
                [pg_program("pg_dump"), "-Fc", "-f", str(part)],
                pg_environment(settings_dict),
            )
        else:
            _sqlite_copy_out(alias, part)
        # Names, phone numbers and addresses are in it in clear: for the service's user only.
        part.chmod(0o600)
        _fsync(part)
        part.replace(final)
    finally:
        part.unlink(missing_ok=True)
    logger.info("backup written: %s (%d bytes)", final, final.stat().st_size)
    return final


def _sqlite_copy_out(alias: str, part: Path) -> None:
    connection = _connection(alias)
    connection.ensure_connection()
    target = sqlite3.connect(part)
    try:
        # Django's own connection is the source, so an in-memory database (the tests')
        # is copied as well as a file.
        connection.connection.backup(target)
    finally:
        target.close()


def backup_kind(path: Path) -> str:
    """ "postgresql" or "sqlite", from the file's first bytes (not its name)."""
    try:
        with path.open("rb") as f:
            head = f.read(16)
    except FileNotFoundError as exc:
        raise BackupError(f"找不到备份文件 {path}") from exc
    except IsADirectoryError as exc:
        raise BackupError(f"{path} 是目录，不是备份文件") from exc
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    if head == SQLITE_MAGIC:
        return "sqlite"
    raise BackupError(f"{path} 不是本系统的备份文件（既非 pg_dump -Fc 也非 SQLite 数据库）")


def check_restorable(path: Path, alias: str = "default") -> str:
    """Everything that can be checked before the database is touched; the vendor."""
    vendor = _vendor(alias)
    kind = backup_kind(path)
    if kind != vendor:
        names = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
        raise BackupError(
            f"{path} 是 {names[kind]} 的备份，当前数据库是 {names[vendor]}：不能恢复到这里"
        )
    if vendor == "postgresql":
        # Reads the archive's table of contents: a truncated or damaged file fails here.
        _run([pg_program("pg_restore"), "--list", str(path)], dict(os.environ))
    else:
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            problem = source.execute("PRAGMA quick_check").fetchone()[0]
            tables = source.execute(
                "SELECT count(*) FROM sqlite_master WHERE name = 'django_migrations'"
            ).fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{path} 已损坏：{exc}") from exc
        finally:
            source.close()
        if problem != "ok":
            raise BackupError(f"{path} 已损坏：{problem}")
        if not tables:
            raise BackupError(f"{path} 不是本系统的数据库（没有 django_migrations 表）")
    return vendor


def restore(path: Path, *, alias: str = "default") -> Restored:
    """Replace the database's contents with the backup's, then run the post-restore
    steps (settings.ZONGZHI_AFTER_RESTORE: the figures are computed again)."""
    vendor = check_restorable(path, alias)
    connection = _connection(alias)
    if vendor == "postgresql":
        # One transaction: a restore that fails half-way leaves the database as it was.
        connection.close()
        _run(
            [
                pg_program("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "-d",
                str(connection.settings_dict["NAME"]),
                str(path),
            ],
            pg_environment(connection.settings_dict),
        )
    else:
        connection.ensure_connection()
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            # Page by page into the live database through Django's connection; SQLite
            # holds the database locked while it copies.
            source.backup(connection.connection)
        finally:
            source.close()
    logger.warning("database restored from %s", path)
    after = []
    for dotted in settings.ZONGZHI_AFTER_RESTORE:
        step: Callable[[], Any] = import_string(dotted)
        step()
        after.append(dotted)
    return Restored(database=str(connection.settings_dict["NAME"]), after=after)


def prune(out_dir: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups in `out_dir` (only files named like ours;
    the name carries the time, so it orders them); return what was deleted."""
    if keep < 1:
        raise BackupError("至少保留 1 份备份")
    ours = sorted(p for p in out_dir.iterdir() if p.is_file() and NAME_PATTERN.match(p.name))
    doomed = ours[:-keep]
    for path in doomed:
        path.unlink()
        logger.info("old backup deleted: %s", path)
    return doomed


def nightly() -> dict[str, Any]:
    """The scheduled backup: one backup into ZONGZHI_BACKUP_DIR, then the oldest beyond
    ZONGZHI_BACKUP_KEEP deleted. Nothing when the directory is set empty."""
    if not settings.ZONGZHI_BACKUP_DIR:
        logger.warning("ZONGZHI_BACKUP_DIR is empty: the nightly backup is off")
        return {"written": None, "deleted": []}
    out_dir = Path(settings.ZONGZHI_BACKUP_DIR)
    written = backup(out_dir)
    deleted = prune(out_dir, settings.ZONGZHI_BACKUP_KEEP)
    return {"written": str(written), "deleted": [str(p) for p in deleted]}
