"""Set-based SQL that works the same on SQLite and PostgreSQL.

Big tables load through a temporary staging table: rows go in with plain `executemany` (the
cheapest write either database offers through Django), then a handful of INSERT ... SELECT
and UPDATE ... FROM statements compare the stage with what is stored. That keeps Python's
memory flat whatever the file size and lets the database do the joins.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection
from django.db.backends.utils import CursorWrapper
from django.db.models import Model

BATCH = 2000
# PARTNERWISE_SQL_TIMING=1 prints how long each set-based statement takes (for tuning).
TIMING = os.environ.get("PARTNERWISE_SQL_TIMING") == "1"


def table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def json_param() -> str:
    """A placeholder for a JSON value inside INSERT ... SELECT (PostgreSQL needs the cast)."""
    return "CAST(%s AS jsonb)" if is_postgres() else "%s"


class Stage:
    """A temporary table filled in batches."""

    def __init__(self, cursor: CursorWrapper, name: str, columns: Sequence[tuple[str, str]]):
        self.cursor = cursor
        self.name = name
        self.columns = [column for column, _ in columns]
        self._buffer: list[Sequence[Any]] = []
        self._text: list[str] = []  # rows already in COPY's text format (PostgreSQL only)
        self._text_rows = 0
        self.rows = 0
        self.writing = 0.0  # seconds spent writing the stage (for PARTNERWISE_SQL_TIMING)
        definition = ", ".join(f"{column} {kind}" for column, kind in columns)
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
        cursor.execute(f"CREATE TEMPORARY TABLE {name} ({definition})")
        placeholders = ", ".join(["%s"] * len(self.columns))
        self._insert = f"INSERT INTO {name} ({', '.join(self.columns)}) VALUES ({placeholders})"

    def add(self, values: Sequence[Any]) -> None:
        self._buffer.append(values)
        if len(self._buffer) >= BATCH * 5:
            self.flush()

    def extend(self, rows: Iterable[Sequence[Any]]) -> None:
        for values in rows:
            self.add(values)

    def add_text(self, text: str, rows: int) -> None:
        """Add `rows` rows given in COPY's text format, one line each, in the stage's column
        order (PostgreSQL only: see readers/background.py)."""
        if not is_postgres():
            raise RuntimeError("COPY text can only be staged in PostgreSQL")
        self._text.append(text)
        self._text_rows += rows
        if self._text_rows >= BATCH * 5:
            self.flush()

    @property
    def pending(self) -> int:
        """Rows added but not yet written."""
        return len(self._buffer) + self._text_rows

    def flush(self) -> None:
        if not self._buffer and not self._text:
            return
        started = time.perf_counter()
        if is_postgres():
            # COPY is PostgreSQL's fast path for many rows; executemany costs a round trip
            # per row.
            raw = self.cursor.cursor
            with raw.copy(f"COPY {self.name} ({', '.join(self.columns)}) FROM STDIN") as copy:
                for values in self._buffer:
                    copy.write_row(values)
                for text in self._text:
                    copy.write(text)
        else:
            self.cursor.executemany(self._insert, self._buffer)
        self.rows += len(self._buffer) + self._text_rows
        self._buffer, self._text, self._text_rows = [], [], 0
        self.writing += time.perf_counter() - started

    def index(self, *columns: str) -> None:
        self.flush()
        name = f"{self.name}_{'_'.join(columns)}"
        self.cursor.execute(f"CREATE INDEX {name} ON {self.name} ({', '.join(columns)})")
        if is_postgres():
            self.cursor.execute(f"ANALYZE {self.name}")

    def clear(self) -> None:
        """Empty the stage for the next chunk (its counts start again)."""
        self.flush()
        # TRUNCATE on PostgreSQL: a DELETE leaves every row behind as a dead one that each
        # later scan of the table reads again.
        emptying = "TRUNCATE" if is_postgres() else "DELETE FROM"
        self.cursor.execute(f"{emptying} {self.name}")
        self.rows = 0

    def drop(self) -> None:
        self.cursor.execute(f"DROP TABLE IF EXISTS {self.name}")


def scalar(cursor: CursorWrapper, sql: str, params: Sequence[Any] = ()) -> Any:
    cursor.execute(sql, params)
    row = cursor.fetchone()
    return row[0] if row else None


def execute(cursor: CursorWrapper, sql: str, params: Sequence[Any] = ()) -> int:
    started = time.perf_counter()
    cursor.execute(sql, params)
    if TIMING:
        print(f"{time.perf_counter() - started:7.2f}s {sql[:110]}", file=sys.stderr)
    return max(int(cursor.rowcount), 0)


def reset_sequence(cursor: CursorWrapper, model: type[Model]) -> None:
    """After inserting explicit ids, move PostgreSQL's id sequence past them."""
    if not is_postgres():
        return
    name = model._meta.db_table
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "
        f"COALESCE((SELECT MAX(id) FROM {table(model)}), 1))",
        [connection.ops.quote_name(name)],
    )


