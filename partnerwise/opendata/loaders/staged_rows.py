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
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection
from django.db.backends.utils import CursorWrapper
from django.db.models import Model

from partnerwise.opendata.loaders import ImportReport, progress, row_hash
from partnerwise.opendata.loaders.orgs import Directory, Removals
from partnerwise.opendata.loaders.shaping import Forget, NewRef, Record, Warned
from partnerwise.opendata.loaders.sql import Stage, bulk_cache, execute, table
from partnerwise.opendata.readers import BadRecord, Note
from partnerwise.opendata.readers.read_ahead import Reader, Shaper, read_ahead

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


def load_staged(
    paths: list[Path],
    *,
    reader: Reader,
    shaper: Shaper,
    shape: Shape,
    directory: Directory,
    report: ImportReport,
    batch: int,
    background: bool | None,
    prepare: Callable[[tuple[Any, ...]], tuple[Any, ...]] | None = None,
) -> None:
    """Read the files (a big one in a second process, where `shaper` also shapes its
    records: see shaping.py), stage the records, then write, count and mark what newer
    files left out, all in the caller's transaction. The organisations of `batch` records
    are found together. `prepare` turns the values after a record's organisations into
    what is staged (after they were hashed)."""
    with connection.cursor() as cursor, bulk_cache(cursor):
        removals = Removals(
            cursor, model=shape.model, key=shape.key, noun=shape.noun, report=report
        )
        staged = StagedRows(cursor, shape, report)
        removals.read_from(staged.stage, "k")
        for path in paths:
            skipped = len(report.skipped)
            items = read_ahead(reader, path, background=background, shaper=shaper)
            _stage_file(
                progress(items, label=path.name),
                path.name,
                directory,
                staged,
                report,
                batch,
                prepare,
            )
            removals.file_read(path.name, skipped=len(report.skipped) - skipped)
        directory.close()
        counts = staged.finish()
        removals.mark()
    noun = shape.noun
    report.add(f"{noun}: read", sum(counts.values()))
    report.add(f"{noun}: new", counts.get(NEW, 0))
    report.add(f"{noun}: older release ignored", counts.get(OLDER, 0))
    report.add(f"{noun}: back in the file (no longer marked removed)", counts.get(BACK, 0))
    report.add(f"{noun}: changed", counts.get(CHANGED, 0))
    report.add(f"{noun}: unchanged", counts.get(UNCHANGED, 0))
    report.add("organisations: new", directory.created)


def _stage_file(
    items: Iterable[Any],
    file: str,
    directory: Directory,
    staged: StagedRows,
    report: ImportReport,
    batch: int,
    prepare: Callable[[tuple[Any, ...]], tuple[Any, ...]] | None,
) -> None:
    """Stage one file's records as they come: organisations first found in `batch` records
    are looked up (or created) together, then those records are staged with their ids."""
    ids: dict[int, int] = {}  # handle -> organisation id
    new: list[NewRef] = []
    waiting: list[Record] = []

    def stage_waiting() -> None:
        if new:
            directory.prefetch(item.ref for item in new)
            for item in new:
                ids[item.handle] = directory.resolve(item.ref)
            new.clear()
        for key, handles, before, after in waiting:
            values = (*before, *[ids[handle] for handle in handles], *after)
            digest = row_hash(values)
            if prepare:
                values = (*values[: -len(after)], *prepare(after))
            staged.add(key, (*values, file, digest))
        waiting.clear()
        directory.flush()

    for item in items:
        if type(item) is tuple:
            waiting.append(item)
            if len(waiting) >= batch:
                stage_waiting()
        elif isinstance(item, NewRef):
            new.append(item)
        elif isinstance(item, Warned):
            for message in item.messages:
                report.warn(message)
        elif isinstance(item, Forget):
            stage_waiting()
            ids.clear()
        elif isinstance(item, BadRecord):
            report.bad(item)
        elif isinstance(item, Note):
            report.add(item.key)
    stage_waiting()


class StagedRows:
    def __init__(self, cursor: CursorWrapper, shape: Shape, report: ImportReport) -> None:
        self.cursor = cursor
        self.shape = shape
        self.report = report
        self.name = f"pw_stage_{shape.noun}"
        self.stage = Stage(
            cursor, self.name, [("seq", "BIGINT"), ("k", "VARCHAR(400)"), *shape.columns]
        )
        self.count = 0

    def add(self, key: str, values: Sequence[Any]) -> None:
        """One record: its key, then a value for each of the shape's columns."""
        self.count += 1
        self.stage.add((self.count, key, *values))

    def repeats(self) -> list[tuple[str, str]]:
        """(source file, key) of every record whose key an earlier record gave, in order."""
        self.stage.flush()
        self.cursor.execute(
            f"SELECT source_file, k FROM (SELECT s.source_file, s.k, s.seq, ROW_NUMBER() "
            f"OVER (PARTITION BY s.k ORDER BY s.seq) AS n FROM {self.name} s) r "
            f"WHERE n > 1 ORDER BY seq"
        )
        return [(str(file), str(key)) for file, key in self.cursor.fetchall()]

    def finish(self) -> dict[str, int]:
        """Compare the kept records with the stored ones, write those that differ, and
        return how many of each kind (NEW, CHANGED, ...)."""
        self.stage.flush()
        shape, cursor = self.shape, self.cursor
        stored, key = table(shape.model), connection.ops.quote_name(shape.key)
        names = [name for name, _ in shape.columns]
        plan = f"pw_plan_{shape.noun}"
        cursor.execute(f"DROP TABLE IF EXISTS {plan}")
        same = "g.row_hash = s.row_hash AND g.source_file = s.source_file"
        older = (
            f"WHEN g.in_latest_file AND {shape.older_than} THEN '{OLDER}' "
            if shape.older_than
            else ""
        )
        # The record kept of each key, and what to do with it, in one pass.
        execute(
            cursor,
            f"CREATE TEMPORARY TABLE {plan} AS SELECT s.*, CASE "
            f"WHEN g.id IS NULL THEN '{NEW}' "
            f"WHEN g.in_latest_file AND {same} THEN '{UNCHANGED}' {older}"
            f"WHEN NOT g.in_latest_file THEN '{BACK}' ELSE '{CHANGED}' END AS action "
            f"FROM (SELECT r.*, ROW_NUMBER() OVER (PARTITION BY r.k ORDER BY "
            f"{shape.keep_first}) AS n FROM {self.name} r) s "
            f"LEFT JOIN {stored} g ON g.{key} = s.k WHERE s.n = 1",
        )
        cursor.execute(f"SELECT action, COUNT(*) FROM {plan} GROUP BY action")
        counts = {str(action): int(number) for action, number in cursor.fetchall()}
        if shape.repeat_warning and sum(counts.values()) < self.stage.rows:
            for file, repeated in self.repeats():
                self.report.warn(f"{file}: {shape.repeat_warning}\x00{repeated}")
        columns = ", ".join([key, *names, "in_latest_file", "removed_on"])
        updates = ", ".join(
            f"{name} = EXCLUDED.{name}" for name in [*names, "in_latest_file", "removed_on"]
        )
        execute(
            cursor,
            f"INSERT INTO {stored} ({columns}) SELECT s.k, {', '.join('s.' + n for n in names)}, "
            f"%s, NULL FROM {plan} s WHERE s.action IN ('{NEW}', '{CHANGED}', '{BACK}') "
            f"ORDER BY s.seq ON CONFLICT ({key}) DO UPDATE SET {updates}",
            [True],
        )
        cursor.execute(f"DROP TABLE IF EXISTS {plan}")
        return counts

    def drop(self) -> None:
        self.stage.drop()
