"""Keeping the SQLite query planner's statistics current.

SQLite plans with the statistics `ANALYZE` leaves in `sqlite_stat1`; nothing gathers them
unless asked. Without them, once other workspaces grew, the planner read a workspace's
ratings through the typology index and walked every workspace's rows (19.5 ms for a query
that takes 0.7 ms after `ANALYZE`; issue 15). PostgreSQL's autovacuum keeps its own.
"""

from __future__ import annotations

from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

# Rows examined per index by ANALYZE: enough for good plans, and quick on a register of
# 400,000 charities (the figure SQLite's documentation suggests).
ANALYSIS_LIMIT = 1000


def refresh_planner_statistics(using: str = "default") -> None:
    """Gather fresh statistics where the database needs telling (SQLite); a bounded, quick
    ANALYZE, run after migrations, imports and profile rebuilds."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
        cursor.execute("ANALYZE")


def optimize_on_connect(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """SQLite's advice for long-lived connections: `PRAGMA optimize=0x10002` when one opens
    (it analyses only the tables whose statistics are missing or out of date)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
            cursor.execute("PRAGMA optimize=0x10002")
