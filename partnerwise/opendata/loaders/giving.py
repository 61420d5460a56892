"""Load 360Giving grants: funder -> recipient, amount, date (see readers/giving.py).

Grants are shaped where they are read (grant_rows.py), their funders and recipients are
found for a batch together (see `Directory`), and they are staged, then compared with the
stored grants and upserted on their 360Giving id all at once (see staged_rows.py); a grant
whose content is unchanged is not written again, so a re-import changes nothing. A grant
that a newer version of its file (same file name) no longer lists is kept, marked removed
(see `Removals`); one that comes back is un-marked, and one that moves to another file
belongs to that file from then.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from partnerwise.opendata.loaders import ImportReport
from partnerwise.opendata.loaders.grant_rows import AMOUNT, shape_grants
from partnerwise.opendata.loaders.shaping import amount_at
from partnerwise.opendata.loaders.staged_rows import Shape, Source, load_source
from partnerwise.opendata.models import Grant
from partnerwise.opendata.readers.giving import read_grants

LABEL = "360Giving grant data"
BATCH = 2000
# A grant's content, in the order of its row_hash (unchanged from the loader that built
# Grant objects: a re-import of data imported before finds it unchanged).
HASHED = [
    "funder_id",
    "recipient_id",
    "title",
    "description",
    "amount",
    "currency",
    "award_date",
    "programme",
]
SHAPE = Shape(
    noun="grants",
    model=Grant,
    key="grant_id",
    columns=[
        ("funder_id", "BIGINT"),
        ("recipient_id", "BIGINT"),
        ("title", "VARCHAR(500)"),
        ("description", "TEXT"),
        ("amount", "DECIMAL(16, 2)"),
        ("currency", "VARCHAR(3)"),
        ("award_date", "DATE"),
        ("programme", "VARCHAR(300)"),
        ("source_file", "VARCHAR(300)"),
        ("row_hash", "BIGINT"),
    ],
    keep_first="r.seq DESC",  # the later one
    repeat_warning="grant id given twice, the later one kept",
)


GRANTS = Source(
    name="360giving",
    label=LABEL,
    suffixes=frozenset({".json", ".csv", ".xlsx", ".xlsm"}),
    expected="expected a .json, .csv or .xlsx 360Giving file",
    reader=read_grants,
    shaper=shape_grants,
    shape=SHAPE,
    revive=amount_at(AMOUNT),
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
    load_source(GRANTS, paths, report, batch=batch, background=background)
