"""Write a run's grants or awards set-wise: staged first, compared and written at the end.

The grant and award loaders shape each good record into a tuple (organisations already
resolved) and `add` it here. The tuples go to a temporary table in big batches (COPY on
PostgreSQL, executemany on SQLite: `sql.Stage`), numbered in reading order. When every file
is read, `finish` does in a few statements what a per-batch loop did row by row:

* which record of a key is kept when the run gives a key twice (the later one for grants,
  the latest release for awards), and how it compares with what is stored (new, changed,
  unchanged, back in the file, or for awards an older release than the one stored), in one
  pass, counted for the report;
* for grants, a warning for each repeat (looked for only when fewer records were kept
  than staged);
* one INSERT ... ON CONFLICT DO UPDATE of the records that are new or differ.

The staging table also tells `Removals` which keys this run read. Memory stays flat: the
rows live in the database's temporary storage, never in a Python list.

Written in chunks (PostgreSQL), a first import skips the stage: a chunk whose keys are all
new (none given twice in it, none stored) goes straight into the stored table, as the raw
floor writes it. The stored table's unique key says whether they were: a chunk it refuses
is undone (a savepoint) and, from then on, the run stages as above, starting with what it
wrote straight (copied back into the stage, so the counts, repeats and removals see every
record of the run).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import IntegrityError, connection
from django.db.backends.utils import CursorWrapper
from django.db.models import Model

from partnerwise.opendata.loaders import ImportReport, progress, row_hash
from partnerwise.opendata.loaders.orgs import Directory, Removals
from partnerwise.opendata.loaders.shaping import Forget, NewRef, Record, Warned
from partnerwise.opendata.loaders.sql import (
    Stage,
    build_indexes,
    bulk_import_settings,
    execute,
    insert_rows,
    is_postgres,
    lock,
    scalar,
    set_aside_indexes,
    table,
)
from partnerwise.opendata.readers import BadRecord, Note, SourceError
from partnerwise.opendata.readers.read_ahead import GC_THRESHOLD, Reader, Shaper, read_ahead

# Records written together on PostgreSQL (see `StagedRows`).
CHUNK = 10_000
# Records that may wait, while a chunk is written, for their new organisations to be found.
WAIT_AT_MOST = 50_000
# Kept record vs stored one: what the run does with it.
NEW, CHANGED, BACK, UNCHANGED, OLDER = "new", "changed", "back", "unchanged", "older"


@dataclass(frozen=True)
class Shape:
    """What is staged for one kind of record."""

    noun: str  # "grants", "awards": names the tables and the report's counts
    model: type[Model]
    key: str  # the unique column (grant_id, key)
    columns: Sequence[tuple[str, str]]  # stored columns besides the key, with a SQL type
    # Which of a key's records is kept: the first in this ORDER BY (`r` is the stage).
    keep_first: str
    # A kept record older than the stored, current one is left alone (awards' releases).
    older_than: str | None = None
    # Warn of each record whose key an earlier one gave ("grant id given twice, ...").
    repeat_warning: str | None = None


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Look for reference cycles less often while records stream through (each is a few
    tuples made and dropped, with no cycles), as the reader process does; then as before."""
    before = gc.get_threshold()
    gc.set_threshold(GC_THRESHOLD, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def chunk_size() -> int | None:
    """Records written together: `CHUNK` on PostgreSQL, whose server writes a chunk while
    this process reads on; on SQLite all at the end (one process does both anyway)."""
    return CHUNK if is_postgres() else None


@dataclass(frozen=True)
class Source:
    """A kind of file whose records are staged: how it is read, shaped and stored."""

    name: str  # what `SourceKey.source` says: "360giving", "ocds"
    label: str  # what a new organisation's sources say
    suffixes: frozenset[str]
    expected: str  # the error for a file of another kind: "expected ..."
    reader: Reader
    shaper: Shaper
    shape: Shape
    # Turns the values after a record's organisations, as they crossed from the reader
    # (amounts and times as text, which pickles far faster: see shaping.py), into what is
    # hashed and staged.
    revive: Callable[[tuple[Any, ...]], tuple[Any, ...]] | None = None
    # Makes, once a run (it may look up the connection's adapters), what turns the values
    # after a record's organisations into what is staged (they are hashed as shaped), or
    # None where they are staged as they are.
    prepare: Callable[[], Callable[[tuple[Any, ...]], tuple[Any, ...]] | None] | None = None


def load_source(
    source: Source,
    paths: Iterable[Path],
    report: ImportReport,
    *,
    batch: int,
    background: bool | None,
) -> None:
    """Read the files (a big one in a second process, where `source.shaper` also shapes
    its records: see shaping.py), stage the records, then write, count and mark what newer
    files left out, all in the caller's transaction. The organisations of `batch` records
    are found together; `background` forces the second process either way."""
    paths = list(paths)
    for path in paths:
        if path.suffix.lower() not in source.suffixes:
            raise SourceError(f"{path.name}: {source.expected}")
    directory = Directory(source=source.name, label=source.label, report=report)
    shape = source.shape
    prepare = source.prepare() if source.prepare else None
    with connection.cursor() as cursor, bulk_import_settings(cursor), fewer_collections():
        staged = StagedRows(cursor, shape, report, chunk_size())
        removals = Removals(
            cursor, staged.stage, "k", model=shape.model, key=shape.key, noun=shape.noun,
            report=report,
        )  # fmt: skip
        try:
            for path in paths:
                staged.settle()
                removals.file_started(path.name)
                skipped = len(report.skipped)
                items = read_ahead(source.reader, path, background=background, shaper=source.shaper)
                read = Batches(directory, staged, report, path.name, batch, source.revive, prepare)
                read.stage_all(progress(items, label=path.name))
                removals.file_read(path.name, skipped=len(report.skipped) - skipped)
            staged.settle()
            directory.close()
            counts = staged.finish()
        finally:
            staged.stop()
        if removals.marking():
            staged.stage_written()  # the keys this run read, for the removals
        removals.mark()
    noun = shape.noun
    report.add(f"{noun}: read", sum(counts.values()))
    report.add(f"{noun}: new", counts.get(NEW, 0))
    report.add(f"{noun}: older release ignored", counts.get(OLDER, 0))
    report.add(f"{noun}: back in the file (no longer marked removed)", counts.get(BACK, 0))
    report.add(f"{noun}: changed", counts.get(CHANGED, 0))
    report.add(f"{noun}: unchanged", counts.get(UNCHANGED, 0))
    report.add("organisations: new", directory.created)


@dataclass
class Batches:
    """Stages one file's records as they come: the organisations first named in `size`
    records are looked up (or created) together, then those records are staged with their
    ids."""

    directory: Directory
    staged: StagedRows
    report: ImportReport
    file: str
    size: int
    revive: Callable[[tuple[Any, ...]], tuple[Any, ...]] | None
    prepare: Callable[[tuple[Any, ...]], tuple[Any, ...]] | None
    ids: dict[int, int] = field(default_factory=dict)  # handle -> organisation id
    new: list[NewRef] = field(default_factory=list)
    waiting: list[Record] = field(default_factory=list)

    def stage_all(self, items: Iterable[Any]) -> None:
        report, waiting = self.report, self.waiting
        due = self.size
        for item in items:
            if type(item) is tuple:
                waiting.append(item)
                if len(waiting) >= due:
                    staged = self.stage_waiting(force=False)
                    due = self.size if staged else len(waiting) + self.size
            elif isinstance(item, NewRef):
                self.new.append(item)
            elif isinstance(item, Warned):
                for message in item.messages:
                    report.warn(message)
            elif isinstance(item, Forget):
                self.stage_waiting(force=True)
                self.ids.clear()
            elif isinstance(item, BadRecord):
                report.bad(item)
            elif isinstance(item, Note):
                report.add(item.key)
        self.stage_waiting(force=True)

    def stage_waiting(self, *, force: bool) -> bool:
        """Stage the waiting records; false if they wait on (not `force`) because their new
        organisations need the connection while a chunk is being written: they are found
        once the write is done (or a chunk's worth waits), all in one go."""
        directory, staged, ids, revive, prepare, file = (
            self.directory, self.staged, self.ids, self.revive, self.prepare, self.file,
        )  # fmt: skip
        if self.new:
            if not force and staged.busy and len(self.waiting) < WAIT_AT_MOST:
                return False
            staged.settle()  # the directory reads and writes through the connection
            directory.prefetch(item.ref for item in self.new)
            for item in self.new:
                ids[item.handle] = directory.resolve(item.ref)
            self.new.clear()
        for key, handles, before, after in self.waiting:
            if revive:
                after = revive(after)
            values = (*before, *[ids[handle] for handle in handles], *after)
            digest = row_hash(values)
            if prepare:
                values = (*values[: -len(after)], *prepare(after))
            staged.add(key, (*values, file, digest))
        self.waiting.clear()
        if directory.names_due:
            staged.settle()
            directory.flush()
        return True


class StagedRows:
    """The run's records, staged; with `chunk`, written every `chunk` records as they come
    (PostgreSQL: the database writes one chunk while the reader reads the next), else all
    at the end (SQLite, where writing and reading share one process anyway).

    A key may come again in a later chunk, after its first record was written. So each
    chunk is written as it compares with what is stored now (a later record replaces an
    earlier one; an older release never replaces a newer one), a stored row is copied
    before this run first changes it, and the counts compare each key's kept record with
    what was stored before the run, over all the run's records at the end."""

    def __init__(
        self, cursor: CursorWrapper, shape: Shape, report: ImportReport, chunk: int | None
    ) -> None:
        self.cursor = cursor
        self.shape = shape
        self.report = report
        self.name = f"pw_stage_{shape.noun}"
        columns = [("seq", "BIGINT"), ("k", "VARCHAR(400)"), *shape.columns]
        self.stage = Stage(cursor, self.name, columns)
        self.chunk = chunk
        self.stored, self.key = table(shape.model), connection.ops.quote_name(shape.key)
        self.first_new = 0  # the first id this run stores (with `chunk`)
        self.before = f"pw_before_{shape.noun}"
        self.chunk_counts: dict[str, int] = {}
        # Whether every chunk so far found only keys nobody stored (then no key was stored
        # before the run, and none came in two chunks), and how many.
        self.all_new, self.new_keys = True, 0
        # No other import writes this table meanwhile (new keys go in without a conflict
        # clause; with `chunk`, ids below `first_new` are rows stored before this run).
        lock(cursor, shape.model)
        if chunk:
            self.stage.index("seq")  # a chunk's records are read by their numbers
            self.first_new = (
                int(scalar(cursor, f"SELECT COALESCE(MAX(id), 0) FROM {self.stored}")) + 1
            )
            cursor.execute(f"DROP TABLE IF EXISTS {self.before}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.before} AS SELECT * FROM {self.stored} WHERE 1 = 0"
            )
            cursor.execute(f"CREATE UNIQUE INDEX {self.before}_key ON {self.before} ({self.key})")
        # A first import fills an empty table: its read-only indexes are built at the end.
        self.set_aside = set_aside_indexes(cursor, shape.model) if self.first_new == 1 else []
        self.count = 0
        # Chunks go straight into the stored table (records 1 to `direct` so far) until one
        # cannot: then every record is staged (`stage_written`).
        self.straight = bool(chunk)
        self.direct = 0
        self.written = 0  # records handed to a chunk's write so far
        self.chunks = 0
        # A chunk is written by this thread while the loader goes on reading and shaping
        # the next one (it touches the connection only once the write is done: `settle`).
        self._writer = ThreadPoolExecutor(1, "partnerwise-chunk") if chunk else None
        self._writing: Future[None] | None = None
        self._pending: list[tuple[Any, ...]] = []

    def add(self, key: str, values: Sequence[Any]) -> None:
        """One record: its key, then a value for each of the shape's columns."""
        self.count += 1
        if not self.chunk:
            self.stage.add((self.count, key, *values))
            return
        self._pending.append((self.count, key, *values))
        if self.count - self.written >= self.chunk:
            self._start_chunk()

    @property
    def busy(self) -> bool:
        """Whether a chunk is being written now."""
        return self._writing is not None and not self._writing.done()

    def settle(self) -> None:
        """Wait for the chunk being written (raising what its write raised): call before
        anything else uses the connection."""
        if self._writing is not None:
            writing, self._writing = self._writing, None
            writing.result()

    def stop(self) -> None:
        """Wait for a write in flight and end the writing thread (after a failure too)."""
        if self._writer is not None:
            with contextlib.suppress(Exception):  # the error that stopped the run comes first
                self.settle()
            self._writer.shutdown()
            self._writer = None

    def _start_chunk(self) -> None:
        self.settle()
        assert self._writer is not None
        rows, self._pending = self._pending, []
        self.written = self.count
        self._writing = self._writer.submit(self._write_chunk, rows)

    def repeats(self) -> list[tuple[str, str]]:
        """(source file, key) of every record whose key an earlier record gave, in order."""
        self.stage.flush()
        self.cursor.execute(
            f"SELECT source_file, k FROM (SELECT s.source_file, s.k, s.seq, ROW_NUMBER() "
            f"OVER (PARTITION BY s.k ORDER BY s.seq) AS n FROM {self.name} s) r "
            f"WHERE n > 1 ORDER BY seq"
        )
        return [(str(file), str(key)) for file, key in self.cursor.fetchall()]

    def _action(self) -> str:
        """What to do with kept record `s` given stored row `g` (NULL: none)."""
        shape = self.shape
        same = "g.row_hash = s.row_hash AND g.source_file = s.source_file"
        older = (
            f"WHEN g.in_latest_file AND {shape.older_than} THEN '{OLDER}' "
            if shape.older_than
            else ""
        )
        return (
            f"CASE WHEN g.id IS NULL THEN '{NEW}' "
            f"WHEN g.in_latest_file AND {same} THEN '{UNCHANGED}' {older}"
            f"WHEN NOT g.in_latest_file THEN '{BACK}' ELSE '{CHANGED}' END"
        )

    def _kept(self, source: str) -> str:
        """The record kept of each key among `source`'s."""
        return (
            f"(SELECT r.*, ROW_NUMBER() OVER (PARTITION BY r.k ORDER BY {self.shape.keep_first}) "
            f"AS n FROM {source} r)"
        )

    def _plan_and_write(self, source: str) -> dict[str, int]:
        """Write `source`'s kept records that differ from what is stored; how many of
        each kind (compared with what is stored now)."""
        shape, cursor, stored, key = self.shape, self.cursor, self.stored, self.key
        names = [name for name, _ in shape.columns]
        plan = f"pw_plan_{shape.noun}"
        cursor.execute(f"DROP TABLE IF EXISTS {plan}")
        execute(
            cursor,
            f"CREATE TEMPORARY TABLE {plan} AS SELECT s.*, {self._action()} AS action "
            f"FROM {self._kept(source)} s LEFT JOIN {stored} g ON g.{key} = s.k WHERE s.n = 1",
        )
        cursor.execute(f"SELECT action, COUNT(*) FROM {plan} GROUP BY action")
        counts = {str(action): int(number) for action, number in cursor.fetchall()}
        if self.chunk and (counts.get(CHANGED) or counts.get(BACK)):
            # A stored row this run changes for the first time: kept as it was, to count.
            execute(
                cursor,
                f"INSERT INTO {self.before} SELECT g.* FROM {stored} g JOIN {plan} s "
                f"ON g.{key} = s.k WHERE s.action IN ('{CHANGED}', '{BACK}') AND g.id < %s "
                f"AND NOT EXISTS "
                f"(SELECT 1 FROM {self.before} b WHERE b.{key} = g.{key})",
                [self.first_new],
            )
        columns = ", ".join([key, *names, "in_latest_file", "removed_on"])
        chosen = f"SELECT s.k, {', '.join('s.' + n for n in names)}, %s, NULL FROM {plan} s"
        # New keys go in as they are (no other writer can add one meanwhile: the import
        # holds the table's lock, or SQLite's), in reading order; the rest replace theirs.
        execute(
            cursor,
            f"INSERT INTO {stored} ({columns}) {chosen} WHERE s.action = '{NEW}' ORDER BY s.seq",
            [True],
        )
        if counts.get(CHANGED) or counts.get(BACK):
            updates = ", ".join(
                f"{name} = EXCLUDED.{name}" for name in [*names, "in_latest_file", "removed_on"]
            )
            execute(
                cursor,
                f"INSERT INTO {stored} ({columns}) {chosen} WHERE s.action IN "
                f"('{CHANGED}', '{BACK}') ORDER BY s.seq "
                f"ON CONFLICT ({key}) DO UPDATE SET {updates}",
                [True],
            )
        cursor.execute(f"DROP TABLE IF EXISTS {plan}")
        return counts

    def _write_straight(self, rows: list[tuple[Any, ...]]) -> bool:
        """Insert a chunk of records straight into the stored table if every key is new;
        false, having written nothing, if not."""
        keys = {row[1] for row in rows}
        if not rows or len(keys) < len(rows):
            return False
        cursor, names = self.cursor, [name for name, _ in self.shape.columns]
        columns = [self.shape.key, *names, "in_latest_file", "removed_on"]
        cursor.execute("SAVEPOINT pw_straight")
        try:
            with cursor.db.wrap_database_errors:  # the database's errors as Django's
                insert_rows(cursor, self.stored, columns, [(*row[1:], True, None) for row in rows])
        except IntegrityError:  # a key stored already (before the run or earlier in it)
            cursor.execute("ROLLBACK TO SAVEPOINT pw_straight")
            cursor.execute("RELEASE SAVEPOINT pw_straight")
            return False
        cursor.execute("RELEASE SAVEPOINT pw_straight")
        self.direct += len(rows)
        return True

    def stage_written(self) -> None:
        """Stage the records written straight (records 1 to `direct`, stored in reading
        order from `first_new` on), and stage every record from now on."""
        self.straight = False
        if not self.direct:
            return
        names = ", ".join(name for name, _ in self.shape.columns)
        self.stage.flush()
        self.stage.rows += execute(
            self.cursor,
            f"INSERT INTO {self.name} (seq, k, {names}) SELECT ROW_NUMBER() OVER "
            f"(ORDER BY id), {self.key}, {names} FROM {self.stored} WHERE id >= %s",
            [self.first_new],
        )
        self.direct = 0

    def _write_chunk(self, rows: list[tuple[Any, ...]]) -> None:
        """Write `rows`, straight or through the stage (in the writing thread)."""
        if self.straight:
            if self._write_straight(rows):
                self.chunk_counts = {NEW: len(rows)}
                self.new_keys += len(rows)
                self.chunks += 1
                return
            self.stage_written()
        self.stage.extend(rows)
        self.stage.flush()
        first = int(rows[0][0]) if rows else self.count + 1
        # (A number this class gave, not input: safe to write into the statement.)
        self.chunk_counts = self._plan_and_write(
            f"(SELECT * FROM {self.name} WHERE seq >= {first})"
        )
        self.all_new = self.all_new and set(self.chunk_counts) <= {NEW}
        self.new_keys += self.chunk_counts.get(NEW, 0)
        self.chunks += 1

    def _counts_before_run(self) -> dict[str, int]:
        """How each key's kept record (of the whole run) compares with what was stored
        before the run: the copy taken before this run changed it, else the stored row if
        an earlier import stored it."""
        stored, key, before = self.stored, self.key, self.before
        earlier = (
            f"(SELECT * FROM {before} UNION ALL SELECT * FROM {stored} o WHERE o.id < %s AND "
            f"NOT EXISTS (SELECT 1 FROM {before} b WHERE b.{key} = o.{key}))"
        )
        self.cursor.execute(
            f"SELECT action, COUNT(*) FROM (SELECT {self._action()} AS action "
            f"FROM {self._kept(self.name)} s LEFT JOIN {earlier} g ON g.{key} = s.k "
            f"WHERE s.n = 1) a GROUP BY action",
            [self.first_new],
        )
        return {str(action): int(number) for action, number in self.cursor.fetchall()}

    def finish(self) -> dict[str, int]:
        """Write what is not written yet, and return how many kept records of each kind
        (NEW, CHANGED, ...) the run had, compared with what was stored before it."""
        if not self.chunk:
            self.stage.flush()
            counts = self._plan_and_write(self.name)
        else:
            if self._pending or not (self.chunks or self._writing):
                self._start_chunk()
            self.settle()
            if self.chunks == 1:  # it was compared with what was stored before the run
                counts = self.chunk_counts
            elif self.all_new:  # every key is new, and each was counted once
                counts = {NEW: self.new_keys} if self.new_keys else {}
            else:
                counts = self._counts_before_run()
            self.cursor.execute(f"DROP TABLE IF EXISTS {self.before}")
        build_indexes(self.cursor, self.set_aside)
        self.set_aside = []
        if self.shape.repeat_warning and sum(counts.values()) < self.stage.rows:
            for file, repeated in self.repeats():
                self.report.warn(f"{file}: {self.shape.repeat_warning}\x00{repeated}")
        return counts

    def drop(self) -> None:
        self.stage.drop()
