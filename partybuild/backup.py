"""Backup and restore: the database and the uploaded files in one .tar.gz.

PostgreSQL is dumped with pg_dump's custom format and read back with pg_restore (the
client tools must be the server's major version or newer); SQLite is copied with its
online backup API, which gives a consistent copy while the site runs. The archive holds
`database.dump` or `database.sqlite3`, `media/` (MEDIA_ROOT) and `manifest.json` (what
was saved and the row count of every table, which restore checks afterwards).

Restore refuses a database that already holds users or organizations unless forced: a
mistyped command must not overwrite a county's data.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
# Rows here mean somebody's data is in the database (migrations seed other tables).
DATA_TABLES = ("orgs_user", "orgs_organization")


class BackupError(Exception):
    pass


def _connection(alias):
    """A configured alias, or a database wrapper made by the caller (a test's second database)."""
    return connections[alias] if isinstance(alias, str) else alias


def backup_dir() -> Path:
    return Path(settings.VAR_DIR) / "backups"


def _vendor(alias):
    return _connection(alias).vendor


def _pg_env(alias):
    """pg_dump/pg_restore arguments and environment from the Django database settings."""
    db = _connection(alias).settings_dict
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return args, env


def _run(command, env):
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL client tools)")
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")


def row_counts(alias="default") -> dict[str, int]:
    """Rows in every table of the database (manifest and check after a restore)."""
    connection = _connection(alias)
    with connection.cursor() as cursor:
        tables = sorted(connection.introspection.table_names(cursor))
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def holds_data(alias="default") -> bool:
    connection = _connection(alias)
    with connection.cursor() as cursor:
        present = set(connection.introspection.table_names(cursor))
        for table in DATA_TABLES:
            if table in present:
                cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
                if cursor.fetchone():
                    return True
    return False


def _pg_dump(alias, target: Path) -> dict[str, int]:
    """Dump with pg_dump and count every table's rows in the very snapshot it dumps: a
    REPEATABLE READ transaction exports its snapshot and pg_dump reads through it."""
    connection = _connection(alias)
    if connection.in_atomic_block:
        raise BackupError("a backup must not run inside a transaction")
    args, env = _pg_env(alias)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        tables = row_counts(alias)
        _run(["pg_dump", *args, "--format=custom", "--no-owner", "--no-privileges",
              f"--snapshot={snapshot}", "--file", str(target),
              connection.settings_dict["NAME"]], env)
    return tables


def make_backup(*, alias="default", dest: Path | None = None) -> Path:
    """Write the archive and return its path: var/backups/partybuild-YYYYmmdd-HHMMSS.tar.gz."""
    dest = Path(dest or backup_dir())
    dest.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    target = dest / f"partybuild-{stamp}.tar.gz"
    n = 1
    while target.exists():  # two backups in one second keep both
        n += 1
        target = dest / f"partybuild-{stamp}-{n}.tar.gz"
    vendor = _vendor(alias)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if vendor == "postgresql":
            tables = _pg_dump(alias, tmp / PG_DUMP)
            database_file = PG_DUMP
        elif vendor == "sqlite":
            # Through Django's own connection: also right for an in-memory test database.
            connection = _connection(alias)
            connection.ensure_connection()
            copy = sqlite3.connect(tmp / SQLITE_COPY)
            try:
                connection.connection.backup(copy)
                names = [row[0] for row in copy.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
                # Counted in the copy itself: exactly what the archive holds.
                tables = {n: copy.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}
            finally:
                copy.close()
            database_file = SQLITE_COPY
        else:
            raise BackupError(f"no backup for a {vendor} database")
        media_root = Path(settings.MEDIA_ROOT)
        media_files = sorted(p for p in media_root.rglob("*") if p.is_file()) if media_root.exists() else []
        manifest = {
            "format": FORMAT, "vendor": vendor, "database": database_file,
            "created_at": timezone.now().isoformat(), "tables": dict(sorted(tables.items())),
            "media_files": len(media_files),
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
        partial = target.with_name(f".{target.name}.partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(tmp / MANIFEST, arcname=MANIFEST)
            archive.add(tmp / database_file, arcname=database_file)
            archive.add(media_root if media_root.exists() else tmp, arcname="media",
                        recursive=media_root.exists())
        partial.rename(target)  # never a half-written archive under the final name
    return target


def read_manifest(path: Path) -> dict:
    with tarfile.open(path, "r:gz") as archive:
        try:
            member = archive.getmember(MANIFEST)
        except KeyError:
            raise BackupError(f"{path} is not a partybuild backup (no {MANIFEST})") from None
        manifest = json.loads(archive.extractfile(member).read())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: unknown backup format {manifest.get('format')!r}")
    return manifest


def restore_backup(*, path: Path, alias="default", force=False) -> dict:
    """Put the archive's database and files back; returns the manifest."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} does not exist")
    manifest = read_manifest(path)
    vendor = _vendor(alias)
    if manifest["vendor"] != vendor:
        raise BackupError(f"this backup is of a {manifest['vendor']} database, not {vendor}")
    if not force and holds_data(alias):
        raise BackupError(
            "the database already holds users or organizations; restore into an empty "
            "database, or pass --force (FORCE=1) to replace them"
        )
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        with tarfile.open(path, "r:gz") as archive:
            # The "data" filter refuses absolute paths, links out of the folder and devices.
            archive.extractall(tmp, filter="data")
        connection = _connection(alias)
        if vendor == "postgresql":
            args, env = _pg_env(alias)
            connection.close()
            _run(["pg_restore", *args, "--clean", "--if-exists", "--no-owner", "--no-privileges",
                  "--single-transaction", "--dbname", connection.settings_dict["NAME"],
                  str(tmp / manifest["database"])], env)
        else:
            connection.ensure_connection()
            source = sqlite3.connect(tmp / manifest["database"])
            try:
                source.backup(connection.connection)
            finally:
                source.close()
        media_root = Path(settings.MEDIA_ROOT)
        media_root.mkdir(parents=True, exist_ok=True)
        shutil.copytree(tmp / "media", media_root, dirs_exist_ok=True)
    return manifest
