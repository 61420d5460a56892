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

import re
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import connection

from partnerwise.opendata.loaders import ImportReport, row_hash
from partnerwise.opendata.loaders.orgs import Directory, OrgRef, name_key, org_id
from partnerwise.opendata.loaders.staged_rows import (
    Shape,
    StagedRows,
    load_staged,
)
from partnerwise.opendata.models import Award
from partnerwise.opendata.readers import FieldError, Row, SourceError, to_decimal
from partnerwise.opendata.readers.ocds import SUFFIXES, read_releases
from partnerwise.organisations.models import Kind

LABEL = "OCDS contracting data (Contracts Finder, Find a Tender)"
_ORG_ID = re.compile(r"^[A-Z]{2}-[A-Z]{2,}-")
_UK_COUNTRY = {"united kingdom", "uk", "gb", "gbr", "england", "scotland", "wales",
               "northern ireland", "great britain"}  # fmt: skip
# Contracts Finder and Find a Tender: every buyer they publish is a UK buyer.
_UK_OCID_PREFIXES = ("ocds-b5fd17", "ocds-h6vhtk")
BATCH = 200
_SKIP_STATUS = {"cancelled", "unsuccessful"}
# Central government buyers: the GB-GOR register, or a department's usual name.
_CENTRAL = re.compile(
    r"^(ministry of|department (for|of)|cabinet office|home office|hm |his majesty|"
    r"her majesty|foreign, commonwealth|crown commercial service|ministry for)",
    re.IGNORECASE,
)
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
    keep_first="(s.release_date IS NULL), s.release_date DESC, s.seq DESC",
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
    paths = list(paths)
    for path in paths:
        if path.suffix.lower() not in SUFFIXES:
            raise SourceError(
                f"{path.name}: expected OCDS JSON (.json, .jsonl) or a .zip of such files"
            )
    directory = Directory(source="ocds", label=LABEL, report=report)
    load_staged(
        paths,
        reader=read_releases,
        shape=SHAPE,
        directory=directory,
        report=report,
        load_batch=lambda rows, staged: _load_batch(rows, directory, report, staged),
        batch=batch,
        background=background,
    )


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _date(value: Any) -> str | None:
    # The reader has checked every date the loader reads (readers/ocds.py).
    return value if isinstance(value, str) and value else None


def _amount(value: Any) -> Decimal | None:
    amount = _dict(value).get("amount")
    if amount is None or isinstance(amount, bool):
        return None
    try:
        return to_decimal(amount)
    except FieldError:
        return None  # a non-standard field (bluetail's x_awardValue) the reader left alone


def _flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _party_ref(party: dict[str, Any], row: Row, report: ImportReport) -> OrgRef:
    ids: list[str] = []
    for identifier in [
        _dict(party.get("identifier")),
        *map(_dict, _list(party.get("additionalIdentifiers"))),
    ]:
        scheme, local = identifier.get("scheme"), identifier.get("id")
        if isinstance(scheme, str) and scheme and local not in (None, ""):
            value = org_id(f"{scheme}-{local}", report, row.file, row.position)
            if value:
                ids.append(value)
    party_id = party.get("id")
    if isinstance(party_id, str) and _ORG_ID.match(party_id):
        value = org_id(party_id, report, row.file, row.position)
        if value:
            ids.append(value)
    name = str(party.get("name") or _dict(party.get("identifier")).get("legalName") or "")
    details = _dict(party.get("details"))
    vcse = _flag(details.get("vcse"))
    if vcse is None:
        vcse = _flag(party.get("vco"))
    return OrgRef(name, ids, Kind.OTHER, is_vcse=vcse, source_key=None if ids else name_key(name))


def _is_uk(ref: OrgRef, party: dict[str, Any], ocid: str) -> bool:
    """A UK buyer: a UK org-id, a UK address, or a UK publisher's release."""
    if any(v.startswith(("GB-", "XI-")) for v in ref.identifiers):
        return True
    country = str(_dict(party.get("address")).get("countryName") or "").strip().lower()
    return country in _UK_COUNTRY or ocid.startswith(_UK_OCID_PREFIXES)


def _is_central(ref: OrgRef, party: dict[str, Any], ocid: str) -> bool:
    """UK central government: the GB-GOR register, or a UK buyer with a department's name
    (another country's "Ministry of ..." is not UK central government)."""
    if any(v.startswith("GB-GOR-") for v in ref.identifiers):
        return True
    return bool(_CENTRAL.match(ref.name)) and _is_uk(ref, party, ocid)


