"""Whole-database backups with a manifest, and restores that are all or nothing.

A backup file is a zip holding `manifest.json` and one data member: `database.sqlite3` (a
copy made with SQLite's online backup API) or `database.pgdump` (pg_dump's custom format,
taken in the same snapshot as the row counts). The manifest records the Partnerwise
version, the migrations applied, every table's row count and the data member's SHA-256.

Restore checks everything it can before touching the live database (format, engine,
version, checksum, and for SQLite the copy's integrity and row counts), then replaces the
database in one transaction: SQLite's backup API in a single step, or pg_restore with
--single-transaction. It then compares the live row counts with the manifest.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass
class Manifest:
    engine: str
    version: str
    migrations: dict[str, list[str]]
    rows: dict[str, int]
    sha256: str
    created: str
    format: int = FORMAT

    @property
    def member(self) -> str:
        return "database.sqlite3" if self.engine == "sqlite" else "database.pgdump"


def engine() -> str:
    vendor = connection.vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise BackupError(f"backups support SQLite and PostgreSQL, not {vendor}")
    return vendor


def _version_key(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".") if part.isdigit())


def _counts(cursor: Any, tables: list[str], quote: Any) -> dict[str, int]:
    rows = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
        rows[table] = int(cursor.fetchone()[0])
    return rows


def _migrations(cursor: Any) -> dict[str, list[str]]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    applied: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        applied.setdefault(app, []).append(name)
    return applied


def live_row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        # SQLite's own tables (the planner's statistics) are not the site's data.
        tables = [
            name
            for name in connection.introspection.table_names(cursor)
            if not name.startswith("sqlite_")
        ]
        return _counts(cursor, tables, connection.ops.quote_name)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        for block in iter(lambda: data.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_env_and_args() -> tuple[dict[str, str], list[str]]:
    params = connection.settings_dict
    env = {**os.environ}
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = str(params["PASSWORD"])
    args = []
    for flag, key in [("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")]:
        if params.get(key):
            args.append(f"{flag}={params[key]}")
    args.append(f"--dbname={params['NAME']}")
    return env, args


def _run(command: list[str], env: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(
            f"{command[0]} is not installed: apt-get install postgresql-client (make install "
            "does this as root)"
        )
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[-2000:]}")


def _copy_sqlite(target: Path) -> tuple[dict[str, list[str]], dict[str, int]]:
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        # One step: the copy is of a single consistent moment, even while others write.
        connection.connection.backup(copy)
        cursor = copy.cursor()
        cursor.execute("SELECT name FROM sqlite_master WHERE type='table'")
        tables = [name for (name,) in cursor.fetchall() if not name.startswith("sqlite_")]
        rows = _counts(cursor, tables, connection.ops.quote_name)
        return _migrations(cursor), rows
    finally:
        copy.close()


def _dump_postgres(target: Path) -> tuple[dict[str, list[str]], dict[str, int]]:
    # A separate connection holds one snapshot: the counts and pg_dump see the same moment.
    other = connection.copy()
    try:
        other.ensure_connection()
        raw = other.connection
        raw.autocommit = True
        raw.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        row = raw.execute("SELECT pg_export_snapshot()").fetchone()
        snapshot = row[0] if row else ""
        cursor = raw.cursor()
        tables = other.introspection.table_names(cursor)
        rows = _counts(cursor, tables, other.ops.quote_name)
        migrations = _migrations(cursor)
        env, args = _pg_env_and_args()
        _run(
            ["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={target}", *args], env
        )
        raw.execute("COMMIT")
        return migrations, rows
    finally:
        other.close()


def backup(destination: Path) -> Manifest:
    kind = engine()
    destination = destination.resolve()
    with tempfile.TemporaryDirectory(dir=destination.parent) as work:
        data = Path(work) / "data"
        migrations, rows = (_copy_sqlite if kind == "sqlite" else _dump_postgres)(data)
        manifest = Manifest(
            engine=kind,
            version=package_version("partnerwise"),
            migrations=migrations,
            rows=rows,
            sha256=_sha256(data),
            created=timezone.now().isoformat(),
        )
        partial = Path(work) / "backup.zip"
        with zipfile.ZipFile(partial, "w") as archive:
            archive.writestr(MANIFEST, json.dumps(manifest.__dict__, indent=2, sort_keys=True))
            # The data is stored, not deflated: pg_dump compresses its own and SQLite's is
            # copied faster than it would shrink.
            archive.write(data, manifest.member, compress_type=zipfile.ZIP_STORED)
        # Renamed into place only when complete, so a crash never leaves a half-written file.
        os.replace(partial, destination)
    return manifest


def read_manifest(archive: zipfile.ZipFile, name: str) -> Manifest:
    try:
        raw = json.loads(archive.read(MANIFEST))
        manifest = Manifest(**raw)
    except KeyError:
        raise BackupError(f"{name} has no manifest: it is not a Partnerwise backup") from None
    except (ValueError, TypeError) as error:
        raise BackupError(f"{name} has a damaged manifest ({error})") from None
    if manifest.format > FORMAT:
        raise BackupError(f"{name} is in backup format {manifest.format}: upgrade Partnerwise")
    return manifest


def check_compatible(manifest: Manifest, name: str) -> None:
    kind = engine()
    if manifest.engine != kind:
        raise BackupError(
            f"{name} is a {manifest.engine} backup and this database is {kind}: restore it "
            f"into a {manifest.engine} database (DATABASE_URL)"
        )
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    unknown = [
        f"{app}.{migration}"
        for app, names in manifest.migrations.items()
        for migration in names
        if (app, migration) not in known
    ]
    ours = package_version("partnerwise")
    if unknown or _version_key(manifest.version) > _version_key(ours):
        detail = f" (migrations {', '.join(unknown[:5])} are not in this one)" if unknown else ""
        raise BackupError(
            f"{name} was made by a newer Partnerwise, {manifest.version}, than this "
            f"{ours}{detail}: upgrade Partnerwise, then restore"
        )


@contextmanager
def _extracted(archive: zipfile.ZipFile, manifest: Manifest, name: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as work:
        target = Path(work) / "data"
        try:
            with archive.open(manifest.member) as source, target.open("wb") as copy:
                shutil.copyfileobj(source, copy, 1 << 20)
        except KeyError:
            raise BackupError(f"{name} has no {manifest.member}: it is incomplete") from None
        except (zipfile.BadZipFile, OSError) as error:
            raise BackupError(f"{name} is corrupt ({error}): nothing was restored") from None
        if _sha256(target) != manifest.sha256:
            raise BackupError(f"{name} is corrupt (checksum differs): nothing was restored")
        yield target


def _restore_sqlite(data: Path, manifest: Manifest, name: str) -> None:
    copy = sqlite3.connect(data)
    try:
        if copy.execute("PRAGMA integrity_check").fetchone() != ("ok",):
            raise BackupError(f"{name} holds a damaged database: nothing was restored")
        cursor = copy.cursor()
        rows = _counts(cursor, list(manifest.rows), connection.ops.quote_name)
        if rows != manifest.rows:
            raise BackupError(f"{name}'s row counts differ from its manifest: nothing restored")
        connection.ensure_connection()
        # One step replaces every page of the live database in a single transaction.
        copy.backup(connection.connection)
    finally:
        copy.close()


def _restore_postgres(data: Path) -> None:
    # Our own connection would hold locks that pg_restore's DROP statements wait for.
    connection.close()
    env, args = _pg_env_and_args()
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--no-owner",
            "--no-privileges",
            *args,
            str(data),
        ],
        env,
    )


def restore(source: Path) -> Manifest:
    name = source.name
    try:
        archive = zipfile.ZipFile(source)
    except FileNotFoundError:
        raise BackupError(f"no file {source}") from None
    except (zipfile.BadZipFile, OSError):
        raise BackupError(f"{name} is not a Partnerwise backup (or is corrupt)") from None
    with archive:
        manifest = read_manifest(archive, name)
        check_compatible(manifest, name)
        with _extracted(archive, manifest, name) as data:
            if manifest.engine == "sqlite":
                _restore_sqlite(data, manifest, name)
            else:
                _restore_postgres(data)
    rows = live_row_counts()
    differing = [table for table, count in manifest.rows.items() if rows.get(table) != count]
    if differing:
        raise BackupError(f"restored, but row counts differ in: {', '.join(differing)}")
    return manifest
