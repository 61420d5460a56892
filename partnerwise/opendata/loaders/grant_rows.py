"""Shape 360Giving grants into staging records where they are read (see shaping.py).

A grant names its first funder and first recipient; each is found by its org-ids (`id`,
`charityNumber`, `companyNumber`), else by its name within 360Giving data only. Grants
repeat their funders and recipients, so what each one's fields come to (its `OrgRef`, its
handle and the warnings its identifiers give) is worked out once and remembered.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from partnerwise.opendata.loaders.shaping import (
    CHARITY,
    FUNDER,
    OTHER,
    Handles,
    OrgRef,
    Party,
    Shaped,
    Warned,
    Warnings,
    as_text,
    charity_org_id,
    company_org_id,
    name_key,
    org_id,
    passing,
)
from partnerwise.opendata.readers import BadRecord, Note, Row, to_decimal

AMOUNT = 2  # where the amount is among a record's values after the organisations


def _first(value: Any) -> dict[str, Any]:
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return value[0]
    return {}


def _funder(org: dict[str, Any], warnings: Warnings, file: str, position: str) -> OrgRef | None:
    ids = tuple(v for v in [org_id(org.get("id"), warnings, file, position)] if v)
    name = str(org.get("name") or "")
    key = None if ids else name_key(name)
    return OrgRef(name, ids, FUNDER, source_key=key) if ids or key else None


def _recipient(org: dict[str, Any], warnings: Warnings, file: str, position: str) -> OrgRef | None:
    ids = tuple(
        v
        for v in [
            org_id(org.get("id"), warnings, file, position),
            charity_org_id(org.get("charityNumber"), warnings, file, position),
            company_org_id(org.get("companyNumber"), warnings, file, position),
        ]
        if v
    )
    name = str(org.get("name") or "")
    key = None if ids else name_key(name)
    if not (ids or key):
        return None
    is_charity = any(v.startswith("GB-CHC-") for v in ids)
    return OrgRef(
        name,
        ids,
        CHARITY if is_charity else OTHER,
        is_vcse=True if is_charity else None,
        source_key=key,
    )


def _party(handles: Handles, role: str, org: dict[str, Any], file: str, position: str) -> Party:
    get = org.get
    memo_key = (role, get("id"), get("name"), get("charityNumber"), get("companyNumber"))
    party = handles.known(memo_key)
    if party is None:
        warnings = Warnings()
        ref = (_funder if role == "funder" else _recipient)(org, warnings, file, position)
        party = handles.keep(memo_key, Party(ref, tuple(warnings.messages)))
    return party


def shape_grants(items: Iterable[Row | BadRecord | Note], file: str) -> Iterator[Shaped]:
    """The staging records of what `read_grants` yields: (funder, recipient) handles, then
    title, description, amount (as text: see `as_text`), currency, award date and programme
    (row_hash's order)."""
    handles = Handles()
    for item in items:
        if type(item) is not Row or not item.data:
            yield from passing(item)
            continue
        grant, position = item.data, item.position
        recipient_fields = _first(grant.get("recipientOrganization"))
        if not recipient_fields:  # a grant to an individual (the reader has warned)
            yield from passing(item)
            continue
        handles.begin()
        funder = _party(handles, "funder", _first(grant.get("fundingOrganization")), file, position)
        recipient = _party(handles, "recipient", recipient_fields, file, position)
        warnings = item.warnings + list(funder.warnings + recipient.warnings)
        if funder.ref is None or recipient.ref is None:
            warnings.append(
                f"{file}: grant with neither an id nor a name for its funder or recipient, "
                f"skipped\x00{position}"
            )
            yield Warned(tuple(warnings))
            continue
        if recipient.ref.source_key:
            warnings.append(
                f"{file}: recipient without a usable org-id, known by its name within "
                f"360Giving data only\x00{position}: {recipient.ref.name}"
            )
        if warnings:
            yield Warned(tuple(warnings))
        pair = (handles.handle(funder), handles.handle(recipient))
        if handles.out:
            yield from handles.take()
        programme = _first(grant.get("grantProgramme")).get("title") or ""
        yield (
            str(grant["id"])[:300],
            pair,
            (),
            (
                str(grant.get("title") or "")[:500],
                str(grant.get("description") or ""),
                as_text(to_decimal(grant.get("amountAwarded"))),
                str(grant.get("currency") or "")[:3],
                str(grant["awardDate"])[:10],
                str(programme)[:300],
            ),
        )