def lock(cursor: CursorWrapper, *models: type[Model]) -> None:
    """Keep other writers out of tables whose ids this import hands out itself.

    SQLite needs nothing: the project opens write transactions IMMEDIATE.
    """
    if is_postgres():
        names = ", ".join(table(model) for model in models)
        cursor.execute(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE")


def insert_rows(
    cursor: CursorWrapper,
    target: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    skip_conflicts: bool = False,
) -> None:
    """Insert many rows into `target` as fast as each database takes them: COPY on
    PostgreSQL (through a temporary table when rows that conflict with stored ones are to
    be skipped), executemany on SQLite. Values go as they are (JSON as its text)."""
    if not rows:
        return
    names = ", ".join(columns)
    if not is_postgres():
        marks = ", ".join(["%s"] * len(columns))
        conflict = " ON CONFLICT DO NOTHING" if skip_conflicts else ""
        cursor.executemany(f"INSERT INTO {target} ({names}) VALUES ({marks}){conflict}", rows)
        return
    into = target
    if skip_conflicts:
        into = "pw_insert_rows"
        cursor.execute(f"DROP TABLE IF EXISTS {into}")
        cursor.execute(f"CREATE TEMPORARY TABLE {into} AS SELECT {names} FROM {target} LIMIT 0")
    with cursor.cursor.copy(f"COPY {into} ({names}) FROM STDIN") as copy:
        for values in rows:
            copy.write_row(values)
    if skip_conflicts:
        cursor.execute(
            f"INSERT INTO {target} ({names}) SELECT {names} FROM {into} ON CONFLICT DO NOTHING"
        )
        cursor.execute(f"DROP TABLE {into}")


def set_aside_indexes(cursor: CursorWrapper, model: type[Model]) -> list[str]:
    """Drop the table's indexes that only speed up reads (not unique, not the primary key)
    and return their definitions, for `build_indexes` to put back once the table is
    filled: built by one sort each, they cost a small part of keeping them up to date
    through a million scattered inserts (PostgreSQL only; elsewhere nothing is dropped).

    In the caller's transaction, so a failed import puts them back as they were. Until it
    commits, the table's lock keeps other connections' reads of it waiting: for a first
    import, into an empty table."""
    if not is_postgres():
        return []
    cursor.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = %s::regclass AND NOT i.indisunique AND NOT i.indisprimary "
        "ORDER BY c.relname",
        [model._meta.db_table],
    )
    found = [(str(name), str(definition)) for name, definition in cursor.fetchall()]
    for name, _ in found:
        cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    return [definition for _, definition in found]


# Memory for each index `build_indexes` sorts (PostgreSQL's default, 64 MB, sorts a million
# grants' keys on disk).
BUILD_MEMORY = "256MB"


