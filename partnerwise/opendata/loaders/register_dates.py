"""The extract date of each register table: an older table than the one imported is
refused, whichever table it is (see loaders/ccew.py)."""

from __future__ import annotations

import datetime as dt

from partnerwise.opendata import models as od
from partnerwise.opendata.loaders import ImportFailed
from partnerwise.opendata.readers.ccew import ExtractFile


def check_extract_dates(extracts: list[ExtractFile]) -> dict[str, dt.date]:
    """Refuse a table older than the one already imported (any table: an older child table
    would replace newer rows as surely as an older charity table)."""
    stored = dict(od.RegisterTable.objects.values_list("table", "extract_date"))
    dates: dict[str, dt.date] = {}
    for extract in extracts:
        text = extract.extract_date()
        if text is None:
            continue
        incoming = dt.date.fromisoformat(text)
        before = stored.get(extract.table)
        if before and incoming < before:
            raise ImportFailed(
                f"{extract.path.name}: {extract.table} extract of {incoming} is older than the "
                f"one already imported ({before}); importing it would undo newer changes"
            )
        dates[extract.table] = incoming
    return dates


def record_extract_dates(dates: dict[str, dt.date]) -> None:
    """Remember each table's extract date (only when it changed: a re-import changes
    nothing)."""
    stored = dict(od.RegisterTable.objects.values_list("table", "extract_date"))
    for table_name, extract_date in dates.items():
        if stored.get(table_name) != extract_date:  # a re-import changes nothing
            od.RegisterTable.objects.update_or_create(
                table=table_name, defaults={"extract_date": extract_date}
            )
