"""Load Charity Commission register tables (see readers/ccew.py for the format).

Every table in the extract is the complete current table, so each import is a snapshot:

* `charity`: one `RegisterCharity` per row, upserted on the Commission's organisation
  number. A main charity (linked number 0) gets a reference `Organisation` with the
  identifier GB-CHC-<number> (and GB-COH-<company> when it is a charitable company), found
  first by those identifiers so a charity already known from grants or contracts is the same
  organisation, not a copy. Linked charities point at their main charity's organisation.
  A charity the register marks Removed is kept, marked removed; a charity missing from a
  newer extract is kept too, marked removed and `in_latest_extract=False`.
* the other tables are replaced by set difference on each row's content hash, so an
  unchanged row is left alone and a re-import changes nothing; they too go in chunk by
  chunk while the reader parses on (`load_child`).

Search names (the register's main and other names) follow: the charity table adds the
names of each chunk as it goes and prunes names no row gives any more at the end; an
other-names import brings them all up to date with one set difference.

Speed: a big table is read in a second process (readers/background.py) while this one
works through the rows already read in chunks of `CHUNK`: each chunk is staged in a
temporary table and merged with a handful of INSERT ... SELECT and UPDATE ... FROM
statements, during which the reader goes on parsing. A number given twice is caught as
each chunk is added to a table of every row read so far; checks that need the whole file
(an extract older than the one stored, charities no longer listed) run at the end, still
inside the one transaction, so a failure there undoes every chunk.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from partnerwise.opendata import models as od
from partnerwise.opendata.loaders import ImportFailed, ImportReport
from partnerwise.opendata.loaders.register_dates import check_extract_dates, record_extract_dates
from partnerwise.opendata.loaders.register_rows import CHARITY_FIELDS
from partnerwise.opendata.loaders.register_tables import (
    analyze,
    columns,
    good_rows,
    load_child,
    stage_rows,
)
from partnerwise.opendata.loaders.search_names import refresh_search_names
from partnerwise.opendata.loaders.sql import (
    TIMING,
    Stage,
    execute,
    is_postgres,
    json_param,
    lock,
    reset_sequence,
    scalar,
    table,
)
from partnerwise.opendata.readers import SourceError
from partnerwise.opendata.readers.ccew import TABLES, ExtractFile, open_extract
from partnerwise.organisations.models import Identifier, Organisation

SOURCE_LABEL = "Charity Commission for England and Wales register extract"
CHUNK = 50_000  # charity rows merged per round of set-based statements
# The first round is smaller, so the database starts work while the reader is still on its
# first few thousand rows instead of waiting for a whole chunk.
FIRST_CHUNK = 10_000


def open_files(paths: Iterable[Path], report: ImportReport) -> list[ExtractFile]:
    """Identify every file first, so a bad path fails before anything is read."""
    extracts: list[ExtractFile] = []
    seen: dict[str, Path] = {}
    for path in paths:
        extract = open_extract(path)
        if not extract.supported:
            report.warn(
                f"register tables not imported (this importer reads {', '.join(TABLES)})"
                f"\x00{path.name}"
            )
            continue
        if extract.table in seen:
            raise SourceError(
                f"{path.name}: table {extract.table!r} given twice (also {seen[extract.table]})"
            )
        seen[extract.table] = path
        extracts.append(extract)
    # The charity table first, so other tables find the organisations it creates.
    extracts.sort(key=lambda e: list(TABLES).index(e.table))
    return extracts


def load(paths: Iterable[Path], report: ImportReport) -> None:
    extracts = open_files(paths, report)
    if not extracts:
        raise ImportFailed("none of the files is a register table this importer reads")
    dates = check_extract_dates(extracts)
    other_names_changed = False
    with connection.cursor() as cursor:
        lock(cursor, Organisation, Identifier)
        if is_postgres():
            # Room for the joins and sorts of whole chunks, for this transaction only; and
            # foreign keys checked as each statement ends (while the reader keeps parsing)
            # rather than all at once at commit.
            cursor.execute("SET LOCAL work_mem = '64MB'")
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for extract in extracts:
            if extract.table == "charity":
                _CharityLoad(cursor, extract, report).run()
            else:
                changed = load_child(cursor, extract, report, chunk=CHUNK)
                other_names_changed |= changed and extract.table == "charity_other_names"
        if other_names_changed:
            refresh_search_names(cursor, report)
    record_extract_dates(dates)


def _as_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


class _CharityLoad:
    """One import of the charity table, chunk by chunk, in the caller's transaction."""

    def __init__(self, cursor: CursorWrapper, extract: ExtractFile, report: ImportReport):
        self.cursor, self.extract, self.report = cursor, extract, report
        self.file = extract.path.name
        self.org, self.ident = table(Organisation), table(Identifier)
        self.rc, self.names = table(od.RegisterCharity), table(od.SearchName)
        self.other = table(od.CharityOtherName)
        self.now = timezone.now()
        # New organisations take ids base + row number (the tables are locked), so one
        # INSERT ... SELECT creates a chunk's worth; identifiers stored before this import
        # are told apart from those it adds by id.
        self.org_base = scalar(cursor, f"SELECT COALESCE(MAX(id), 0) FROM {self.org}")
        self.ident_base = scalar(cursor, f"SELECT COALESCE(MAX(id), 0) FROM {self.ident}")
        self.newest_stored = _as_date(scalar(cursor, f"SELECT MAX(extract_date) FROM {self.rc}"))
        # A first import finds no stored register row to update or mark gone (a row matching
        # one from an earlier chunk of this file is a number given twice: see _add_seen).
        self.register_was_empty = not od.RegisterCharity.objects.exists()
        self.had_names = od.SearchName.objects.filter(source="ccew").exists()
        self.newest_incoming: dt.date | None = None
        self.stage = Stage(
            cursor,
            "pw_stage_raw",
            [
                ("seq", "BIGINT"),
                ("position", "TEXT"),
                *columns(od.RegisterCharity, CHARITY_FIELDS),
                ("row_hash", "BIGINT"),
                ("chc_id", "TEXT"),
                ("coh_id", "TEXT"),
                ("org_website", "TEXT"),
            ],
        )
        # Every row read, for the checks that need the whole file. Its unique indexes catch
        # a number given twice, in one chunk or across two, as each chunk is added.
        cursor.execute("DROP TABLE IF EXISTS pw_seen")
        cursor.execute(
            "CREATE TEMPORARY TABLE pw_seen (seq BIGINT, position TEXT, "
            "organisation_number BIGINT, registered_number BIGINT, linked_number BIGINT)"
        )
        cursor.execute("CREATE UNIQUE INDEX pw_seen_number ON pw_seen (organisation_number)")
        cursor.execute(
            "CREATE UNIQUE INDEX pw_seen_main ON pw_seen (registered_number) "
            "WHERE linked_number = 0"
        )
        self.read = 0
        self.pending = 0
        self.chunks = 0
        self.merging = 0.0  # seconds in set-based statements (for PARTNERWISE_SQL_TIMING)

    # ------------------------------------------------------------------ reading

    def run(self) -> None:
        report = self.report
        started = time.perf_counter()
        for read in stage_rows(self.stage, good_rows(self.extract, report), self.read):
            self.pending += read - self.read
            self.read = read
            if self.pending >= (CHUNK if self.chunks else min(CHUNK, FIRST_CHUNK)):
                self.merge_chunk()
        self.merge_chunk()
        report.add("charity: rows read", self.read)
        finishing = time.perf_counter()
        self.finish()
        if TIMING:
            total = time.perf_counter() - started
            print(
                f"{total:7.2f}s charity table: {self.merging:.2f}s merging {self.chunks} chunks, "
                f"{self.stage.writing:.2f}s writing stages, {time.perf_counter() - finishing:.2f}s "
                "whole-file checks, the rest reading (waiting for the reader)",
                file=sys.stderr,
            )

    # ------------------------------------------------------------------ one chunk

    def merge_chunk(self) -> None:
        self.stage.flush()
        self.pending = 0
        if not self.stage.rows:
            return
        started = time.perf_counter()
        try:
            self._merge()
        finally:
            self.merging += time.perf_counter() - started

    def _merge(self) -> None:
        cursor, report, now = self.cursor, self.report, self.now
        org, ident, rc = self.org, self.ident, self.rc
        self.chunks += 1
        self._add_seen()
        incoming = _as_date(scalar(cursor, "SELECT MAX(extract_date) FROM pw_stage_raw"))
        if incoming and (self.newest_incoming is None or incoming > self.newest_incoming):
            self.newest_incoming = incoming
        if self.chunks == 1:
            self._check_not_older()  # early, so a wrong file fails fast

        # Which organisation is each main charity? First by charity number, then by
        # company, among identifiers stored before this import; failing both, a new one.
        # Joins into new tables rather than UPDATEs of the stage: PostgreSQL would rewrite
        # every stage row for each UPDATE.
        cursor.execute("DROP TABLE IF EXISTS pw_main")
        execute(
            cursor,
            f"CREATE TEMPORARY TABLE pw_main AS SELECT s.registered_number, "
            f"COALESCE(i1.organisation_id, i2.organisation_id, %s + s.seq) AS org_id, "
            f"(i1.organisation_id IS NULL AND i2.organisation_id IS NULL) AS is_new_org "
            f"FROM pw_stage_raw s "
            f"LEFT JOIN {ident} i1 ON i1.workspace_id IS NULL AND i1.value = s.chc_id "
            f"AND i1.id <= %s "
            f"LEFT JOIN {ident} i2 ON i2.workspace_id IS NULL AND i2.value = s.coh_id "
            f"AND i2.id <= %s "
            f"WHERE s.linked_number = 0",
            [self.org_base, self.ident_base, self.ident_base],
        )
        cursor.execute("CREATE INDEX pw_main_number ON pw_main (registered_number)")
        analyze(cursor, "pw_main")
        # Linked charities belong to their main charity's organisation (from this chunk,
        # an earlier chunk or an earlier import; a main charity further on in the file is
        # caught up with at the end).
        cursor.execute("DROP TABLE IF EXISTS pw_stage_charity")
        execute(
            cursor,
            f"CREATE TEMPORARY TABLE pw_stage_charity AS SELECT s.*, "
            f"COALESCE(m.org_id, i.organisation_id) AS org_id, "
            f"(s.linked_number = 0 AND COALESCE(m.is_new_org, FALSE)) AS is_new_org, "
            f"COALESCE(m.is_new_org, FALSE) AS in_new_org "
            f"FROM pw_stage_raw s "
            f"LEFT JOIN pw_main m ON m.registered_number = s.registered_number "
            f"LEFT JOIN {ident} i ON i.workspace_id IS NULL AND i.value = s.chc_id",
        )
        new_orgs = scalar(cursor, "SELECT COUNT(*) FROM pw_main WHERE is_new_org")
        kind = "CASE WHEN s.is_cio THEN 'cio' ELSE 'charity' END"
        removed = "(LOWER(s.status) = 'removed')"
        execute(
            cursor,
            f"INSERT INTO {org} (id, workspace_id, name, kind, is_removed, registered_on, "
            f"removed_on, latest_income, latest_income_year_end, website, description, "
            f"is_vcse, facts, sources, created, updated) "
            f"SELECT s.org_id, NULL, s.name, {kind}, {removed}, s.registered_on, s.removed_on, "
            f"s.latest_income, s.fin_period_end, s.org_website, s.activities, TRUE, "
            f"{json_param()}, {json_param()}, %s, %s "
            f"FROM pw_stage_charity s WHERE s.is_new_org ORDER BY s.seq",
            ["{}", json.dumps([SOURCE_LABEL]), now, now],
        )
        reset_sequence(cursor, Organisation)
        report.add("organisations: new", new_orgs)

        # Identifiers the organisations lack (an organisation found by company number gains
        # its charity number and the other way round).
        # (ON CONFLICT rather than NOT EXISTS: the unique index is probed for each row
        # anyway, and a join would read the whole, growing table for every chunk.)
        # A new organisation's charity number cannot be stored yet (the number is not among
        # the identifiers stored before, and pw_seen has made sure no earlier chunk gave it).
        reference = "ON CONFLICT (value) WHERE workspace_id IS NULL DO NOTHING"
        for which, conflict in (("s.is_new_org", ""), ("NOT s.is_new_org", reference)):
            execute(
                cursor,
                f"INSERT INTO {ident} (organisation_id, workspace_id, scheme, value, "
                f"is_primary, warning) SELECT s.org_id, NULL, 'GB-CHC', s.chc_id, "
                f"s.is_new_org, '' FROM pw_stage_charity s "
                f"WHERE s.linked_number = 0 AND {which} {conflict}",
            )
        execute(
            cursor,
            f"INSERT INTO {ident} (organisation_id, workspace_id, scheme, value, is_primary, "
            f"warning) SELECT MIN(s.org_id), NULL, 'GB-COH', s.coh_id, FALSE, '' "
            f"FROM pw_stage_charity s WHERE s.linked_number = 0 AND s.coh_id IS NOT NULL "
            f"GROUP BY s.coh_id {reference}",
        )

        # Existing organisations whose register row changed take the register's facts.
        unchanged = (
            f"EXISTS (SELECT 1 FROM {rc} r WHERE r.organisation_number = s.organisation_number "
            f"AND r.row_hash = s.row_hash AND r.in_latest_extract)"
        )
        updated_orgs = execute(
            cursor,
            f"UPDATE {org} SET name = s.name, kind = {kind}, is_removed = {removed}, "
            f"registered_on = s.registered_on, removed_on = s.removed_on, "
            f"latest_income = s.latest_income, latest_income_year_end = s.fin_period_end, "
            f"website = s.org_website, description = s.activities, is_vcse = TRUE, "
            f"updated = %s FROM pw_stage_charity s WHERE {org}.id = s.org_id "
            f"AND s.linked_number = 0 AND NOT s.is_new_org AND NOT {unchanged}",
            [now],
        )
        report.add("organisations: updated", updated_orgs)

        columns = CHARITY_FIELDS
        set_list = ", ".join(f"{c} = s.{c}" for c in columns)
        changed = 0
        if not self.register_was_empty:
            changed = execute(
                cursor,
                f"UPDATE {rc} SET {set_list}, row_hash = s.row_hash, organisation_id = s.org_id, "
                f"in_latest_extract = TRUE, source_file = %s FROM pw_stage_charity s "
                f"WHERE {rc}.organisation_number = s.organisation_number AND ({rc}.row_hash <> "
                f"s.row_hash OR NOT {rc}.in_latest_extract OR "
                f"COALESCE({rc}.organisation_id, -1) <> COALESCE(s.org_id, -1))",
                [self.file],
            )
        # Into an empty register every row is new (pw_seen has ruled out repeats).
        conflict = "" if self.register_was_empty else "ON CONFLICT (organisation_number) DO NOTHING"
        inserted = execute(
            cursor,
            f"INSERT INTO {rc} ({', '.join(columns)}, row_hash, organisation_id, "
            f"in_latest_extract, source_file) SELECT {', '.join('s.' + c for c in columns)}, "
            f"s.row_hash, s.org_id, TRUE, %s FROM pw_stage_charity s WHERE TRUE "
            f"ORDER BY s.seq {conflict}",
            [self.file],
        )
        report.add("charity: new", inserted)
        report.add("charity: changed", changed)
        report.add("charity: unchanged", self.stage.rows - inserted - changed)
        self._add_names("pw_stage_charity", "s.in_new_org", fresh=True)
        self._add_names("pw_stage_charity", "NOT s.in_new_org")
        cursor.execute("DROP TABLE pw_stage_charity")
        cursor.execute("DROP TABLE pw_main")
        self.stage.clear()

    def _add_seen(self) -> None:
        """Add the chunk to pw_seen; a number given twice (in this chunk, or in this and an
        earlier one) fails the import, naming both places."""
        seen = (
            "SELECT seq, position, organisation_number, registered_number, linked_number "
            "FROM pw_stage_raw"
        )
        try:
            with transaction.atomic():  # a savepoint, to look for the culprit after
                execute(self.cursor, f"INSERT INTO pw_seen {seen}")
        except IntegrityError:
            self._check_duplicates(f"(SELECT * FROM pw_seen UNION ALL {seen}) AS s")
            raise

    def _add_names(self, rows: str, where: str = "TRUE", *, fresh: bool = False) -> None:
        """Search names for `rows` (org_id, registered and linked number, normalised, name)
        and their other names, where the organisation lacks them.

        `fresh` rows belong to organisations created in this chunk, which have no names yet:
        those go in without the per-row conflict check. Names go in in index order, which
        touches each page of the name index once rather than at random.
        """
        conflict = "" if fresh else "ON CONFLICT (organisation_id, normalised, source) DO NOTHING"
        # The name index is in byte order on both databases (migrations 0006 and 0009).
        order = 'n.normalised COLLATE "C"' if is_postgres() else "n.normalised"
        added = execute(
            self.cursor,
            f"INSERT INTO {self.names} (organisation_id, normalised, name, source) "
            f"SELECT n.organisation_id, n.normalised, MIN(n.name), 'ccew' FROM ("
            f"SELECT s.org_id AS organisation_id, s.normalised, s.name FROM {rows} s "
            f"WHERE s.org_id IS NOT NULL AND s.normalised <> '' AND {where} "
            f"UNION ALL SELECT s.org_id, o.normalised, o.name FROM {self.other} o "
            f"JOIN {rows} s ON o.registered_number = s.registered_number "
            f"AND o.linked_number = s.linked_number WHERE s.org_id IS NOT NULL AND {where}"
            f") n WHERE TRUE GROUP BY n.organisation_id, n.normalised ORDER BY {order} "
            f"{conflict}",
        )
        self.report.add("search names: new", added)

    # ------------------------------------------------------------------ whole file

    def finish(self) -> None:
        cursor, report, now = self.cursor, self.report, self.now
        rc, org, ident = self.rc, self.org, self.ident
        self.stage.drop()
        self._check_not_older()

        # Linked charities whose main charity came later in the file than their chunk.
        cursor.execute("DROP TABLE IF EXISTS pw_late")
        execute(
            cursor,
            f"CREATE TEMPORARY TABLE pw_late AS SELECT r.id AS rc_id, i.organisation_id AS "
            f"org_id, r.registered_number, r.linked_number, r.normalised, r.name FROM {rc} r "
            f"JOIN {ident} i ON i.workspace_id IS NULL AND i.value = "
            f"'GB-CHC-' || CAST(r.registered_number AS TEXT) "
            f"WHERE r.organisation_id IS NULL AND r.in_latest_extract AND r.linked_number <> 0",
        )
        late = scalar(cursor, "SELECT COUNT(*) FROM pw_late")
        if late:
            execute(
                cursor,
                f"UPDATE {rc} SET organisation_id = (SELECT l.org_id FROM pw_late l "
                f"WHERE l.rc_id = {rc}.id) WHERE id IN (SELECT rc_id FROM pw_late)",
            )
            self._add_names("pw_late")
        cursor.execute("DROP TABLE pw_late")

        # Charities the newer extract no longer lists: kept, marked removed. (On a first
        # import every stored row came from this file.)
        gone = 0
        if not self.register_was_empty:
            analyze(cursor, "pw_seen")
            gone = execute(
                cursor,
                f"UPDATE {rc} SET in_latest_extract = FALSE WHERE in_latest_extract AND NOT "
                f"EXISTS (SELECT 1 FROM pw_seen s "
                f"WHERE s.organisation_number = {rc}.organisation_number)",
            )
        if gone:
            report.add("charity: no longer in the extract (marked removed)", gone)
            execute(
                cursor,
                f"UPDATE {org} SET is_removed = TRUE, updated = %s WHERE NOT is_removed AND "
                f"id IN (SELECT organisation_id FROM {rc} WHERE NOT in_latest_extract "
                f"AND linked_number = 0)",
                [now],
            )
        orphans = scalar(
            cursor,
            f"SELECT COUNT(*) FROM {rc} WHERE in_latest_extract AND organisation_id IS NULL",
        )
        if orphans:
            report.warn(
                f"{self.file}: {orphans} linked charities have no main charity (linked number "
                "0) in the register; they are kept without an organisation"
            )
        cursor.execute("DROP TABLE pw_seen")
        changed = report.counts["charity: changed"]
        if self.had_names and changed:
            self._prune_names()

    def _prune_names(self) -> None:
        """Drop register search names that no charity row or other name gives any more."""
        names, rc, other = self.names, self.rc, self.other
        gone = execute(
            self.cursor,
            f"DELETE FROM {names} WHERE source = 'ccew' AND NOT EXISTS (SELECT 1 FROM {rc} r "
            f"WHERE r.organisation_id = {names}.organisation_id "
            f"AND r.normalised = {names}.normalised) AND NOT EXISTS (SELECT 1 FROM {other} o "
            f"JOIN {rc} r ON r.registered_number = o.registered_number "
            f"AND r.linked_number = o.linked_number "
            f"WHERE r.organisation_id = {names}.organisation_id "
            f"AND o.normalised = {names}.normalised)",
        )
        self.report.add("search names: gone", gone)

    def _check_duplicates(self, rows: str) -> None:
        for where, number, field, what in [
            ("", "organisation_number", "organisation_number", ""),
            ("WHERE linked_number = 0", "registered_number", "registered_charity_number",
             "main charity "),
        ]:  # fmt: skip
            duplicate = self._first(
                f"SELECT {number}, MIN(seq), MAX(seq) FROM {rows} {where} "
                f"GROUP BY {number} HAVING COUNT(*) > 1 ORDER BY MAX(seq) LIMIT 1"
            )
            if duplicate:
                where_is = f"SELECT position FROM {rows} WHERE seq = %s"
                first = scalar(self.cursor, where_is, [duplicate[1]])
                again = scalar(self.cursor, where_is, [duplicate[2]])
                raise ImportFailed(
                    f"{self.file}, {again}, field {field!r}: {what}{duplicate[0]} "
                    f"already given at {first}"
                )

    def _check_not_older(self) -> None:
        """Refuse to roll the register back to an older extract by mistake."""
        stored, incoming = self.newest_stored, self.newest_incoming
        if stored and incoming and incoming < stored:
            raise ImportFailed(
                f"{self.file}: extract of {incoming} is older than the one already imported "
                f"({stored}); importing it would undo newer changes"
            )

    def _first(self, sql: str) -> tuple[Any, ...] | None:
        self.cursor.execute(sql)
        row = self.cursor.fetchone()
        return tuple(row) if row else None