def build_indexes(cursor: CursorWrapper, definitions: Sequence[str]) -> None:
    """Create the indexes `set_aside_indexes` dropped."""
    if not definitions:
        return
    before = scalar(cursor, "SHOW maintenance_work_mem")
    cursor.execute("SELECT set_config('maintenance_work_mem', %s, true)", [BUILD_MEMORY])
    for definition in definitions:
        execute(cursor, definition)
    cursor.execute("SELECT set_config('maintenance_work_mem', %s, true)", [before])


# SQLite's index of organisation names for "contains" searches (migration opendata.0013): an
# FTS5 table kept by triggers. Its insert trigger costs about 130 microseconds a row inside a
# many-row INSERT (a whole register of new organisations would take minutes), but indexing
# the same rows in one INSERT ... SELECT takes 2. So a bulk import drops the trigger in its
# transaction, creates its organisations, then indexes them all at once and puts the trigger
# back (`resume_name_index`); a failed import rolls all of it back. No other connection can
# write meanwhile: the import holds SQLite's write lock from its first statement.
NAME_FTS = "opendata_organisation_name_fts"
_NAME_FTS_INSERT = (
    f"CREATE TRIGGER IF NOT EXISTS {NAME_FTS}_insert AFTER INSERT ON organisations_organisation "
    f"BEGIN INSERT INTO {NAME_FTS}(rowid, name) VALUES (new.id, new.name); END"
)


def pause_name_index(cursor: CursorWrapper) -> None:
    """Stop indexing each new organisation's name as it is inserted (SQLite only)."""
    if connection.vendor == "sqlite":
        cursor.execute(f"DROP TRIGGER IF EXISTS {NAME_FTS}_insert")


def resume_name_index(cursor: CursorWrapper, *, first_id: int) -> None:
    """Index the names of the organisations from `first_id` on, and index each new one
    again as it comes (SQLite only)."""
    if connection.vendor != "sqlite":
        return
    cursor.execute(
        f"INSERT INTO {NAME_FTS}(rowid, name) SELECT id, name FROM organisations_organisation "
        "WHERE id >= %s",
        [first_id],
    )
    cursor.execute(_NAME_FTS_INSERT)


# SQLite's page cache for a bulk import, in KiB (the default is 2 MiB). Grants and awards
# go into four indexes each in no particular order, and the run's staging tables are sorted
# (temp); with 2 MiB most inserts read their page back from the operating system. With these
# a million grants import in 35 s instead of 50, and the import stays under 300 MB.
BULK_CACHE_KIB = 49152
TEMP_CACHE_KIB = 32768


# PostgreSQL's memory for each sort and hash of the import's set-wise statements (the
# default, 4 MB, sorts a million staged grants on disk).
BULK_WORK_MEM = "64MB"


@contextmanager
def bulk_import_settings(cursor: CursorWrapper) -> Iterator[None]:
    """Bigger page caches (SQLite: main and temporary tables), or memory for sorts and
    foreign keys checked as each statement ends (PostgreSQL, for this transaction), for
    the import; then as they were."""
    if connection.vendor == "postgresql":
        before_mem = scalar(cursor, "SHOW work_mem")
        cursor.execute("SELECT set_config('work_mem', %s, true)", [BULK_WORK_MEM])
        # Django's foreign keys are checked at commit, one by one after the last statement;
        # checked as each statement ends, a chunk's are checked while the reader reads on.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        try:
            yield
        finally:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # as Django declares them
            cursor.execute("SELECT set_config('work_mem', %s, true)", [before_mem])
        return
    if connection.vendor != "sqlite":
        yield
        return
    before = {schema: scalar(cursor, f"PRAGMA {schema}.cache_size") for schema in ("main", "temp")}
    for schema, kib in (("main", BULK_CACHE_KIB), ("temp", TEMP_CACHE_KIB)):
        cursor.execute(f"PRAGMA {schema}.cache_size = -{kib}")
    try:
        yield
    finally:
        for schema, size in before.items():
            cursor.execute(f"PRAGMA {schema}.cache_size = {int(size)}")
