"""The register's search names: brought up to date after its other names change (see
loaders/ccew.py)."""

from __future__ import annotations

from django.db.backends.utils import CursorWrapper

from partnerwise.opendata import models as od
from partnerwise.opendata.loaders import ImportReport
from partnerwise.opendata.loaders.sql import execute, table


def refresh_search_names(cursor: CursorWrapper, report: ImportReport) -> None:
    """Make the register's search names match its main and other names."""
    rc, names, other = (
        table(od.RegisterCharity),
        table(od.SearchName),
        table(od.CharityOtherName),
    )
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