def _supplier_key(party: dict[str, Any], index: int) -> str:
    """What tells one supplier of an award from another: its party id (OCDS 1.1), else its
    identifier or name (OCDS 1.0 names suppliers inline, without ids)."""
    if party.get("id") not in (None, ""):
        return str(party["id"])
    identifier = _dict(party.get("identifier"))
    if identifier.get("id") not in (None, "", "null"):
        return f"{identifier.get('scheme') or ''}-{identifier['id']}"
    return str(party.get("name") or index)


def _buyer(release: dict[str, Any], parties: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """The buyer party: by reference (1.1), by role, inline (1.0), else the procuring
    entity (some 1.0 publishers name only that)."""
    inline = _dict(release.get("buyer"))
    if inline.get("id") is not None and str(inline["id"]) in parties:
        return parties[str(inline["id"])]
    by_role = next((p for p in parties.values() if "buyer" in _list(p.get("roles"))), None)
    if by_role is not None:
        return by_role
    if inline.get("name") or _dict(inline.get("identifier")).get("id"):
        return inline
    entity = _dict(_dict(release.get("tender")).get("procuringEntity"))
    if entity.get("id") is not None and str(entity["id"]) in parties:
        return parties[str(entity["id"])]
    return entity if entity.get("name") else None


def _load_batch(
    batch: list[Row], directory: Directory, report: ImportReport, staged: StagedRows
) -> None:
    planned: list[tuple[Row, dict[str, Any], OrgRef, OrgRef, dict[str, Any], str, bool]] = []
    for row in batch:
        release = row.data
        parties = {str(p.get("id")): p for p in map(_dict, _list(release.get("parties")))}
        buyer = _buyer(release, parties)
        release_awards = [_dict(a) for a in _list(release.get("awards"))]
        if not release_awards:
            report.add("releases without awards (tenders, plans)")
            continue
        if buyer is None:
            report.warn(f"{row.file}: release with awards but no buyer, skipped\x00{row.position}")
            continue
        buyer_ref = _party_ref(buyer, row, report)
        central = _is_central(buyer_ref, buyer, release["ocid"])
        if central:
            buyer_ref.kind = Kind.GOVERNMENT
        for award in release_awards:
            if str(award.get("status") or "").lower() in _SKIP_STATUS:
                report.add("awards cancelled or unsuccessful (left out)")
                continue
            for index, supplier in enumerate(map(_dict, _list(award.get("suppliers")))):
                party = parties.get(str(supplier.get("id")), supplier)
                supplier_ref = _party_ref(party, row, report)
                if not supplier_ref.identifiers and not supplier_ref.source_key:
                    report.warn(
                        f"{row.file}: supplier with no id or name, skipped\x00{row.position}"
                    )
                    continue
                key = f"{release['ocid']}/{award.get('id')}/{_supplier_key(party, index)}"
                planned.append((row, award, buyer_ref, supplier_ref, party, key, central))
    directory.prefetch(ref for item in planned for ref in (item[2], item[3]))
    adapt = connection.ops.adapt_datetimefield_value
    for row, award, buyer_ref, supplier_ref, party, key, central in planned:
        release = row.data
        period = _dict(award.get("contractPeriod"))
        details = _dict(party.get("details"))
        scale = details.get("scale")
        sme = (scale == "sme") if isinstance(scale, str) else _flag(party.get("sme"))
        suitability = _dict(_dict(release.get("tender")).get("suitability"))
        value = _amount(party.get("x_awardValue")) or _amount(award.get("value"))
        currency = _dict(award.get("value")).get("currency") or ""
        # In HASHED's order.
        values = [
            release["ocid"][:200],
            release["id"][:200],
            str(award.get("id") or "")[:200],
            directory.resolve(buyer_ref),
            directory.resolve(supplier_ref),
            str(award.get("title") or _dict(release.get("tender")).get("title") or "")[:500],
            str(award.get("status") or "")[:40],
            value,
            str(currency)[:3],
            _date(award.get("date")),
            _date(period.get("startDate")),
            _date(period.get("endDate")),
            release["date"],
            central,
            supplier_ref.is_vcse,
            sme,
            _flag(suitability.get("vcse")),
            _flag(suitability.get("sme")),
        ]
        digest = row_hash(values)
        values[12] = adapt(release["date"])  # as the database stores it, to compare
        staged.add(key[:400], (*values, row.file, digest))
    directory.flush()
