"""Load OCDS contract awards: buyer -> supplier, value and dates (see readers/ocds.py).

One `Award` row per supplier per award, keyed `ocid/award id/supplier party id`. When
several releases describe the same award (award, then awardUpdate), the release with the
latest `date` wins whatever the order of the files. Cancelled and unsuccessful awards are
not relationships and are left out.

Suppliers and buyers are found by their org-id (`identifier`, `additionalIdentifiers`, or a
party id that is an org-id such as Contracts Finder's GB-CFS-…). A party with none of these
is known by its normalised name within OCDS data only (see `SourceKey`).

An award that a newer version of its file (same file name) no longer lists, or lists only
as cancelled or unsuccessful, is kept, marked removed (see `Removals`); a release that
lists it again un-marks it, even one older than the release stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import connection

from partnerwise.opendata.loaders import ImportReport
from partnerwise.opendata.loaders.award_rows import RELEASE_DATE, VALUE, shape_awards
from partnerwise.opendata.loaders.staged_rows import Shape, Source, load_source
from partnerwise.opendata.models import Award
from partnerwise.opendata.readers.ocds import SUFFIXES, read_releases

LABEL = "OCDS contracting data (Contracts Finder, Find a Tender)"
BATCH = 2000
# An award's content, in the order of its row_hash (unchanged from the loader that built
# Award objects: a re-import of data imported before finds it unchanged).
HASHED = [
    "ocid",
    "release_id",
    "award_id",
    "buyer_id",
    "supplier_id",
    "title",
    "status",
    "value",
    "currency",
    "award_date",
    "start_date",
    "end_date",
    "release_date",
    "buyer_is_central_government",
    "supplier_vcse",
    "supplier_sme",
    "suitable_vcse",
    "suitable_sme",
]
_TYPES = {
    "ocid": "VARCHAR(200)",
    "release_id": "VARCHAR(200)",
    "award_id": "VARCHAR(200)",
    "buyer_id": "BIGINT",
    "supplier_id": "BIGINT",
    "title": "VARCHAR(500)",
    "status": "VARCHAR(40)",
    "value": "DECIMAL(18, 2)",
    "currency": "VARCHAR(3)",
    "award_date": "DATE",
    "start_date": "DATE",
    "end_date": "DATE",
    "release_date": "TIMESTAMP WITH TIME ZONE",
}
SHAPE = Shape(
    noun="awards",
    model=Award,
    key="key",
    columns=[
        *((name, _TYPES.get(name, "BOOLEAN")) for name in HASHED),
        ("source_file", "VARCHAR(300)"),
        ("row_hash", "BIGINT"),
    ],
    # The latest release (one without a date is the oldest); of equals, the later read.
    keep_first="(r.release_date IS NULL), r.release_date DESC, r.seq DESC",
    # Only a current award keeps its newer release; a removed one is back as listed.
    older_than="g.release_date IS NOT NULL AND s.release_date IS NOT NULL "
    "AND g.release_date > s.release_date",
)


def load(
    paths: Iterable[Path],
    report: ImportReport,
    *,
    batch: int = BATCH,
    background: bool | None = None,
) -> None:
    """Import the files; `batch` records are resolved together, and a big file is read in
    a second process (`background` forces it either way: see readers/read_ahead.py)."""
    load_source(AWARDS, paths, report, batch=batch, background=background)


def _revive(after: tuple[Any, ...]) -> tuple[Any, ...]:
    """The value and the release date as read (they cross from the reader as text)."""
    value = after[VALUE]
    return (
        *after[:VALUE],
        None if value is None else Decimal(value),
        *after[VALUE + 1 : RELEASE_DATE],
        dt.datetime.fromisoformat(after[RELEASE_DATE]),
        *after[RELEASE_DATE + 1 :],
    )


def _as_stored() -> Callable[[tuple[Any, ...]], tuple[Any, ...]] | None:
    """What gives the release date as the database stores it (hashed as read, to compare);
    None where the database takes a datetime as it is (PostgreSQL)."""
    adapt = connection.ops.adapt_datetimefield_value
    probe = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    adapted: object = adapt(probe)
    if adapted is probe:
        return None

    def prepare(after: tuple[Any, ...]) -> tuple[Any, ...]:
        return (*after[:RELEASE_DATE], adapt(after[RELEASE_DATE]), *after[RELEASE_DATE + 1 :])

    return prepare


AWARDS = Source(
    name="ocds",
    label=LABEL,
    suffixes=frozenset(SUFFIXES),
    expected="expected OCDS JSON (.json, .jsonl) or a .zip of such files",
    reader=read_releases,
    shaper=shape_awards,
    shape=SHAPE,
    revive=_revive,
    prepare=_as_stored,
)
