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
  unchanged row is left alone and a re-import changes nothing.

After the charity or other-names table changes, the search names for register charities
are brought up to date with one more set difference.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterable
from operator import itemgetter
from pathlib import Path
from typing import Any

from django.db import connection
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from partnerwise.opendata import models as od
from partnerwise.opendata.loaders import ImportFailed, ImportReport, progress, row_hash
from partnerwise.opendata.loaders.sql import (
    TIMING,
    Stage,
    execute,
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

# Tables whose rows hang off a charity number and are synced by content hash.
CHILD_MODELS: dict[str, type[od._RegisterTable]] = {
    "charity_other_names": od.CharityOtherName,
    "charity_other_regulators": od.CharityRegulator,
    "charity_area_of_operation": od.CharityArea,
    "charity_classification": od.CharityClassification,
    "charity_annual_return_parta": od.CharityAnnualReturn,
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
    names_changed = False
    with connection.cursor() as cursor:
        lock(cursor, Organisation, Identifier)
        for extract in extracts:
            if extract.table == "charity":
                names_changed |= load_charity(cursor, extract, report)
            else:
                changed = load_child(cursor, extract, report)
                names_changed |= changed and extract.table == "charity_other_names"
        if names_changed:
            refresh_search_names(cursor, report)


def _columns(model: type[Any], names: list[str]) -> list[tuple[str, str]]:
    """Stage column definitions (the fields used here are plain: column name = field name)."""
    return [(name, _SQL_TYPES[model._meta.get_field(name).get_internal_type()]) for name in names]


def _website(url: str) -> str:
    if url and "://" not in url:
        return f"http://{url}"
    return url[:500]


def _company_org_id(number: str) -> str | None:
    text = "".join(number.split()).upper()
    if not text or text in {"0", "00000000"}:
        return None
    if text.isdigit():
        return f"GB-COH-{int(text):08d}"
    prefix, digits = text[:2], text[2:]
    if prefix.isalpha() and digits.isdigit() and len(digits) <= 6:
        return f"GB-COH-{prefix}{int(digits):06d}"
    return f"GB-COH-{text}"


CHARITY_FIELDS = [
    "organisation_number",
    "registered_number",
    "linked_number",
    "name",
    "normalised",
    "charity_type",
    "status",
    "registered_on",
    "removed_on",
    "reporting_status",
    "fin_period_end",
    "latest_income",
    "latest_expenditure",
    "company_number",
    "website",
    "is_cio",
    "activities",
    "extract_date",
]


def load_charity(cursor: CursorWrapper, extract: ExtractFile, report: ImportReport) -> bool:
    """Load the charity table; True if any row or organisation changed."""
    file = extract.path.name
    stage = Stage(
        cursor,
        "pw_stage_raw",
        [
            ("seq", "BIGINT"),
            ("position", "TEXT"),
            *_columns(od.RegisterCharity, CHARITY_FIELDS),
            ("row_hash", "BIGINT"),
            ("chc_id", "TEXT"),
            ("coh_id", "TEXT"),
            ("org_website", "TEXT"),
        ],
    )
    label = f"{file} (charity)"
    read = 0
    pick = itemgetter(*CHARITY_FIELDS)
    for seq, row in enumerate(report.good_rows(progress(extract.rows(), label=label)), start=1):
        data = row.data
        values = pick(data)
        company = data["company_number"]
        website = data["website"]
        stage.add(
            (
                seq,
                row.position,
                *values,
                row_hash(values[:-1]),  # the extract date alone is no change
                f"GB-CHC-{data['registered_number']}",
                _company_org_id(company) if company and data["linked_number"] == 0 else None,
                _website(website) if website else "",
            )
        )
        read += 1
    stage.flush()
    if TIMING:
        print(f"{stage.writing:7.2f}s writing the stage", file=sys.stderr)
    report.add("charity: rows read", read)

    duplicate = _first(
        cursor,
        "SELECT organisation_number, MIN(position), MAX(position) FROM pw_stage_raw "
        "GROUP BY organisation_number HAVING COUNT(*) > 1",
    )
    if duplicate:
        raise ImportFailed(
            f"{file}, {duplicate[2]}, field 'organisation_number': {duplicate[0]} "
            f"already given at {duplicate[1]}"
        )
    duplicate = _first(
        cursor,
        "SELECT registered_number, MIN(position), MAX(position) FROM pw_stage_raw "
        "WHERE linked_number = 0 GROUP BY registered_number HAVING COUNT(*) > 1",
    )
    if duplicate:
        raise ImportFailed(
            f"{file}, {duplicate[2]}, field 'registered_charity_number': main charity "
            f"{duplicate[0]} already given at {duplicate[1]}"
        )
    _check_not_older(cursor, file)

    org, ident, rc = table(Organisation), table(Identifier), table(od.RegisterCharity)
    now = timezone.now()

    # Which organisation is each main charity? First by charity number, then by company;
    # failing both, a new one whose id is handed out here (the tables are locked), so one
    # INSERT ... SELECT creates them all. Joins into new tables rather than UPDATEs of the
    # stage: PostgreSQL would rewrite every stage row for each UPDATE.
    base = scalar(cursor, f"SELECT COALESCE(MAX(id), 0) FROM {org}")
    cursor.execute("DROP TABLE IF EXISTS pw_main")
    if connection.vendor == "postgresql":
        cursor.execute("ANALYZE pw_stage_raw")
    execute(
        cursor,
        f"CREATE TEMPORARY TABLE pw_main AS SELECT s.registered_number, "
        f"COALESCE(i1.organisation_id, i2.organisation_id, %s + s.seq) AS org_id, "
        f"(i1.organisation_id IS NULL AND i2.organisation_id IS NULL) AS is_new_org "
        f"FROM pw_stage_raw s "
        f"LEFT JOIN {ident} i1 ON i1.workspace_id IS NULL AND i1.value = s.chc_id "
        f"LEFT JOIN {ident} i2 ON i2.workspace_id IS NULL AND i2.value = s.coh_id "
        f"WHERE s.linked_number = 0",
        [base],
    )
    cursor.execute("CREATE INDEX pw_main_number ON pw_main (registered_number)")
    if connection.vendor == "postgresql":
        cursor.execute("ANALYZE pw_main")
    # Linked charities belong to their main charity's organisation (from this file, or
    # from an earlier import when the main charity's row is not here).
    cursor.execute("DROP TABLE IF EXISTS pw_stage_charity")
    execute(
        cursor,
        f"CREATE TEMPORARY TABLE pw_stage_charity AS SELECT s.*, "
        f"COALESCE(m.org_id, i.organisation_id) AS org_id, "
        f"(s.linked_number = 0 AND COALESCE(m.is_new_org, FALSE)) AS is_new_org "
        f"FROM pw_stage_raw s "
        f"LEFT JOIN pw_main m ON m.registered_number = s.registered_number "
        f"LEFT JOIN {ident} i ON i.workspace_id IS NULL AND i.value = s.chc_id",
    )
    cursor.execute("CREATE INDEX pw_stage_charity_number ON pw_stage_charity (organisation_number)")
    if connection.vendor == "postgresql":
        cursor.execute("ANALYZE pw_stage_charity")
    stage.drop()
    new_orgs = scalar(cursor, "SELECT COUNT(*) FROM pw_main WHERE is_new_org")
    kind = "CASE WHEN s.is_cio THEN 'cio' ELSE 'charity' END"
    removed = "(LOWER(s.status) = 'removed')"
    execute(
        cursor,
        f"INSERT INTO {org} (id, workspace_id, name, kind, is_removed, registered_on, "
        f"removed_on, latest_income, latest_income_year_end, website, description, is_vcse, "
        f"facts, sources, created, updated) "
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
    execute(
        cursor,
        f"INSERT INTO {ident} (organisation_id, workspace_id, scheme, value, is_primary, "
        f"warning) SELECT s.org_id, NULL, 'GB-CHC', s.chc_id, s.is_new_org, '' "
        f"FROM pw_stage_charity s WHERE s.linked_number = 0 AND NOT EXISTS "
        f"(SELECT 1 FROM {ident} i WHERE i.workspace_id IS NULL AND i.value = s.chc_id)",
    )
    execute(
        cursor,
        f"INSERT INTO {ident} (organisation_id, workspace_id, scheme, value, is_primary, "
        f"warning) SELECT MIN(s.org_id), NULL, 'GB-COH', s.coh_id, FALSE, '' "
        f"FROM pw_stage_charity s WHERE s.linked_number = 0 AND s.coh_id IS NOT NULL "
        f"AND NOT EXISTS (SELECT 1 FROM {ident} i WHERE i.workspace_id IS NULL "
        f"AND i.value = s.coh_id) GROUP BY s.coh_id",
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
        f"website = s.org_website, description = s.activities, is_vcse = TRUE, updated = %s "
        f"FROM pw_stage_charity s WHERE {org}.id = s.org_id AND s.linked_number = 0 "
        f"AND NOT s.is_new_org AND NOT {unchanged}",
        [now],
    )
    report.add("organisations: updated", updated_orgs)

    columns = CHARITY_FIELDS
    set_list = ", ".join(f"{c} = s.{c}" for c in columns)
    changed = execute(
        cursor,
        f"UPDATE {rc} SET {set_list}, row_hash = s.row_hash, organisation_id = s.org_id, "
        f"in_latest_extract = TRUE, source_file = %s FROM pw_stage_charity s "
        f"WHERE {rc}.organisation_number = s.organisation_number AND ({rc}.row_hash <> "
        f"s.row_hash OR NOT {rc}.in_latest_extract OR "
        f"COALESCE({rc}.organisation_id, -1) <> COALESCE(s.org_id, -1))",
        [file],
    )
    inserted = execute(
        cursor,
        f"INSERT INTO {rc} ({', '.join(columns)}, row_hash, organisation_id, "
        f"in_latest_extract, source_file) SELECT {', '.join('s.' + c for c in columns)}, "
        f"s.row_hash, s.org_id, TRUE, %s FROM pw_stage_charity s WHERE NOT EXISTS "
        f"(SELECT 1 FROM {rc} r WHERE r.organisation_number = s.organisation_number) "
        f"ORDER BY s.seq",
        [file],
    )
    report.add("charity: new", inserted)
    report.add("charity: changed", changed)
    report.add("charity: unchanged", read - inserted - changed)

    # Charities the newer extract no longer lists: kept, marked removed.
    gone = execute(
        cursor,
        f"UPDATE {rc} SET in_latest_extract = FALSE WHERE in_latest_extract AND NOT EXISTS "
        f"(SELECT 1 FROM pw_stage_charity s WHERE s.organisation_number = "
        f"{rc}.organisation_number)",
    )
    if gone:
        report.add("charity: no longer in the extract (marked removed)", gone)
        execute(
            cursor,
            f"UPDATE {org} SET is_removed = TRUE, updated = %s WHERE NOT is_removed AND id IN "
            f"(SELECT organisation_id FROM {rc} WHERE NOT in_latest_extract "
            f"AND linked_number = 0)",
            [now],
        )
    orphans = scalar(cursor, "SELECT COUNT(*) FROM pw_stage_charity WHERE org_id IS NULL")
    if orphans:
        report.warn(
            f"{file}: {orphans} linked charities have no main charity (linked number 0) in "
            "the register; they are kept without an organisation"
        )
    cursor.execute("DROP TABLE pw_stage_charity")
    cursor.execute("DROP TABLE pw_main")
    return bool(new_orgs or updated_orgs or changed or inserted or gone)


def _first(cursor: CursorWrapper, sql: str) -> tuple[Any, ...] | None:
    cursor.execute(sql)
    row = cursor.fetchone()
    return tuple(row) if row else None


def _check_not_older(cursor: CursorWrapper, file: str) -> None:
    """Refuse to roll the register back to an older extract by mistake."""
    rc = table(od.RegisterCharity)
    newest = scalar(cursor, f"SELECT MAX(extract_date) FROM {rc}")
    incoming = scalar(cursor, "SELECT MAX(extract_date) FROM pw_stage_raw")
    if newest and incoming:
        newest_date = newest if isinstance(newest, dt.date) else dt.date.fromisoformat(newest)
        incoming_date = (
            incoming if isinstance(incoming, dt.date) else dt.date.fromisoformat(incoming)
        )
        if incoming_date < newest_date:
            raise ImportFailed(
                f"{file}: extract of {incoming_date} is older than the one already imported "
                f"({newest_date}); importing it would undo newer changes"
            )


def load_child(cursor: CursorWrapper, extract: ExtractFile, report: ImportReport) -> bool:
    """Replace one child table by set difference on row content; True if anything changed."""
    model = CHILD_MODELS[extract.table]
    spec = TABLES[extract.table]
    fields = [target for target, _ in spec.columns.values()]
    if extract.table == "charity_other_names":
        fields.append("normalised")
    columns = fields
    stage = Stage(
        cursor,
        "pw_stage_child",
        [("seq", "BIGINT"), *_columns(model, fields), ("row_hash", "BIGINT")],
    )
    file = extract.path.name
    read = 0
    rows = report.good_rows(progress(extract.rows(), label=f"{file} ({extract.table})"))
    for seq, row in enumerate(rows, start=1):
        values = [row.data[name] for name in fields]
        stage.add([seq, *values, row_hash(values)])
        read += 1
    stage.index("row_hash")
    target = table(model)
    deleted = execute(
        cursor,
        f"DELETE FROM {target} WHERE NOT EXISTS "
        f"(SELECT 1 FROM pw_stage_child s WHERE s.row_hash = {target}.row_hash)",
    )
    inserted = execute(
        cursor,
        f"INSERT INTO {target} ({', '.join(columns)}, row_hash) "
        f"SELECT {', '.join('s.' + c for c in columns)}, s.row_hash FROM pw_stage_child s "
        f"WHERE s.seq IN (SELECT MIN(seq) FROM pw_stage_child GROUP BY row_hash) "
        f"AND NOT EXISTS (SELECT 1 FROM {target} t WHERE t.row_hash = s.row_hash) "
        f"ORDER BY s.seq",
    )
    stage.drop()
    name = extract.table.removeprefix("charity_")
    report.add(f"{name}: rows read", read)
    report.add(f"{name}: new", inserted)
    report.add(f"{name}: gone", deleted)
    return bool(inserted or deleted)


def refresh_search_names(cursor: CursorWrapper, report: ImportReport) -> None:
    """Make the register's search names match its main and other names."""
    rc, names, other = (
        table(od.RegisterCharity),
        table(od.SearchName),
        table(od.CharityOtherName),
    )
    union = (
        f"SELECT organisation_id, normalised, MIN(name) AS name FROM ("
        f"SELECT organisation_id, normalised, name FROM {rc} "
        f"WHERE organisation_id IS NOT NULL AND normalised <> '' "
        f"UNION ALL SELECT r.organisation_id, o.normalised, o.name FROM {other} o "
        f"JOIN {rc} r ON r.registered_number = o.registered_number "
        f"AND r.linked_number = o.linked_number WHERE r.organisation_id IS NOT NULL"
        f") n GROUP BY organisation_id, normalised"
    )
    if not od.SearchName.objects.filter(source="ccew").exists():
        # First import: nothing to compare with, so no staging table.
        added = execute(
            cursor,
            f"INSERT INTO {names} (organisation_id, normalised, name, source) "
            f"SELECT organisation_id, normalised, name, 'ccew' FROM ({union}) u",
        )
        report.add("search names: new", added)
        return
    cursor.execute("DROP TABLE IF EXISTS pw_stage_names")
    cursor.execute(
        "CREATE TEMPORARY TABLE pw_stage_names (organisation_id BIGINT, normalised TEXT, name TEXT)"
    )
    execute(
        cursor,
        f"INSERT INTO pw_stage_names SELECT organisation_id, normalised, MIN(name) FROM ("
        f"SELECT organisation_id, normalised, name FROM {rc} "
        f"WHERE organisation_id IS NOT NULL AND normalised <> '' "
        f"UNION ALL SELECT r.organisation_id, o.normalised, o.name FROM {other} o "
        f"JOIN {rc} r ON r.registered_number = o.registered_number "
        f"AND r.linked_number = o.linked_number WHERE r.organisation_id IS NOT NULL"
        f") n GROUP BY organisation_id, normalised",
    )
    cursor.execute(
        "CREATE INDEX pw_stage_names_key ON pw_stage_names (organisation_id, normalised)"
    )
    removed = execute(
        cursor,
        f"DELETE FROM {names} WHERE source = 'ccew' AND NOT EXISTS (SELECT 1 FROM "
        f"pw_stage_names s WHERE s.organisation_id = {names}.organisation_id "
        f"AND s.normalised = {names}.normalised)",
    )
    added = execute(
        cursor,
        f"INSERT INTO {names} (organisation_id, normalised, name, source) "
        f"SELECT s.organisation_id, s.normalised, s.name, 'ccew' FROM pw_stage_names s "
        f"WHERE NOT EXISTS (SELECT 1 FROM {names} n WHERE n.organisation_id = "
        f"s.organisation_id AND n.normalised = s.normalised AND n.source = 'ccew')",
    )
    cursor.execute("DROP TABLE pw_stage_names")
    report.add("search names: new", added)
    report.add("search names: gone", removed)
