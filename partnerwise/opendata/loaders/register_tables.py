"""Stage register rows and load the register's child tables (other names, other
regulators, areas, classifications, annual returns: every table but `charity`).

The helpers here feed both this and the charity table's load (loaders/ccew.py): rows come
from the reader (in a second process for a big table), are numbered and staged in a
temporary table, and set-based statements merge the stage with what is stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db.backends.utils import CursorWrapper

from partnerwise.opendata import models as od
from partnerwise.opendata.loaders import ImportReport, counter
from partnerwise.opendata.loaders.register_rows import child_fields
from partnerwise.opendata.loaders.sql import Stage, execute, is_postgres, table
from partnerwise.opendata.readers import BadRecord
from partnerwise.opendata.readers.background import CopyRows, read_batches
from partnerwise.opendata.readers.ccew import ExtractFile

CHUNK = 50_000  # rows merged per round of set-based statements

# Tables whose rows hang off a charity number and are synced by content hash.
CHILD_MODELS: dict[str, type[od._RegisterTable]] = {
    "charity_other_names": od.CharityOtherName,
    "charity_other_regulators": od.CharityRegulator,
    "charity_area_of_operation": od.CharityArea,
    "charity_classification": od.CharityClassification,
    "charity_annual_return_parta": od.CharityAnnualReturn,
    "charity_annual_return_partb": od.CharityAccounts,
    "charity_annual_return_history": od.CharityReturnHistory,
}

_SQL_TYPES = {
    "IntegerField": "BIGINT",
    "BigIntegerField": "BIGINT",
    "CharField": "TEXT",
    "TextField": "TEXT",
    "DateField": "DATE",
    "DecimalField": "NUMERIC(18, 2)",
    "BooleanField": "BOOLEAN",
}


def good_rows(extract: ExtractFile, report: ImportReport) -> Iterator[tuple[Any, ...] | CopyRows]:
    """The table's rows shaped for its stage; bad records fail the import or are skipped,
    warnings are noted, and a progress bar counts on a terminal. On PostgreSQL a big table's
    rows come ready for COPY, numbered, a batch at a time (readers/background.py)."""
    with counter(f"{extract.path.name} ({extract.table})") as bar:
        for items, warnings in read_batches(extract, copy=is_postgres()):
            for warning in warnings:
                report.warn(warning)
            done = 0
            for item in items:
                if isinstance(item, BadRecord):
                    report.bad(item)
                    done += 1
                else:
                    yield item
                    done += item.rows if isinstance(item, CopyRows) else 1
            bar.update(done)


def stage_rows(
    stage: Stage, rows: Iterable[tuple[Any, ...] | CopyRows], read: int
) -> Iterator[int]:
    """Stage `rows`, numbered on from `read`; yields how many have been staged after each
    row or block of rows."""
    for item in rows:
        if isinstance(item, CopyRows):
            if item.first != read + 1:
                raise RuntimeError(f"rows {item.first}... came after row {read}")
            stage.add_text(item.text, item.rows)
            read += item.rows
        else:
            read += 1
            stage.add((read, *item))
        yield read


def columns(model: type[Any], names: list[str]) -> list[tuple[str, str]]:
    """Stage column definitions (the fields used here are plain: column name = field name)."""
    return [(name, _SQL_TYPES[model._meta.get_field(name).get_internal_type()]) for name in names]


def analyze(cursor: CursorWrapper, name: str) -> None:
    """PostgreSQL plans joins on a temporary table well only once it has statistics."""
    if is_postgres():
        cursor.execute(f"ANALYZE {name}")


def load_child(
    cursor: CursorWrapper, extract: ExtractFile, report: ImportReport, *, chunk: int = CHUNK
) -> bool:
    """Bring one child table up to date by set difference on row content; True if anything
    changed.

    Rows go in a chunk at a time (the reader goes on parsing meanwhile): each chunk is
    staged, then inserted where no stored row has the same content (`ON CONFLICT DO
    NOTHING` on the unique row hash, so a row given twice is stored once, the first time).
    The hashes of every row read are kept to delete, at the end, stored rows the file no
    longer gives; into an empty table (a first import) there is nothing to delete, and they
    are not kept.
    """
    model = CHILD_MODELS[extract.table]
    fields = child_fields(extract.table)
    target = table(model)
    was_empty = not model._default_manager.exists()
    stage = Stage(
        cursor,
        "pw_stage_child",
        [("seq", "BIGINT"), *columns(model, fields), ("row_hash", "BIGINT")],
    )
    if not was_empty:
        cursor.execute("DROP TABLE IF EXISTS pw_child_seen")
        cursor.execute("CREATE TEMPORARY TABLE pw_child_seen (row_hash BIGINT)")
    inserted = 0
    names = ", ".join(fields)
    insert = (
        f"INSERT INTO {target} ({names}, row_hash) "
        f"SELECT {', '.join('s.' + c for c in fields)}, s.row_hash FROM pw_stage_child s "
        f"WHERE TRUE ORDER BY s.seq ON CONFLICT (row_hash) DO NOTHING"
    )

    def merge() -> None:
        nonlocal inserted
        stage.flush()
        if not stage.rows:
            return
        inserted += execute(cursor, insert)
        if not was_empty:
            execute(cursor, "INSERT INTO pw_child_seen SELECT row_hash FROM pw_stage_child")
        stage.clear()

    read = merged = 0
    for staged in stage_rows(stage, good_rows(extract, report), 0):
        read = staged
        if read - merged >= chunk:
            merge()
            merged = read
    merge()
    stage.drop()
    deleted = 0
    if not was_empty:
        cursor.execute("CREATE INDEX pw_child_seen_hash ON pw_child_seen (row_hash)")
        analyze(cursor, "pw_child_seen")
        deleted = execute(
            cursor,
            f"DELETE FROM {target} WHERE NOT EXISTS "
            f"(SELECT 1 FROM pw_child_seen s WHERE s.row_hash = {target}.row_hash)",
        )
        cursor.execute("DROP TABLE pw_child_seen")
    name = extract.table.removeprefix("charity_")
    report.add(f"{name}: rows read", read)
    report.add(f"{name}: new", inserted)
    report.add(f"{name}: gone", deleted)
    return bool(inserted or deleted)
