"""Load 360Giving grants: funder -> recipient, amount, date (see readers/giving.py).

Grants are upserted on their 360Giving id, in batches; a grant whose content is unchanged
is not written again, so a re-import changes nothing. A grant that a newer version of its
file (same file name) no longer lists is kept, marked removed (see `Removals`); one that
comes back is un-marked, and one that moves to another file belongs to that file from then.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.db import connection

from partnerwise.opendata.loaders import ImportReport, row_hash
from partnerwise.opendata.loaders.orgs import (
    Directory,
    OrgRef,
    Removals,
    charity_org_id,
    company_org_id,
    name_key,
    org_id,
)
from partnerwise.opendata.models import Grant
from partnerwise.opendata.readers import Row, SourceError, to_decimal
from partnerwise.opendata.readers.giving import read_grants
from partnerwise.organisations.models import Kind

LABEL = "360Giving grant data"
BATCH = 500
FIELDS = [
    "funder",
    "recipient",
    "title",
    "description",
    "amount",
    "currency",
    "award_date",
    "programme",
    "source_file",
    "row_hash",
]
# A grant's content, for its row_hash: the organisations by id (reading `funder` would
# fetch the organisation, a query per grant).
HASHED = [
    "funder_id" if name == "funder" else "recipient_id" if name == "recipient" else name
    for name in FIELDS
    if name not in {"row_hash", "source_file"}
]
# Written with FIELDS but not part of a grant's content (so not in its row_hash).
STATE = ["in_latest_file", "removed_on"]


def load(paths: Iterable[Path], report: ImportReport) -> None:
    paths = list(paths)
    for path in paths:
        if path.suffix.lower() not in {".json", ".csv", ".xlsx", ".xlsm"}:
            raise SourceError(f"{path.name}: expected a .json, .csv or .xlsx 360Giving file")
    directory = Directory(source="360giving", label=LABEL, report=report)
    with connection.cursor() as cursor:
        removals = Removals(cursor, model=Grant, key="grant_id", noun="grants", report=report)
        removals.load_files(
            paths,
            read_grants,
            lambda batch: _load_batch(batch, directory, report, removals),
            BATCH,
        )
    report.add("organisations: new", directory.created)


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
    batch: list[Row], directory: Directory, report: ImportReport, removals: Removals
) -> None:
    pairs = [(row, _refs(row, report)) for row in batch]
    directory.prefetch(ref for _, refs in pairs if refs for ref in refs)
    grants: dict[str, Grant] = {}
    for row, refs in pairs:
        if refs is None:
            continue
        data = row.data
        programme = _first(data.get("grantProgramme")).get("title") or ""
        amount = data.get("amountAwarded")
        grant = Grant(
            grant_id=str(data["id"])[:300],
            funder_id=directory.resolve(refs[0]),
            recipient_id=directory.resolve(refs[1]),
            title=str(data.get("title") or "")[:500],
            description=str(data.get("description") or ""),
            amount=to_decimal(amount),
            currency=str(data.get("currency") or "")[:3],
            award_date=str(data["awardDate"])[:10],
            programme=str(programme)[:300],
            source_file=row.file,
        )
        grant.row_hash = row_hash([getattr(grant, name) for name in HASHED])
        if grant.grant_id in grants:
            report.warn(f"{row.file}: grant id given twice, the later one kept\x00{grant.grant_id}")
        grants[grant.grant_id] = grant
    directory.flush()
    # A grant id an earlier batch gave already: the later one is kept, with a warning, and
    # it counts once (not as a change).
    again = removals.read_before(grants)
    for grant_id in again:
        report.warn(
            f"{grants[grant_id].source_file}: grant id given twice, the later one kept"
            f"\x00{grant_id}"
        )
    removals.seen(grants)
    # A grant is rewritten when its content changed, it moved to this file, or it was
    # marked removed and is back.
    stored = {
        grant_id: (digest, source_file, current)
        for grant_id, digest, source_file, current in Grant.objects.filter(
            grant_id__in=grants
        ).values_list("grant_id", "row_hash", "source_file", "in_latest_file")
    }
    write = [
        g for g in grants.values() if stored.get(g.grant_id) != (g.row_hash, g.source_file, True)
    ]
    if write:
        Grant.objects.bulk_create(
            write,
            update_conflicts=True,
            unique_fields=["grant_id"],
            update_fields=FIELDS + STATE,
        )
    counted = [g for g in write if g.grant_id not in again]
    new = sum(1 for g in counted if g.grant_id not in stored)
    back = sum(1 for g in counted if g.grant_id in stored and not stored[g.grant_id][2])
    report.add("grants: read", len(grants) - len(again))
    report.add("grants: new", new)
    report.add("grants: back in the file (no longer marked removed)", back)
    report.add("grants: changed", len(counted) - new - back)
    report.add("grants: unchanged", len(grants) - len(again) - len(counted))
