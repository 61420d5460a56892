"""Load 360Giving grants: funder -> recipient, amount, date (see readers/giving.py).

Grants are read in batches whose funders and recipients are resolved together (see
`Directory`), staged, then compared with the stored grants and upserted on their 360Giving
id all at once (see staged_rows.py); a grant whose content is unchanged is not written
again, so a re-import changes nothing. A grant that a newer version of its
file (same file name) no longer lists is kept, marked removed (see `Removals`); one that
comes back is un-marked, and one that moves to another file belongs to that file from then.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from partnerwise.opendata.loaders import ImportReport, row_hash
from partnerwise.opendata.loaders.orgs import (
    Directory,
    OrgRef,
    charity_org_id,
    company_org_id,
    name_key,
    org_id,
)
from partnerwise.opendata.loaders.staged_rows import (
    Shape,
    StagedRows,
    load_staged,
)
from partnerwise.opendata.models import Grant
from partnerwise.opendata.readers import Row, SourceError, to_decimal
from partnerwise.opendata.readers.giving import pack_grant, read_grants, unpack_grant
from partnerwise.opendata.readers.read_ahead import Packing
from partnerwise.organisations.models import Kind

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
    keep_first="s.seq DESC",  # the later one
    repeat_warning="grant id given twice, the later one kept",
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
    paths = list(paths)
    for path in paths:
        if path.suffix.lower() not in {".json", ".csv", ".xlsx", ".xlsm"}:
            raise SourceError(f"{path.name}: expected a .json, .csv or .xlsx 360Giving file")
    directory = Directory(source="360giving", label=LABEL, report=report)
    load_staged(
        paths,
        reader=read_grants,
        shape=SHAPE,
        directory=directory,
        report=report,
        load_batch=lambda rows, staged: _load_batch(rows, directory, report, staged),
        batch=batch,
        background=background,
        packing=Packing(pack_grant, unpack_grant),  # this module reads no other fields
    )


def _first(value: Any) -> dict[str, Any]:
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return value[0]
    return {}


def _refs(row: Row, report: ImportReport) -> tuple[OrgRef, OrgRef] | None:
    grant = row.data
    where = (row.file, row.position)
    funder, recipient = (
        _first(grant.get("fundingOrganization")),
        _first(grant.get("recipientOrganization")),
    )
    if not recipient:
        return None
    funder_ids = [v for v in [org_id(funder.get("id"), report, *where)] if v]
    recipient_ids = [
        v
        for v in [
            org_id(recipient.get("id"), report, *where),
            charity_org_id(recipient.get("charityNumber"), report, *where),
            company_org_id(recipient.get("companyNumber"), report, *where),
        ]
        if v
    ]
    funder_name, recipient_name = str(funder.get("name") or ""), str(recipient.get("name") or "")
    funder_key = None if funder_ids else name_key(funder_name)
    recipient_key = None if recipient_ids else name_key(recipient_name)
    if not (funder_ids or funder_key) or not (recipient_ids or recipient_key):
        report.warn(
            f"{row.file}: grant with neither an id nor a name for its funder or recipient, "
            f"skipped\x00{row.position}"
        )
        return None
    if recipient_key:
        report.warn(
            f"{row.file}: recipient without a usable org-id, known by its name within "
            f"360Giving data only\x00{row.position}: {recipient_name}"
        )
    is_charity = any(v.startswith("GB-CHC-") for v in recipient_ids)
    return (
        OrgRef(funder_name, funder_ids, Kind.FUNDER, source_key=funder_key),
        OrgRef(
            recipient_name,
            recipient_ids,
            Kind.CHARITY if is_charity else Kind.OTHER,
            is_vcse=True if is_charity else None,
            source_key=recipient_key,
        ),
    )


def _load_batch(
    batch: list[Row], directory: Directory, report: ImportReport, staged: StagedRows
) -> None:
    pairs = [(row, _refs(row, report)) for row in batch]
    directory.prefetch(ref for _, refs in pairs if refs for ref in refs)
    for row, refs in pairs:
        if refs is None:
            continue
        data = row.data
        programme = _first(data.get("grantProgramme")).get("title") or ""
        # In HASHED's order, then the source file.
        values = (
            directory.resolve(refs[0]),
            directory.resolve(refs[1]),
            str(data.get("title") or "")[:500],
            str(data.get("description") or ""),
            to_decimal(data.get("amountAwarded")),
            str(data.get("currency") or "")[:3],
            str(data["awardDate"])[:10],
            str(programme)[:300],
        )
        staged.add(str(data["id"])[:300], (*values, row.file, row_hash(values)))
    directory.flush()
