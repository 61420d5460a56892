"""SQLite gets planner statistics after migrations, imports and rebuilds (issue 15)."""

from __future__ import annotations

import pytest
from django.db import connection

from partnerwise.conftest import Cast, rate
from partnerwise.workspaces.planner import refresh_planner_statistics


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL's autovacuum analyses")
def test_statistics_cover_the_ratings_tables(cast: Cast) -> None:
    rate(cast.workspace, cast.partnership, cast.prime, cast.editor, {"power": 5})
    refresh_planner_statistics()
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT tbl FROM sqlite_stat1")
        tables = {row[0] for row in cursor.fetchall()}
    assert {"assessments_assessment", "assessments_storedprofile"} <= tables


def test_refreshing_is_harmless_on_any_database(cast: Cast) -> None:
    refresh_planner_statistics()
    refresh_planner_statistics()
